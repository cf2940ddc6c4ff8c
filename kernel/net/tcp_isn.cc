#include "net/tcp_isn.h"

#include "lib/string.h"

namespace net::tcp {
namespace {

inline uint64_t rotl(uint64_t x, int b) {
  return (x << b) | (x >> (64 - b));
}

struct SipState {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1;
    v1 = rotl(v1, 13);
    v1 ^= v0;
    v0 = rotl(v0, 32);
    v2 += v3;
    v3 = rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = rotl(v1, 17);
    v1 ^= v2;
    v2 = rotl(v2, 32);
  }
  void absorb(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i)
    v = v << 8 | p[i];
  return v;
}

} // namespace

uint64_t siphash24(const SipKey& key, const void* data, size_t len) {
  const auto* p = static_cast<const uint8_t*>(data);
  SipState s{key.k0 ^ 0x736f6d6570736575ull, key.k1 ^ 0x646f72616e646f6dull,
             key.k0 ^ 0x6c7967656e657261ull, key.k1 ^ 0x7465646279746573ull};
  size_t i = 0;
  for (; i + 8 <= len; i += 8)
    s.absorb(load_le64(p + i));
  // The last word: the leftover bytes, with the message length in the top byte.
  uint64_t last = static_cast<uint64_t>(len & 0xFF) << 56;
  for (size_t j = 0; i + j < len; ++j)
    last |= static_cast<uint64_t>(p[i + j]) << (8 * j);
  s.absorb(last);
  s.v2 ^= 0xFF;
  for (int r = 0; r < 4; ++r)
    s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

Seq initial_sequence(const SipKey& secret, const Endpoint& local, const Endpoint& remote,
                     uint64_t now_ns) {
  uint8_t tuple[2 * 17 + 4];
  memcpy(tuple, local.addr.bytes, 16);
  tuple[16] = local.addr.family;
  memcpy(tuple + 17, remote.addr.bytes, 16);
  tuple[33] = remote.addr.family;
  tuple[34] = static_cast<uint8_t>(local.port >> 8);
  tuple[35] = static_cast<uint8_t>(local.port);
  tuple[36] = static_cast<uint8_t>(remote.port >> 8);
  tuple[37] = static_cast<uint8_t>(remote.port);
  uint32_t f = static_cast<uint32_t>(siphash24(secret, tuple, sizeof tuple));
  uint32_t m = static_cast<uint32_t>(now_ns / 4000); // RFC 6528: a 4 us tick
  return m + f;
}

} // namespace net::tcp
