// netfront: probe, the xenstore handshake with netback, the event -> deferred work path and
// the watchdog. Receive and transmit are in netfront_io.cc; netfront.h has the design.
#include "drivers/xen/netfront.h"

#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/xen/events.h"
#include "arch/x86_64/xen/grant_table.h"
#include "arch/x86_64/xen/hypercall.h"
#include "drivers/xen/xenstore.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "mm/vm.h"
#include "net/netdev.h"

namespace xen_drivers {
namespace {
constexpr uint64_t kConnectTimeoutMs = 20000;
int g_interfaces = 0; // en1, en2... in discovery order, as virtio-net names them
} // namespace

NetFront::NetFront(const xenbus::Device* dev, const char* name, const net::MacAddress& mac)
    : net::Interface(name, Link::kEthernet, mac, kMtu), dev_(dev) {
  service_.work.run = &NetFront::run_service;
  service_.owner = this;
  watchdog_.timer.fire = &NetFront::on_watchdog;
  watchdog_.owner = this;
}

Status NetFront::grant_pages(Page* pages, size_t count, bool readonly) {
  for (size_t i = 0; i < count; ++i) {
    pages[i].phys = mm::alloc_zeroed_page();
    if (!pages[i].phys)
      return Err(-ENOMEM);
    pages[i].ref = TRY(xen::gnttab::grant_access(dev_->backend_id, pages[i].phys, readonly));
  }
  return status_ok();
}

// What the back-end reads when we switch to Connected (its connect step), in one transaction.
Status NetFront::publish() {
  char tx_ref[16], rx_ref[16], port[16];
  klib::format(tx_ref, sizeof tx_ref, "%u", tx_ring_page_.ref);
  klib::format(rx_ref, sizeof rx_ref, "%u", rx_ring_page_.ref);
  klib::format(port, sizeof port, "%u", port_);
  const xenbus::Key keys[] = {
      {"tx-ring-ref", tx_ref},
      {"rx-ring-ref", rx_ref},
      {"event-channel", port},
      {"request-rx-copy", "1"},   // the back-end copies into our pages (no page flipping)
      {"feature-rx-notify", "1"}, // we notify when we post receive pages
      // No offloads: one page per frame, no segmentation, complete checksums on receive.
      {"feature-sg", "0"},
      {"feature-gso-tcpv4", "0"},
      {"feature-no-csum-offload", "1"},
  };
  return xenbus::write_keys(*dev_, keys, sizeof keys / sizeof keys[0]);
}

Status NetFront::connect() {
  TRY(xenbus::switch_state(*dev_, xenbus::kInitialising));
  // The back-end publishes its features in InitWait and waits for our rings.
  TRY(xenbus::wait_backend_state(*dev_, xenbus::kInitWait, kConnectTimeoutMs));
  auto rx_copy = xenbus::backend_number(*dev_, "feature-rx-copy");
  if (!rx_copy || rx_copy.value() != 1)
    return Err(-EOPNOTSUPP); // only page flipping: withdrawn from Xen long ago
  TRY(grant_pages(&tx_ring_page_, 1, false));
  TRY(grant_pages(&rx_ring_page_, 1, false));
  tx_.init(static_cast<volatile uint8_t*>(mm::phys_to_virt(tx_ring_page_.phys)));
  rx_.init(static_cast<volatile uint8_t*>(mm::phys_to_virt(rx_ring_page_.phys)));
  TRY(grant_pages(tx_pages_, kTxPages, true));
  TRY(grant_pages(rx_pages_, kRxPages, false));
  for (size_t i = 0; i < kTxPages; ++i)
    tx_free_[tx_free_count_++] = static_cast<uint16_t>(kTxPages - 1 - i);
  fill_rx(); // requests in place before the back-end maps the ring
  port_ = TRY(xen::evtchn_alloc_unbound(dev_->backend_id));
  TRY(publish());
  // netback connects when the front-end says Connected (not at Initialised, as blkback).
  TRY(xenbus::switch_state(*dev_, xenbus::kConnected));
  TRY(xenbus::wait_backend_state(*dev_, xenbus::kConnected, kConnectTimeoutMs));
  xen::notify(port_); // the receive pages posted before the back-end looked
  return status_ok();
}

void NetFront::on_event(void* self) {
  sched::defer(&static_cast<NetFront*>(self)->service_.work);
}

void NetFront::run_service(sched::Work* w) {
  reinterpret_cast<ServiceWork*>(w)->owner->service();
}

void NetFront::on_watchdog(sched::Timer* t) {
  reinterpret_cast<WatchdogTimer*>(t)->owner->watchdog();
}

// What events may have missed (or everything, while they are not delivered yet).
void NetFront::watchdog() {
  service();
  bool waiting = tx_free_count_ < kTxPages || !tx_overflow_.empty();
  sched::timer_arm(&watchdog_.timer,
                   ktime::monotonic_ns() + (waiting ? kWatchBusyNs : kWatchIdleNs));
}

void NetFront::service() {
  if (in_service_)
    return; // the stack called back into us while we handed it a frame
  in_service_ = true;
  do {
    reap_tx();
    receive_all();
    // Transmit completions matter only while frames wait for a page.
  } while (rx_.arm_and_check() || (!tx_overflow_.empty() && tx_.arm_and_check()));
  in_service_ = false;
}

// Once the stack knows the interface: frames that arrived since the connection wait in the
// ring until now (an event raised meanwhile stays pending and comes when the port is bound).
void NetFront::start() {
  event_bound_ = xen::events::ready() && xen::events::bind(port_, on_event, this).ok();
  watchdog_.timer.housekeeping = true; // it ends no wait by itself (sched/wait.h)
  sched::timer_arm(&watchdog_.timer, ktime::monotonic_ns() + kWatchBusyNs);
}

namespace {

net::MacAddress read_mac(const xenbus::Device& dev) {
  net::MacAddress mac;
  char key[64];
  klib::format(key, sizeof key, "%s/mac", dev.nodename);
  auto text = xenstore::read(key);
  if (text && netif::parse_mac(text->str(), mac.bytes))
    return mac;
  // The toolstack always writes one; without it a random, locally administered address.
  krandom::random_bytes(mac.bytes, sizeof mac.bytes);
  mac.bytes[0] = static_cast<uint8_t>((mac.bytes[0] & 0xFE) | 0x02);
  return mac;
}

Status probe(const drivers::FoundDevice& found) {
  auto* dev = static_cast<const xenbus::Device*>(found.bus_data);
  char* name = new char[8];
  if (!name)
    return Err(-ENOMEM);
  klib::format(name, 8, "en%d", g_interfaces + 1);
  net::MacAddress mac = read_mac(*dev);
  auto* nic = new NetFront(dev, name, mac);
  if (!nic)
    return Err(-ENOMEM);
  Status s = nic->connect();
  if (!s) {
    kprintf("netfront: %s: cannot connect (%d)\n", dev->nodename, s.error());
    return s; // its pages and grants stay: a failed device is not retried
  }
  ++g_interfaces;
  Status attached = net::netdev::attach(*nic);
  if (!attached) {
    kprintf("netfront: the network stack has no room for %s\n", name);
    return status_ok(); // the device stays connected, unused
  }
  nic->start();
  if (boot::cmdline_has("core.devices")) {
    const uint8_t* m = mac.bytes;
    kprintf("xen-netfront: %s (back-end %s, domain %u), %s %02x:%02x:%02x:%02x:%02x:%02x, %s\n",
            dev->nodename, dev->backend, dev->backend_id, name, m[0], m[1], m[2], m[3], m[4], m[5],
            nic->event_driven() ? "event channel upcall" : "polled");
  }
  return status_ok();
}

const drivers::DeviceId kIds[] = {{drivers::Bus::kXenbus, drivers::kAnyId, xenbus::kVif}};

} // namespace

const drivers::Driver netfront_driver = {"xen-netfront", kIds, 1, probe};

} // namespace xen_drivers
