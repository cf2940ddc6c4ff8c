// The xenstore protocol as the guest sees it, without hardware: the shared page's two rings
// (requests to the daemon, responses and watch events from it), the message header, and
// the daemon's error names. Host-tested against a simulated daemon (xenstore_wire_test.cc).
#pragma once

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

  explicit Ring(volatile uint8_t* page) : page_(page) {}
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
  // One direction of the page: the ring at byte `ring` with its two indexes. produce copies
  // in what fits and publishes it; consume takes what is waiting and frees it.
  size_t produce(size_t ring, size_t cons_offset, size_t prod_offset, const void* data, size_t len);
  size_t consume(size_t ring, size_t cons_offset, size_t prod_offset, void* out, size_t len);
  uint32_t load(size_t offset) const;
  void store(size_t offset, uint32_t value);
  volatile uint8_t* page_;
};

// The errno for an XS_ERROR payload ("ENOENT"...); -EIO for names we do not know.
int error_from_name(const char* name, size_t len);

// Calls fn(ctx, name, len) for each NUL-terminated name in a directory listing.
void for_each_name(const char* payload, size_t len,
                   void (*fn)(void* ctx, const char* name, size_t len), void* ctx);

} // namespace xenstore
