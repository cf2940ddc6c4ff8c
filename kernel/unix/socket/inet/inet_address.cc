#include "unix/socket/inet/inet_address.h"

#include "lib/errno.h"

namespace unix::inet {
namespace {

uint16_t be16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
uint32_t le32(const uint8_t* p) {
  return p[0] | static_cast<uint32_t>(p[1]) << 8 | static_cast<uint32_t>(p[2]) << 16 |
         static_cast<uint32_t>(p[3]) << 24;
}
void put_be16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put_be32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
void put_le32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    p[i] = static_cast<uint8_t>(v >> (8 * i));
}

} // namespace

ErrorOr<InetAddress> parse_address(int domain, const uint8_t* bytes, size_t len) {
  InetAddress a;
  if (domain == kAfInet) {
    if (len < kSockaddrInSize)
      return Err(-EINVAL);
    if (address_family(bytes, len) != kAfInet)
      return Err(-EAFNOSUPPORT);
    a.port = be16(bytes + 2);
    a.v4 = be32(bytes + 4);
    return a;
  }
  // AF_INET6: family, port, flowinfo, 16 address bytes, scope id (RFC 3493 3.3).
  if (len < kSockaddrIn6Size)
    return Err(-EINVAL);
  if (address_family(bytes, len) != kAfInet6)
    return Err(-EAFNOSUPPORT);
  a.port = be16(bytes + 2);
  a.flowinfo = le32(bytes + 4);
  for (int i = 0; i < 16; ++i)
    a.v6[i] = bytes[8 + i];
  a.scope_id = le32(bytes + 24);
  bool zero_prefix = true;
  for (int i = 0; i < 10; ++i)
    zero_prefix = zero_prefix && a.v6[i] == 0;
  if (zero_prefix && a.v6[10] == 0xFF && a.v6[11] == 0xFF) {
    a.v4 = be32(a.v6 + 12); // ::ffff:a.b.c.d
    return a;
  }
  bool all_zero = zero_prefix && a.v6[10] == 0 && a.v6[11] == 0 && be32(a.v6 + 12) == 0;
  if (all_zero) {
    a.unspecified_v6 = true; // ::, the wildcard
    return a;
  }
  a.native_v6 = true;
  return a;
}

size_t format_address(int domain, const InetAddress& addr, uint8_t* out) {
  if (domain == kAfInet) {
    for (size_t i = 0; i < kSockaddrInSize; ++i)
      out[i] = 0;
    out[0] = kAfInet;
    put_be16(out + 2, addr.port);
    put_be32(out + 4, addr.v4);
    return kSockaddrInSize;
  }
  for (size_t i = 0; i < kSockaddrIn6Size; ++i)
    out[i] = 0;
  out[0] = kAfInet6;
  put_be16(out + 2, addr.port);
  if (addr.native_v6) {
    put_le32(out + 4, addr.flowinfo);
    for (int i = 0; i < 16; ++i)
      out[8 + i] = addr.v6[i];
    put_le32(out + 24, addr.scope_id);
  } else if (addr.v4 != 0) {
    out[18] = out[19] = 0xFF; // ::ffff:a.b.c.d
    put_be32(out + 20, addr.v4);
  }
  return kSockaddrIn6Size;
}

} // namespace unix::inet
