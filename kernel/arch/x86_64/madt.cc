#include "arch/x86_64/madt.h"

#include "lib/string.h"

namespace acpi {
namespace {

template <typename T> T read_le(const uint8_t* p) {
  T v;
  memcpy(&v, p, sizeof(T));
  return v;
}

constexpr size_t kHeaderBytes = 44; // SDT header (36), LAPIC address, flags
enum : uint8_t { kTypeIoApic = 1, kTypeOverride = 2 };
constexpr uint8_t kBusIsa = 0;

} // namespace

bool parse_madt(const uint8_t* t, size_t length, InterruptModel& out) {
  out = InterruptModel{};
  if (length < kHeaderBytes || memcmp(t, "APIC", 4) != 0)
    return false;
  out.lapic_address = read_le<uint32_t>(t + 36);
  out.has_8259 = read_le<uint32_t>(t + 40) & 1;
  for (size_t off = kHeaderBytes; off + 2 <= length;) {
    uint8_t type = t[off];
    uint8_t len = t[off + 1];
    if (len < 2 || off + len > length)
      return false;
    const uint8_t* e = t + off;
    if (type == kTypeIoApic && len >= 12 && out.io_apic_count < InterruptModel::kMaxIoApics) {
      out.io_apics[out.io_apic_count++] =
          IoApicEntry{e[2], read_le<uint32_t>(e + 4), read_le<uint32_t>(e + 8)};
    } else if (type == kTypeOverride && len >= 10 && e[2] == kBusIsa &&
               out.override_count < InterruptModel::kMaxOverrides) {
      out.overrides[out.override_count++] =
          IsaOverride{e[3], read_le<uint32_t>(e + 4), read_le<uint16_t>(e + 8)};
    }
    off += len;
  }
  return true;
}

IsaRoute resolve_isa_irq(const InterruptModel& model, uint8_t isa_irq) {
  IsaRoute route{isa_irq, false, false};
  for (size_t i = 0; i < model.override_count; ++i) {
    const IsaOverride& o = model.overrides[i];
    if (o.isa_irq != isa_irq)
      continue;
    route.gsi = o.gsi;
    route.active_low = (o.flags & 3) == 3;   // 01 high, 11 low, 00 ISA default (high)
    route.level = ((o.flags >> 2) & 3) == 3; // 01 edge, 11 level, 00 ISA default (edge)
    break;
  }
  return route;
}

} // namespace acpi
