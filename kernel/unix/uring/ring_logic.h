// The freestanding rules of io_uring, apart from memory and files so the host unit test
// checks them: how io_uring_setup sizes the rings, where each field lives in the shared
// memory, which mmap offsets map what, how many SQEs a tail/head pair holds, and which
// SQEs are well-formed for the opcodes this kernel supports.
#pragma once

#include "lib/error_or.h"
#include "unix/uring/uring_abi.h"

#include <stddef.h>
#include <stdint.h>

namespace unix::uring {

struct RingSizes {
  uint32_t sq_entries, cq_entries;
};

// Linux's sizing: entries in 1..kMaxEntries (beyond it EINVAL, or clamped with
// IORING_SETUP_CLAMP) rounded up to a power of two; the CQ ring is twice that, or
// `cq_entries` (rounded up, clamped likewise, never smaller than the SQ ring) with
// IORING_SETUP_CQSIZE. Unsupported or unknown flags: EINVAL.
ErrorOr<RingSizes> ring_sizes(uint32_t entries, uint32_t flags, uint32_t cq_entries);

// Where everything lives in the ring memory (one object, two regions): the rings region
// (mapped at IORING_OFF_SQ_RING and at IORING_OFF_CQ_RING: one mapping serves both, hence
// IORING_FEAT_SINGLE_MMAP) holds both ring headers, the CQEs and the SQ index array; the
// SQE array starts on the next page (mapped at IORING_OFF_SQES).
struct RingLayout {
  RingSizes sizes;
  SqRingOffsets sq;
  CqRingOffsets cq;
  uint64_t rings_bytes; // used bytes of the rings region
  uint64_t sqes_offset; // page-aligned start of the SQE array in the ring memory
  uint64_t sqes_bytes;
  uint64_t total_bytes; // page-rounded size of the whole ring memory
};
RingLayout ring_layout(RingSizes sizes);

// What an mmap of the ring fd at `offset` for `len` bytes maps: the part of the ring memory
// starting at `memory_offset`. EINVAL for an unknown offset or a length past the region.
struct MapTarget {
  uint64_t memory_offset;
};
ErrorOr<MapTarget> map_target(const RingLayout& layout, uint64_t offset, uint64_t len);

// SQEs between head and tail (free-running 32-bit counters), at most `entries`: a program
// that wrote a tail too far ahead gets only a full ring.
inline uint32_t ring_count(uint32_t head, uint32_t tail, uint32_t entries) {
  uint32_t n = tail - head;
  return n > entries ? entries : n;
}

// Whether opcode is one this kernel performs (what REGISTER_PROBE reports).
bool opcode_supported(uint8_t opcode);
// Whether opcode takes a file in sqe.fd that IOSQE_FIXED_FILE may name by registered index.
bool opcode_takes_fixed_file(uint8_t opcode);

// Checks an SQE before it runs: supported opcode and flags, and zero in every field the
// opcode does not use or whose non-zero values are not supported. EINVAL otherwise
// (posted as the request's CQE).
Status check_sqe(const Sqe& sqe);

} // namespace unix::uring
