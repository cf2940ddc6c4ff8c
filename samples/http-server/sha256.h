// SHA-256 (FIPS 180-4), incremental: the server's /sha256/N digests the pattern it streams.
#pragma once

#include <stddef.h>
#include <stdint.h>

struct sha256 {
  uint32_t state[8];
  uint64_t length;   // bytes hashed so far
  uint8_t block[64]; // the partial block
  size_t used;       // bytes in `block`
};

void sha256_init(struct sha256* s);
void sha256_update(struct sha256* s, const void* data, size_t size);
void sha256_final(struct sha256* s, uint8_t digest[32]);
