// The DHCPv4 client state machine (RFC 2131 section 4.4, figure 5), driven only by time and
// received messages, so it is tested without a network:
//
//   INIT -> SELECTING (DISCOVER, broadcast) -OFFER-> REQUESTING (REQUEST, broadcast)
//        -ACK-> BOUND -T1-> RENEWING (REQUEST unicast to the server)
//                     -T2-> REBINDING (REQUEST broadcast) -lease end-> INIT
//   NAK in REQUESTING/RENEWING/REBINDING -> INIT; an ACK in RENEWING/REBINDING -> BOUND.
//
// Retransmission (section 4.1): 4 s, doubling up to 64 s, while selecting/requesting (a
// request unanswered kMaxRequestTries times goes back to discovery); while renewing or
// rebinding, half the time left until T2 / lease end, but not under 60 s.
// Not done: the ARP probe of an offered address before use (section 2.2, SHOULD), DHCPINFORM,
// option overload (52) and long options split in parts (RFC 3396), retransmission jitter.
#pragma once

#include "net/addr.h"
#include "net/clock.h"
#include "net/dhcp_message.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

struct DhcpLease {
  Ipv4Address address;
  uint8_t prefix_length = 24;
  Ipv4Address router; // any(): none offered
  Ipv4Address dns[3];
  uint8_t dns_count = 0;
  uint16_t mtu = 0; // 0: none offered
  Ipv4Address server;
  uint32_t lease_seconds = 0;
  uint32_t renewal_seconds = 0;   // T1
  uint32_t rebinding_seconds = 0; // T2
};

class DhcpClient {
public:
  enum class State : uint8_t { kStopped, kSelecting, kRequesting, kBound, kRenewing, kRebinding };

  // What the client needs from the world: a way to send a message and to apply a lease.
  class Host {
  public:
    virtual ~Host() = default;
    // Sends `len` bytes from port 68 to `destination`:67 (broadcast or the server).
    virtual void send_dhcp(const uint8_t* message, size_t len, Ipv4Address destination) = 0;
    virtual void lease_acquired(const DhcpLease& lease) = 0; // also on each renewal
    virtual void lease_lost() = 0;
  };

  static constexpr uint64_t kInitialRetransmit = 4 * kNsPerSecond;
  static constexpr uint64_t kMaxRetransmit = 64 * kNsPerSecond;
  static constexpr uint64_t kMinRenewRetransmit = 60 * kNsPerSecond;
  static constexpr int kMaxRequestTries = 4;

  DhcpClient(Host& host, const MacAddress& mac, uint32_t xid_seed)
      : host_(host), mac_(mac), xid_(xid_seed) {}

  void start(uint64_t now_ns); // INIT: discover
  void stop();
  // A message that arrived on port 68.
  void receive(const uint8_t* bytes, size_t len, uint64_t now_ns);
  // Timers: call at least by next_deadline().
  void tick(uint64_t now_ns);
  uint64_t next_deadline() const { return deadline_ns_; }

  State state() const { return state_; }
  const DhcpLease& lease() const { return lease_; }

private:
  void discover(uint64_t now_ns);
  void send_discover();
  void send_request(bool broadcast);
  void accept_ack(const DhcpMessage& ack, uint64_t now_ns);
  void lose_lease(uint64_t now_ns);
  void schedule_backoff(uint64_t now_ns);
  void schedule_half_of(uint64_t until_ns, uint64_t now_ns);
  void send(const DhcpMessage& m, Ipv4Address destination);
  DhcpMessage request_base(uint8_t type) const;

  Host& host_;
  MacAddress mac_;
  uint32_t xid_;
  State state_ = State::kStopped;
  DhcpLease lease_;
  Ipv4Address offered_;
  Ipv4Address offer_server_;
  uint64_t deadline_ns_ = UINT64_MAX;
  uint64_t backoff_ns_ = kInitialRetransmit;
  int tries_ = 0;
  uint64_t bound_ns_ = 0; // when the lease (re)started
  uint64_t t1_ns_ = 0, t2_ns_ = 0, expiry_ns_ = 0;
};

} // namespace net
