#include "net/dhcp_client.h"

namespace net {

namespace {
uint8_t classful_prefix(Ipv4Address a) {
  uint32_t top = a.value >> 24;
  return top < 128 ? 8 : top < 192 ? 16 : 24;
}
} // namespace

void DhcpClient::send(const DhcpMessage& m, Ipv4Address destination) {
  uint8_t buf[kDhcpMaxMessage];
  auto len = write_dhcp(m, buf, sizeof buf);
  if (len)
    host_.send_dhcp(buf, *len, destination);
}

DhcpMessage DhcpClient::request_base(uint8_t type) const {
  DhcpMessage m;
  m.op = 1;
  m.xid = xid_;
  m.chaddr = mac_;
  m.type = type;
  m.client_id = true;
  m.request_parameters = true;
  return m;
}

void DhcpClient::start(uint64_t now_ns) {
  discover(now_ns);
}

void DhcpClient::stop() {
  state_ = State::kStopped;
  deadline_ns_ = UINT64_MAX;
}

void DhcpClient::discover(uint64_t now_ns) {
  state_ = State::kSelecting;
  ++xid_; // a new exchange: stale replies to the old one no longer match
  backoff_ns_ = kInitialRetransmit;
  tries_ = 0;
  send_discover();
  schedule_backoff(now_ns);
}

void DhcpClient::send_discover() {
  DhcpMessage m = request_base(kDhcpDiscover);
  // Until we have an address we cannot receive unicast: ask for broadcast replies.
  m.broadcast_flag = true;
  send(m, Ipv4Address::broadcast());
}

void DhcpClient::send_request(bool broadcast) {
  DhcpMessage m = request_base(kDhcpRequest);
  if (state_ == State::kRequesting) {
    // Section 4.3.2, SELECTING: the chosen server and address in options, ciaddr zero.
    m.broadcast_flag = true;
    m.requested_address = offered_;
    m.server_id = offer_server_;
  } else {
    // RENEWING/REBINDING: our address in ciaddr, no server id or requested address.
    m.ciaddr = lease_.address;
  }
  send(m, broadcast ? Ipv4Address::broadcast() : lease_.server);
}

void DhcpClient::schedule_backoff(uint64_t now_ns) {
  deadline_ns_ = now_ns + backoff_ns_;
  backoff_ns_ = backoff_ns_ * 2 > kMaxRetransmit ? kMaxRetransmit : backoff_ns_ * 2;
}

void DhcpClient::schedule_half_of(uint64_t until_ns, uint64_t now_ns) {
  uint64_t half = until_ns > now_ns ? (until_ns - now_ns) / 2 : 0;
  uint64_t next = now_ns + (half < kMinRenewRetransmit ? kMinRenewRetransmit : half);
  deadline_ns_ = next < until_ns ? next : until_ns;
}

void DhcpClient::accept_ack(const DhcpMessage& ack, uint64_t now_ns) {
  DhcpLease l;
  l.address = ack.yiaddr;
  l.prefix_length = classful_prefix(ack.yiaddr);
  if (ack.has_subnet_mask) {
    auto prefix = netmask_prefix(ack.subnet_mask);
    if (prefix)
      l.prefix_length = *prefix;
  }
  l.router = ack.router;
  l.dns_count = ack.dns_count;
  for (uint8_t i = 0; i < ack.dns_count; ++i)
    l.dns[i] = ack.dns[i];
  l.mtu = ack.mtu >= 68 ? ack.mtu : 0;
  l.server = !ack.server_id.is_any() ? ack.server_id : lease_.server;
  // No lease time is a server error; an hour is a cautious guess. 0xFFFFFFFF is "infinite".
  l.lease_seconds = ack.lease_seconds ? ack.lease_seconds : 3600;
  uint64_t lease_ns =
      l.lease_seconds == 0xFFFFFFFF ? UINT64_MAX / 4 : l.lease_seconds * kNsPerSecond;
  // T1 = 0.5 and T2 = 0.875 of the lease unless the server says (section 4.4.5).
  uint64_t t1 = ack.renewal_seconds ? ack.renewal_seconds * kNsPerSecond : lease_ns / 2;
  uint64_t t2 = ack.rebinding_seconds ? ack.rebinding_seconds * kNsPerSecond : lease_ns / 8 * 7;
  if (t2 > lease_ns)
    t2 = lease_ns;
  if (t1 > t2)
    t1 = t2;
  l.renewal_seconds = static_cast<uint32_t>(t1 / kNsPerSecond);
  l.rebinding_seconds = static_cast<uint32_t>(t2 / kNsPerSecond);
  lease_ = l;
  bound_ns_ = now_ns;
  t1_ns_ = now_ns + t1;
  t2_ns_ = now_ns + t2;
  expiry_ns_ = now_ns + lease_ns;
  state_ = State::kBound;
  deadline_ns_ = t1_ns_;
  host_.lease_acquired(lease_);
}

void DhcpClient::lose_lease(uint64_t now_ns) {
  bool had = state_ == State::kBound || state_ == State::kRenewing || state_ == State::kRebinding;
  lease_ = DhcpLease();
  if (had)
    host_.lease_lost();
  discover(now_ns);
}

void DhcpClient::receive(const uint8_t* bytes, size_t len, uint64_t now_ns) {
  auto parsed = parse_dhcp(bytes, len);
  if (!parsed)
    return;
  const DhcpMessage& m = *parsed;
  if (m.op != 2 || m.xid != xid_ || !(m.chaddr == mac_))
    return; // not a reply to our current exchange
  switch (state_) {
  case State::kSelecting:
    // The first acceptable offer wins (section 4.4.1 lets the client choose).
    if (m.type != kDhcpOffer || m.yiaddr.is_any() || m.server_id.is_any())
      return;
    offered_ = m.yiaddr;
    offer_server_ = m.server_id;
    state_ = State::kRequesting;
    backoff_ns_ = kInitialRetransmit;
    tries_ = 1;
    send_request(true);
    schedule_backoff(now_ns);
    return;
  case State::kRequesting:
    if (m.type == kDhcpNak && m.server_id == offer_server_) {
      lose_lease(now_ns);
    } else if (m.type == kDhcpAck && m.yiaddr == offered_) {
      lease_.server = offer_server_;
      accept_ack(m, now_ns);
    }
    return;
  case State::kRenewing:
  case State::kRebinding:
    if (m.type == kDhcpNak)
      lose_lease(now_ns);
    else if (m.type == kDhcpAck && m.yiaddr == lease_.address)
      accept_ack(m, now_ns);
    return;
  case State::kBound:
  case State::kStopped:
    return;
  }
}

void DhcpClient::tick(uint64_t now_ns) {
  if (state_ == State::kStopped || now_ns < deadline_ns_)
    return;
  switch (state_) {
  case State::kSelecting:
    send_discover();
    schedule_backoff(now_ns);
    return;
  case State::kRequesting:
    if (++tries_ > kMaxRequestTries) {
      discover(now_ns);
      return;
    }
    send_request(true);
    schedule_backoff(now_ns);
    return;
  case State::kBound:
    state_ = State::kRenewing;
    [[fallthrough]];
  case State::kRenewing:
    if (now_ns >= t2_ns_) {
      state_ = State::kRebinding;
      tick(now_ns);
      return;
    }
    send_request(false);
    schedule_half_of(t2_ns_, now_ns);
    return;
  case State::kRebinding:
    if (now_ns >= expiry_ns_) {
      lose_lease(now_ns);
      return;
    }
    send_request(true);
    schedule_half_of(expiry_ns_, now_ns);
    return;
  case State::kStopped:
    return;
  }
}

} // namespace net
