// I/O APIC redirection tables (82093AA register interface: IOREGSEL/IOWIN). Each chip
// serves the GSIs [gsi_base, gsi_base + entries). Every entry starts masked.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ioapic {

// Maps the chip at physical `address` and masks all its entries; false if nothing answers
// there or the table of chips is full.
bool add(uint32_t address, uint32_t gsi_base);
size_t chip_count();

// Programs gsi's entry: fixed delivery of `vector` to the local APIC `apic_id` (physical
// destination mode), still masked. False when no chip serves gsi.
bool program(uint32_t gsi, uint8_t vector, bool level, bool active_low, uint8_t apic_id);
bool set_masked(uint32_t gsi, bool masked);

} // namespace ioapic
