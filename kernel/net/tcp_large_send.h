// Large sends (TCP segmentation offload, done here when the NIC cannot): one TCP segment
// whose payload spans several MSS goes out as MSS-sized segments, each with a copy of the
// header (options included) whose sequence number advances with the piece's offset; FIN
// and PSH stay on the last piece only, CWR on the first only (RFC 3168 6.1.2). The IP layer
// or the device computes each piece's checksum. The same rules are what a NIC applies to a
// virtio HOST_TSO4 frame, so both ways put the same segments on the wire.
//
// Also: copying a range of a Segment (header and two payload pieces) while summing it, the
// one pass the transmit path makes over the data.
#pragma once

#include "net/tcp_link.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

// The TCP header length a segment's first bytes give (data offset x 4), 0 when malformed.
size_t segment_header_length(const Segment& segment);

// How many pieces of at most `mss` payload bytes `payload` bytes make (at least one).
size_t large_send_pieces(size_t payload, uint16_t mss);

// Writes the header of the piece that starts `offset` payload bytes into the large send:
// `header` (header_len bytes) with the sequence number advanced, flags adjusted, and the
// checksum field zeroed.
void large_send_piece_header(const uint8_t* header, size_t header_len, uint32_t offset, bool first,
                             bool last, uint8_t* out);

// Copies bytes [from, from + n) of the segment (head, then the payload pieces) to out and
// returns their sum (checksum_partial, as if they started at an even position).
uint64_t copy_segment_range(const Segment& segment, size_t from, size_t n, uint8_t* out);

// Cuts a large send into its pieces and hands each, contiguous, to emit(bytes, len). `work`
// must hold header_length + mss bytes. Used where no packet is built (the host tests' link).
template <typename Emit>
void cut_large_send(const Segment& segment, uint16_t mss, uint8_t* work, Emit emit) {
  size_t header_len = segment_header_length(segment);
  if (header_len == 0 || header_len > segment.head_len || mss == 0)
    return;
  size_t payload = segment.length() - header_len;
  size_t pieces = large_send_pieces(payload, mss);
  for (size_t i = 0; i < pieces; ++i) {
    size_t offset = i * mss;
    size_t n = payload - offset < mss ? payload - offset : mss;
    large_send_piece_header(segment.head, header_len, static_cast<uint32_t>(offset), i == 0,
                            i + 1 == pieces, work);
    (void)copy_segment_range(segment, header_len + offset, n, work + header_len);
    emit(work, header_len + n);
  }
}

} // namespace net::tcp
