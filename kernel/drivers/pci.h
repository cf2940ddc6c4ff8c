// PCI configuration space through ports 0xCF8/0xCFC (mechanism #1), bus enumeration.
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace pci {

struct Address {
  uint8_t bus, device, function;
};

uint32_t read32(Address a, uint8_t offset);
uint16_t read16(Address a, uint8_t offset);
uint8_t read8(Address a, uint8_t offset);
void write32(Address a, uint8_t offset, uint32_t value);
void write16(Address a, uint8_t offset, uint16_t value);

struct Bar {
  uint64_t address; // physical (memory) or port number (I/O)
  uint64_t size;
  bool io;
};

struct Device {
  Address addr;
  uint16_t vendor, device_id;
  uint8_t class_code, subclass, prog_if;
  uint8_t header_type;
};

// Calls visit(device) for every function on every bus.
void enumerate(void (*visit)(const Device&, void* ctx), void* ctx);
// Decodes BAR i (sizing it by writing all-ones; restores the original value).
Bar read_bar(Address a, int index);
// The address of BAR i without sizing it (fewer config accesses); io tells the kind.
uint64_t bar_address(Address a, int index, bool* io);
// Turns on memory + I/O decoding and bus mastering.
void enable_device(Address a);
// Offset of the first capability with this id at or after `start` (0 = from the list head);
// 0 if none.
uint8_t find_capability(Address a, uint8_t cap_id, uint8_t start = 0);

// --- Interrupts (vectors come from irq::allocate; messages target this CPU's LAPIC) ---

// Entries in the function's MSI-X table; 0 when it has no MSI-X capability.
uint16_t msix_table_size(Address a);
// Points MSI-X table entry `table_entry` at `vector` and unmasks it, enables MSI-X (which
// replaces MSI and INTx) with bus mastering and memory decoding on, and disables INTx.
// Entries not programmed stay as firmware left them (masked after reset). -ENODEV without
// MSI-X or with the table in an I/O BAR, -EINVAL for an entry beyond the table.
Status enable_msix(Address a, uint16_t table_entry, uint8_t vector);
// Plain MSI with one message (`vector`), bus mastering on, INTx disabled. -ENODEV without
// an MSI capability.
Status enable_msi(Address a, uint8_t vector);
// Back to pin-based interrupts: MSI and MSI-X off, INTx enabled.
void use_intx(Address a);
// Configuration 0x3C / 0x3D: the INTx line firmware assigned (on `pc` an ISA IRQ number
// for irq::route_isa_irq, on q35 a GSI from 16; 0xFF or 0 when unassigned) and the pin (1..4 =
// INTA..INTD, 0 none).
uint8_t interrupt_line(Address a);
uint8_t interrupt_pin(Address a);
// Puts handler(ctx) on the function's INTx line, shared with the other devices there
// (irq::attach_gsi): a line below 16 is an ISA IRQ (`pc`'s PIRQ links, through the MADT
// overrides), one from 16 up a GSI (q35), level-triggered and active low as PCI INTx is.
// Writes the line number to *line. Returns the line's vector; -ENODEV when the function
// has no pin or firmware assigned no line, else attach_gsi's errors. The handler must
// check its device's own interrupt status: other devices' interrupts run it too.
ErrorOr<uint8_t> attach_intx(Address a, void (*handler)(void* ctx), void* ctx, const char* name,
                             uint8_t* line);
void detach_intx(Address a, void (*handler)(void* ctx), void* ctx);

} // namespace pci
