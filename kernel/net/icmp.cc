#include "net/icmp.h"

#include "net/bytes.h"
#include "net/checksum.h"

namespace net {

ErrorOr<IcmpMessage> parse_icmp(const uint8_t* bytes, size_t len) {
  if (len < kIcmpHeaderSize || internet_checksum(bytes, len) != 0)
    return Err(-EINVAL);
  IcmpMessage m;
  m.type = bytes[0];
  m.code = bytes[1];
  for (int i = 0; i < 4; ++i)
    m.rest[i] = bytes[4 + i];
  m.body = bytes + kIcmpHeaderSize;
  m.body_length = len - kIcmpHeaderSize;
  return m;
}

void finish_icmp(uint8_t* out, size_t len, uint8_t type, uint8_t code, const uint8_t rest[4]) {
  out[0] = type;
  out[1] = code;
  put_be16(out + 2, 0);
  for (int i = 0; i < 4; ++i)
    out[4 + i] = rest[i];
  put_be16(out + 2, internet_checksum(out, len));
}

ErrorOr<QuotedDatagram> parse_quoted_datagram(const uint8_t* body, size_t len) {
  if (len < kIpv4MinHeaderSize || (body[0] >> 4) != 4)
    return Err(-EINVAL);
  size_t header_length = size_t(body[0] & 0xF) * 4;
  if (header_length < kIpv4MinHeaderSize || len < header_length + 8)
    return Err(-EINVAL);
  QuotedDatagram q;
  q.header.header_length = static_cast<uint8_t>(header_length);
  q.header.tos = body[1];
  q.header.total_length = get_be16(body + 2);
  q.header.id = get_be16(body + 4);
  q.header.flags_fragment = get_be16(body + 6);
  q.header.ttl = body[8];
  q.header.protocol = body[9];
  q.header.source.value = get_be32(body + 12);
  q.header.destination.value = get_be32(body + 16);
  q.transport = body + header_length;
  q.transport_length = len - header_length;
  return q;
}

uint16_t fragmentation_needed_mtu(const IcmpMessage& m, const QuotedDatagram& q) {
  uint16_t mtu = get_be16(m.rest + 2);
  if (mtu != 0)
    return mtu;
  static constexpr uint16_t kPlateaus[] = {65535, 32000, 17914, 8166, 4352, 2002,
                                           1492,  1006,  508,   296,  68};
  for (uint16_t plateau : kPlateaus)
    if (plateau < q.header.total_length)
      return plateau;
  return 68;
}

} // namespace net
