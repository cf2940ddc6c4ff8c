#include "net/tcp_large_send.h"

#include "lib/string.h"
#include "net/bytes.h"
#include "net/checksum.h"
#include "net/tcp_header.h"

namespace net::tcp {
namespace {

constexpr size_t kSeqOffset = 4, kFlagsOffset = 13, kChecksumOffset = 16;
constexpr uint8_t kCwrFlag = 0x80;

} // namespace

size_t segment_header_length(const Segment& segment) {
  if (segment.head_len < 20)
    return 0;
  size_t len = size_t{static_cast<uint8_t>(segment.head[12] >> 4)} * 4;
  return len < 20 ? 0 : len;
}

size_t large_send_pieces(size_t payload, uint16_t mss) {
  if (payload == 0 || mss == 0)
    return 1;
  return (payload + mss - 1) / mss;
}

void large_send_piece_header(const uint8_t* header, size_t header_len, uint32_t offset, bool first,
                             bool last, uint8_t* out) {
  memcpy(out, header, header_len);
  put_be32(out + kSeqOffset, get_be32(header + kSeqOffset) + offset);
  uint8_t flags = header[kFlagsOffset];
  if (!last)
    flags &= static_cast<uint8_t>(~(kFin | kPsh));
  if (!first)
    flags &= static_cast<uint8_t>(~kCwrFlag);
  out[kFlagsOffset] = flags;
  put_be16(out + kChecksumOffset, 0);
}

uint64_t copy_segment_range(const Segment& segment, size_t from, size_t n, uint8_t* out) {
  const uint8_t* chunk[3] = {segment.head, segment.payload[0], segment.payload[1]};
  size_t chunk_len[3] = {segment.head_len, segment.payload_len[0], segment.payload_len[1]};
  uint64_t sum = 0;
  size_t done = 0; // bytes copied so far: their parity decides a chunk's byte order
  for (int c = 0; c < 3 && n > 0; ++c) {
    if (from >= chunk_len[c]) {
      from -= chunk_len[c];
      continue;
    }
    size_t k = chunk_len[c] - from < n ? chunk_len[c] - from : n;
    uint16_t part = checksum_fold(checksum_copy(out + done, chunk[c] + from, k));
    // A piece that starts at an odd position has its bytes in the other halves of the words.
    sum += (done & 1) ? static_cast<uint16_t>(part << 8 | part >> 8) : part;
    done += k;
    n -= k;
    from = 0;
  }
  return sum;
}

} // namespace net::tcp
