// The ACPI MADT ("APIC" table): where the I/O APICs are and how ISA IRQs map onto global
// system interrupts (GSIs). Pure parsing of the table bytes (madt_test.cc runs it on the
// host); acpi.cc finds the table, irq.cc programs the hardware from the result.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace acpi {

struct IoApicEntry {
  uint8_t id = 0;
  uint32_t address = 0;  // physical MMIO base
  uint32_t gsi_base = 0; // GSI of its redirection entry 0
};

// An Interrupt Source Override: ISA IRQ `isa_irq` is GSI `gsi`, with the MPS INTI flags
// (polarity bits 1:0, trigger mode bits 3:2; 0 = "conforms to the bus").
struct IsaOverride {
  uint8_t isa_irq = 0;
  uint32_t gsi = 0;
  uint16_t flags = 0;
};

struct InterruptModel {
  static constexpr size_t kMaxIoApics = 8;
  static constexpr size_t kMaxOverrides = 16;
  uint32_t lapic_address = 0;
  bool has_8259 = false; // PCAT_COMPAT: dual 8259 PICs present (to be masked)
  IoApicEntry io_apics[kMaxIoApics];
  size_t io_apic_count = 0;
  IsaOverride overrides[kMaxOverrides];
  size_t override_count = 0;
};

// Parses a whole MADT (header included, `length` bytes as its header says). False when the
// table is too short or malformed; entries beyond the fixed capacities are dropped.
bool parse_madt(const uint8_t* table, size_t length, InterruptModel& out);

// Where an ISA IRQ arrives: identity-mapped, edge-triggered, active high unless an override
// says otherwise (ISA "conforming" means edge / active high).
struct IsaRoute {
  uint32_t gsi = 0;
  bool level = false;
  bool active_low = false;
};
IsaRoute resolve_isa_irq(const InterruptModel& model, uint8_t isa_irq);

} // namespace acpi
