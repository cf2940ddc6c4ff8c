#include "arch/x86_64/acpi.h"

#include "lib/string.h"
#include "mm/layout.h"
#include "mm/vm.h"

namespace acpi {
namespace {

PowerOff g_power_off;

template <typename T> T read_le(const uint8_t* p) {
  T v;
  memcpy(&v, p, sizeof(T));
  return v;
}

// Firmware tables may lie beyond the direct map (above the end of RAM): map them then.
const uint8_t* phys(uint64_t a, size_t len = 64) {
  if (a + len <= mm::direct_map_end())
    return static_cast<const uint8_t*>(mm::phys_to_virt(a));
  return static_cast<const uint8_t*>(mm::map_mmio(a, len));
}

bool checksum_ok(const uint8_t* p, size_t len) {
  uint8_t sum = 0;
  for (size_t i = 0; i < len; ++i)
    sum = static_cast<uint8_t>(sum + p[i]);
  return sum == 0;
}

uint64_t scan_rsdp(uint64_t start, uint64_t length) {
  for (uint64_t a = start; a + 20 <= start + length; a += 16) {
    const uint8_t* p = phys(a, 20);
    if (memcmp(p, "RSD PTR ", 8) == 0 && checksum_ok(p, 20))
      return a;
  }
  return 0;
}

// Finds a table by signature in the RSDT (4-byte entries) or XSDT (8-byte entries).
uint64_t find_table(uint64_t rsdp, const char* sig) {
  const uint8_t* r = phys(rsdp, 36);
  uint8_t revision = r[15];
  uint64_t sdt = 0;
  size_t entry_size = 4;
  if (revision >= 2 && read_le<uint64_t>(r + 24) != 0) {
    sdt = read_le<uint64_t>(r + 24);
    entry_size = 8;
  } else {
    sdt = read_le<uint32_t>(r + 16);
  }
  if (!sdt)
    return 0;
  uint32_t len = read_le<uint32_t>(phys(sdt, 36) + 4);
  if (len < 36 || len > (1u << 20))
    return 0;
  const uint8_t* h = phys(sdt, len);
  for (uint32_t off = 36; off + entry_size <= len; off += static_cast<uint32_t>(entry_size)) {
    uint64_t t = entry_size == 8 ? read_le<uint64_t>(h + off) : read_le<uint32_t>(h + off);
    if (t && memcmp(phys(t, 4), sig, 4) == 0)
      return t;
  }
  return 0;
}

// Decodes an AML integer at p (ZeroOp, OneOp, BytePrefix, WordPrefix); false otherwise.
bool aml_integer(const uint8_t* p, uint16_t& out) {
  switch (p[0]) {
  case 0x00:
    out = 0;
    return true;
  case 0x01:
    out = 1;
    return true;
  case 0x0A:
    out = p[1];
    return true;
  case 0x0B:
    out = read_le<uint16_t>(p + 1);
    return true;
  default:
    return false;
  }
}

size_t aml_integer_size(uint8_t op) {
  return op == 0x0A ? 2 : op == 0x0B ? 3 : 1;
}

// Finds "_S5_" followed by PackageOp in the DSDT and reads its first two elements.
bool parse_s5(uint64_t dsdt, uint16_t& a, uint16_t& b) {
  uint32_t len = read_le<uint32_t>(phys(dsdt, 36) + 4);
  if (len < 36 || len > (16u << 20))
    return false;
  const uint8_t* d = phys(dsdt, len);
  for (uint32_t i = 36; i + 8 < len; ++i) {
    if (memcmp(d + i, "_S5_", 4) != 0 || d[i + 4] != 0x12)
      continue;
    const uint8_t* p = d + i + 5;
    p += (p[0] >> 6) + 1; // PkgLength: lead byte + (bits 7:6) following bytes
    p += 1;               // NumElements
    if (!aml_integer(p, a))
      return false;
    p += aml_integer_size(p[0]);
    if (!aml_integer(p, b))
      b = 0;
    return true;
  }
  return false;
}

// The RSDP the boot path reported, else the one found in the BIOS areas; 0 if none.
uint64_t locate_rsdp(uint64_t rsdp) {
  if (rsdp)
    return rsdp;
  uint64_t ebda = static_cast<uint64_t>(read_le<uint16_t>(phys(0x40E, 2))) << 4;
  if (ebda >= 0x80000 && ebda < 0xA0000)
    rsdp = scan_rsdp(ebda, 1024);
  if (!rsdp)
    rsdp = scan_rsdp(0xE0000, 0x20000);
  return rsdp;
}

} // namespace

const InterruptModel* interrupt_model(uint64_t rsdp_phys) {
  static InterruptModel model;
  static int state = 0; // 0 not parsed yet, 1 parsed, -1 absent
  if (state == 0) {
    state = -1;
    uint64_t rsdp = locate_rsdp(rsdp_phys);
    uint64_t madt = rsdp ? find_table(rsdp, "APIC") : 0;
    if (madt) {
      uint32_t len = read_le<uint32_t>(phys(madt, 8) + 4);
      if (len <= 64 * 1024 && checksum_ok(phys(madt, len), len) &&
          parse_madt(phys(madt, len), len, model))
        state = 1;
    }
  }
  return state == 1 ? &model : nullptr;
}

void init(uint64_t rsdp) {
  rsdp = locate_rsdp(rsdp);
  if (!rsdp)
    return;
  uint64_t fadt = find_table(rsdp, "FACP");
  if (!fadt)
    return;
  uint32_t flen = read_le<uint32_t>(phys(fadt, 8) + 4);
  if (flen < 116 || flen > 4096)
    return;
  const uint8_t* f = phys(fadt, flen);
  uint64_t dsdt = read_le<uint32_t>(f + 40);
  if (flen >= 148 && read_le<uint64_t>(f + 140))
    dsdt = read_le<uint64_t>(f + 140);
  uint32_t pm1a = read_le<uint32_t>(f + 64);
  uint32_t pm1b = read_le<uint32_t>(f + 68);
  uint16_t a = 0, b = 0;
  if (!dsdt || !parse_s5(dsdt, a, b))
    return;
  // Sleep control register: a Generic Address Structure at FADT offset 244 (ACPI 5+).
  if (!pm1a && flen >= 256) {
    uint8_t space = f[244];
    uint64_t addr = read_le<uint64_t>(f + 248);
    if (addr && (space == 0 || space == 1)) {
      g_power_off.sleep_control = true;
      g_power_off.sleep_control_io = space == 1;
      g_power_off.sleep_control_addr = addr;
      g_power_off.slp_typ_a = a;
      g_power_off.available = true;
    }
    return;
  }
  if (!pm1a)
    return;
  g_power_off.pm1a_cnt = static_cast<uint16_t>(pm1a);
  g_power_off.pm1b_cnt = static_cast<uint16_t>(pm1b);
  g_power_off.slp_typ_a = a;
  g_power_off.slp_typ_b = b;
  g_power_off.available = true;
}

const PowerOff& power_off() {
  return g_power_off;
}

} // namespace acpi
