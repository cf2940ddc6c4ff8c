#include "drivers/nvme/commands.h"

namespace nvme {

namespace {
SubmissionEntry command(uint8_t opcode) {
  SubmissionEntry e{};
  e.cdw0 = opcode; // PSDT 0: data pointers are PRPs
  return e;
}
// Queue sizes and queue numbers share dword 10: size (0-based) above, identifier below.
uint32_t queue_dword(uint16_t qid, uint16_t entries) {
  return static_cast<uint32_t>(entries - 1) << 16 | qid;
}
} // namespace

SubmissionEntry identify(IdentifyKind kind, uint32_t nsid, uint64_t buffer_phys) {
  SubmissionEntry e = command(kAdminIdentify);
  e.nsid = nsid;
  e.prp1 = buffer_phys; // a page-aligned 4 KiB buffer needs no PRP2
  e.cdw10 = kind;
  return e;
}

SubmissionEntry set_queue_count(uint16_t pairs) {
  constexpr uint32_t kFeatureNumberOfQueues = 0x07;
  SubmissionEntry e = command(kAdminSetFeatures);
  e.cdw10 = kFeatureNumberOfQueues;
  uint32_t zero_based = static_cast<uint32_t>(pairs - 1);
  e.cdw11 = zero_based << 16 | zero_based; // completion queues above, submission below
  return e;
}

SubmissionEntry create_io_completion_queue(uint16_t qid, uint16_t entries, uint64_t phys,
                                           uint16_t vector, bool interrupts) {
  SubmissionEntry e = command(kAdminCreateIoCq);
  e.prp1 = phys;
  e.cdw10 = queue_dword(qid, entries);
  constexpr uint32_t kContiguous = 1u << 0, kInterruptsEnabled = 1u << 1;
  e.cdw11 =
      static_cast<uint32_t>(vector) << 16 | (interrupts ? kInterruptsEnabled : 0) | kContiguous;
  return e;
}

SubmissionEntry create_io_submission_queue(uint16_t qid, uint16_t entries, uint64_t phys,
                                           uint16_t cqid) {
  SubmissionEntry e = command(kAdminCreateIoSq);
  e.prp1 = phys;
  e.cdw10 = queue_dword(qid, entries);
  constexpr uint32_t kContiguous = 1u << 0; // priority 0 (urgent) is ignored under round robin
  e.cdw11 = static_cast<uint32_t>(cqid) << 16 | kContiguous;
  return e;
}

SubmissionEntry read_write(NvmOpcode op, uint32_t nsid, uint64_t lba, uint32_t blocks,
                           uint64_t prp1, uint64_t prp2) {
  SubmissionEntry e = command(op);
  e.nsid = nsid;
  e.prp1 = prp1;
  e.prp2 = prp2;
  e.cdw10 = static_cast<uint32_t>(lba);
  e.cdw11 = static_cast<uint32_t>(lba >> 32);
  e.cdw12 = (blocks - 1) & 0xFFFF; // NLB is 0-based; no FUA, no protection information
  return e;
}

SubmissionEntry flush(uint32_t nsid) {
  SubmissionEntry e = command(kNvmFlush);
  e.nsid = nsid;
  return e;
}

SubmissionEntry with_command_id(SubmissionEntry e, uint16_t id) {
  e.cdw0 = (e.cdw0 & 0xFFFF) | static_cast<uint32_t>(id) << 16;
  return e;
}

} // namespace nvme
