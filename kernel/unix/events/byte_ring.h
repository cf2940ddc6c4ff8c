// A byte FIFO over caller-provided storage: the buffer of a pipe or of a socket's receive
// side. Readers and writers get contiguous spans so the kernel can copy straight between
// the ring and user memory (copy_to_user/copy_from_user) without a bounce buffer. Pure
// bookkeeping, unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct ByteSpan {
  uint8_t* data;
  size_t len;
};

class ByteRing {
public:
  // Uses `capacity` bytes at `storage` (owned by the caller); the ring starts empty.
  void init(uint8_t* storage, size_t capacity);

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  size_t space() const { return capacity_ - count_; }
  bool empty() const { return count_ == 0; }

  // The longest contiguous run of stored bytes that starts `offset` bytes after the
  // oldest one (empty past the end). Used for reads and, with an offset, for MSG_PEEK.
  ByteSpan readable(size_t offset = 0) const;
  // Drops the oldest n bytes (n <= size()).
  void consume(size_t n);
  // The longest contiguous run of free space right after the newest byte.
  ByteSpan writable() const;
  // Marks n bytes of writable() as stored (n <= writable().len).
  void commit(size_t n);

  // Takes back the newest n bytes (n <= size()): undoes a partly copied datagram.
  void drop_newest(size_t n) { count_ -= n < count_ ? n : count_; }

  // Kernel-memory conveniences built on the spans: copy up to n bytes starting `offset`
  // bytes after the oldest (nothing consumed) / append up to n bytes. Return bytes copied.
  size_t peek(size_t offset, void* dst, size_t n) const;
  size_t push(const void* src, size_t n);

private:
  uint8_t* buf_ = nullptr;
  size_t capacity_ = 0;
  size_t head_ = 0; // index of the oldest byte
  size_t count_ = 0;
};

} // namespace unix
