#include "net/tcp_buffers.h"

#include "lib/string.h"
#include "mm/heap.h"

namespace net::tcp {

// ---- SendBuffer -------------------------------------------------------------------------

SendBuffer::~SendBuffer() {
  kfree(buf_);
}

// Storage comes with the first byte (take_storage), not here: a connection that never
// carries data, such as the half-open ones of a SYN flood, costs no buffer memory.
bool SendBuffer::init(size_t capacity) {
  kfree(buf_);
  buf_ = nullptr;
  capacity_ = capacity;
  head_ = count_ = 0;
  return true;
}

bool SendBuffer::take_storage() {
  if (!buf_)
    buf_ = static_cast<uint8_t*>(kmalloc(capacity_));
  return buf_ != nullptr;
}

bool SendBuffer::grow(size_t new_capacity) {
  if (new_capacity <= capacity_)
    return true;
  if (!buf_) { // nothing stored yet: the storage will be the larger size
    capacity_ = new_capacity;
    return true;
  }
  auto* bigger = static_cast<uint8_t*>(kmalloc(new_capacity));
  if (!bigger)
    return false;
  copy_out(0, bigger, count_);
  kfree(buf_);
  buf_ = bigger;
  capacity_ = new_capacity;
  head_ = 0;
  return true;
}

size_t SendBuffer::append(const void* data, size_t n) {
  if (n > space())
    n = space();
  if (n == 0 || !take_storage())
    return 0;
  const auto* in = static_cast<const uint8_t*>(data);
  size_t tail = (head_ + count_) % (capacity_ ? capacity_ : 1);
  size_t first = capacity_ - tail < n ? capacity_ - tail : n;
  memcpy(buf_ + tail, in, first);
  memcpy(buf_, in + first, n - first);
  count_ += n;
  return n;
}

void SendBuffer::copy_out(size_t offset, void* dst, size_t n) const {
  if (n == 0)
    return;
  auto* out = static_cast<uint8_t*>(dst);
  size_t pos = (head_ + offset) % (capacity_ ? capacity_ : 1);
  size_t first = capacity_ - pos < n ? capacity_ - pos : n;
  memcpy(out, buf_ + pos, first);
  memcpy(out + first, buf_, n - first);
}

void SendBuffer::view(size_t offset, size_t n, const uint8_t* piece[2], size_t piece_len[2]) const {
  size_t pos = (head_ + offset) % (capacity_ ? capacity_ : 1);
  size_t first = capacity_ - pos < n ? capacity_ - pos : n;
  piece[0] = buf_ + pos;
  piece_len[0] = first;
  piece[1] = buf_;
  piece_len[1] = n - first;
}

void SendBuffer::drop_front(size_t n) {
  if (n > count_)
    n = count_;
  head_ = (head_ + n) % (capacity_ ? capacity_ : 1);
  count_ -= n;
  if (count_ == 0)
    head_ = 0;
}

// ---- ReceiveBuffer ----------------------------------------------------------------------

ReceiveBuffer::~ReceiveBuffer() {
  kfree(buf_);
}

// As SendBuffer::init: the storage comes with the first byte stored.
bool ReceiveBuffer::init(size_t capacity) {
  kfree(buf_);
  buf_ = nullptr;
  capacity_ = capacity;
  head_ = ready_ = 0;
  range_count_ = 0;
  return true;
}

bool ReceiveBuffer::grow(size_t new_capacity) {
  if (new_capacity <= capacity_)
    return true;
  if (!buf_) {
    capacity_ = new_capacity;
    return true;
  }
  auto* bigger = static_cast<uint8_t*>(kmalloc(new_capacity));
  if (!bigger)
    return false;
  // Everything up to the end of the last out-of-order range keeps its offset from head.
  size_t used = ready_;
  if (range_count_ > 0)
    used = ready_ + static_cast<size_t>(seq_diff(ranges_[range_count_ - 1].end, next_));
  size_t first = capacity_ - head_ < used ? capacity_ - head_ : used;
  memcpy(bigger, buf_ + head_, first);
  memcpy(bigger + first, buf_, used - first);
  kfree(buf_);
  buf_ = bigger;
  capacity_ = new_capacity;
  head_ = 0;
  return true;
}

void ReceiveBuffer::copy_in(size_t offset, const uint8_t* data, size_t len) {
  size_t pos = (head_ + offset) % capacity_;
  size_t first = capacity_ - pos < len ? capacity_ - pos : len;
  memcpy(buf_ + pos, data, first);
  memcpy(buf_, data + first, len - first);
}

void ReceiveBuffer::add_range(Seq start, Seq end) {
  // Find the first range that ends at or after start (it may merge with the new one).
  int i = 0;
  while (i < range_count_ && seq_lt(ranges_[i].end, start))
    ++i;
  int j = i; // ranges [i, j) overlap or touch [start, end)
  while (j < range_count_ && seq_le(ranges_[j].start, end)) {
    start = seq_min(start, ranges_[j].start);
    end = seq_max(end, ranges_[j].end);
    ++j;
  }
  if (i == j) { // no merge: insert at i
    if (range_count_ == kMaxRanges)
      return; // the caller only stores data it could record (see store)
    for (int k = range_count_; k > i; --k)
      ranges_[k] = ranges_[k - 1];
    ++range_count_;
  } else { // replace [i, j) with one range
    for (int k = j; k < range_count_; ++k)
      ranges_[i + 1 + (k - j)] = ranges_[k];
    range_count_ -= j - i - 1;
  }
  ranges_[i] = {start, end};
}

size_t ReceiveBuffer::absorb_ranges() {
  size_t moved = 0;
  while (range_count_ > 0 && seq_le(ranges_[0].start, next_)) {
    if (seq_gt(ranges_[0].end, next_)) {
      size_t n = static_cast<size_t>(seq_diff(ranges_[0].end, next_));
      next_ += static_cast<Seq>(n);
      ready_ += n;
      moved += n;
    }
    for (int k = 1; k < range_count_; ++k)
      ranges_[k - 1] = ranges_[k];
    --range_count_;
  }
  return moved;
}

size_t ReceiveBuffer::store(Seq seq, const uint8_t* data, size_t len) {
  if (len == 0)
    return 0;
  if (!buf_)
    buf_ = static_cast<uint8_t*>(kmalloc(capacity_));
  if (!buf_)
    return 0; // out of memory: as if the segment was lost; the peer sends it again
  size_t offset = ready_ + static_cast<size_t>(seq_diff(seq, next_));
  if (seq == next_) {
    copy_in(offset, data, len);
    next_ += static_cast<Seq>(len);
    ready_ += len;
    return len + absorb_ranges();
  }
  // Ahead of a hole: keep it only if its range can be recorded.
  Seq end = seq + static_cast<Seq>(len);
  bool joins = false;
  for (int i = 0; i < range_count_; ++i)
    if (seq_le(ranges_[i].start, end) && seq_le(seq, ranges_[i].end))
      joins = true;
  if (!joins && range_count_ == kMaxRanges)
    return 0;
  copy_in(offset, data, len);
  add_range(seq, end);
  last_stored_ = seq;
  return 0;
}

size_t ReceiveBuffer::read(void* dst, size_t n, bool peek) {
  if (n > ready_)
    n = ready_;
  if (n == 0)
    return 0;
  auto* out = static_cast<uint8_t*>(dst);
  size_t first = capacity_ - head_ < n ? capacity_ - head_ : n;
  memcpy(out, buf_ + head_, first);
  memcpy(out + first, buf_, n - first);
  if (!peek) {
    head_ = (head_ + n) % capacity_;
    ready_ -= n;
  }
  return n;
}

int ReceiveBuffer::sack_blocks(SackBlock* out, int max) const {
  int n = 0;
  int newest = -1;
  for (int i = 0; i < range_count_; ++i)
    if (seq_le(ranges_[i].start, last_stored_) && seq_lt(last_stored_, ranges_[i].end))
      newest = i;
  if (newest >= 0 && n < max)
    out[n++] = ranges_[newest];
  // Then the others, highest first: the sender learns most from the ranges furthest on.
  for (int i = range_count_ - 1; i >= 0 && n < max; --i)
    if (i != newest)
      out[n++] = ranges_[i];
  return n;
}

} // namespace net::tcp
