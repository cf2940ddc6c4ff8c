#include "arch/x86_64/exit.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/cpu.h"
#include "mm/vm.h"

namespace {
bool g_debug_exit = true;
MachineExitHook g_exit_hook = nullptr;

void debug_exit_port(int code) {
  cpu::outb(0x501, static_cast<uint8_t>(code));
}
} // namespace

void set_debug_exit(bool enabled) {
  g_debug_exit = enabled;
}

void set_machine_exit_hook(MachineExitHook hook) {
  g_exit_hook = hook;
}

void machine_exit(int code) {
  asm volatile("cli");
  code &= 0xFF;
  if (g_exit_hook)
    g_exit_hook(code);
  if (g_debug_exit)
    debug_exit_port(code); // QEMU with isa-debug-exit stops here
  // ACPI tables are parsed only now, on the way out: nothing else needs them, and reading
  // them costs boot time.
  static bool acpi_tried = false; // a fault while parsing comes back here: try once
  if (mm::direct_map_ready() && !acpi_tried) {
    acpi_tried = true;
    acpi::init(boot::info().rsdp_phys);
  }
  const acpi::PowerOff& acpi = acpi::power_off();
  if (acpi.available && acpi.sleep_control) {
    // SLP_TYPx in bits 4:2, SLP_EN bit 5 of the sleep control register.
    auto v = static_cast<uint8_t>(((acpi.slp_typ_a & 7) << 2) | (1 << 5));
    if (acpi.sleep_control_io)
      cpu::outb(static_cast<uint16_t>(acpi.sleep_control_addr), v);
    else
      *static_cast<volatile uint8_t*>(mm::map_mmio(acpi.sleep_control_addr, 1)) = v;
  } else if (acpi.available) {
    constexpr uint16_t kSlpEn = 1 << 13;
    cpu::outw(acpi.pm1a_cnt, static_cast<uint16_t>((acpi.slp_typ_a << 10) | kSlpEn));
    if (acpi.pm1b_cnt)
      cpu::outw(acpi.pm1b_cnt, static_cast<uint16_t>((acpi.slp_typ_b << 10) | kSlpEn));
  }
  debug_exit_port(code);
  // Keyboard-controller reset: with -no-reboot QEMU exits.
  for (int i = 0; i < 100000 && (cpu::inb(0x64) & 0x02); ++i)
    cpu::pause();
  cpu::outb(0x64, 0xFE);
  cpu::halt_forever();
}
