// UDP endpoints and demultiplexing, with the calls the socket layer makes:
//   open/close, bind (port 0: an ephemeral port), connect (any(): disconnect), send_to,
//   receive_from (peek), SO_REUSEADDR / SO_REUSEPORT / SO_BROADCAST as socket flags.
// Semantics follow Linux:
//  - two sockets may bind the same port when their addresses differ (neither a wildcard),
//    or when both set SO_REUSEADDR, or both set SO_REUSEPORT;
//  - a unicast datagram goes to the single best match (bound address exact > wildcard,
//    connected to the sender > not); among equally good SO_REUSEPORT sockets a hash of the
//    sender picks one, so one sender's datagrams stay on one socket;
//  - a broadcast or multicast datagram goes to every matching socket;
//  - no match for a unicast datagram: the IP layer answers ICMP port unreachable, and that
//    ICMP error makes a *connected* sender's next call fail with ECONNREFUSED;
//  - broadcast destinations need SO_BROADCAST (else EACCES).
#pragma once

#include "lib/error_or.h"
#include "net/addr.h"
#include "net/packet.h"
#include "net/protocol.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class Stack;
class UdpTable;

class UdpSocket {
public:
  UdpSocket() = default;
  ~UdpSocket(); // leaves its table, if it is in one
  UdpSocket(const UdpSocket&) = delete;
  UdpSocket& operator=(const UdpSocket&) = delete;

  // Socket options (set before bind to take part in its conflict check).
  bool reuse_address = false;    // SO_REUSEADDR
  bool reuse_port = false;       // SO_REUSEPORT
  bool broadcast = false;        // SO_BROADCAST
  size_t receive_limit = 212992; // SO_RCVBUF: queued bytes beyond it are dropped
  uint8_t ttl = 64;

  // Called (from the network context) when a datagram or an error becomes readable.
  void (*on_readable)(void* ctx) = nullptr;
  void* readable_ctx = nullptr;

  Ipv4Endpoint local() const { return local_; }
  Ipv4Endpoint remote() const { return remote_; }
  bool is_bound() const { return local_.port != 0; }
  bool is_connected() const { return connected_; }
  bool readable() const { return !queue_.empty() || pending_error_ != 0; }
  size_t queued_datagrams() const { return queue_.count(); }
  uint64_t dropped() const { return dropped_; }

private:
  friend class UdpTable;
  Ipv4Endpoint local_;
  Ipv4Endpoint remote_;
  bool connected_ = false;
  UdpTable* table_ = nullptr; // set while open
  int pending_error_ = 0;     // positive errno from an ICMP error, reported once
  uint64_t dropped_ = 0;
  PacketQueue queue_; // datagrams (data only), sender in Packet::source
  UdpSocket* next_ = nullptr;
};

class UdpTable : public ProtocolHandler {
public:
  static constexpr uint16_t kEphemeralFirst = 32768; // Linux's ip_local_port_range
  static constexpr uint16_t kEphemeralLast = 60999;

  explicit UdpTable(Stack& stack) : stack_(stack) {}
  ~UdpTable() override;

  void open(UdpSocket& socket);
  void close(UdpSocket& socket); // drops what is queued

  // -EINVAL when already bound, -EADDRINUSE on a conflict (or no free ephemeral port),
  // -EADDRNOTAVAIL for an address that is not ours (nor any/broadcast/multicast).
  Status bind(UdpSocket& socket, Ipv4Endpoint local);
  // Sets the default destination and the source address (from the route when unbound or
  // bound to any). remote.addr any(): disconnects. -EACCES broadcast without SO_BROADCAST.
  Status connect(UdpSocket& socket, Ipv4Endpoint remote);

  // Sends one datagram (to `to`, or the connected peer when nullptr). Returns the bytes
  // sent. -EDESTADDRREQ unconnected without `to`, -EMSGSIZE over 65507 bytes, a pending
  // ICMP error (e.g. -ECONNREFUSED, reported once), or the IP layer's error.
  ErrorOr<size_t> send_to(UdpSocket& socket, const void* data, size_t len, const Ipv4Endpoint* to);

  struct Received {
    size_t length = 0; // the datagram's full length (> copied: truncated, MSG_TRUNC)
    size_t copied = 0;
    Ipv4Endpoint from;
  };
  // The oldest datagram, copied into buf (up to capacity). -EAGAIN when none; a pending
  // ICMP error first (-ECONNREFUSED), once. `peek` leaves the datagram queued.
  ErrorOr<Received> receive_from(UdpSocket& socket, void* buf, size_t capacity, bool peek);

  // ProtocolHandler (the IP layer calls these).
  Delivery receive(const Ipv4Header& header, PacketPtr& payload) override;
  void icmp_error(const IcmpError& error) override;

private:
  bool port_conflicts(const UdpSocket& socket, Ipv4Endpoint local) const;
  ErrorOr<uint16_t> pick_ephemeral_port(const UdpSocket& socket);
  void enqueue(UdpSocket& socket, PacketPtr data, Ipv4Endpoint from);
  void close_link(UdpSocket& socket); // unlinks without closing
  void deliver_broadcast(const Ipv4Header& header, uint16_t source_port, uint16_t port,
                         PacketPtr& data);

  Stack& stack_;
  UdpSocket* sockets_ = nullptr; // most recently opened first
  uint16_t next_ephemeral_ = kEphemeralFirst;
};

} // namespace net
