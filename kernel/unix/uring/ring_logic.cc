#include "unix/uring/ring_logic.h"

#include "lib/errno.h"

namespace unix::uring {
namespace {

constexpr uint64_t kPage = 4096;

uint32_t round_up_pow2(uint32_t v) {
  uint32_t p = 1;
  while (p < v)
    p <<= 1;
  return p;
}

uint64_t align_up(uint64_t v, uint64_t to) {
  return (v + to - 1) / to * to;
}

} // namespace

namespace {

// A ring size the program asked for: 0 is EINVAL, so is more than `max` unless clamping.
ErrorOr<uint32_t> requested_size(uint32_t v, uint32_t max, bool clamp) {
  if (v == 0 || (v > max && !clamp))
    return Err(-EINVAL);
  return round_up_pow2(v > max ? max : v);
}

} // namespace

ErrorOr<RingSizes> ring_sizes(uint32_t entries, uint32_t flags, uint32_t cq_entries) {
  if (flags & ~kSetupSupported)
    return Err(-EINVAL);
  bool clamp = flags & kSetupClamp;
  RingSizes s{TRY(requested_size(entries, kMaxEntries, clamp)), 0};
  if (!(flags & kSetupCqSize)) {
    s.cq_entries = 2 * s.sq_entries;
    return s;
  }
  s.cq_entries = TRY(requested_size(cq_entries, kMaxCqEntries, clamp));
  if (s.cq_entries < s.sq_entries)
    return Err(-EINVAL);
  return s;
}

RingLayout ring_layout(RingSizes sizes) {
  RingLayout l{};
  l.sizes = sizes;
  // Header: each counter the program and the kernel both write sits in its own 64-byte
  // line (head and tail of each ring), the constant words after them.
  l.sq.head = 0;
  l.sq.tail = 64;
  l.cq.head = 128;
  l.cq.tail = 192;
  l.sq.ring_mask = 256;
  l.sq.ring_entries = 260;
  l.sq.flags = 264;
  l.sq.dropped = 268;
  l.cq.ring_mask = 272;
  l.cq.ring_entries = 276;
  l.cq.overflow = 280;
  l.cq.flags = 284;
  l.cq.cqes = 320;
  l.sq.array = static_cast<uint32_t>(l.cq.cqes + uint64_t{sizes.cq_entries} * sizeof(Cqe));
  l.rings_bytes = l.sq.array + uint64_t{sizes.sq_entries} * sizeof(uint32_t);
  l.sqes_offset = align_up(l.rings_bytes, kPage);
  l.sqes_bytes = uint64_t{sizes.sq_entries} * sizeof(Sqe);
  l.total_bytes = l.sqes_offset + align_up(l.sqes_bytes, kPage);
  return l;
}

ErrorOr<MapTarget> map_target(const RingLayout& layout, uint64_t offset, uint64_t len) {
  uint64_t start, size;
  offset &= kOffMmapMask; // the low bits select nothing (Linux ignores them too)
  if (offset == kOffSqRing || offset == kOffCqRing) {
    start = 0;
    size = layout.sqes_offset;
  } else if (offset == kOffSqes) {
    start = layout.sqes_offset;
    size = layout.total_bytes - layout.sqes_offset;
  } else {
    return Err(-EINVAL);
  }
  if (len > size)
    return Err(-EINVAL);
  return MapTarget{start};
}

bool opcode_supported(uint8_t opcode) {
  switch (opcode) {
  case kOpNop:
  case kOpReadv:
  case kOpWritev:
  case kOpFsync:
  case kOpPollAdd:
  case kOpPollRemove:
  case kOpTimeout:
  case kOpTimeoutRemove:
  case kOpAccept:
  case kOpConnect:
  case kOpOpenat:
  case kOpClose:
  case kOpStatx:
  case kOpRead:
  case kOpWrite:
  case kOpSend:
  case kOpRecv:
    return true;
  default:
    return false;
  }
}

bool opcode_takes_fixed_file(uint8_t opcode) {
  switch (opcode) {
  case kOpReadv:
  case kOpWritev:
  case kOpRead:
  case kOpWrite:
  case kOpPollAdd:
  case kOpSend:
  case kOpRecv:
    return true;
  default:
    return false;
  }
}

Status check_sqe(const Sqe& sqe) {
  if (!opcode_supported(sqe.opcode) || (sqe.flags & ~kSqeSupportedFlags))
    return Err(-EINVAL);
  if ((sqe.flags & kSqeFixedFile) && !opcode_takes_fixed_file(sqe.opcode))
    return Err(-EINVAL);
  // Registered buffers, personalities, fixed-file targets and 128-byte SQEs do not exist
  // here: those fields must stay zero.
  if (sqe.ioprio || sqe.buf_index || sqe.personality || sqe.file_index || sqe.addr3 || sqe.pad2)
    return Err(-EINVAL);
  switch (sqe.opcode) {
  case kOpNop:
    if (sqe.op_flags)
      return Err(-EINVAL);
    break;
  case kOpReadv:
  case kOpWritev:
  case kOpRead:
  case kOpWrite:
    if (sqe.op_flags) // RWF_* flags (HIPRI, DSYNC, NOWAIT, APPEND): none supported
      return Err(-EINVAL);
    break;
  case kOpFsync:
    if (sqe.addr || sqe.len || sqe.off || (sqe.op_flags & ~kFsyncDatasync))
      return Err(-EINVAL);
    break;
  case kOpPollAdd:
    if (sqe.addr || sqe.off || sqe.len) // len: multishot and update flags
      return Err(-EINVAL);
    break;
  case kOpPollRemove:
  case kOpTimeoutRemove:
    if (sqe.off || sqe.len || sqe.op_flags) // the update forms
      return Err(-EINVAL);
    break;
  case kOpTimeout:
    if (sqe.len != 1 || (sqe.op_flags & ~kTimeoutAbs))
      return Err(-EINVAL);
    break;
  case kOpClose:
    if (sqe.addr || sqe.len || sqe.off || sqe.op_flags)
      return Err(-EINVAL);
    break;
  case kOpConnect:
    if (sqe.len || sqe.op_flags)
      return Err(-EINVAL);
    break;
  case kOpAccept:
    if (sqe.len || (sqe.op_flags & ~(04000u | 02000000u))) // SOCK_NONBLOCK, SOCK_CLOEXEC
      return Err(-EINVAL);
    break;
  case kOpSend:
  case kOpRecv:
    if (sqe.off) // zero-copy and multishot variants
      return Err(-EINVAL);
    break;
  default: // OPENAT and STATX: every field has a meaning, the callee checks the values
    break;
  }
  return status_ok();
}

} // namespace unix::uring
