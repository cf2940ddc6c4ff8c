#include "drivers/nvme/status.h"

#include "lib/errno.h"

namespace nvme {

CompletionStatus decode_status(uint16_t status_word) {
  uint16_t field = status_word >> 1;
  CompletionStatus s{};
  s.code = static_cast<uint8_t>(field & 0xFF);
  s.type = static_cast<uint8_t>((field >> 8) & 7);
  s.more = (field >> 13) & 1;
  s.do_not_retry = (field >> 14) & 1;
  return s;
}

namespace {
enum : uint8_t { kTypeGeneric = 0, kTypeCommandSpecific = 1 };

int generic_errno(uint8_t code) {
  switch (code) {
  case 0x01: // Invalid Command Opcode
    return -EOPNOTSUPP;
  case 0x02: // Invalid Field in Command
  case 0x0B: // Invalid Namespace or Format
  case 0x13: // Invalid Number of SGL Descriptors / PRP offset problems
  case 0x80: // LBA Out of Range
    return -EINVAL;
  case 0x20: // Namespace is Write Protected
    return -EROFS;
  case 0x81: // Capacity Exceeded
    return -ENOSPC;
  default:
    return -EIO;
  }
}
} // namespace

int status_errno(CompletionStatus s) {
  if (s.ok())
    return 0;
  if (s.type == kTypeGeneric)
    return generic_errno(s.code);
  if (s.type == kTypeCommandSpecific && s.code == 0x82) // Attempted Write to Read Only Range
    return -EROFS;
  return -EIO;
}

} // namespace nvme
