// Free blocks of the root TFS partition. TFS keeps no allocation bitmap (spec §3.5): free
// space is whatever no log extension, no extent and not block 0 covers, so the map is rebuilt
// at mount from what the log references and then kept in memory. Pure bookkeeping, tested on
// the host (free_space_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fs {

class FreeSpace {
public:
  // Growth of the range table: krealloc in the kernel, realloc on the host.
  using Realloc = void* (*)(void* p, size_t size);
  explicit FreeSpace(Realloc grow) : grow_(grow) {}

  // All of [0, total) free. False when out of memory.
  bool init(uint64_t total);
  // Marks [start, start + n) used. Parts already used are left alone; false if any was (two
  // things in the log claim the same blocks) or out of memory.
  bool reserve(uint64_t start, uint64_t n);
  // Finds up to `want` contiguous blocks: the first free range that holds all of them,
  // preferring one that starts at `hint` (so a file's next extent can follow its last one),
  // else the largest range there is. False when nothing is free.
  bool allocate(uint64_t want, uint64_t hint, uint64_t* start, uint64_t* got);
  // Exactly n contiguous blocks (log extensions), first fit. False if no range is that big.
  bool allocate_exact(uint64_t n, uint64_t* start);
  // Gives [start, start + n) back (merging with its neighbours). False when out of memory.
  bool release(uint64_t start, uint64_t n);
  uint64_t free_blocks() const { return free_; }
  uint64_t total_blocks() const { return total_; }
  size_t range_count() const { return count_; }

private:
  struct Range {
    uint64_t start, end; // [start, end)
  };
  bool insert_at(size_t i, Range r);
  void erase_at(size_t i);
  void take(size_t i, uint64_t start, uint64_t n); // carve [start, start+n) out of range i
  Realloc grow_;
  Range* ranges_ = nullptr; // sorted, disjoint, not adjacent
  size_t count_ = 0, cap_ = 0;
  uint64_t free_ = 0, total_ = 0;
};

} // namespace fs
