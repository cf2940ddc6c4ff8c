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
// An entropy device whose answer is still on its way: the first random_bytes() calls
// collect(ctx) before it produces anything, and collect waits for the answer and passes it
// to add_entropy. The device's request then overlaps the rest of boot (the root mount)
// instead of being waited for at its probe, and no random byte is handed out without it.
// False (nothing changes) when another collection is already pending.
bool set_pending_entropy(void (*collect)(void* ctx), void* ctx);
} // namespace krandom

inline void random_bytes(void* buf, size_t len) {
  krandom::random_bytes(buf, len);
}
