#include "fs/free_space.h"

namespace fs {

bool FreeSpace::insert_at(size_t i, Range r) {
  if (count_ == cap_) {
    size_t cap = cap_ ? cap_ * 2 : 64;
    auto* grown = static_cast<Range*>(grow_(ranges_, cap * sizeof(Range)));
    if (!grown)
      return false;
    ranges_ = grown;
    cap_ = cap;
  }
  for (size_t j = count_; j > i; --j)
    ranges_[j] = ranges_[j - 1];
  ranges_[i] = r;
  ++count_;
  return true;
}

void FreeSpace::erase_at(size_t i) {
  for (size_t j = i; j + 1 < count_; ++j)
    ranges_[j] = ranges_[j + 1];
  --count_;
}

bool FreeSpace::init(uint64_t total) {
  count_ = 0;
  total_ = free_ = total;
  return total == 0 || insert_at(0, Range{0, total});
}

void FreeSpace::take(size_t i, uint64_t start, uint64_t n) {
  Range r = ranges_[i];
  free_ -= n;
  if (start == r.start && start + n == r.end) {
    erase_at(i);
  } else if (start == r.start) {
    ranges_[i].start += n;
  } else if (start + n == r.end) {
    ranges_[i].end = start;
  } else {
    // Splitting needs one more slot; on failure the tail is simply not free any more (the
    // map under-reports free space rather than handing out used blocks).
    ranges_[i].end = start;
    if (!insert_at(i + 1, Range{start + n, r.end}))
      free_ -= r.end - (start + n);
  }
}

bool FreeSpace::reserve(uint64_t start, uint64_t n) {
  if (n == 0)
    return true;
  uint64_t end = start + n < start ? UINT64_MAX : start + n;
  uint64_t covered = 0;
  for (size_t i = 0; i < count_;) {
    Range r = ranges_[i];
    if (r.end <= start) {
      ++i;
      continue;
    }
    if (r.start >= end)
      break;
    uint64_t s = r.start > start ? r.start : start;
    uint64_t e = r.end < end ? r.end : end;
    size_t before = count_;
    take(i, s, e - s);
    covered += e - s;
    if (count_ >= before) // the range survives (shrunk or split): look at the next one
      ++i;
  }
  return covered == end - start;
}

bool FreeSpace::allocate(uint64_t want, uint64_t hint, uint64_t* start, uint64_t* got) {
  if (want == 0 || count_ == 0)
    return false;
  size_t best = count_, first_fit = count_;
  for (size_t i = 0; i < count_; ++i) {
    Range r = ranges_[i];
    if (hint && r.start == hint) {
      first_fit = i; // right behind the file's previous extent
      break;
    }
    if (first_fit == count_ && r.end - r.start >= want)
      first_fit = i;
    if (best == count_ || r.end - r.start > ranges_[best].end - ranges_[best].start)
      best = i;
  }
  size_t i = first_fit < count_ ? first_fit : best;
  uint64_t size = ranges_[i].end - ranges_[i].start;
  *start = ranges_[i].start;
  *got = size < want ? size : want;
  take(i, *start, *got);
  return true;
}

bool FreeSpace::allocate_exact(uint64_t n, uint64_t* start) {
  for (size_t i = 0; i < count_; ++i) {
    if (ranges_[i].end - ranges_[i].start >= n) {
      *start = ranges_[i].start;
      take(i, *start, n);
      return true;
    }
  }
  return false;
}

bool FreeSpace::release(uint64_t start, uint64_t n) {
  if (n == 0)
    return true;
  uint64_t end = start + n;
  size_t i = 0; // first range starting after `start`
  while (i < count_ && ranges_[i].start <= start)
    ++i;
  bool joins_prev = i > 0 && ranges_[i - 1].end == start;
  bool joins_next = i < count_ && ranges_[i].start == end;
  free_ += n;
  if (joins_prev && joins_next) {
    ranges_[i - 1].end = ranges_[i].end;
    erase_at(i);
  } else if (joins_prev) {
    ranges_[i - 1].end = end;
  } else if (joins_next) {
    ranges_[i].start = start;
  } else if (!insert_at(i, Range{start, end})) {
    free_ -= n; // lost until the next mount, never handed out twice
    return false;
  }
  return true;
}

} // namespace fs
