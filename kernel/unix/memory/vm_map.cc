#include "unix/memory/vm_map.h"

#include "lib/string.h"

namespace unix {

#ifdef KERNEL_HOST_BUILD
VmMap::~VmMap() {
  if (vmas_)
    realloc_(vmas_, 0);
}
#endif

bool VmMap::reserve(size_t n) {
  if (n <= capacity_)
    return true;
  if (n > limit_)
    return false;
  size_t grown = capacity_ ? capacity_ * 2 : 64;
  if (grown < n)
    grown = n;
  if (grown > limit_)
    grown = limit_;
  auto* bigger = static_cast<Vma*>(realloc_(vmas_, grown * sizeof(Vma)));
  if (!bigger)
    return false; // the old table is still there, unchanged
  vmas_ = bigger;
  capacity_ = grown;
  return true;
}

size_t VmMap::lower_bound(uint64_t addr) const {
  size_t lo = 0, hi = count_;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (vmas_[mid].end <= addr)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

const Vma* VmMap::find(uint64_t addr) const {
  size_t i = lower_bound(addr);
  return i < count_ && vmas_[i].start <= addr ? &vmas_[i] : nullptr;
}

bool VmMap::is_free(uint64_t start, uint64_t end) const {
  size_t i = lower_bound(start);
  return i == count_ || vmas_[i].start >= end;
}

// Opens a slot at i (count_ unchanged): one memmove, which moves 8 bytes per step, instead
// of copying element by element (under emulation each instruction counts).
void VmMap::shift_up(size_t i) {
  memmove(&vmas_[i + 1], &vmas_[i], (count_ - i) * sizeof(Vma));
}

bool VmMap::insert(const Vma& vma) {
  ++generation_;
  if (vma.start >= vma.end || !is_free(vma.start, vma.end) || !reserve(count_ + 1))
    return false;
  size_t i = lower_bound(vma.start);
  shift_up(i);
  vmas_[i] = vma;
  ++count_;
  return true;
}

bool VmMap::grow(uint64_t old_end, uint64_t new_end) {
  ++generation_;
  size_t i = lower_bound(old_end - 1);
  if (i == count_ || vmas_[i].end != old_end || new_end <= old_end || !is_free(old_end, new_end))
    return false;
  vmas_[i].end = new_end;
  return true;
}

bool VmMap::grow_down(uint64_t old_start, uint64_t new_start) {
  ++generation_;
  Vma* v = const_cast<Vma*>(find(old_start));
  if (!v || v->start != old_start || new_start >= old_start || !is_free(new_start, old_start))
    return false;
  if (v->node >= 0 || v->memfd) {
    if (v->file_offset < old_start - new_start)
      return false; // a file region cannot start before the file
    v->file_offset -= old_start - new_start;
  }
  v->start = new_start;
  return true;
}

const Vma* VmMap::above(uint64_t addr) const {
  size_t i = lower_bound(addr);
  return i < count_ && vmas_[i].start > addr ? &vmas_[i] : nullptr;
}

const Vma* VmMap::below(uint64_t addr) const {
  size_t i = lower_bound(addr); // first region with end > addr: the one before ends <= addr
  return i > 0 ? &vmas_[i - 1] : nullptr;
}

bool VmMap::split_at(uint64_t addr) {
  size_t i = lower_bound(addr);
  if (i == count_ || vmas_[i].start >= addr)
    return true; // already a boundary (or unmapped)
  if (!reserve(count_ + 1))
    return false;
  shift_up(i);
  ++count_;
  // vmas_[i] and vmas_[i+1] are copies of the region; cut them at addr.
  vmas_[i].end = addr;
  Vma& right = vmas_[i + 1];
  if (right.node >= 0 || right.memfd)
    right.file_offset += addr - right.start;
  right.start = addr;
  return true;
}

bool VmMap::remove(uint64_t start, uint64_t end) {
  ++generation_;
  if (start >= end)
    return true;
  // Two splits need at most two free slots; check first so a failure changes nothing.
  size_t needed = 0;
  const Vma* a = find(start);
  const Vma* b = find(end - 1);
  if (a && a->start < start)
    ++needed;
  if (b && b->end > end)
    ++needed;
  if (!reserve(count_ + needed))
    return false;
  split_at(start);
  split_at(end);
  size_t i = lower_bound(start), j = i;
  while (j < count_ && vmas_[j].start < end)
    ++j;
  memmove(&vmas_[i], &vmas_[j], (count_ - j) * sizeof(Vma));
  count_ -= j - i;
  return true;
}

bool VmMap::protect(uint64_t start, uint64_t end, unsigned prot) {
  ++generation_;
  if (start >= end)
    return true;
  // Every page must be mapped.
  uint64_t at = start;
  for (size_t i = lower_bound(start); i < count_ && at < end; ++i) {
    if (vmas_[i].start > at)
      return false;
    at = vmas_[i].end;
  }
  if (at < end)
    return false;
  const Vma* a = find(start);
  const Vma* b = find(end - 1);
  size_t needed = (a->start < start) + (b->end > end);
  if (!reserve(count_ + needed))
    return false;
  split_at(start);
  split_at(end);
  for (size_t i = lower_bound(start); i < count_ && vmas_[i].start < end; ++i)
    vmas_[i].prot = prot;
  return true;
}

uint64_t VmMap::find_free(uint64_t len, uint64_t lo, uint64_t hi) const {
  if (len == 0 || hi < lo || hi - lo < len)
    return 0;
  // Walk gaps from the top down.
  uint64_t gap_end = hi;
  size_t i = lower_bound(hi);
  if (i < count_ && vmas_[i].start < hi)
    gap_end = vmas_[i].start; // a region straddles hi
  while (true) {
    uint64_t gap_start = i == 0 ? 0 : vmas_[i - 1].end;
    if (gap_start < lo)
      gap_start = lo;
    if (gap_end > gap_start && gap_end - gap_start >= len)
      return gap_end - len;
    if (i == 0 || vmas_[i - 1].end <= lo)
      return 0;
    --i;
    gap_end = vmas_[i].start;
    if (gap_end <= lo)
      return 0;
  }
}

} // namespace unix
