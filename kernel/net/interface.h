// A network interface as the IP layer sees it: a link (Ethernet or loopback) with a MAC, an
// MTU, an up/down state, one IPv4 address with its prefix, an ARP cache, and a transmit hook
// the driver implements. Ethernet interfaces transmit whole frames; the loopback interface
// transmits IPv4 datagrams (no link header) into a queue the Stack delivers from on its
// next poll, so a send never re-enters the receive path.
#pragma once

#include "net/addr.h"
#include "net/arp_cache.h"
#include "net/packet.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class Interface {
public:
  enum class Link : uint8_t { kEthernet, kLoopback };

  Interface(const char* name, Link link, const MacAddress& mac, uint32_t mtu)
      : name_(name), link_(link), mac_(mac), mtu_(mtu) {}
  virtual ~Interface() = default;
  Interface(const Interface&) = delete;
  Interface& operator=(const Interface&) = delete;

  const char* name() const { return name_; }
  bool is_loopback() const { return link_ == Link::kLoopback; }
  const MacAddress& mac() const { return mac_; }
  // The largest IP datagram the link carries (1500 for Ethernet).
  uint32_t mtu() const { return mtu_; }
  void set_mtu(uint32_t mtu) { mtu_ = mtu; }
  bool is_up() const { return up_; }
  void set_up(bool up) { up_ = up; }

  Ipv4Address address() const { return address_; }
  uint8_t prefix_length() const { return prefix_length_; }
  bool has_address() const { return !address_.is_any(); }
  // The subnet-directed broadcast address (all host bits set); none for /31 and /32.
  bool is_directed_broadcast(Ipv4Address a) const {
    return has_address() && prefix_length_ < 31 && same_prefix(a, address_, prefix_length_) &&
           (a.value | prefix_mask(prefix_length_)) == 0xFFFFFFFF;
  }
  // Set through Stack::set_address, which also maintains the connected route.
  void assign_address(Ipv4Address address, uint8_t prefix_length) {
    address_ = address;
    prefix_length_ = prefix_length;
  }

  // The device computes transport checksums the packets ask for (virtio CSUM); otherwise the
  // Stack finishes them in software before transmit().
  bool tx_checksum_offload = false;
  // The device cuts large TCP/IPv4 segments itself (virtio HOST_TSO4, which needs checksum
  // offload): the largest segment payload it takes, 0 without.
  uint32_t tx_large_send_max = 0;

  ArpCache arp;

  // Hands a frame (loopback: a datagram) to the device. The device owns it from now on.
  virtual void transmit(PacketPtr frame) = 0;
  // Prints the driver's counters on the console (`core.net` asks for it at exit), so a
  // benchmark can count frames, interrupts and notifications per megabyte. None by default.
  virtual void report_counters() const {}

private:
  const char* name_;
  Link link_;
  MacAddress mac_;
  uint32_t mtu_;
  bool up_ = false;
  Ipv4Address address_;
  uint8_t prefix_length_ = 0;
};

// The loopback interface "lo": 127.0.0.1/8, a 64 KiB MTU, checksums never computed (a
// datagram that never leaves memory cannot be corrupted, so it arrives marked valid).
class LoopbackInterface : public Interface {
public:
  static constexpr uint32_t kMtu = 65536;
  LoopbackInterface() : Interface("lo", Link::kLoopback, MacAddress{}, kMtu) {
    tx_checksum_offload = true;
  }
  void transmit(PacketPtr datagram) override;
  // The oldest datagram sent and not yet delivered.
  PacketPtr next_received() { return queue_.pop_front(); }
  bool has_pending() const { return !queue_.empty(); }
  // Beyond this many undelivered datagrams new ones are dropped (as a full device would).
  static constexpr size_t kQueueLimit = 1024;

private:
  PacketQueue queue_;
};

} // namespace net
