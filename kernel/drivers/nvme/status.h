// The status field of an NVMe completion (Base Specification 2.0, §4.6.1.2; NVM Command Set
// Specification §3.1.3 for the command-specific codes of READ and WRITE) and the errno the
// block layer reports for it. Pure, host-tested (status_test.cc).
#pragma once

#include <stdint.h>

namespace nvme {

struct CompletionStatus {
  uint8_t code; // SC
  uint8_t type; // SCT: 0 generic, 1 command specific, 2 media and data integrity, 3 path
  bool more;    // M: the Error Information log has more
  bool do_not_retry;
  bool ok() const { return type == 0 && code == 0; }
};

// From the 16-bit status word of a completion entry (phase tag in bit 0).
CompletionStatus decode_status(uint16_t status_word);

// The block layer's errno: 0 for success; -EINVAL for a request the controller found
// malformed or out of the namespace's range; -EROFS for a write to a write-protected
// namespace or range; -EOPNOTSUPP for an opcode it does not implement; -ENOSPC when
// thin-provisioned capacity ran out; -EIO for everything else (media errors included).
int status_errno(CompletionStatus s);

} // namespace nvme
