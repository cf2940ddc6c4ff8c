// A kernel buffer for the copies of one syscall between user memory and code that takes
// kernel addresses (the file system, the console, the random generator). It lives on the
// heap for the length of the call instead of being a static scratch buffer, so a call that
// sleeps part-way (interrupt-driven disk I/O) never shares it with another.
#pragma once

#include "mm/heap.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

class BounceBuffer {
public:
  // Up to kMaxSize bytes; callers move larger transfers through it in chunks.
  static constexpr size_t kMaxSize = 32 * 1024;
  explicit BounceBuffer(size_t wanted)
      : size_(wanted == 0         ? 1
              : wanted < kMaxSize ? wanted
                                  : kMaxSize),
        data_(static_cast<uint8_t*>(kmalloc(size_))) {}
  ~BounceBuffer() { kfree(data_); }
  BounceBuffer(const BounceBuffer&) = delete;
  BounceBuffer& operator=(const BounceBuffer&) = delete;

  bool ok() const { return data_ != nullptr; }
  uint8_t* data() { return data_; }
  size_t size() const { return size_; }

private:
  size_t size_;
  uint8_t* data_;
};

} // namespace unix
