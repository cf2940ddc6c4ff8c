// GDT selectors. The order is dictated by SYSRET: user data = STAR[63:48] + 8, user code =
// STAR[63:48] + 16 (64-bit), so user code32 (unused), user data, user code64 follow each other.
// The values are Linux's own: some hypervisors (PVM, this machine's "KVM") run the guest's
// user mode on the host's user segments and require the guest's STAR to match them.
#pragma once

#include <stdint.h>

namespace arch {
enum : uint16_t {
  kKernelCode = 0x10,
  kKernelData = 0x18,
  kUserCode32 = 0x20,
  kUserData = 0x28,
  kUserCode64 = 0x30,
  kTss = 0x40,
  kUserDataSelector = kUserData | 3,
  kUserCodeSelector = kUserCode64 | 3,
};
} // namespace arch
