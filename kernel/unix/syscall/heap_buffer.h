// HeapBuffer: a per-call scratch buffer from the kernel heap, freed when the holder goes out
// of scope (on every return path, TRY included).
//
// Syscall handlers may sleep, and another thread may then run the same handler, so a
// static buffer would be shared between two calls; a large buffer on the stack would eat
// into the 32 KiB kernel stack. Allocation failure is reported by ok() (callers give
// -ENOMEM); the helpers that fill a buffer check it for them.
#pragma once

#include "mm/heap.h"

#include <stddef.h>

namespace unix {

class HeapBuffer {
public:
  explicit HeapBuffer(size_t size) : data_(static_cast<char*>(kmalloc(size))), size_(size) {
    if (!data_)
      size_ = 0;
  }
  ~HeapBuffer() { kfree(data_); }
  HeapBuffer(const HeapBuffer&) = delete;
  HeapBuffer& operator=(const HeapBuffer&) = delete;

  bool ok() const { return data_ != nullptr; }
  char* data() { return data_; }
  const char* data() const { return data_; }
  size_t size() const { return size_; }

private:
  char* data_;
  size_t size_;
};

} // namespace unix
