// A network packet: one contiguous heap buffer with headroom in front of the data, so each
// layer on the way out prepends its header in place (push) and each layer on the way in
// strips its own (pull) without copying. A driver can receive straight into a packet's
// buffer and transmit from it (zero copy); the buffer is a single allocation.
//
// Checksum offload travels with the packet:
//  - transmit: "checksum needed" = the device (virtio VIRTIO_NET_HDR_F_NEEDS_CSUM) or
//    finish_tx_checksum() must sum from csum_start to the end and store the result at
//    csum_start + csum_offset; the field already holds the folded pseudo-header sum. The
//    positions are kept relative to the buffer, so headers pushed later do not move them.
//  - receive: "data valid" = the device verified the transport checksum
//    (VIRTIO_NET_HDR_F_DATA_VALID), so UDP/TCP skip their own check.
//
// Ownership: a PacketPtr owns one packet; functions that take a PacketPtr by value consume
// it; `p.take()` hands it on. Packets chain through `next` in a PacketQueue.
#pragma once

#include "net/addr.h"

#include <stddef.h>
#include <stdint.h>

namespace net {

class Packet {
public:
  // A packet whose data is empty and starts `headroom` bytes into a buffer of
  // headroom + capacity bytes; nullptr when out of memory.
  static Packet* allocate(size_t headroom, size_t capacity);
  static void release(Packet* packet);

  uint8_t* data() { return buffer_ + start_; }
  const uint8_t* data() const { return buffer_ + start_; }
  size_t length() const { return length_; }
  size_t headroom() const { return start_; }
  size_t tailroom() const { return size_ - start_ - length_; }

  // Prepends n bytes (a header) and returns where they go; nullptr without enough headroom.
  uint8_t* push(size_t n);
  // Strips n bytes from the front; false when the packet is shorter.
  bool pull(size_t n);
  // Appends n bytes at the end and returns where they go; nullptr without enough tailroom.
  uint8_t* put(size_t n);
  // Appends a copy of n bytes; false without enough tailroom.
  bool append(const void* bytes, size_t n);
  // Shortens the data to len bytes (no-op when already shorter): drops link padding.
  void trim(size_t len);

  // Transmit checksum offload (see the file comment). start/offset count from data().
  void set_tx_checksum(size_t start, size_t offset, bool zero_means_none);
  bool tx_checksum_needed() const { return tx_csum_needed_; }
  size_t tx_checksum_start() const { return tx_csum_pos_ - start_; } // from data()
  size_t tx_checksum_offset() const { return tx_csum_offset_; }
  bool tx_checksum_zero_means_none() const { return tx_csum_zero_means_none_; }
  // The sum (checksum_partial) of the bytes from `from` (counted from data()) to the end, as
  // the sender computed it while copying them in: finish_tx_checksum() then sums only the
  // bytes before. Forgotten when the data's end moves.
  void set_tx_checksum_known_tail(size_t from, uint64_t sum) {
    tx_known_from_ = start_ + from;
    tx_known_end_ = start_ + length_;
    tx_known_sum_ = sum;
  }
  // Computes the pending checksum in software (for a device without offload, or loopback).
  void finish_tx_checksum();

  // Segmentation offload: a TCP segment larger than the MTU that the device (virtio
  // HOST_TSO4) cuts into segments of gso_size payload bytes; 0 for an ordinary packet.
  // gso_header is the length of the TCP header (options included).
  uint16_t gso_size = 0;
  uint16_t gso_header = 0;
  // Loopback: the pending transmit checksum is moot; the packet arrives "data valid".
  void mark_checksum_done() {
    tx_csum_needed_ = false;
    rx_checksum_valid = true;
  }

  bool rx_checksum_valid = false;       // set by the driver or by loopback
  bool link_broadcast = false;          // arrived as a link-layer broadcast/multicast frame
  class Interface* interface = nullptr; // the receiving interface (input path)
  // A received datagram's sender, kept while it sits in a socket queue.
  Ipv4Endpoint source;
  Packet* next = nullptr; // PacketQueue link

private:
  Packet() = default;
  uint8_t* buffer_ = nullptr;
  size_t size_ = 0;
  size_t start_ = 0;
  size_t length_ = 0;
  size_t tx_csum_pos_ = 0; // from buffer_
  uint16_t tx_csum_offset_ = 0;
  bool tx_csum_needed_ = false;
  bool tx_csum_zero_means_none_ = false;
  size_t tx_known_from_ = 0, tx_known_end_ = 0; // from buffer_; equal: no known sum
  uint64_t tx_known_sum_ = 0;
};

// Unique ownership of one packet.
class PacketPtr {
public:
  PacketPtr() = default;
  explicit PacketPtr(Packet* p) : p_(p) {}
  PacketPtr(PacketPtr&& o) : p_(o.release()) {}
  PacketPtr& operator=(PacketPtr&& o) {
    if (this != &o)
      reset(o.release());
    return *this;
  }
  PacketPtr(const PacketPtr&) = delete;
  PacketPtr& operator=(const PacketPtr&) = delete;
  ~PacketPtr() { reset(); }

  static PacketPtr allocate(size_t headroom, size_t capacity) {
    return PacketPtr(Packet::allocate(headroom, capacity));
  }
  Packet* get() const { return p_; }
  Packet* operator->() const { return p_; }
  Packet& operator*() const { return *p_; }
  explicit operator bool() const { return p_ != nullptr; }
  Packet* release() {
    Packet* p = p_;
    p_ = nullptr;
    return p;
  }
  PacketPtr take() { return PacketPtr(release()); }
  void reset(Packet* p = nullptr) {
    if (p_)
      Packet::release(p_);
    p_ = p;
  }

private:
  Packet* p_ = nullptr;
};

// A FIFO of owned packets, with the counts that limits are checked against.
class PacketQueue {
public:
  PacketQueue() = default;
  PacketQueue(PacketQueue&& o);
  PacketQueue& operator=(PacketQueue&& o);
  PacketQueue(const PacketQueue&) = delete;
  PacketQueue& operator=(const PacketQueue&) = delete;
  ~PacketQueue() { clear(); }

  void push_back(PacketPtr p);
  PacketPtr pop_front();
  Packet* front() const { return head_; }
  bool empty() const { return head_ == nullptr; }
  size_t count() const { return count_; }
  size_t bytes() const { return bytes_; } // sum of the packets' lengths when queued
  void clear();

private:
  Packet* head_ = nullptr;
  Packet* tail_ = nullptr;
  size_t count_ = 0;
  size_t bytes_ = 0;
};

// The headroom every locally built packet gets: Ethernet (14) + IPv4 with room for options
// (60), rounded up so a virtio-net header could also be placed in front.
constexpr size_t kPacketHeadroom = 96;

} // namespace net
