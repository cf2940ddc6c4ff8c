// Interface configuration in the kernel: static settings or a DHCP agent per interface,
// driven by a kernel timer, and the generated resolv.conf text. See configure.h.
#include "net/configure.h"

#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "net/dhcp_agent.h"
#include "sched/wait.h"

namespace net {
namespace {

// The address lines are for people looking at a boot (the kernel command line has core.net,
// or core.devices with the device lines); a program's console stays its own by default.
// Failures are always printed.
bool show_addresses() {
  static const bool show = boot::cmdline_has("core.net") || boot::cmdline_has("core.devices");
  return show;
}

struct IpText {
  char text[16];
  explicit IpText(Ipv4Address a) {
    uint32_t v = a.value;
    klib::format(text, sizeof text, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xFF, (v >> 8) & 0xFF,
                 v & 0xFF);
  }
};

class DhcpRunner;

struct Slot {
  Stack* stack = nullptr;
  Interface* interface = nullptr;
  DhcpRunner* dhcp = nullptr;
  bool configured = false;
};
Slot g_slots[NetSettings::kMaxInterfaces];
NetSettings g_settings;
bool g_have_settings = false;
sched::WaitQueue g_address_changed; // woken when a lease comes or goes
Ipv4Address g_lease_dns[3];
uint8_t g_lease_dns_count = 0;
char g_resolv_conf[NetSettings::kMaxNameservers * 28 + 1] = "";

void update_resolv_conf() {
  const Ipv4Address* servers = g_settings.nameservers;
  uint8_t count = g_settings.nameserver_count;
  if (count == 0) {
    servers = g_lease_dns;
    count = g_lease_dns_count;
  }
  size_t used = 0;
  g_resolv_conf[0] = 0;
  for (uint8_t i = 0; i < count; ++i)
    used += klib::format(g_resolv_conf + used, sizeof g_resolv_conf - used, "nameserver %s\n",
                         IpText(servers[i]).text);
}

// A DhcpAgent on a kernel timer, which says what it got.
class DhcpRunner final : public DhcpAgent {
public:
  DhcpRunner(Stack& stack, Interface& interface)
      : DhcpAgent(stack, interface, random_xid()), stack_(stack), interface_(interface) {
    timer_.timer.fire = &DhcpRunner::on_timer;
    timer_.owner = this;
  }

  void run() {
    Status s = start();
    if (!s) {
      kprintf("net: %s: DHCP cannot start (%d)\n", interface_.name(), s.error());
      return;
    }
    rearm();
  }

  void lease_acquired(const DhcpLease& lease) override {
    bool changed = !has_lease() || interface_.address() != lease.address;
    DhcpAgent::lease_acquired(lease);
    g_lease_dns_count = lease.dns_count < 3 ? lease.dns_count : 3;
    for (uint8_t i = 0; i < g_lease_dns_count; ++i)
      g_lease_dns[i] = lease.dns[i];
    update_resolv_conf();
    if (changed && show_addresses()) {
      char dns[64] = "";
      size_t used = 0;
      for (uint8_t i = 0; i < g_lease_dns_count; ++i)
        used += klib::format(dns + used, sizeof dns - used, "%s%s", i ? " " : "",
                             IpText(lease.dns[i]).text);
      kprintf("net: %s: DHCP lease %s/%u, router %s, DNS %s, %u s\n", interface_.name(),
              IpText(lease.address).text, lease.prefix_length,
              lease.router.is_any() ? "none" : IpText(lease.router).text, dns[0] ? dns : "none",
              lease.lease_seconds);
    }
    sched::wake_all(g_address_changed);
  }

  void lease_lost() override {
    DhcpAgent::lease_lost();
    kprintf("net: %s: DHCP lease lost\n", interface_.name());
    sched::wake_all(g_address_changed);
  }

private:
  static uint32_t random_xid() {
    uint32_t x;
    krandom::random_bytes(&x, sizeof x);
    return x;
  }
  static void on_timer(sched::Timer* t) {
    DhcpRunner* self = reinterpret_cast<TimerSlot*>(t)->owner;
    self->tick();
    self->rearm();
  }
  // At the client's next deadline, but at least every second: a message it received since
  // the timer was armed may have moved the deadline earlier.
  void rearm() {
    uint64_t now = stack_.now();
    uint64_t due = client().next_deadline();
    uint64_t wait = due <= now ? 0 : due - now;
    if (wait > kNsPerSecond)
      wait = kNsPerSecond;
    timer_.timer.housekeeping = true; // address waits have deadlines of their own
    sched::timer_arm(&timer_.timer, ktime::monotonic_ns() + wait);
  }

  struct TimerSlot {
    sched::Timer timer{};
    DhcpRunner* owner = nullptr;
  } timer_;
  Stack& stack_;
  Interface& interface_;
};

void configure_static(Slot& slot, const InterfaceSettings& s) {
  Interface& i = *slot.interface;
  Status set = slot.stack->set_address(i, s.address, s.prefix_length);
  if (!set) {
    kprintf("net: %s: cannot set address %s (%d)\n", i.name(), IpText(s.address).text, set.error());
    return;
  }
  Status routed = slot.stack->set_default_route(s.gateway, i);
  if (show_addresses())
    kprintf("net: %s: static address %s/%u, gateway %s%s\n", i.name(), IpText(s.address).text,
          s.prefix_length, IpText(s.gateway).text, routed ? "" : " (not on the subnet: unused)");
  sched::wake_all(g_address_changed);
}

void configure(Slot& slot, size_t index) {
  slot.configured = true;
  const InterfaceSettings& s = g_settings.interfaces[index];
  Interface& i = *slot.interface;
  if (s.mtu)
    i.set_mtu(s.mtu); // before DHCP, which keeps it as the ceiling of the lease's MTU
  i.set_up(true);
  if (s.is_static()) {
    configure_static(slot, s);
    return;
  }
  slot.dhcp = new DhcpRunner(*slot.stack, i);
  slot.dhcp->run();
}

} // namespace

void configure_interface(Stack& stack, Interface& interface) {
  int index = interface_index(interface.name());
  if (index < 0 || g_slots[index].interface) {
    // Not one of en1..en8 (or a duplicate name): up, no address.
    interface.set_up(true);
    kprintf("net: %s: no configuration for this interface name\n", interface.name());
    return;
  }
  Slot& slot = g_slots[index];
  slot.stack = &stack;
  slot.interface = &interface;
  if (g_have_settings)
    configure(slot, static_cast<size_t>(index));
}

void apply_settings(const NetSettings& settings) {
  g_settings = settings;
  g_have_settings = true;
  update_resolv_conf();
  for (size_t i = 0; i < NetSettings::kMaxInterfaces; ++i)
    if (g_slots[i].interface && !g_slots[i].configured)
      configure(g_slots[i], i);
}

const char* resolv_conf_text() {
  bool any_interface = false;
  for (const Slot& slot : g_slots)
    any_interface = any_interface || slot.interface;
  return any_interface || g_settings.nameserver_count ? g_resolv_conf : nullptr;
}

void wait_for_addresses() {
  for (size_t i = 0; i < NetSettings::kMaxInterfaces; ++i) {
    Interface* iface = g_slots[i].interface;
    uint32_t secs = g_settings.interfaces[i].wait_for_ip4_secs;
    if (!iface || secs == 0)
      continue;
    uint64_t deadline = ktime::monotonic_ns() + secs * kNsPerSecond;
    while (!iface->has_address()) {
      if (sched::wait(g_address_changed, deadline, "exec_wait_for_ip4_secs") == -ETIMEDOUT) {
        kprintf("net: %s: no address after %u s; the program starts anyway\n", iface->name(), secs);
        break;
      }
    }
  }
}

} // namespace net
