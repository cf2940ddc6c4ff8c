#include "arch/x86_64/random.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "lib/string.h"

#include <stdint.h>

namespace krandom {
namespace {

uint32_t g_key[8];
uint64_t g_counter = 0;
bool g_hw = false;
// Fast key erasure: each ChaCha20 block's first 32 bytes become the next key and the other
// 32 are output, handed out over several small requests (AT_RANDOM, ASLR offsets) and wiped
// as they go. One block costs ~800 instructions, which under emulation is ~1 ms.
uint8_t g_pool[32];
size_t g_pool_left = 0; // unused bytes at the end of g_pool
// set_pending_entropy: an entropy device's answer to collect before the first output.
void (*g_pending_collect)(void* ctx) = nullptr;
void* g_pending_ctx = nullptr;

constexpr uint32_t rotl(uint32_t v, int n) {
  return (v << n) | (v >> (32 - n));
}

void quarter(uint32_t* x, int a, int b, int c, int d) {
  x[a] += x[b];
  x[d] = rotl(x[d] ^ x[a], 16);
  x[c] += x[d];
  x[b] = rotl(x[b] ^ x[c], 12);
  x[a] += x[b];
  x[d] = rotl(x[d] ^ x[a], 8);
  x[c] += x[d];
  x[b] = rotl(x[b] ^ x[c], 7);
}

// One ChaCha20 block of the keystream for (key, counter, nonce 0).
void chacha_block(const uint32_t key[8], uint64_t counter, uint32_t out[16]) {
  uint32_t in[16] = {0x61707865, 0x3320646e, 0x79622d32, 0x6b206574};
  for (int i = 0; i < 8; ++i)
    in[4 + i] = key[i];
  in[12] = static_cast<uint32_t>(counter);
  in[13] = static_cast<uint32_t>(counter >> 32);
  in[14] = in[15] = 0;
  uint32_t x[16];
  memcpy(x, in, sizeof(x));
  for (int r = 0; r < 10; ++r) {
    quarter(x, 0, 4, 8, 12);
    quarter(x, 1, 5, 9, 13);
    quarter(x, 2, 6, 10, 14);
    quarter(x, 3, 7, 11, 15);
    quarter(x, 0, 5, 10, 15);
    quarter(x, 1, 6, 11, 12);
    quarter(x, 2, 7, 8, 13);
    quarter(x, 3, 4, 9, 14);
  }
  for (int i = 0; i < 16; ++i)
    out[i] = x[i] + in[i];
}

bool rdseed64(uint64_t& v) {
  for (int i = 0; i < 64; ++i) {
    uint8_t ok;
    asm volatile("rdseed %0; setc %1" : "=r"(v), "=qm"(ok));
    if (ok)
      return true;
  }
  return false;
}

bool rdrand64(uint64_t& v) {
  for (int i = 0; i < 16; ++i) {
    uint8_t ok;
    asm volatile("rdrand %0; setc %1" : "=r"(v), "=qm"(ok));
    if (ok)
      return true;
  }
  return false;
}

// Rekeys from the current key mixed with `material` (fast key erasure).
void mix(const uint32_t material[8]) {
  for (int i = 0; i < 8; ++i)
    g_key[i] ^= material[i];
  uint32_t block[16];
  chacha_block(g_key, ~0ull, block);
  memcpy(g_key, block, sizeof(g_key));
}

} // namespace

void init() {
  uint32_t material[8] = {};
  bool has_rdseed = cpu::cpuid(0).eax >= 7 && (cpu::cpuid(7).ebx & (1u << 18));
  bool has_rdrand = cpu::cpuid(1).ecx & (1u << 30);
  int got = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t v;
    if ((has_rdseed && rdseed64(v)) || (has_rdrand && rdrand64(v))) {
      material[2 * i] ^= static_cast<uint32_t>(v);
      material[2 * i + 1] ^= static_cast<uint32_t>(v >> 32);
      ++got;
    }
  }
  g_hw = got == 4;
  // Always add the clocks and TSC jitter around port I/O (each access exits to the VMM,
  // whose latency varies); alone this is the seed on CPUs without RDRAND.
  uint64_t wall = ktime::realtime_ns();
  material[0] ^= static_cast<uint32_t>(wall);
  material[1] ^= static_cast<uint32_t>(wall >> 32);
  int samples = g_hw ? 16 : 512;
  uint64_t prev = cpu::rdtsc();
  for (int i = 0; i < samples; ++i) {
    (void)cpu::inb(0x80 + (i & 1) * 0x1);
    uint64_t now = cpu::rdtsc();
    uint32_t delta = static_cast<uint32_t>(now - prev);
    prev = now;
    material[i & 7] = rotl(material[i & 7], 5) ^ delta;
    // Without a hardware source the jitter is the seed: compress it into the key every 8
    // samples. With one, 16 samples fold into the material for the one mix below (each
    // ChaCha20 block is ~1200 instructions of boot).
    if ((i & 7) == 7 && !g_hw)
      mix(material);
  }
  material[3] ^= static_cast<uint32_t>(prev);
  mix(material);
}

void add_entropy(const void* data, size_t len) {
  const auto* in = static_cast<const uint8_t*>(data);
  while (len) {
    uint32_t material[8] = {};
    size_t n = len < sizeof(material) ? len : sizeof(material);
    memcpy(material, in, n);
    in += n;
    len -= n;
    if (len) {
      mix(material);
    } else {
      // The last piece goes into the key alone: the next output block is made with it
      // and replaces the key (fast key erasure), which is what mix() would do with one
      // more ChaCha20 block at boot. What is pooled came from the old key: dropped.
      for (int i = 0; i < 8; ++i)
        g_key[i] ^= material[i];
      memset(g_pool, 0, sizeof(g_pool));
      g_pool_left = 0;
    }
    memset(material, 0, sizeof(material));
  }
}

bool set_pending_entropy(void (*collect)(void* ctx), void* ctx) {
  if (g_pending_collect)
    return false;
  g_pending_collect = collect;
  g_pending_ctx = ctx;
  return true;
}

void random_bytes(void* buf, size_t len) {
  if (g_pending_collect) {
    // Cleared first: collect runs once even if it fails or asks for randomness itself.
    void (*collect)(void*) = g_pending_collect;
    g_pending_collect = nullptr;
    collect(g_pending_ctx);
  }
  auto* out = static_cast<uint8_t*>(buf);
  if (len >= 64) {
    // Bulk (getrandom, /dev/urandom): whole blocks under the current key, then a new key
    // from one more block; the tail comes from the pool below.
    uint32_t block[16];
    for (; len >= 64; out += 64, len -= 64) {
      chacha_block(g_key, g_counter++, block);
      memcpy(out, block, 64);
    }
    chacha_block(g_key, g_counter++, block);
    memcpy(g_key, block, sizeof(g_key));
    memset(block, 0, sizeof(block));
  }
  while (len) {
    if (g_pool_left == 0) {
      uint32_t block[16];
      chacha_block(g_key, g_counter++, block);
      memcpy(g_key, block, sizeof(g_key)); // the key that produced this is gone
      memcpy(g_pool, block + 8, sizeof(g_pool));
      memset(block, 0, sizeof(block));
      g_pool_left = sizeof(g_pool);
    }
    size_t n = len < g_pool_left ? len : g_pool_left;
    uint8_t* from = g_pool + sizeof(g_pool) - g_pool_left;
    memcpy(out, from, n);
    memset(from, 0, n); // handed out once
    g_pool_left -= n;
    out += n;
    len -= n;
  }
}

bool hardware_source() {
  return g_hw;
}

} // namespace krandom
