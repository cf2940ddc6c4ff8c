// The two byte stores of a connection.
//
// SendBuffer: bytes the application wrote that the peer has not acknowledged yet. Byte 0 is
// the oldest unacknowledged byte; segments (first sends and retransmissions) copy out of it
// by offset, acknowledgments drop from the front.
//
// ReceiveBuffer: bytes that arrived, in a ring as large as the receive window. In-order
// bytes wait at the front for the application; bytes that arrived ahead of a hole are
// written straight to their final place further on and remembered as ranges (these ranges
// are also what SACK reports). When the hole fills, the ranges join the in-order part
// without copying.
//
// Both can grow (window auto-tuning); both allocate with kmalloc, at the first byte they
// hold rather than at init, so a connection that carries no data (a half-open one, say from
// a SYN flood) costs no buffer memory.
#pragma once

#include "net/tcp_header.h"
#include "net/tcp_seq.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

class SendBuffer {
public:
  SendBuffer() = default;
  SendBuffer(const SendBuffer&) = delete;
  SendBuffer& operator=(const SendBuffer&) = delete;
  ~SendBuffer();

  bool init(size_t capacity); // the storage is allocated at the first append
  // Grows the storage to new_capacity (never shrinks); false when out of memory.
  bool grow(size_t new_capacity);

  size_t size() const { return count_; }
  size_t capacity() const { return capacity_; }
  size_t space() const { return capacity_ - count_; }

  size_t append(const void* data, size_t n);               // returns bytes taken (<= space())
  void copy_out(size_t offset, void* dst, size_t n) const; // offset + n <= size()
  // Where bytes [offset, offset + n) are, without copying: one or two pieces (the ring may
  // wrap); the second is empty when it does not. offset + n <= size().
  void view(size_t offset, size_t n, const uint8_t* piece[2], size_t piece_len[2]) const;
  void drop_front(size_t n);

private:
  bool take_storage(); // allocates capacity_ bytes if not yet done; false when out of memory

  uint8_t* buf_ = nullptr;
  size_t capacity_ = 0;
  size_t head_ = 0;
  size_t count_ = 0;
};

class ReceiveBuffer {
public:
  static constexpr int kMaxRanges = 16; // out-of-order islands kept; more are dropped

  ReceiveBuffer() = default;
  ReceiveBuffer(const ReceiveBuffer&) = delete;
  ReceiveBuffer& operator=(const ReceiveBuffer&) = delete;
  ~ReceiveBuffer();

  bool init(size_t capacity);
  bool grow(size_t new_capacity);
  // The sequence number of the first byte of data (the peer's ISN + 1).
  void start(Seq next) { next_ = next; }

  Seq next() const { return next_; }         // RCV.NXT as far as data goes
  size_t readable() const { return ready_; } // in-order bytes waiting for the application
  size_t capacity() const { return capacity_; }
  size_t free_space() const { return capacity_ - ready_; } // what the window may offer
  bool has_out_of_order() const { return range_count_ > 0; }

  // Stores len bytes of sequence seq. The caller has trimmed them to
  // [next(), next() + free_space()). Returns how far next() moved.
  size_t store(Seq seq, const uint8_t* data, size_t len);
  // Copies up to n in-order bytes to dst; consumes them unless peek.
  size_t read(void* dst, size_t n, bool peek);

  // SACK blocks for an ACK, the range holding the most recently stored byte first
  // (RFC 2018 section 4). Returns the number written (at most max).
  int sack_blocks(SackBlock* out, int max) const;

private:
  void copy_in(size_t offset, const uint8_t* data, size_t len);
  void add_range(Seq start, Seq end);
  size_t absorb_ranges(); // joins ranges that now touch next_

  uint8_t* buf_ = nullptr;
  size_t capacity_ = 0;
  size_t head_ = 0;
  size_t ready_ = 0;
  Seq next_ = 0;
  SackBlock ranges_[kMaxRanges] = {}; // sorted, disjoint, not touching
  int range_count_ = 0;
  Seq last_stored_ = 0; // a byte of the most recent out-of-order segment
};

} // namespace net::tcp
