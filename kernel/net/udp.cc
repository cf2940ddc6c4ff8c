#include "net/udp.h"

#include "net/bytes.h"
#include "net/checksum.h"
#include "net/ipv4.h"

namespace net {

ErrorOr<UdpHeader> parse_udp(const uint8_t* bytes, size_t len, Ipv4Address source,
                             Ipv4Address destination, bool checksum_known_valid) {
  if (len < kUdpHeaderSize)
    return Err(-EINVAL);
  UdpHeader h;
  h.source_port = get_be16(bytes);
  h.destination_port = get_be16(bytes + 2);
  h.length = get_be16(bytes + 4);
  h.checksum = get_be16(bytes + 6);
  if (h.length < kUdpHeaderSize || h.length > len)
    return Err(-EINVAL);
  if (h.checksum != 0 && !checksum_known_valid) {
    Checksum sum;
    sum.add_pseudo_header_ipv4(source.value, destination.value, kIpProtocolUdp, h.length);
    sum.add(bytes, h.length);
    if (!sum.verifies())
      return Err(-EINVAL);
  }
  return h;
}

void write_udp(uint8_t* out, uint16_t source_port, uint16_t destination_port, uint16_t length,
               Ipv4Address source, Ipv4Address destination) {
  put_be16(out, source_port);
  put_be16(out + 2, destination_port);
  put_be16(out + 4, length);
  put_be16(out + 6, 0);
  Checksum sum;
  sum.add_pseudo_header_ipv4(source.value, destination.value, kIpProtocolUdp, length);
  sum.add(out, length);
  uint16_t c = sum.finish();
  put_be16(out + 6, c == 0 ? 0xFFFF : c);
}

} // namespace net
