#include "arch/x86_64/xen/events.h"

#include "arch/x86_64/irq.h"
#include "arch/x86_64/xen/hypercall.h"
#include "arch/x86_64/xen/shared_info.h"
#include "lib/errno.h"

namespace xen::events {
namespace {
struct Binding {
  Handler handler;
  void* ctx;
};
Binding g_bindings[kMaxPorts];
bool g_ready = false;

volatile uint64_t* bitmap(volatile uint8_t* si, size_t offset) {
  return reinterpret_cast<volatile uint64_t*>(si + offset);
}

// The upcall: clear the vCPU's summary flag first, so an event that arrives while we scan
// raises the vector again instead of being missed.
void upcall(void*) {
  volatile uint8_t* si = shared_info();
  auto* vcpu = reinterpret_cast<volatile VcpuInfo*>(si);
  vcpu->evtchn_upcall_pending = 0;
  uint64_t words = __atomic_exchange_n(&vcpu->evtchn_pending_sel, 0, __ATOMIC_ACQ_REL);
  volatile uint64_t* pending = bitmap(si, kSharedInfoPendingOffset);
  volatile uint64_t* mask = bitmap(si, kSharedInfoMaskOffset);
  while (words) {
    unsigned w = static_cast<unsigned>(__builtin_ctzll(words));
    words &= words - 1;
    uint64_t bits = pending[w] & ~mask[w];
    while (bits) {
      unsigned b = static_cast<unsigned>(__builtin_ctzll(bits));
      bits &= bits - 1;
      __atomic_fetch_and(&pending[w], ~(1ull << b), __ATOMIC_ACQ_REL);
      uint32_t port = w * 64 + b;
      if (port < kMaxPorts && g_bindings[port].handler)
        g_bindings[port].handler(g_bindings[port].ctx);
      else // a port nobody listens to (the console's, the xenstore's): stop its upcalls
        __atomic_fetch_or(&mask[w], 1ull << b, __ATOMIC_ACQ_REL);
    }
  }
}
} // namespace

Status init() {
  if (g_ready)
    return status_ok();
  if (!present() || !shared_info())
    return Err(-ENODEV);
  uint8_t vector = TRY(irq::allocate(upcall, nullptr, "xen-events"));
  Status s = hvm_set_param(kHvmParamCallbackIrq, kHvmCallbackTypeVector | vector);
  if (!s) {
    irq::release(vector);
    return s;
  }
  g_ready = true;
  return status_ok();
}

bool ready() {
  return g_ready;
}

Status bind(uint32_t port, Handler handler, void* ctx) {
  if (port >= kMaxPorts)
    return Err(-ENOSPC);
  g_bindings[port] = {handler, ctx};
  return evtchn_unmask(port);
}

} // namespace xen::events
