#include "net/dhcp_message.h"

#include "lib/string.h"
#include "net/bytes.h"

namespace net {

namespace {
constexpr uint32_t kMagicCookie = 0x63825363; // 99.130.83.99
constexpr uint8_t kOptPad = 0, kOptSubnetMask = 1, kOptRouter = 3, kOptDns = 6, kOptMtu = 26,
                  kOptRequestedAddress = 50, kOptLease = 51, kOptMessageType = 53,
                  kOptServerId = 54, kOptParameterList = 55, kOptRenewal = 58, kOptRebinding = 59,
                  kOptClientId = 61, kOptEnd = 255;

struct Writer {
  uint8_t* out;
  size_t capacity;
  size_t at;
  bool ok = true;
  void bytes(const void* p, size_t n) {
    if (at + n > capacity) {
      ok = false;
      return;
    }
    memcpy(out + at, p, n);
    at += n;
  }
  void option(uint8_t code, const void* value, uint8_t len) {
    uint8_t head[2] = {code, len};
    bytes(head, 2);
    bytes(value, len);
  }
  void address(uint8_t code, Ipv4Address a) {
    uint8_t v[4];
    put_be32(v, a.value);
    option(code, v, 4);
  }
  void u32(uint8_t code, uint32_t x) {
    uint8_t v[4];
    put_be32(v, x);
    option(code, v, 4);
  }
};
} // namespace

ErrorOr<size_t> write_dhcp(const DhcpMessage& m, uint8_t* out, size_t capacity) {
  if (capacity < kDhcpMinMessage)
    return Err(-ENOSPC);
  memset(out, 0, kDhcpMinMessage);
  out[0] = m.op;
  out[1] = 1; // Ethernet
  out[2] = 6;
  put_be32(out + 4, m.xid);
  put_be16(out + 8, m.secs);
  put_be16(out + 10, m.broadcast_flag ? 0x8000 : 0);
  put_be32(out + 12, m.ciaddr.value);
  put_be32(out + 16, m.yiaddr.value);
  put_be32(out + 20, m.siaddr.value);
  put_be32(out + 24, m.giaddr.value);
  memcpy(out + 28, m.chaddr.bytes, 6);
  Writer w{out, capacity, kDhcpFixedSize};
  uint8_t cookie[4];
  put_be32(cookie, kMagicCookie);
  w.bytes(cookie, 4);
  if (m.type)
    w.option(kOptMessageType, &m.type, 1);
  if (m.client_id) {
    uint8_t id[7] = {1};
    memcpy(id + 1, m.chaddr.bytes, 6);
    w.option(kOptClientId, id, 7);
  }
  if (!m.requested_address.is_any())
    w.address(kOptRequestedAddress, m.requested_address);
  if (!m.server_id.is_any())
    w.address(kOptServerId, m.server_id);
  if (m.has_subnet_mask)
    w.address(kOptSubnetMask, m.subnet_mask);
  if (!m.router.is_any())
    w.address(kOptRouter, m.router);
  if (m.dns_count) {
    uint8_t v[12];
    uint8_t n = m.dns_count > 3 ? 3 : m.dns_count;
    for (uint8_t i = 0; i < n; ++i)
      put_be32(v + 4 * i, m.dns[i].value);
    w.option(kOptDns, v, uint8_t(4 * n));
  }
  if (m.mtu) {
    uint8_t v[2];
    put_be16(v, m.mtu);
    w.option(kOptMtu, v, 2);
  }
  if (m.lease_seconds)
    w.u32(kOptLease, m.lease_seconds);
  if (m.renewal_seconds)
    w.u32(kOptRenewal, m.renewal_seconds);
  if (m.rebinding_seconds)
    w.u32(kOptRebinding, m.rebinding_seconds);
  if (m.request_parameters) {
    const uint8_t wanted[] = {kOptSubnetMask, kOptRouter,  kOptDns,      kOptMtu,
                              kOptLease,      kOptRenewal, kOptRebinding};
    w.option(kOptParameterList, wanted, sizeof wanted);
  }
  uint8_t end = kOptEnd;
  w.bytes(&end, 1);
  if (!w.ok)
    return Err(-ENOSPC);
  return w.at < kDhcpMinMessage ? kDhcpMinMessage : w.at;
}

namespace {
// One option into `m`; false when its length is wrong for its kind.
bool take_option(DhcpMessage& m, uint8_t code, const uint8_t* v, uint8_t len) {
  switch (code) {
  case kOptMessageType:
    if (len != 1)
      return false;
    m.type = v[0];
    return true;
  case kOptSubnetMask:
    if (len != 4)
      return false;
    m.subnet_mask.value = get_be32(v);
    m.has_subnet_mask = true;
    return true;
  case kOptRouter:
    if (len < 4 || len % 4)
      return false;
    m.router.value = get_be32(v);
    return true;
  case kOptDns:
    if (len < 4 || len % 4)
      return false;
    m.dns_count = 0;
    for (uint8_t i = 0; i < len / 4 && i < 3; ++i)
      m.dns[m.dns_count++].value = get_be32(v + 4 * i);
    return true;
  case kOptMtu:
    if (len != 2)
      return false;
    m.mtu = get_be16(v);
    return true;
  case kOptLease:
  case kOptRenewal:
  case kOptRebinding:
    if (len != 4)
      return false;
    (code == kOptLease     ? m.lease_seconds
     : code == kOptRenewal ? m.renewal_seconds
                           : m.rebinding_seconds) = get_be32(v);
    return true;
  case kOptServerId:
  case kOptRequestedAddress:
    if (len != 4)
      return false;
    (code == kOptServerId ? m.server_id : m.requested_address).value = get_be32(v);
    return true;
  case kOptParameterList:
    m.request_parameters = true;
    return true;
  case kOptClientId:
    m.client_id = true;
    return true;
  default:
    return true; // not ours to understand
  }
}
} // namespace

ErrorOr<DhcpMessage> parse_dhcp(const uint8_t* b, size_t len) {
  if (len < kDhcpFixedSize + 4 || b[1] != 1 || b[2] != 6 ||
      get_be32(b + kDhcpFixedSize) != kMagicCookie)
    return Err(-EINVAL);
  DhcpMessage m;
  m.op = b[0];
  m.xid = get_be32(b + 4);
  m.secs = get_be16(b + 8);
  m.broadcast_flag = (get_be16(b + 10) & 0x8000) != 0;
  m.ciaddr.value = get_be32(b + 12);
  m.yiaddr.value = get_be32(b + 16);
  m.siaddr.value = get_be32(b + 20);
  m.giaddr.value = get_be32(b + 24);
  memcpy(m.chaddr.bytes, b + 28, 6);
  size_t at = kDhcpFixedSize + 4;
  while (at < len) {
    uint8_t code = b[at++];
    if (code == kOptPad)
      continue;
    if (code == kOptEnd)
      return m;
    if (at >= len || at + 1 + b[at] > len)
      return Err(-EINVAL);
    uint8_t olen = b[at];
    if (!take_option(m, code, b + at + 1, olen))
      return Err(-EINVAL);
    at += 1 + olen;
  }
  return m; // no end option: accepted, as many clients do
}

ErrorOr<uint8_t> netmask_prefix(Ipv4Address mask) {
  uint32_t v = mask.value;
  uint8_t n = 0;
  while (n < 32 && (v & (0x80000000u >> n)))
    ++n;
  if (prefix_mask(n) != v)
    return Err(-EINVAL);
  return n;
}

} // namespace net
