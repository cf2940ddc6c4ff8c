// Kernel randomness for AT_RANDOM, getrandom and /dev/urandom: a ChaCha20 stream generator
// seeded from RDSEED/RDRAND when CPUID has them, else from TSC jitter (plus RTC and TSC).
#pragma once

#include <stddef.h>

namespace krandom {
void init();
void random_bytes(void* buf, size_t len);
bool hardware_source(); // true if RDRAND/RDSEED fed the seed
// Mixes bytes from an entropy device (drivers/virtio/rng.cc) into the key: a hook so that
// arch needs no driver.
void add_entropy(const void* data, size_t len);
} // namespace krandom

inline void random_bytes(void* buf, size_t len) {
  krandom::random_bytes(buf, len);
}
