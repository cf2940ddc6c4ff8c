#include "net/ipv4.h"

#include "net/bytes.h"
#include "net/checksum.h"

namespace net {

ErrorOr<Ipv4Header> parse_ipv4(const uint8_t* bytes, size_t len) {
  if (len < kIpv4MinHeaderSize)
    return Err(-EINVAL);
  if ((bytes[0] >> 4) != 4)
    return Err(-EINVAL);
  Ipv4Header h;
  h.header_length = static_cast<uint8_t>((bytes[0] & 0xF) * 4);
  if (h.header_length < kIpv4MinHeaderSize || h.header_length > len)
    return Err(-EINVAL);
  h.tos = bytes[1];
  h.total_length = get_be16(bytes + 2);
  if (h.total_length < h.header_length || h.total_length > len)
    return Err(-EINVAL);
  if (internet_checksum(bytes, h.header_length) != 0)
    return Err(-EINVAL);
  h.id = get_be16(bytes + 4);
  h.flags_fragment = get_be16(bytes + 6);
  h.ttl = bytes[8];
  h.protocol = bytes[9];
  h.source.value = get_be32(bytes + 12);
  h.destination.value = get_be32(bytes + 16);
  return h;
}

void write_ipv4(uint8_t* out, const Ipv4Header& h) {
  out[0] = 0x45;
  out[1] = h.tos;
  put_be16(out + 2, h.total_length);
  put_be16(out + 4, h.id);
  put_be16(out + 6, h.flags_fragment);
  out[8] = h.ttl;
  out[9] = h.protocol;
  put_be16(out + 10, 0);
  put_be32(out + 12, h.source.value);
  put_be32(out + 16, h.destination.value);
  put_be16(out + 10, internet_checksum(out, kIpv4MinHeaderSize));
}

} // namespace net
