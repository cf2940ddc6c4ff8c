// SCAFFOLD (dropped when net/host.cc lands): a throwaway net::netdev implementation so the
// virtio-net driver and the interface configuration can be tested before the real host
// stack exists. One Stack on the kernel clock, ticked by a timer; no TCP.
#include "arch/x86_64/time.h"
#include "lib/new.h"
#include "net/configure.h"
#include "net/netdev.h"
#include "sched/wait.h"

namespace net::netdev {
namespace {

struct KernelClock final : Clock {
  uint64_t now_ns() const override { return ktime::monotonic_ns(); }
};
KernelClock g_clock;
Stack* g_stack = nullptr;
sched::Timer g_tick;
bool g_ticking = false;

Stack& stack() {
  if (!g_stack)
    g_stack = new Stack(g_clock);
  return *g_stack;
}

void on_tick(sched::Timer*) {
  stack().tick();
  stack().poll();
  sched::timer_arm(&g_tick, ktime::monotonic_ns() + 100 * kNsPerMs);
}

} // namespace

Status attach(Interface& interface) {
  Status s = stack().add_interface(interface);
  if (!s)
    return s;
  configure_interface(stack(), interface);
  if (!g_ticking) {
    g_ticking = true;
    g_tick.fire = on_tick;
    sched::timer_arm(&g_tick, ktime::monotonic_ns() + 100 * kNsPerMs);
  }
  return status_ok();
}

void receive(Interface& interface, PacketPtr frame) {
  stack().receive_frame(interface, frame.take());
  stack().poll();
}

void link_changed(Interface& interface, bool up) {
  interface.set_up(up);
}

} // namespace net::netdev
