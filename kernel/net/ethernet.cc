#include "net/ethernet.h"

#include "lib/string.h"
#include "net/bytes.h"

namespace net {

ErrorOr<EthernetHeader> parse_ethernet(const uint8_t* frame, size_t len) {
  if (len < kEthernetHeaderSize)
    return Err(-EINVAL);
  EthernetHeader h;
  memcpy(h.destination.bytes, frame, 6);
  memcpy(h.source.bytes, frame + 6, 6);
  h.ether_type = get_be16(frame + 12);
  if (h.ether_type < 0x0600)
    return Err(-EINVAL); // an 802.3 length field (LLC/SNAP frames are not for us)
  return h;
}

void write_ethernet(uint8_t* out, const EthernetHeader& header) {
  memcpy(out, header.destination.bytes, 6);
  memcpy(out + 6, header.source.bytes, 6);
  put_be16(out + 12, header.ether_type);
}

bool push_ethernet(Packet& packet, const EthernetHeader& header) {
  uint8_t* at = packet.push(kEthernetHeaderSize);
  if (!at)
    return false;
  write_ethernet(at, header);
  return true;
}

MacAddress multicast_mac(Ipv4Address group) {
  return {{0x01, 0x00, 0x5E, uint8_t((group.value >> 16) & 0x7F), uint8_t(group.value >> 8),
           uint8_t(group.value)}};
}

} // namespace net
