// The IPv4 host stack: interfaces, the routing table, ARP on Ethernet links, IPv4 input
// (validation, local delivery, fragment reassembly) and output (routing, source address
// choice, fragmentation, path MTU), ICMP (echo replies, errors generated and received) and
// the dispatch of datagrams to protocol handlers (UDP built in, TCP registered).
//
// Threading: not internally locked; the kernel calls it from one network context (or under
// one lock). Re-entry: nothing it sends is delivered back synchronously -- loopback traffic
// waits in the loopback queue until poll().
//
// Driver side:  receive_frame(interface, frame) for each Ethernet frame; tick() on a timer
//               (ARP retries, reassembly and path MTU timeouts); poll() to deliver loopback.
// Transport side: send(...) an IP payload; register_protocol(); source_for(); path_mtu().
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"
#include "net/clock.h"
#include "net/interface.h"
#include "net/ipv4.h"
#include "net/pmtu.h"
#include "net/protocol.h"
#include "net/reassembly.h"
#include "net/route.h"
#include "net/udp_table.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

// Not every errno the stack reports is in the kernel's lib/errno.h list yet.
constexpr int kEhostunreach = 113;
constexpr int kEproto = 71;

struct SendOptions {
  uint8_t ttl = kDefaultTtl;
  uint8_t tos = 0;
  bool dont_fragment = false; // TCP sets it (path MTU discovery); UDP lets us fragment
  // Send out of this interface whatever the routing table says (DHCP before an address).
  Interface* via = nullptr;
  bool allow_broadcast = false; // SO_BROADCAST: else a broadcast destination is -EACCES
};

class Stack {
public:
  static constexpr size_t kMaxInterfaces = 8;
  static constexpr size_t kMaxProtocols = 8;
  // ICMP errors we generate: a token bucket (RFC 1122 3.2.2 asks for a limit).
  static constexpr uint32_t kIcmpBurst = 50;
  static constexpr uint64_t kIcmpTokenInterval = 1 * kNsPerMs;

  explicit Stack(const Clock& clock);
  ~Stack();
  Stack(const Stack&) = delete;
  Stack& operator=(const Stack&) = delete;

  const Clock& clock() const { return clock_; }
  uint64_t now() const { return clock_.now_ns(); }

  // ---- configuration ----
  // The loopback interface exists from the start: up, 127.0.0.1/8.
  LoopbackInterface& loopback() { return loopback_; }
  // Adds an interface (not owned; it must outlive its membership). -ENOSPC when full.
  Status add_interface(Interface& interface);
  void remove_interface(Interface& interface);
  // Sets (or with Ipv4Address::any() removes) the interface's address and its connected
  // route; forgets the interface's ARP cache.
  Status set_address(Interface& interface, Ipv4Address address, uint8_t prefix_length);
  // The default route 0.0.0.0/0 via `gateway` (which a connected route must reach).
  Status set_default_route(Ipv4Address gateway, Interface& interface);
  void clear_default_route(Interface& interface);
  RouteTable& routes() { return routes_; }
  // The interface with Linux's ifindex `index`: 1 is loopback, the others follow in the
  // slots they were added to (an index stays while its interface is attached); nullptr for
  // an index with no interface. For the interface queries (netlink, SIOCGIF*).
  Interface* interface_at_index(uint32_t index) const {
    return index >= 1 && index <= kMaxInterfaces ? interfaces_[index - 1] : nullptr;
  }

  Status register_protocol(uint8_t protocol, ProtocolHandler& handler);
  void unregister_protocol(uint8_t protocol);
  UdpTable& udp() { return udp_; }

  // ---- driver side ----
  void receive_frame(Interface& interface, PacketPtr frame);
  // Delivers what was sent over loopback (including what that delivery sends in turn, up to
  // a bound per call). Returns the number delivered.
  size_t poll();
  void tick();

  // ---- transport side ----
  // Sends `payload` (the transport bytes, with headroom) as an IPv4 datagram. `source` may
  // be any(): the route's interface address is used. Errors: -ENETUNREACH (no route),
  // -EMSGSIZE (over the path MTU with dont_fragment, or over 64 KiB), -EACCES (broadcast
  // without allow_broadcast), -ENOBUFS (out of memory), -EADDRNOTAVAIL (no source address).
  Status send(Ipv4Address source, Ipv4Address destination, uint8_t protocol, PacketPtr payload,
              const SendOptions& options = SendOptions());
  // The source address a datagram to `destination` would carry.
  ErrorOr<Ipv4Address> source_for(Ipv4Address destination);
  // The largest datagram (IP header included) that reaches `destination` unfragmented.
  uint32_t path_mtu(Ipv4Address destination);
  // The largest TCP payload one packet to `destination` may carry for the device to cut
  // (segmentation offload, Packet::gso_size); 0 when the route's interface cannot.
  uint32_t large_send_max(Ipv4Address destination);
  // An address of one of our interfaces (127.0.0.0/8 counts).
  bool is_local_address(Ipv4Address address) const;
  bool is_broadcast_address(Ipv4Address address) const;

  struct Stats {
    uint64_t frames_in = 0, frames_dropped = 0, ip_in = 0, ip_dropped = 0, ip_delivered = 0;
    uint64_t ip_out = 0, fragments_out = 0, arp_requests_out = 0, arp_replies_out = 0;
    uint64_t icmp_echo_replies = 0, icmp_errors_out = 0, icmp_errors_in = 0;
    uint64_t icmp_rate_limited = 0;
  };
  const Stats& stats() const { return stats_; }
  const Reassembler& reassembler() const { return reassembler_; }
  PathMtuCache& path_mtu_cache() { return pmtu_; }

  // For the built-in ICMP generator and UDP: an ICMP error about a received datagram
  // (`header` + the transport bytes at `transport`), with RFC 1122 3.2.2's exceptions.
  void send_icmp_error(uint8_t type, uint8_t code, const Ipv4Header& header,
                       const uint8_t* transport, size_t transport_length, bool link_broadcast,
                       uint16_t next_hop_mtu = 0);

private:
  struct Resolved {
    Interface* interface = nullptr;
    Ipv4Address next_hop;
    Ipv4Address source;
  };
  ErrorOr<Resolved> resolve_route(Ipv4Address destination, Interface* via);
  Status output(const Resolved& route, const Ipv4Header& header, PacketPtr payload);
  Status fragment_and_output(const Resolved& route, const Ipv4Header& header, PacketPtr payload,
                             uint32_t mtu);
  void output_link(Interface& interface, Ipv4Address next_hop, PacketPtr datagram);
  void transmit_ethernet(Interface& interface, const MacAddress& to, uint16_t type,
                         PacketPtr packet);
  void send_arp(Interface& interface, uint16_t operation, const MacAddress& target_mac,
                Ipv4Address target_ip);

  void receive_arp(Interface& interface, const uint8_t* bytes, size_t len);
  void receive_ipv4(Interface& interface, PacketPtr datagram);
  void deliver(const Ipv4Header& header, PacketPtr payload);
  void receive_icmp(const Ipv4Header& header, PacketPtr& payload);
  void handle_icmp_error(const struct IcmpMessage& message);
  bool accepts_destination(const Interface& interface, Ipv4Address destination) const;
  bool take_icmp_token();
  ProtocolHandler* handler_for(uint8_t protocol) const;

  const Clock& clock_;
  LoopbackInterface loopback_;
  Interface* interfaces_[kMaxInterfaces] = {};
  RouteTable routes_;
  Reassembler reassembler_;
  PathMtuCache pmtu_;
  UdpTable udp_;
  struct ProtocolSlot {
    uint8_t protocol = 0;
    ProtocolHandler* handler = nullptr;
  };
  ProtocolSlot protocols_[kMaxProtocols];
  uint16_t next_id_ = 1;
  uint32_t icmp_tokens_ = kIcmpBurst;
  uint64_t icmp_refill_ns_ = 0;
  Stats stats_;
};

} // namespace net
