#include "arch/x86_64/xen/console.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/xen/console_ring.h"
#include "arch/x86_64/xen/hypercall.h"
#include "lib/new.h"
#include "mm/vm.h"

namespace xen::pv_console {
namespace {
uint64_t g_page_phys = 0;
uint32_t g_port = 0;
ConsoleRing* g_ring = nullptr;
alignas(ConsoleRing) uint8_t g_ring_storage[sizeof(ConsoleRing)];

// Output from before the ring can be mapped (only error messages print that early).
constexpr size_t kEarlySize = 2048;
char g_early[kEarlySize];
size_t g_early_len = 0;
bool g_flushing = false;

// How long a writer waits for xenconsoled to make room, and drain() for it to empty the
// ring: in TSC cycles, because the clocks may not be calibrated yet (about 2 s at 2 GHz;
// longer on a slower TSC, which only makes the bound looser).
constexpr uint64_t kWaitCycles = 4ull << 30;

bool map_ring() {
  if (g_ring)
    return true;
  if (!mm::direct_map_ready())
    return false;
  void* page = g_page_phys < mm::direct_map_end() ? mm::phys_to_virt(g_page_phys)
                                                  : mm::map_mmio(g_page_phys, mm::kPageSize);
  if (!page)
    return false;
  g_ring = new (g_ring_storage) ConsoleRing(static_cast<volatile uint8_t*>(page));
  return true;
}

// Writes everything, waiting for room while xenconsoled empties the ring; drops the rest
// if it never does (no daemon attached), so a dead console cannot hang the kernel.
void put(const char* data, size_t len) {
  uint64_t waited_since = 0;
  while (len) {
    size_t n = g_ring->write(data, len);
    if (n) {
      data += n;
      len -= n;
      notify(g_port);
      waited_since = 0;
      continue;
    }
    uint64_t now = cpu::rdtsc();
    if (!waited_since)
      waited_since = now;
    else if (now - waited_since > kWaitCycles)
      return;
    sched_yield();
  }
}
} // namespace

bool init() {
  auto pfn = hvm_get_param(kHvmParamConsolePfn);
  auto port = hvm_get_param(kHvmParamConsoleEvtchn);
  if (!pfn || !port || pfn.value() == 0)
    return false;
  g_page_phys = pfn.value() << 12;
  g_port = static_cast<uint32_t>(port.value());
  return true;
}

void write(const char* data, size_t len) {
  if (!map_ring()) {
    for (size_t i = 0; i < len && g_early_len < kEarlySize; ++i)
      g_early[g_early_len++] = data[i];
    return;
  }
  if (g_early_len && !g_flushing) {
    g_flushing = true;
    put(g_early, g_early_len);
    g_early_len = 0;
    g_flushing = false;
  }
  put(data, len);
}

bool drain() {
  if (!map_ring()) {
    // Stopping before the ring could be mapped (a failure in early boot): hand the buffered
    // lines to Xen's debug port instead, which Xen logs as "(d<N>) ..." (guest_loglvl=all).
    for (size_t i = 0; i < g_early_len; ++i)
      cpu::outb(0xE9, static_cast<uint8_t>(g_early[i]));
    g_early_len = 0;
    return false;
  }
  if (g_early_len)
    write("", 0);
  uint64_t start = cpu::rdtsc();
  while (g_ring->unread_output()) {
    if (cpu::rdtsc() - start > kWaitCycles)
      return false;
    notify(g_port);
    sched_yield();
  }
  return true;
}

size_t read(char* out, size_t max) {
  if (!map_ring())
    return 0;
  size_t n = g_ring->read(out, max);
  if (n)
    notify(g_port); // tell the daemon there is room for more input
  return n;
}

} // namespace xen::pv_console
