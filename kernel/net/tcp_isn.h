// Initial sequence numbers per RFC 6528: ISN = M + F(local, remote, secret), where M is a
// clock ticking every 4 microseconds and F a keyed hash of the connection's addresses and
// ports. Off-path attackers cannot guess F without the secret, and M keeps successive
// incarnations of one 4-tuple moving forward. F is SipHash-2-4 (written from its paper).
#pragma once

#include "net/tcp_link.h"
#include "net/tcp_seq.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

uint64_t siphash24(const SipKey& key, const void* data, size_t len);

// The ISN for a connection from local to remote at time now_ns.
Seq initial_sequence(const SipKey& secret, const Endpoint& local, const Endpoint& remote,
                     uint64_t now_ns);

} // namespace net::tcp
