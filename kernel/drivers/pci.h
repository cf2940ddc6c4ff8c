// PCI configuration space through ports 0xCF8/0xCFC (mechanism #1), bus enumeration.
#pragma once

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

} // namespace pci
