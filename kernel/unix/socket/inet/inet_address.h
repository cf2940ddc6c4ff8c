// sockaddr_in and sockaddr_in6 as the AF_INET and AF_INET6 sockets read and write them.
// The stack carries IPv4 (and TCP over ::1), so an AF_INET6 socket reaches IPv4 through
// IPv4-mapped addresses (::ffff:a.b.c.d, RFC 4291 2.5.5.2) and the unspecified address ::,
// which stands for 0.0.0.0 as well unless the socket is IPV6_V6ONLY. Pure logic,
// host-tested.
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace unix::inet {

constexpr int kAfUnspec = 0, kAfInet = 2, kAfInet6 = 10;
constexpr size_t kSockaddrInSize = 16, kSockaddrIn6Size = 28;

struct InetAddress {
  uint32_t v4 = 0;             // host order; meaningful unless `native_v6`
  uint16_t port = 0;           // host order
  bool native_v6 = false;      // an IPv6 address that maps to no IPv4 one (::1, 2001:db8::1)
  bool unspecified_v6 = false; // given as :: (an AF_INET6 wildcard)
  uint8_t v6[16] = {};         // the IPv6 form as given (AF_INET6 only)
  uint32_t flowinfo = 0, scope_id = 0;

  bool is_any() const { return !native_v6 && v4 == 0; }
  bool is_v6_loopback() const { // ::1
    if (!native_v6 || v6[15] != 1)
      return false;
    for (int i = 0; i < 15; ++i)
      if (v6[i])
        return false;
    return true;
  }
};

// Reads the `len` bytes of a sockaddr given to a socket of `domain`. -EINVAL when too
// short, -EAFNOSUPPORT when its family is not the socket's.
ErrorOr<InetAddress> parse_address(int domain, const uint8_t* bytes, size_t len);

// Writes the sockaddr a socket of `domain` reports for `addr` (an AF_INET6 socket shows
// IPv4 addresses v4-mapped and 0.0.0.0 as ::) into out (at least kSockaddrIn6Size bytes);
// returns its length.
size_t format_address(int domain, const InetAddress& addr, uint8_t* out);

// The family field of a sockaddr (AF_UNSPEC to disconnect a datagram socket).
inline int address_family(const uint8_t* bytes, size_t len) {
  return len >= 2 ? bytes[0] | bytes[1] << 8 : -1;
}

} // namespace unix::inet
