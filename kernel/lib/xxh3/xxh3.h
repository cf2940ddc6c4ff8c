// XXH3-128 (the 128-bit XXH3 hash, default secret, seed 0), written from the xxHash
// specification (doc/xxhash_spec.md of the xxHash project, v0.2.0): small (0-16 bytes),
// medium (17-240) and large (241+) inputs, and a streaming form whose result equals the
// one-shot hash of everything fed to it. Shared by the kernel (it checks an image's content
// digest at mount) and nanos-mkimage (it writes that digest); freestanding: only
// <stddef.h>/<stdint.h>, no libc. Little-endian hosts only (x86-64).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xxh3 {

struct Hash128 {
  uint64_t low = 0;
  uint64_t high = 0;
  bool operator==(const Hash128& o) const { return low == o.low && high == o.high; }
  bool operator!=(const Hash128& o) const { return !(*this == o); }
};

// The hash of `len` bytes at `data` (data may be nullptr when len is 0).
Hash128 hash128(const void* data, size_t len);

// The canonical text form: 32 lowercase hex digits, the high half first (the byte order
// of xxHash's canonical representation). Writes 32 characters and a NUL.
constexpr size_t kHexLength = 32;
void to_hex(const Hash128& h, char out[kHexLength + 1]);
// Parses exactly 32 hex digits (either case). False otherwise.
bool from_hex(const char* text, size_t len, Hash128* out);

// Streaming: feed any number of pieces of any size, then digest(). Blocks of 1024 bytes
// are mixed as they complete, so memory stays at about 1.2 KiB whatever the input size.
class Hasher128 {
public:
  Hasher128() { reset(); }
  void reset();
  void update(const void* data, size_t len);
  Hash128 digest() const; // does not change the state: more input may follow
  uint64_t total_length() const { return total_; }

  static constexpr size_t kBlock = 1024; // 16 stripes of 64 bytes (default 192-byte secret)
  static constexpr size_t kStripe = 64;

private:
  uint64_t acc_[8];
  uint8_t buffer_[kBlock];     // input not yet mixed; a full block waits for more input
  uint8_t last_tail_[kStripe]; // the last 64 bytes of the last block mixed
  size_t buffered_ = 0;
  uint64_t total_ = 0;
};

} // namespace xxh3
