// Self-test of PCI interrupts with QEMU's `edu` device (-device edu; PCI 1234:11e8), which
// raises an interrupt on request: BAR0 register 0x60 raises one and ORs the written value
// into the status at 0x24, 0x64 clears status bits, and the interrupt (MSI when enabled,
// else INTx, level) stays asserted while any status bit is set. Runs only when the device
// is present (tests/kernel-core adds it for the `irq` mode).
#include "selftest_edu.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/time.h"
#include "drivers/pci.h"
#include "mm/vm.h"

namespace selftest {
namespace {

constexpr uint16_t kEduVendor = 0x1234, kEduDevice = 0x11E8;
constexpr uint32_t kRegStatus = 0x24 / 4, kRegRaise = 0x60 / 4, kRegAck = 0x64 / 4;

struct Edu {
  pci::Address addr{};
  volatile uint32_t* regs = nullptr;
  volatile int interrupts = 0;
  volatile uint32_t last_status = 0;
};

// Top half: reads what raised the interrupt and acknowledges it, which drops the INTx line
// (level-triggered: without this the EOI would deliver it again at once).
void edu_interrupt(void* ctx) {
  auto* e = static_cast<Edu*>(ctx);
  uint32_t status = e->regs[kRegStatus];
  e->regs[kRegAck] = status;
  e->last_status = status;
  e->interrupts = e->interrupts + 1;
}

// Halts until the device interrupted or `ns` passed (the LAPIC timer as a backstop).
void halt_for(Edu& e, int until_count, uint64_t ns) {
  uint64_t end = ktime::monotonic_ns() + ns;
  while (e.interrupts < until_count && ktime::monotonic_ns() < end) {
    arch::timer_program(end);
    arch::wait_for_interrupt();
  }
}

// Raises one interrupt with `value` and expects exactly one delivery carrying it, and no
// second one in the 20 ms after (a level-triggered line left asserted would repeat).
bool raise_once(Edu& e, uint32_t value) {
  e.interrupts = 0;
  e.regs[kRegRaise] = value;
  halt_for(e, 1, 2000000000);
  halt_for(e, 2, 20000000);
  return e.interrupts == 1 && e.last_status == value;
}

bool find_edu(pci::Address* out) {
  struct Search {
    pci::Address addr;
    bool found;
  } s{{}, false};
  pci::enumerate(
      [](const pci::Device& d, void* ctx) {
        auto* s = static_cast<Search*>(ctx);
        if (d.vendor == kEduVendor && d.device_id == kEduDevice && !s->found)
          *s = Search{d.addr, true};
      },
      &s);
  *out = s.addr;
  return s.found;
}

// i440FX (`pc`) host bridge: its INTx lines are PCI link IRQs that SeaBIOS wrote to config
// 0x3C and the MADT overrides as level-triggered (q35's 0x3C is a PIC-mode value).
bool host_is_i440fx() {
  return pci::read32({0, 0, 0}, 0) == 0x12378086u;
}

} // namespace

void test_edu(void (*check)(bool ok, const char* what)) {
  static Edu e;
  if (!find_edu(&e.addr))
    return;
  bool io = false;
  uint64_t bar = pci::bar_address(e.addr, 0, &io);
  pci::enable_device(e.addr);
  e.regs = static_cast<volatile uint32_t*>(mm::map_mmio(bar, 4096));
  e.regs[kRegAck] = 0xFFFFFFFFu;

  auto vector = irq::allocate(edu_interrupt, &e, "edu");
  bool msi_ok = !io && vector.ok() && pci::enable_msi(e.addr, *vector).ok() &&
                raise_once(e, 0x5A) && irq::count(*vector) == 1;
  check(msi_ok, "PCI MSI (edu)");

  if (vector.ok())
    irq::release(*vector);

  if (host_is_i440fx()) {
    // The line is shared the way INTx lines are: a second handler (standing for another
    // device on the same link) sits on it too and must be called as well.
    pci::use_intx(e.addr);
    uint8_t line = pci::interrupt_line(e.addr);
    static volatile int neighbour_calls = 0;
    auto count_neighbour = [](void*) { neighbour_calls = neighbour_calls + 1; };
    bool intx_ok = pci::interrupt_pin(e.addr) != 0 && line != 0 && line < 16;
    auto neighbour = intx_ok ? irq::attach_isa_irq(line, count_neighbour, nullptr, "neighbour")
                             : ErrorOr<uint8_t>::failure(-ENODEV);
    auto edu_line = intx_ok ? irq::attach_isa_irq(line, edu_interrupt, &e, "edu")
                            : ErrorOr<uint8_t>::failure(-ENODEV);
    intx_ok = neighbour.ok() && edu_line.ok() && *neighbour == *edu_line && raise_once(e, 0xA5) &&
              neighbour_calls == 1;
    check(intx_ok, "PCI INTx, level-triggered, shared line (edu)");
    irq::detach_isa_irq(line, edu_interrupt, &e);
    irq::detach_isa_irq(line, count_neighbour, nullptr);
  }
  arch::timer_program(~0ull);
}

} // namespace selftest
