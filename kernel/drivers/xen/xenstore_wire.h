// The xenstore protocol as the guest sees it, without hardware: the shared page's two rings
// (requests to the daemon, responses and watch events from it), the message header, and
// the daemon's error names. Host-tested against a simulated daemon (xenstore_wire_test.cc).
#pragma once

#include "arch/x86_64/xen/stream_ring.h"

#include <stddef.h>
#include <stdint.h>

namespace xenstore {

enum MessageType : uint32_t {
  kDirectory = 1,
  kRead = 2,
  kWatch = 4,
  kUnwatch = 5,
  kTransactionStart = 6,
  kTransactionEnd = 7,
  kWrite = 11,
  kMkdir = 12,
  kRm = 13,
  kWatchEvent = 15,
  kError = 16,
};

struct Header {
  uint32_t type;
  uint32_t req_id; // echoed in the reply
  uint32_t tx_id;  // transaction, 0 = none
  uint32_t len;    // payload bytes after the header
};
static_assert(sizeof(Header) == 16);

constexpr size_t kPayloadMax = 4096; // the daemon refuses longer messages

// The page: req[1024], rsp[1024], then req_cons, req_prod, rsp_cons, rsp_prod (u32, free
// running). The guest produces requests and consumes responses.
class Ring {
public:
  static constexpr size_t kSize = 1024;
  static constexpr size_t kReqConsOffset = 2048;
  static constexpr size_t kReqProdOffset = 2052;
  static constexpr size_t kRspConsOffset = 2056;
  static constexpr size_t kRspProdOffset = 2060;

  explicit Ring(volatile uint8_t* page)
      : requests_(page, kSize, page + kReqConsOffset, page + kReqProdOffset),
        responses_(page + kSize, kSize, page + kRspConsOffset, page + kRspProdOffset) {}
  // Copies as much of data as fits into the request ring and publishes it; returns bytes.
  size_t put(const void* data, size_t len);
  // Bytes of response waiting.
  size_t available() const;
  // Copies `len` bytes of response without consuming them; false if fewer are waiting.
  bool peek(void* out, size_t len) const;
  // Takes up to len bytes of response; returns bytes.
  size_t get(void* out, size_t len);

  // The daemon's side, for tests: take requests, put responses.
  size_t daemon_get(void* out, size_t len);
  size_t daemon_put(const void* data, size_t len);

private:
  xen::StreamRing requests_;  // we produce, the daemon consumes
  xen::StreamRing responses_; // the daemon produces, we consume
};

// The errno for an XS_ERROR payload ("ENOENT"...); -EIO for names we do not know.
int error_from_name(const char* name, size_t len);

// Calls fn(ctx, name, len) for each NUL-terminated name in a directory listing.
void for_each_name(const char* payload, size_t len,
                   void (*fn)(void* ctx, const char* name, size_t len), void* ctx);

} // namespace xenstore
