#include "mm/page_allocator.h"

#include "lib/string.h"
#include "mm/layout.h"

namespace mm {

size_t PageAllocator::bitmap_bytes(uint64_t limit) {
  uint64_t pages = page_round_up(limit) / kPageSize;
  return static_cast<size_t>((pages + 63) / 64 * 8);
}

void PageAllocator::init(uint64_t* bitmap, const MemoryMap& map) {
  bits_ = bitmap;
  page_count_ = page_round_up(map.highest_ram_end()) / kPageSize;
  memset(bits_, 0, bitmap_bytes(map.highest_ram_end()));
  free_pages_ = total_pages_ = 0;
  for (size_t i = 0; i < map.ram_count; ++i) {
    uint64_t p = map.ram[i].base / kPageSize;
    uint64_t end = map.ram[i].end() / kPageSize;
    if (p == 0)
      p = 1; // 0 means "no page"
    if (p >= end)
      continue;
    free_pages_ += end - p;
    total_pages_ += end - p;
    // Whole words at once: this runs once per boot over all of RAM.
    for (; p < end && p % 64; ++p)
      set_free(p, true);
    if (p + 64 <= end) { // whole words: one string instruction
      uint64_t words = (end - p) / 64;
      memset(&bits_[p / 64], 0xFF, words * 8);
      p += words * 64;
    }
    for (; p < end; ++p)
      set_free(p, true);
  }
  search_hint_ = 0;
}

// Bits [bit, bit + n) of a word (n >= 1, bit + n <= 64).
static uint64_t run_mask(size_t bit, size_t n) {
  return (n == 64 ? ~0ull : (1ull << n) - 1) << bit;
}

void PageAllocator::mark_used(uint64_t page, size_t count) {
  while (count) {
    size_t bit = page % 64;
    size_t n = count < 64 - bit ? count : 64 - bit;
    bits_[page / 64] &= ~run_mask(bit, n);
    page += n;
    count -= n;
  }
}

void PageAllocator::set_free(uint64_t page, bool free) {
  uint64_t mask = 1ull << (page % 64);
  if (free)
    bits_[page / 64] |= mask;
  else
    bits_[page / 64] &= ~mask;
}

bool PageAllocator::is_free(uint64_t phys) const {
  uint64_t p = phys / kPageSize;
  return p < page_count_ && (bits_[p / 64] >> (p % 64)) & 1;
}

void PageAllocator::reserve(uint64_t base, uint64_t length) {
  uint64_t end = page_round_up(base + length);
  for (uint64_t p = page_round_down(base) / kPageSize; p < end / kPageSize && p < page_count_;
       ++p) {
    if ((bits_[p / 64] >> (p % 64)) & 1) {
      set_free(p, false);
      --free_pages_;
      --total_pages_;
    }
  }
}

uint64_t PageAllocator::alloc(size_t count, size_t align_pages, uint64_t below) {
  if (count == 0 || count > free_pages_ || align_pages == 0 || (align_pages & (align_pages - 1)))
    return 0;
  uint64_t limit = page_count_;
  if (below && below / kPageSize < limit)
    limit = below / kPageSize;
  // Two passes: from the hint to the end, then from the start (allocations start at the
  // hint so repeated ones do not rescan the used prefix). Whole 64-bit words are examined
  // at a time: under emulation every instruction of this loop costs.
  for (int pass = 0; pass < 2; ++pass) {
    uint64_t p = pass == 0 ? search_hint_ : 0;
    uint64_t stop = pass == 0 ? limit : (search_hint_ < limit ? search_hint_ + count : limit);
    if (stop > limit)
      stop = limit;
    while (p + count <= stop) {
      uint64_t free_here = bits_[p / 64] >> (p % 64);
      if (free_here == 0) { // no free page in the rest of this word
        p = (p / 64 + 1) * 64;
        continue;
      }
      p += static_cast<uint64_t>(__builtin_ctzll(free_here)); // the next free page
      uint64_t aligned = (p + align_pages - 1) & ~static_cast<uint64_t>(align_pages - 1);
      if (aligned != p) {
        p = aligned;
        continue;
      }
      if (p + count > stop)
        break;
      // Length of the free run from p, a word at a time.
      size_t run = 0;
      while (run < count) {
        uint64_t q = p + run;
        uint64_t used_here = ~bits_[q / 64] >> (q % 64);
        size_t in_word = 64 - q % 64;
        size_t free_len = used_here ? static_cast<size_t>(__builtin_ctzll(used_here)) : in_word;
        if (free_len > in_word)
          free_len = in_word;
        run += free_len;
        if (free_len < in_word)
          break; // a used page ends the run
      }
      if (run >= count) {
        mark_used(p, count);
        free_pages_ -= count;
        search_hint_ = p + count;
        return p * kPageSize;
      }
      p += run + 1;
    }
  }
  return 0;
}

void PageAllocator::free(uint64_t phys, size_t count) {
  uint64_t p = phys / kPageSize;
  if (count == 1) { // the common case (pages unmapped one by one): no range arithmetic
    if (p == 0 || p >= page_count_ || is_free(phys))
      return;
    set_free(p, true);
    ++free_pages_;
    if (p < search_hint_)
      search_hint_ = p;
    return;
  }
  if (p == 0) { // page 0 is never handed out
    ++p;
    if (count)
      --count;
  }
  if (p >= page_count_)
    return;
  if (count > page_count_ - p)
    count = page_count_ - p;
  if (p < search_hint_)
    search_hint_ = p;
  // A word at a time; pages already free (double frees) are ignored and not counted.
  while (count) {
    size_t bit = p % 64;
    size_t n = count < 64 - bit ? count : 64 - bit;
    uint64_t mask = run_mask(bit, n);
    uint64_t newly = mask & ~bits_[p / 64];
    bits_[p / 64] |= mask;
    free_pages_ += static_cast<size_t>(__builtin_popcountll(newly));
    p += n;
    count -= n;
  }
}

} // namespace mm
