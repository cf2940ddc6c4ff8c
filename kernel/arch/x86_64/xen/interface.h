// The pieces of Xen's public guest interface this kernel uses: hypercall and sub-operation
// numbers and the argument layouts, restated from Xen's public headers (x86-64, little
// endian). Layouts are checked with static_asserts against the sizes and offsets those
// headers define.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

// Hypercall numbers (index of the 32-byte stub in the hypercall page).
enum Hypercall : unsigned {
  kHypercallMemoryOp = 12,
  kHypercallXenVersion = 17,
  kHypercallConsoleIo = 18,
  kHypercallGrantTableOp = 20,
  kHypercallSchedOp = 29,
  kHypercallEventChannelOp = 32,
  kHypercallHvmOp = 34,
};

constexpr uint16_t kDomidSelf = 0x7FF0;

// ---- hvm_op ----
enum HvmOp : unsigned { kHvmOpSetParam = 0, kHvmOpGetParam = 1 };
enum HvmParam : uint32_t {
  kHvmParamCallbackIrq = 0,
  kHvmParamStorePfn = 1,
  kHvmParamStoreEvtchn = 2,
  kHvmParamConsolePfn = 17,
  kHvmParamConsoleEvtchn = 18,
};
// CALLBACK_IRQ value: type in bits 63:56; type 2 = deliver as this LAPIC vector (bits 7:0).
constexpr uint64_t kHvmCallbackTypeVector = 2ull << 56;

struct HvmParamArg {
  uint16_t domid;
  uint16_t pad;
  uint32_t index;
  uint64_t value;
};
static_assert(sizeof(HvmParamArg) == 16 && offsetof(HvmParamArg, value) == 8);

// ---- sched_op ----
enum SchedOp : unsigned {
  kSchedOpYield = 0,
  kSchedOpBlock = 1,
  kSchedOpShutdown = 2,
  kSchedOpPoll = 3
};
enum ShutdownReason : uint32_t {
  kShutdownPoweroff = 0,
  kShutdownReboot = 1,
  kShutdownSuspend = 2,
  kShutdownCrash = 3,
};
struct SchedShutdownArg {
  uint32_t reason;
};

// ---- event_channel_op ----
enum EvtchnOp : unsigned {
  kEvtchnOpAllocUnbound = 6,
  kEvtchnOpSend = 4,
  kEvtchnOpUnmask = 9,
};
struct EvtchnSendArg {
  uint32_t port;
};
struct EvtchnAllocUnboundArg {
  uint16_t dom;        // the allocating domain (DOMID_SELF)
  uint16_t remote_dom; // who may bind to it
  uint32_t port;       // out
};
static_assert(sizeof(EvtchnAllocUnboundArg) == 8);

// ---- memory_op ----
enum MemoryOp : unsigned { kMemoryOpAddToPhysmap = 7, kMemoryOpMemoryMap = 10 };
enum MapSpace : uint32_t { kMapSpaceSharedInfo = 0, kMapSpaceGrantTable = 1 };
struct AddToPhysmapArg {
  uint16_t domid;
  uint16_t size; // only for the gmfn_range space
  uint32_t space;
  uint64_t idx;  // which frame of the space
  uint64_t gpfn; // where it appears in our physical address space
};
static_assert(sizeof(AddToPhysmapArg) == 24 && offsetof(AddToPhysmapArg, gpfn) == 16);
// XENMEM_memory_map: in, the room in `buffer` (entries); out, the entries Xen wrote there.
// Each entry has the E820 layout: u64 address, u64 size, u32 type (20 bytes).
struct MemoryMapArg {
  uint32_t nr_entries;
  uint32_t pad;
  uint64_t buffer; // a guest virtual address (a guest handle)
};
static_assert(sizeof(MemoryMapArg) == 16);
constexpr size_t kE820EntrySize = 20;

// ---- grant_table_op ----
enum GnttabOp : unsigned { kGnttabOpQuerySize = 6 };
struct GnttabQuerySizeArg {
  uint16_t dom;
  uint16_t pad;
  uint32_t nr_frames;     // out
  uint32_t max_nr_frames; // out
  int16_t status;         // out
};
static_assert(offsetof(GnttabQuerySizeArg, status) == 12);

// ---- shared info page (x86-64) ----
// vcpu_info[32] of 64 bytes each, then the event channel bitmaps, then wall-clock time.
constexpr size_t kSharedInfoVcpuSize = 64;
constexpr size_t kSharedInfoPendingOffset = 2048; // u64 evtchn_pending[64]
constexpr size_t kSharedInfoMaskOffset = 2560;    // u64 evtchn_mask[64]
constexpr size_t kSharedInfoWcVersionOffset = 3072;
constexpr size_t kSharedInfoWcSecOffset = 3076;
constexpr size_t kSharedInfoWcNsecOffset = 3080;
constexpr size_t kSharedInfoWcSecHiOffset = 3084; // x86-64: upper 32 bits of wc_sec

struct VcpuTimeInfo {
  uint32_t version; // odd while Xen updates the record
  uint32_t pad0;
  uint64_t tsc_timestamp; // TSC when system_time was taken
  uint64_t system_time;   // ns since the domain booted
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags;
  uint8_t pad1[2];
};
static_assert(sizeof(VcpuTimeInfo) == 32);

struct VcpuInfo {
  uint8_t evtchn_upcall_pending;
  uint8_t evtchn_upcall_mask;
  uint8_t pad[6];
  uint64_t evtchn_pending_sel; // one bit per word of evtchn_pending with something set
  uint64_t arch_cr2;
  uint64_t arch_pad;
  VcpuTimeInfo time;
};
static_assert(sizeof(VcpuInfo) == kSharedInfoVcpuSize && offsetof(VcpuInfo, time) == 32);

// ---- grant table v1 entries ----
struct GrantEntryV1 {
  uint16_t flags;
  uint16_t domid; // the domain allowed to map the frame
  uint32_t frame; // guest frame number
};
static_assert(sizeof(GrantEntryV1) == 8);
enum GrantFlags : uint16_t {
  kGtfPermitAccess = 1,
  kGtfReadonly = 1 << 2,
  kGtfReading = 1 << 3, // set by Xen while the remote domain has it mapped
  kGtfWriting = 1 << 4,
};
// The first entries are the toolstack's (console and xenstore rings).
constexpr uint32_t kGrantReservedEntries = 8;

} // namespace xen
