// NVMe submission and completion queue entries (Base Specification 2.0, §4.2, §4.6) and the
// commands this driver sends: the admin commands that bring a controller up and the NVM
// commands READ, WRITE and FLUSH (NVM Command Set Specification, §3.2-3.3). Pure, host-tested
// (commands_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace nvme {

struct SubmissionEntry {
  uint32_t cdw0; // opcode 7:0, fused 9:8, PSDT 15:14 (0: PRPs), command identifier 31:16
  uint32_t nsid;
  uint32_t cdw2, cdw3;
  uint64_t metadata;
  uint64_t prp1, prp2;
  uint32_t cdw10, cdw11, cdw12, cdw13, cdw14, cdw15;
};
static_assert(sizeof(SubmissionEntry) == 64);

struct CompletionEntry {
  uint32_t result; // command specific (dword 0)
  uint32_t reserved;
  uint16_t sq_head; // how far the controller has consumed the submission queue
  uint16_t sq_id;
  uint16_t command_id;
  uint16_t status; // bit 0: phase tag; 15:1 the status field
};
static_assert(sizeof(CompletionEntry) == 16);

enum AdminOpcode : uint8_t {
  kAdminCreateIoSq = 0x01,
  kAdminCreateIoCq = 0x05,
  kAdminIdentify = 0x06,
  kAdminSetFeatures = 0x09,
};
enum NvmOpcode : uint8_t { kNvmFlush = 0x00, kNvmWrite = 0x01, kNvmRead = 0x02 };

// Identify's CNS values (§5.17.1).
enum IdentifyKind : uint8_t {
  kIdentifyNamespace = 0x00,
  kIdentifyController = 0x01,
  kIdentifyActiveNamespaces = 0x02,
};

// Every builder leaves the command identifier 0: the queue sets it (with_command_id).
SubmissionEntry identify(IdentifyKind kind, uint32_t nsid, uint64_t buffer_phys);
// Set Features / Number of Queues: asks for `pairs` I/O submission and completion queues.
SubmissionEntry set_queue_count(uint16_t pairs);
// An I/O completion queue of `entries` at `phys` (one contiguous range); interrupts go to
// MSI-X table entry `vector` when `interrupts` is set.
SubmissionEntry create_io_completion_queue(uint16_t qid, uint16_t entries, uint64_t phys,
                                           uint16_t vector, bool interrupts);
SubmissionEntry create_io_submission_queue(uint16_t qid, uint16_t entries, uint64_t phys,
                                           uint16_t cqid);
// READ or WRITE of `blocks` (1..65536) logical blocks from `lba`, data described by the PRPs.
SubmissionEntry read_write(NvmOpcode op, uint32_t nsid, uint64_t lba, uint32_t blocks,
                           uint64_t prp1, uint64_t prp2);
SubmissionEntry flush(uint32_t nsid);

SubmissionEntry with_command_id(SubmissionEntry e, uint16_t id);

} // namespace nvme
