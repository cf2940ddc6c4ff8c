#include "drivers/bus/mmio_cmdline.h"

namespace drivers {
namespace {

constexpr char kKey[] = "virtio_mmio.device=";

int digit_value(char c, int base) {
  int d = c >= '0' && c <= '9'   ? c - '0'
          : c >= 'a' && c <= 'f' ? c - 'a' + 10
          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                 : 99;
  return d < base ? d : -1;
}

// Decimal, or hexadecimal after 0x. Advances *p past the digits; false if there were none.
bool parse_number(const char** p, uint64_t* out) {
  const char* s = *p;
  int base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  uint64_t v = 0;
  const char* start = s;
  for (int d; (d = digit_value(*s, base)) >= 0; ++s)
    v = v * static_cast<uint64_t>(base) + static_cast<uint64_t>(d);
  if (s == start)
    return false;
  *p = s;
  *out = v;
  return true;
}

bool starts_with(const char* s, const char* prefix) {
  for (; *prefix; ++s, ++prefix)
    if (*s != *prefix)
      return false;
  return true;
}

// K, M or G after a size.
int suffix_shift(char c) {
  return c == 'K' || c == 'k' ? 10 : c == 'M' || c == 'm' ? 20 : c == 'G' || c == 'g' ? 30 : 0;
}

// One entry after the key; false if malformed.
bool parse_entry(const char* p, MmioSlot* slot) {
  if (!parse_number(&p, &slot->size))
    return false;
  if (int shift = suffix_shift(*p)) {
    slot->size <<= shift;
    ++p;
  }
  if (*p++ != '@' || !parse_number(&p, &slot->phys) || slot->phys == 0)
    return false;
  uint64_t irq = 0;
  if (*p == ':' && (++p, parse_number(&p, &irq))) {
    slot->irq = static_cast<uint32_t>(irq);
    slot->has_irq = true;
  }
  return *p == 0 || *p == ' ' || *p == ':';
}

} // namespace

size_t parse_mmio_cmdline(const char* cmdline, MmioSlot* out, size_t max) {
  size_t n = 0;
  for (const char* p = cmdline; *p && n < max; ++p) {
    // Only at the start of a word: "foo.virtio_mmio.device=" is another parameter.
    if ((p != cmdline && p[-1] != ' ') || !starts_with(p, kKey))
      continue;
    MmioSlot slot;
    if (parse_entry(p + sizeof(kKey) - 1, &slot))
      out[n++] = slot;
  }
  return n;
}

} // namespace drivers
