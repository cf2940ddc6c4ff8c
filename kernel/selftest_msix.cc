// Self-test of MSI-X with QEMU's e1000e (-device e1000e; Intel 82574L, PCI 8086:10d3): its
// Interrupt Cause Set register (0xC8) raises any cause by software, and in MSI-X mode the
// "other" causes (link status change among them, which also set the OTHER cause, bit 24)
// go to the table entry that IVAR (0xE4) bits 19:16 name (bit 19: valid), when the
// interrupt mask (IMS) lets OTHER through. Runs only when the device is present.
#include "selftest_msix.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/time.h"
#include "drivers/pci.h"
#include "mm/vm.h"

namespace selftest {
namespace {

constexpr uint32_t kRegIcr = 0xC0 / 4, kRegIcs = 0xC8 / 4, kRegIms = 0xD0 / 4, kRegImc = 0xD8 / 4,
                   kRegIvar = 0xE4 / 4;
constexpr uint32_t kCauseLinkStatusChange = 1u << 2, kCauseOther = 1u << 24;
constexpr uint16_t kTableEntry = 2; // any entry but 0, to see the entry index honoured

struct Nic {
  volatile uint32_t* regs = nullptr;
  volatile int interrupts = 0;
  volatile uint32_t causes = 0;
};

void nic_interrupt(void* ctx) {
  auto* n = static_cast<Nic*>(ctx);
  n->causes = n->regs[kRegIcr]; // read-to-clear
  n->interrupts = n->interrupts + 1;
}

bool find_e1000e(pci::Address* out) {
  struct Search {
    pci::Address addr;
    bool found;
  } s{{}, false};
  pci::enumerate(
      [](const pci::Device& d, void* ctx) {
        auto* s = static_cast<Search*>(ctx);
        if (d.vendor == 0x8086 && d.device_id == 0x10D3 && !s->found)
          *s = Search{d.addr, true};
      },
      &s);
  *out = s.addr;
  return s.found;
}

} // namespace

void test_msix(void (*check)(bool ok, const char* what)) {
  static Nic n;
  pci::Address a{};
  if (!find_e1000e(&a))
    return;
  bool io = false;
  uint64_t bar = pci::bar_address(a, 0, &io);
  pci::enable_device(a);
  n.regs = static_cast<volatile uint32_t*>(mm::map_mmio(bar, 4096));
  n.regs[kRegImc] = 0xFFFFFFFFu; // everything masked while setting up
  (void)n.regs[kRegIcr];

  auto vector = irq::allocate(nic_interrupt, &n, "e1000e");
  bool ok = !io && vector.ok() && pci::msix_table_size(a) > kTableEntry &&
            pci::enable_msix(a, kTableEntry, *vector).ok();
  if (ok) {
    n.regs[kRegIvar] = static_cast<uint32_t>(0x8 | kTableEntry) << 16; // "other" causes
    n.regs[kRegIms] = kCauseLinkStatusChange | kCauseOther;
    n.regs[kRegIcs] = kCauseLinkStatusChange;
    uint64_t end = ktime::monotonic_ns() + 2000000000;
    while (n.interrupts == 0 && ktime::monotonic_ns() < end) {
      arch::timer_program(end);
      arch::wait_for_interrupt();
    }
    ok = n.interrupts == 1 && (n.causes & kCauseLinkStatusChange) && irq::count(*vector) == 1;
    n.regs[kRegImc] = 0xFFFFFFFFu;
  }
  check(ok, "PCI MSI-X (e1000e)");
  if (vector.ok())
    irq::release(*vector);
  arch::timer_program(~0ull);
}

} // namespace selftest
