// The io_uring ABI of <linux/io_uring.h> (x86-64 layouts) that this kernel implements:
// setup parameters, ring offsets, submission and completion entries, and the constants the
// three syscalls take. Plain data: the host unit test includes it too.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix::uring {

// io_uring_setup flags. Only these are accepted; every other bit (SQPOLL, IOPOLL, SQ_AFF,
// ATTACH_WQ, ... and unknown ones) is EINVAL here.
constexpr uint32_t kSetupIoPoll = 1u << 0, kSetupSqPoll = 1u << 1, kSetupCqSize = 1u << 3,
                   kSetupClamp = 1u << 4;
constexpr uint32_t kSetupSupported = kSetupCqSize | kSetupClamp;

// Linux's limits on ring sizes.
constexpr uint32_t kMaxEntries = 32768, kMaxCqEntries = 2 * kMaxEntries;

// Features reported in io_uring_params.features: only what this kernel really does.
//  SINGLE_MMAP: the SQ and CQ rings share one mapping.
//  SUBMIT_STABLE: an SQE (and what it points to) is read at submission, never later.
//  RW_CUR_POS: READ/WRITE at offset -1 use (and move) the file offset.
//  EXT_ARG: io_uring_enter takes IORING_ENTER_EXT_ARG (a timeout with the signal mask).
constexpr uint32_t kFeatSingleMmap = 1u << 0, kFeatNoDrop = 1u << 1, kFeatSubmitStable = 1u << 2,
                   kFeatRwCurPos = 1u << 3, kFeatExtArg = 1u << 8;
constexpr uint32_t kFeatures = kFeatSingleMmap | kFeatSubmitStable | kFeatRwCurPos | kFeatExtArg;

struct SqRingOffsets {
  uint32_t head, tail, ring_mask, ring_entries, flags, dropped, array, resv1;
  uint64_t user_addr;
};
struct CqRingOffsets {
  uint32_t head, tail, ring_mask, ring_entries, overflow, cqes, flags, resv1;
  uint64_t user_addr;
};
struct Params {
  uint32_t sq_entries, cq_entries, flags, sq_thread_cpu, sq_thread_idle, features, wq_fd;
  uint32_t resv[3];
  SqRingOffsets sq_off;
  CqRingOffsets cq_off;
};
static_assert(sizeof(Params) == 120, "struct io_uring_params");

// A submission queue entry. The unions of Linux's struct are named by their offset's most
// common meaning; uring_ops.cc reads each field the way its opcode defines it.
struct Sqe {
  uint8_t opcode;
  uint8_t flags; // IOSQE_*
  uint16_t ioprio;
  int32_t fd;
  uint64_t off;      // file offset; addr2 (STATX's buffer, ACCEPT's addrlen pointer)
  uint64_t addr;     // buffer, iovec array, path, timespec, user_data to remove
  uint32_t len;      // bytes, iovec count, mode, mask, count
  uint32_t op_flags; // rw_flags, fsync_flags, poll32_events, timeout_flags, msg_flags ...
  uint64_t user_data;
  uint16_t buf_index;
  uint16_t personality;
  int32_t file_index; // splice_fd_in / file_index
  uint64_t addr3;
  uint64_t pad2;
};
static_assert(sizeof(Sqe) == 64, "struct io_uring_sqe");

struct Cqe {
  uint64_t user_data;
  int32_t res;
  uint32_t flags;
};
static_assert(sizeof(Cqe) == 16, "struct io_uring_cqe");

// SQE flags (IOSQE_*). Supported: FIXED_FILE (on the opcodes that take a file), IO_LINK,
// IO_HARDLINK and ASYNC (a hint: every request here already runs as soon as it can).
constexpr uint8_t kSqeFixedFile = 1u << 0, kSqeIoDrain = 1u << 1, kSqeIoLink = 1u << 2,
                  kSqeIoHardlink = 1u << 3, kSqeAsync = 1u << 4, kSqeBufferSelect = 1u << 5,
                  kSqeCqeSkipSuccess = 1u << 6;
constexpr uint8_t kSqeSupportedFlags = kSqeFixedFile | kSqeIoLink | kSqeIoHardlink | kSqeAsync;

// Opcodes (enum io_uring_op).
enum Op : uint8_t {
  kOpNop = 0,
  kOpReadv = 1,
  kOpWritev = 2,
  kOpFsync = 3,
  kOpPollAdd = 6,
  kOpPollRemove = 7,
  kOpTimeout = 11,
  kOpTimeoutRemove = 12,
  kOpAccept = 13,
  kOpConnect = 16,
  kOpOpenat = 18,
  kOpClose = 19,
  kOpStatx = 21,
  kOpRead = 22,
  kOpWrite = 23,
  kOpSend = 26,
  kOpRecv = 27,
};
constexpr uint8_t kLastSupportedOp = kOpRecv;

constexpr uint32_t kFsyncDatasync = 1u;
constexpr uint32_t kTimeoutAbs = 1u;

// mmap offsets of the ring fd.
constexpr uint64_t kOffSqRing = 0, kOffCqRing = 0x8000000, kOffSqes = 0x10000000,
                   kOffMmapMask = 0xf8000000;

// io_uring_enter flags.
constexpr uint32_t kEnterGetEvents = 1u << 0, kEnterSqWakeup = 1u << 1, kEnterSqWait = 1u << 2,
                   kEnterExtArg = 1u << 3;
constexpr uint32_t kEnterSupported = kEnterGetEvents | kEnterSqWakeup | kEnterSqWait | kEnterExtArg;

// io_uring_register opcodes.
constexpr unsigned kRegisterFiles = 2, kUnregisterFiles = 3, kRegisterEventfd = 4,
                   kUnregisterEventfd = 5, kRegisterProbe = 8;
// Registered files: at most this many (Linux: IORING_MAX_FIXED_FILES, 1 << 20; a smaller
// table here, EMFILE past it as on Linux).
constexpr uint32_t kMaxFixedFiles = 4096;

struct ProbeOp {
  uint8_t op, resv;
  uint16_t flags; // kProbeOpSupported
  uint32_t resv2;
};
struct ProbeHeader {
  uint8_t last_op, ops_len;
  uint16_t resv;
  uint32_t resv2[3];
};
static_assert(sizeof(ProbeOp) == 8 && sizeof(ProbeHeader) == 16, "struct io_uring_probe");
constexpr uint16_t kProbeOpSupported = 1;

// The CQ ring's flags word: the program may set this bit to stop eventfd notifications.
constexpr uint32_t kCqEventfdDisabled = 1u;

} // namespace unix::uring
