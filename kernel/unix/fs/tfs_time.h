// TFS timestamps (spec §3.5: `mtime`, `atime`) are 32.32 fixed-point seconds since the epoch.
#pragma once

#include "arch/x86_64/time.h"
#include "unix/syscall/linux_abi.h"

#include <stdint.h>

namespace unix {

inline linux::timespec tfs_time(uint64_t t) {
  return {static_cast<int64_t>(t >> 32),
          static_cast<int64_t>(((t & 0xFFFFFFFFu) * 1000000000ull) >> 32)};
}
inline uint64_t to_tfs_time(int64_t sec, int64_t nsec) {
  return (static_cast<uint64_t>(sec) << 32) |
         ((static_cast<uint64_t>(nsec) << 32) / 1000000000ull);
}
inline uint64_t tfs_now() {
  uint64_t ns = ktime::realtime_ns();
  return to_tfs_time(static_cast<int64_t>(ns / 1000000000ull),
                     static_cast<int64_t>(ns % 1000000000ull));
}

} // namespace unix
