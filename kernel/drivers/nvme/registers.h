// NVMe controller registers (NVM Express Base Specification 2.0, §3.1): offsets, the fields
// of CAP, CC and CSTS, and where each queue's doorbell sits. Pure arithmetic, host-tested
// (registers_test.cc); controller.cc does the MMIO.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace nvme {

// Register offsets in BAR 0.
enum Register : uint32_t {
  kRegCap = 0x00,   // 64-bit: Controller Capabilities
  kRegVs = 0x08,    // Version
  kRegIntms = 0x0C, // Interrupt Mask Set (pin-based and MSI only)
  kRegIntmc = 0x10, // Interrupt Mask Clear
  kRegCc = 0x14,    // Controller Configuration
  kRegCsts = 0x1C,  // Controller Status
  kRegAqa = 0x24,   // Admin Queue Attributes
  kRegAsq = 0x28,   // 64-bit: Admin Submission Queue base
  kRegAcq = 0x30,   // 64-bit: Admin Completion Queue base
};
constexpr uint32_t kDoorbellBase = 0x1000;

// CAP decoded.
struct Capabilities {
  uint32_t max_queue_entries; // MQES + 1: the largest queue the controller takes
  bool contiguous_required;   // CQR
  uint64_t ready_timeout_ms;  // TO: how long CSTS.RDY may take to follow CC.EN
  uint32_t doorbell_stride;   // bytes between doorbells: 4 << DSTRD
  bool nvm_command_set;       // CSS bit 0
  uint32_t min_page_size;     // 4 KiB << MPSMIN
  uint32_t max_page_size;     // 4 KiB << MPSMAX
};
Capabilities decode_capabilities(uint64_t cap);

// CSTS bits.
constexpr uint32_t kCstsReady = 1u << 0;
constexpr uint32_t kCstsFatal = 1u << 1;

// CC for an enabled controller speaking the NVM command set with 4 KiB memory pages and the
// standard entry sizes (64-byte submissions, 16-byte completions), round-robin arbitration.
constexpr uint32_t kCcEnable = 1u << 0;
uint32_t enabled_configuration();

// AQA for admin queues of `sq_entries` and `cq_entries` (both at least 2, at most 4096).
uint32_t admin_queue_attributes(uint32_t sq_entries, uint32_t cq_entries);

// Byte offsets in BAR 0 of queue `qid`'s submission tail and completion head doorbells.
constexpr size_t submission_doorbell(uint16_t qid, uint32_t stride) {
  return kDoorbellBase + (2u * qid) * stride;
}
constexpr size_t completion_doorbell(uint16_t qid, uint32_t stride) {
  return kDoorbellBase + (2u * qid + 1u) * stride;
}

} // namespace nvme
