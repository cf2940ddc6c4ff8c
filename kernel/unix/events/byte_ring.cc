#include "unix/events/byte_ring.h"

#include "lib/string.h"

namespace unix {

void ByteRing::init(uint8_t* storage, size_t capacity) {
  buf_ = storage;
  capacity_ = capacity;
  head_ = count_ = 0;
}

ByteSpan ByteRing::readable(size_t offset) const {
  if (offset >= count_)
    return {nullptr, 0};
  size_t start = (head_ + offset) % capacity_;
  size_t left = count_ - offset;
  size_t run = capacity_ - start; // up to the physical end of the buffer
  return {buf_ + start, left < run ? left : run};
}

void ByteRing::consume(size_t n) {
  if (n > count_)
    n = count_;
  head_ = (head_ + n) % capacity_;
  count_ -= n;
  if (count_ == 0)
    head_ = 0; // keeps later writes contiguous for as long as possible
}

ByteSpan ByteRing::writable() const {
  if (count_ == capacity_)
    return {nullptr, 0};
  size_t tail = (head_ + count_) % capacity_;
  size_t run = tail >= head_ ? capacity_ - tail : head_ - tail;
  return {buf_ + tail, run};
}

void ByteRing::commit(size_t n) {
  if (n > space())
    n = space();
  count_ += n;
}

size_t ByteRing::peek(size_t offset, void* dst, size_t n) const {
  auto* out = static_cast<uint8_t*>(dst);
  size_t done = 0;
  while (done < n) {
    ByteSpan s = readable(offset + done);
    if (s.len == 0)
      break;
    size_t k = s.len < n - done ? s.len : n - done;
    memcpy(out + done, s.data, k);
    done += k;
  }
  return done;
}

size_t ByteRing::push(const void* src, size_t n) {
  auto* in = static_cast<const uint8_t*>(src);
  size_t done = 0;
  while (done < n) {
    ByteSpan s = writable();
    if (s.len == 0)
      break;
    size_t k = s.len < n - done ? s.len : n - done;
    memcpy(s.data, in + done, k);
    commit(k);
    done += k;
  }
  return done;
}

} // namespace unix
