// The little of ACPI the kernel needs: the S5 (soft-off) sleep type and PM1 control ports
// (or the sleep control register of hardware-reduced ACPI), found through RSDP →
// RSDT/XSDT → FADT → DSDT's \_S5_ package.
#pragma once

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
} // namespace acpi
