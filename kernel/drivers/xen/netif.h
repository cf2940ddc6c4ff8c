// The Xen network-device rings (netif) as the front-end uses them: a transmit ring whose
// requests hand the back-end a granted page region holding a frame, and a receive ring whose
// requests hand it an empty granted page to copy a received frame into ("rx-copy" mode).
// Both are shared rings (shared_ring.h) of 256 slots. Layouts, flags and the checks of a
// received response; pure, host-tested (netif_test.cc).
#pragma once

#include "drivers/xen/shared_ring.h"

#include <stddef.h>
#include <stdint.h>

namespace netif {

// A transmit request: the frame (or, with kTxMoreData, its first part) lies at `offset` in
// the granted page and may not cross its end. `size` is the whole frame's length in the
// first request of a frame.
struct TxRequest {
  uint32_t gref;
  uint16_t offset;
  uint16_t flags;
  uint16_t id; // echoed in the response
  uint16_t size;
};
static_assert(sizeof(TxRequest) == 12);

struct TxResponse {
  uint16_t id;
  int16_t status;
};
static_assert(sizeof(TxResponse) == 4);

enum TxFlags : uint16_t {
  kTxChecksumBlank = 1 << 0, // the transport checksum is left for the back-end to complete
  kTxDataValidated = 1 << 1, // the checksum is known good
  kTxMoreData = 1 << 2,      // the frame continues in the next request
  kTxExtraInfo = 1 << 3,     // an extra-info slot (segmentation offload) follows
};

// A receive request: an empty granted page the back-end may copy one frame (part) into.
struct RxRequest {
  uint16_t id; // echoed in the response
  uint16_t pad;
  uint32_t gref;
};
static_assert(sizeof(RxRequest) == 8);

// A receive response: `status` bytes at `offset` of the request's page, or a negative error.
struct RxResponse {
  uint16_t id;
  uint16_t offset;
  uint16_t flags;
  int16_t status;
};
static_assert(sizeof(RxResponse) == 8);

enum RxFlags : uint16_t {
  kRxDataValidated = 1 << 0, // the back-end checked the transport checksum
  kRxChecksumBlank = 1 << 1, // the checksum field holds only the pseudo-header sum
  kRxMoreData = 1 << 2,      // the frame continues in the next response
  kRxExtraInfo = 1 << 3,     // the next slot holds an extra-info record, not data
};

enum ResponseStatus : int16_t { kOkay = 0, kError = -1, kDropped = -2, kNull = 1 };

using TxRing = xen_ring::TypedFrontRing<TxRequest, TxResponse>;
using RxRing = xen_ring::TypedFrontRing<RxRequest, RxResponse>;
static_assert(TxRing::kSlots == 256 && RxRing::kSlots == 256);

constexpr size_t kPageSize = xen_ring::kPageSize;

// What one receive response carries, after checking it against its page.
struct RxPart {
  bool valid; // false: an error status, or a region outside the page
  uint16_t offset;
  uint16_t length;
  bool more;  // the frame continues in the next response
  bool extra; // an extra-info record follows this response (and takes the next slot)
  // The back-end vouches for the transport checksum: it checked it, or the frame never
  // left the host and its checksum field was left blank (meaningful in a frame's first part).
  bool checksum_ok;
};
RxPart check_rx_response(uint16_t offset, uint16_t flags, int16_t status);

// Parses the xenstore's "mac" value ("00:16:3e:0a:0b:0c", hex digits in either case).
bool parse_mac(const char* text, uint8_t mac[6]);

} // namespace netif
