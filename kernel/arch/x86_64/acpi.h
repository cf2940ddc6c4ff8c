// The little of ACPI the kernel needs: the S5 (soft-off) sleep type and PM1 control ports
// (or the sleep control register of hardware-reduced ACPI), found through RSDP →
// RSDT/XSDT → FADT → DSDT's \_S5_ package; and the MADT's interrupt model (I/O APICs,
// ISA interrupt source overrides) for device interrupts.
#pragma once

#include "arch/x86_64/madt.h"

#include <stdint.h>

namespace acpi {
struct PowerOff {
  bool available = false;
  uint16_t pm1a_cnt = 0, pm1b_cnt = 0;
  uint16_t slp_typ_a = 0, slp_typ_b = 0;
  // Hardware-reduced ACPI (QEMU microvm): the FADT's sleep control register instead of PM1.
  bool sleep_control = false;
  bool sleep_control_io = false; // I/O port, else memory
  uint64_t sleep_control_addr = 0;
};
// Parses the tables (needs the direct map). rsdp_phys 0 = search the BIOS areas.
void init(uint64_t rsdp_phys);
const PowerOff& power_off();
// The MADT, parsed on the first call (only machines with device interrupts routed through
// an I/O APIC pay for reading it); nullptr without ACPI or MADT. rsdp_phys as for init.
const InterruptModel* interrupt_model(uint64_t rsdp_phys);
} // namespace acpi
