#include "drivers/pci.h"

#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "mm/vm.h"

namespace pci {
namespace {
uint32_t config_address(Address a, uint8_t offset) {
  return 0x80000000u | (static_cast<uint32_t>(a.bus) << 16) |
         (static_cast<uint32_t>(a.device) << 11) | (static_cast<uint32_t>(a.function) << 8) |
         (offset & 0xFC);
}

void scan_bus(uint8_t bus, void (*visit)(const Device&, void*), void* ctx, int depth);

void scan_function(Address a, void (*visit)(const Device&, void*), void* ctx, int depth) {
  uint32_t id = read32(a, 0);
  if ((id & 0xFFFF) == 0xFFFF)
    return;
  uint32_t cls = read32(a, 8);
  Device d{a,
           static_cast<uint16_t>(id),
           static_cast<uint16_t>(id >> 16),
           static_cast<uint8_t>(cls >> 24),
           static_cast<uint8_t>(cls >> 16),
           static_cast<uint8_t>(cls >> 8),
           static_cast<uint8_t>(read8(a, 0x0E) & 0x7F)};
  visit(d, ctx);
  // PCI-to-PCI bridge: scan what is behind it.
  if (d.class_code == 0x06 && d.subclass == 0x04 && depth < 8) {
    uint8_t secondary = read8(a, 0x19);
    if (secondary)
      scan_bus(secondary, visit, ctx, depth + 1);
  }
}

void scan_bus(uint8_t bus, void (*visit)(const Device&, void*), void* ctx, int depth) {
  for (uint8_t dev = 0; dev < 32; ++dev) {
    Address a{bus, dev, 0};
    if ((read32(a, 0) & 0xFFFF) == 0xFFFF)
      continue;
    bool multi = read8(a, 0x0E) & 0x80;
    for (uint8_t fn = 0; fn < (multi ? 8 : 1); ++fn)
      scan_function({bus, dev, fn}, visit, ctx, depth);
  }
}
} // namespace

uint32_t read32(Address a, uint8_t offset) {
  cpu::outl(0xCF8, config_address(a, offset));
  return cpu::inl(0xCFC);
}
uint16_t read16(Address a, uint8_t offset) {
  return static_cast<uint16_t>(read32(a, offset) >> ((offset & 2) * 8));
}
uint8_t read8(Address a, uint8_t offset) {
  return static_cast<uint8_t>(read32(a, offset) >> ((offset & 3) * 8));
}
void write32(Address a, uint8_t offset, uint32_t value) {
  cpu::outl(0xCF8, config_address(a, offset));
  cpu::outl(0xCFC, value);
}
void write16(Address a, uint8_t offset, uint16_t value) {
  cpu::outl(0xCF8, config_address(a, offset));
  cpu::outw(static_cast<uint16_t>(0xCFC + (offset & 2)), value);
}

void enumerate(void (*visit)(const Device&, void*), void* ctx) {
  // Host bridge at 00:00.0 multi-function means several host buses (rare in VMs).
  Address host{0, 0, 0};
  if ((read32(host, 0) & 0xFFFF) == 0xFFFF)
    return; // no PCI (microvm)
  if (read8(host, 0x0E) & 0x80) {
    for (uint8_t fn = 0; fn < 8; ++fn)
      if ((read32({0, 0, fn}, 0) & 0xFFFF) != 0xFFFF)
        scan_bus(fn, visit, ctx, 0);
  } else {
    scan_bus(0, visit, ctx, 0);
  }
}

Bar read_bar(Address a, int index) {
  uint8_t off = static_cast<uint8_t>(0x10 + index * 4);
  uint32_t orig = read32(a, off);
  Bar bar{};
  if (orig & 1) {
    bar.io = true;
    write32(a, off, 0xFFFFFFFF);
    uint32_t mask = read32(a, off) & ~3u;
    write32(a, off, orig);
    bar.address = orig & ~3u;
    bar.size = mask ? ((~mask + 1) & 0xFFFF) : 0;
    return bar;
  }
  bool is64 = ((orig >> 1) & 3) == 2;
  uint64_t addr = orig & ~0xFull;
  uint16_t cmd = read16(a, 0x04);
  write16(a, 0x04, static_cast<uint16_t>(cmd & ~0x3)); // stop decoding while sizing
  write32(a, off, 0xFFFFFFFF);
  uint64_t mask = read32(a, off) & ~0xFull;
  write32(a, off, orig);
  if (is64) {
    uint32_t orig_hi = read32(a, off + 4);
    addr |= static_cast<uint64_t>(orig_hi) << 32;
    write32(a, off + 4, 0xFFFFFFFF);
    mask |= static_cast<uint64_t>(read32(a, off + 4)) << 32;
    write32(a, off + 4, orig_hi);
  } else {
    mask |= 0xFFFFFFFF00000000ull;
  }
  write16(a, 0x04, cmd);
  bar.address = addr;
  bar.size = mask ? (~mask + 1) : 0;
  return bar;
}

uint64_t bar_address(Address a, int index, bool* io) {
  uint8_t off = static_cast<uint8_t>(0x10 + index * 4);
  uint32_t lo = read32(a, off);
  *io = lo & 1;
  if (*io)
    return lo & ~3u;
  uint64_t addr = lo & ~0xFull;
  if (((lo >> 1) & 3) == 2 && index < 5)
    addr |= static_cast<uint64_t>(read32(a, static_cast<uint8_t>(off + 4))) << 32;
  return addr;
}

void enable_device(Address a) {
  write16(a, 0x04, static_cast<uint16_t>(read16(a, 0x04) | 0x7)); // I/O, memory, bus master
}

uint8_t find_capability(Address a, uint8_t cap_id, uint8_t start) {
  if (!(read16(a, 0x06) & 0x10))
    return 0; // no capability list
  uint8_t off = start ? read8(a, static_cast<uint8_t>(start + 1)) : read8(a, 0x34);
  for (int guard = 0; off && guard < 48; ++guard) {
    off &= 0xFC;
    if (read8(a, off) == cap_id)
      return off;
    off = read8(a, static_cast<uint8_t>(off + 1));
  }
  return 0;
}

namespace {
enum : uint8_t { kCapMsi = 0x05, kCapMsix = 0x11 };
enum : uint16_t {
  kCommandIo = 1u << 0,
  kCommandMemory = 1u << 1,
  kCommandBusMaster = 1u << 2,
  kCommandIntxDisable = 1u << 10,
};
constexpr uint16_t kMsixEnable = 1u << 15, kMsixFunctionMask = 1u << 14;
constexpr uint16_t kMsiEnable = 1u << 0, kMsi64Bit = 1u << 7, kMsiPerVectorMask = 1u << 8;

// Messages go to the local APIC of this CPU: physical destination, fixed delivery, edge.
uint32_t msi_address() {
  return 0xFEE00000u | (static_cast<uint32_t>(arch::lapic_id()) << 12);
}

// Devices that raise MSIs write memory: bus mastering must be on; INTx then stays quiet.
void use_messages_not_intx(Address a, uint16_t extra) {
  write16(a, 0x04,
          static_cast<uint16_t>(read16(a, 0x04) | kCommandBusMaster | kCommandIntxDisable | extra));
}
} // namespace

uint16_t msix_table_size(Address a) {
  uint8_t cap = find_capability(a, kCapMsix);
  if (!cap)
    return 0;
  return static_cast<uint16_t>((read16(a, static_cast<uint8_t>(cap + 2)) & 0x7FF) + 1);
}

Status enable_msix(Address a, uint16_t table_entry, uint8_t vector) {
  uint8_t cap = find_capability(a, kCapMsix);
  if (!cap)
    return Err(-ENODEV);
  uint8_t control_at = static_cast<uint8_t>(cap + 2);
  uint16_t control = read16(a, control_at);
  if (table_entry > (control & 0x7FF))
    return Err(-EINVAL);
  uint32_t table = read32(a, static_cast<uint8_t>(cap + 4)); // BIR in bits 2:0, offset above
  bool io = false;
  uint64_t bar = bar_address(a, static_cast<int>(table & 7), &io);
  if (io || !bar)
    return Err(-ENODEV);
  // Function-masked while an entry changes, so no half-written message is ever sent.
  write16(a, control_at, static_cast<uint16_t>(control | kMsixEnable | kMsixFunctionMask));
  use_messages_not_intx(a, kCommandMemory);
  auto* entry = static_cast<volatile uint32_t*>(
      mm::map_mmio(bar + (table & ~7u) + 16ull * table_entry, 16));
  entry[0] = msi_address(); // message address, low
  entry[1] = 0;             // message address, high
  entry[2] = vector;        // message data
  entry[3] = 0;             // vector control: unmasked
  write16(a, control_at, static_cast<uint16_t>((control | kMsixEnable) & ~kMsixFunctionMask));
  return status_ok();
}

Status enable_msi(Address a, uint8_t vector) {
  uint8_t cap = find_capability(a, kCapMsi);
  if (!cap)
    return Err(-ENODEV);
  uint8_t control_at = static_cast<uint8_t>(cap + 2);
  uint16_t control = read16(a, control_at);
  write16(a, control_at, static_cast<uint16_t>(control & ~kMsiEnable));
  bool wide = control & kMsi64Bit;
  write32(a, static_cast<uint8_t>(cap + 4), msi_address());
  if (wide)
    write32(a, static_cast<uint8_t>(cap + 8), 0);
  write16(a, static_cast<uint8_t>(cap + (wide ? 12 : 8)), vector);
  if (control & kMsiPerVectorMask)
    write32(a, static_cast<uint8_t>(cap + (wide ? 16 : 12)), 0); // unmask
  use_messages_not_intx(a, 0);
  // One message (Multiple Message Enable 0), enabled.
  write16(a, control_at, static_cast<uint16_t>((control & ~0x70u) | kMsiEnable));
  return status_ok();
}

void use_intx(Address a) {
  if (uint8_t cap = find_capability(a, kCapMsix)) {
    uint8_t at = static_cast<uint8_t>(cap + 2);
    write16(a, at, static_cast<uint16_t>(read16(a, at) & ~kMsixEnable));
  }
  if (uint8_t cap = find_capability(a, kCapMsi)) {
    uint8_t at = static_cast<uint8_t>(cap + 2);
    write16(a, at, static_cast<uint16_t>(read16(a, at) & ~kMsiEnable));
  }
  write16(a, 0x04, static_cast<uint16_t>(read16(a, 0x04) & ~kCommandIntxDisable));
}

uint8_t interrupt_line(Address a) {
  return read8(a, 0x3C);
}

uint8_t interrupt_pin(Address a) {
  return read8(a, 0x3D);
}

ErrorOr<uint8_t> attach_intx(Address a, void (*handler)(void* ctx), void* ctx, const char* name,
                             uint8_t* line_out) {
  uint8_t line = interrupt_line(a);
  if (interrupt_pin(a) == 0 || line == 0 || line == 0xFF)
    return Err(-ENODEV);
  if (line_out)
    *line_out = line;
  if (line < 16)
    return irq::attach_isa_irq(line, handler, ctx, name);
  return irq::attach_gsi(line, irq::Trigger::kLevel, irq::Polarity::kLow, handler, ctx, name);
}

void detach_intx(Address a, void (*handler)(void* ctx), void* ctx) {
  uint8_t line = interrupt_line(a);
  if (line == 0 || line == 0xFF)
    return;
  if (line < 16)
    irq::detach_isa_irq(line, handler, ctx);
  else
    irq::detach_gsi(line, handler, ctx);
}

} // namespace pci
