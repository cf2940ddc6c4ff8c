#include "net/arp.h"

#include "lib/string.h"
#include "net/bytes.h"

namespace net {

namespace {
constexpr uint16_t kHardwareEthernet = 1;
constexpr uint16_t kProtocolIpv4 = 0x0800;
} // namespace

ErrorOr<ArpMessage> parse_arp(const uint8_t* bytes, size_t len) {
  if (len < kArpMessageSize)
    return Err(-EINVAL);
  if (get_be16(bytes) != kHardwareEthernet || get_be16(bytes + 2) != kProtocolIpv4 ||
      bytes[4] != 6 || bytes[5] != 4)
    return Err(-EPROTONOSUPPORT);
  ArpMessage m;
  m.operation = get_be16(bytes + 6);
  if (m.operation != kArpRequest && m.operation != kArpReply)
    return Err(-EPROTONOSUPPORT);
  memcpy(m.sender_mac.bytes, bytes + 8, 6);
  m.sender_ip.value = get_be32(bytes + 14);
  memcpy(m.target_mac.bytes, bytes + 18, 6);
  m.target_ip.value = get_be32(bytes + 24);
  return m;
}

void write_arp(uint8_t* out, const ArpMessage& m) {
  put_be16(out, kHardwareEthernet);
  put_be16(out + 2, kProtocolIpv4);
  out[4] = 6;
  out[5] = 4;
  put_be16(out + 6, m.operation);
  memcpy(out + 8, m.sender_mac.bytes, 6);
  put_be32(out + 14, m.sender_ip.value);
  memcpy(out + 18, m.target_mac.bytes, 6);
  put_be32(out + 24, m.target_ip.value);
}

} // namespace net
