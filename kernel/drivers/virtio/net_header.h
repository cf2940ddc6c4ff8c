// The header virtio-net puts in front of every frame on both rings (virtio 1.x §5.1.6):
// checksum offload and segmentation requests on transmit, "checksum verified" on receive,
// and the number of buffers a received frame spans (MRG_RXBUF). Little-endian on modern
// devices; legacy ones use the guest's order, which on x86 is the same.
// Pure encoding (no hardware), so the host tests check it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace virtio {

// Device feature bits of the network device (§5.1.3) and the one transport-level bit legacy
// devices need for headers that share a buffer with the frame (§5.1.6.6 legacy interface).
constexpr uint64_t kNetCsum = 1ull << 0;      // device completes partial checksums we send
constexpr uint64_t kNetGuestCsum = 1ull << 1; // device tells us received checksums are good
constexpr uint64_t kNetMac = 1ull << 5;
constexpr uint64_t kNetHostTso4 = 1ull << 11; // device cuts TCP/IPv4 segments (needs kNetCsum)
constexpr uint64_t kNetMrgRxbuf = 1ull << 15;
constexpr uint64_t kNetStatus = 1ull << 16;
constexpr uint64_t kFeatureAnyLayout = 1ull << 27;

// Device configuration (§5.1.4).
constexpr size_t kNetConfigMac = 0;
constexpr size_t kNetConfigStatus = 6;
constexpr uint16_t kNetStatusLinkUp = 1;

struct NetHeader {
  enum : uint8_t { kNeedsCsum = 1, kDataValid = 2 };
  enum : uint8_t { kGsoNone = 0, kGsoTcpV4 = 1 };
  uint8_t flags = 0;
  uint8_t gso_type = kGsoNone;
  uint16_t hdr_len = 0;
  uint16_t gso_size = 0;
  uint16_t csum_start = 0;  // from the first byte of the Ethernet frame
  uint16_t csum_offset = 0; // from csum_start to the checksum field
  uint16_t num_buffers = 0; // receive with MRG_RXBUF: buffers this frame spans
};

// 12 bytes with VERSION_1 or MRG_RXBUF (num_buffers is present), else 10 (§5.1.6).
constexpr size_t net_header_size(bool modern_or_mergeable) {
  return modern_or_mergeable ? 12 : 10;
}

void encode_net_header(const NetHeader& h, uint8_t* out, size_t size);
NetHeader decode_net_header(const uint8_t* in, size_t size);

// Whether a received frame's transport checksum needs no check: the device verified it
// (DATA_VALID) or the frame never left the host and carries only a partial sum that the
// sender's device would have completed (NEEDS_CSUM, §5.1.6.4.1).
inline bool received_checksum_ok(const NetHeader& h) {
  return (h.flags & (NetHeader::kDataValid | NetHeader::kNeedsCsum)) != 0;
}

} // namespace virtio
