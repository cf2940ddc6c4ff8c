#include "arch/x86_64/ioapic.h"

#include "mm/vm.h"

namespace ioapic {
namespace {

constexpr uint32_t kRegVersion = 0x01;
constexpr uint32_t kRegRedirBase = 0x10; // entry n: low dword 0x10 + 2n, high 0x11 + 2n
constexpr uint32_t kEntryMasked = 1u << 16;
constexpr uint32_t kEntryLevel = 1u << 15;
constexpr uint32_t kEntryActiveLow = 1u << 13;

struct Chip {
  volatile uint32_t* regs; // IOREGSEL at +0, IOWIN at +0x10
  uint32_t gsi_base;
  uint32_t entries;
};
constexpr size_t kMaxChips = 8;
Chip g_chips[kMaxChips];
size_t g_count = 0;

uint32_t read(const Chip& c, uint32_t reg) {
  c.regs[0] = reg;
  return c.regs[4];
}
void write(const Chip& c, uint32_t reg, uint32_t value) {
  c.regs[0] = reg;
  c.regs[4] = value;
}

// The chip serving gsi and the entry's index there.
const Chip* find(uint32_t gsi, uint32_t* index) {
  for (size_t i = 0; i < g_count; ++i) {
    const Chip& c = g_chips[i];
    if (gsi >= c.gsi_base && gsi - c.gsi_base < c.entries) {
      *index = gsi - c.gsi_base;
      return &c;
    }
  }
  return nullptr;
}

} // namespace

bool add(uint32_t address, uint32_t gsi_base) {
  if (g_count == kMaxChips)
    return false;
  Chip c{static_cast<volatile uint32_t*>(mm::map_mmio(address, 4096)), gsi_base, 0};
  uint32_t version = read(c, kRegVersion);
  if (version == 0xFFFFFFFFu)
    return false; // nothing decodes this address
  c.entries = ((version >> 16) & 0xFF) + 1;
  for (uint32_t i = 0; i < c.entries; ++i)
    write(c, kRegRedirBase + 2 * i, kEntryMasked);
  g_chips[g_count++] = c;
  return true;
}

size_t chip_count() {
  return g_count;
}

bool program(uint32_t gsi, uint8_t vector, bool level, bool active_low, uint8_t apic_id) {
  uint32_t i = 0;
  const Chip* c = find(gsi, &i);
  if (!c)
    return false;
  uint32_t low = vector | kEntryMasked; // fixed delivery, physical destination
  if (level)
    low |= kEntryLevel;
  if (active_low)
    low |= kEntryActiveLow;
  // Masked while the two halves are inconsistent, then the destination, then the rest.
  write(*c, kRegRedirBase + 2 * i, kEntryMasked);
  write(*c, kRegRedirBase + 2 * i + 1, static_cast<uint32_t>(apic_id) << 24);
  write(*c, kRegRedirBase + 2 * i, low);
  return true;
}

bool set_masked(uint32_t gsi, bool masked) {
  uint32_t i = 0;
  const Chip* c = find(gsi, &i);
  if (!c)
    return false;
  uint32_t low = read(*c, kRegRedirBase + 2 * i);
  write(*c, kRegRedirBase + 2 * i, masked ? (low | kEntryMasked) : (low & ~kEntryMasked));
  return true;
}

} // namespace ioapic
