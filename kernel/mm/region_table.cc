#include "mm/region_table.h"

#include "lib/string.h"
#include "mm/layout.h"

namespace mm {
namespace {

template <typename T> T read_le(const uint8_t* p) {
  T v;
  memcpy(&v, p, sizeof(T));
  return v;
}

void sort_ranges(PhysRange* r, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    PhysRange x = r[i];
    size_t j = i;
    while (j > 0 && r[j - 1].base > x.base) {
      r[j] = r[j - 1];
      --j;
    }
    r[j] = x;
  }
}

} // namespace

bool MemoryMap::add_ram(uint64_t base, uint64_t length) {
  if (length == 0 || base + length < base)
    return true;
  uint64_t start = page_round_up(base);
  uint64_t end = page_round_down(base + length);
  if (end <= start)
    return true;
  if (ram_count == kMaxRanges)
    return false;
  ram[ram_count++] = {start, end - start};
  return true;
}

bool MemoryMap::add_reserved(uint64_t base, uint64_t length) {
  if (length == 0)
    return true;
  uint64_t end = base + length < base ? ~0ull : base + length;
  uint64_t start = page_round_down(base);
  end = end > ~0ull - kPageSize ? ~0ull & ~(kPageSize - 1) : page_round_up(end);
  if (reserved_count == kMaxRanges)
    return false;
  reserved[reserved_count++] = {start, end - start};
  return true;
}

void MemoryMap::finalize() {
  sort_ranges(ram, ram_count);
  // Merge overlapping or touching RAM ranges.
  size_t out = 0;
  for (size_t i = 0; i < ram_count; ++i) {
    if (out && ram[i].base <= ram[out - 1].end()) {
      uint64_t end = ram[i].end() > ram[out - 1].end() ? ram[i].end() : ram[out - 1].end();
      ram[out - 1].length = end - ram[out - 1].base;
    } else {
      ram[out++] = ram[i];
    }
  }
  ram_count = out;
  // Cut every reservation out of the RAM ranges (a cut may split a range in two).
  for (size_t r = 0; r < reserved_count; ++r) {
    uint64_t rs = reserved[r].base, re = reserved[r].end();
    for (size_t i = 0; i < ram_count; ++i) {
      uint64_t s = ram[i].base, e = ram[i].end();
      if (re <= s || rs >= e)
        continue;
      if (rs <= s && re >= e) { // fully covered: drop
        for (size_t k = i + 1; k < ram_count; ++k)
          ram[k - 1] = ram[k];
        --ram_count;
        --i;
      } else if (rs <= s) {
        ram[i] = {re, e - re};
      } else if (re >= e) {
        ram[i] = {s, rs - s};
      } else if (ram_count < kMaxRanges) {
        ram[i] = {s, rs - s};
        for (size_t k = ram_count; k > i + 1; --k)
          ram[k] = ram[k - 1];
        ram[i + 1] = {re, e - re};
        ++ram_count;
        ++i;
      } else {
        ram[i] = {s, rs - s}; // no room to split: lose the upper part, never hand out reserved
      }
    }
  }
  sort_ranges(ram, ram_count);
}

uint64_t MemoryMap::total_ram() const {
  uint64_t t = 0;
  for (size_t i = 0; i < ram_count; ++i)
    t += ram[i].length;
  return t;
}

uint64_t MemoryMap::highest_ram_end() const {
  uint64_t h = 0;
  for (size_t i = 0; i < ram_count; ++i)
    if (ram[i].end() > h)
      h = ram[i].end();
  return h;
}

size_t parse_region_table(const uint8_t* anchor, size_t max_records, MemoryMap& map) {
  size_t i = 0;
  for (; i < max_records; ++i) {
    const uint8_t* rec = anchor - i * kRegionRecordSize;
    uint64_t base = read_le<uint64_t>(rec);
    uint64_t length = read_le<uint64_t>(rec + 8);
    uint32_t type = read_le<uint32_t>(rec + 16);
    if (type == 0)
      break;
    if (type == kRegionRam)
      map.add_ram(base, length);
    else if (type != kRegionReclaim && type != kRegionInitialPages && type != kRegionKernImage)
      map.add_reserved(base, length);
  }
  return i;
}

void parse_e820(const uint8_t* entries, size_t count, MemoryMap& map) {
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* e = entries + i * kRegionRecordSize;
    uint64_t base = read_le<uint64_t>(e);
    uint64_t length = read_le<uint64_t>(e + 8);
    uint32_t type = read_le<uint32_t>(e + 16);
    if (type == 1)
      map.add_ram(base, length);
    else
      map.add_reserved(base, length);
  }
}

void parse_pvh_memmap(const uint8_t* entries, size_t count, MemoryMap& map) {
  for (size_t i = 0; i < count; ++i) {
    const uint8_t* e = entries + i * 24;
    uint64_t base = read_le<uint64_t>(e);
    uint64_t length = read_le<uint64_t>(e + 8);
    uint32_t type = read_le<uint32_t>(e + 16);
    if (type == 1)
      map.add_ram(base, length);
    else
      map.add_reserved(base, length);
  }
}

} // namespace mm
