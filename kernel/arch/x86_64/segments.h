// GDT selectors. The order is dictated by SYSRET: user data = STAR[63:48] + 8, user code =
// STAR[63:48] + 16 (64-bit), so user code32 (unused), user data, user code64 follow each other.
#pragma once

#include <stdint.h>

namespace arch {
enum : uint16_t {
  kKernelCode = 0x08,
  kKernelData = 0x10,
  kUserCode32 = 0x18,
  kUserData = 0x20,
  kUserCode64 = 0x28,
  kTss = 0x30,
  kUserDataSelector = kUserData | 3,
  kUserCodeSelector = kUserCode64 | 3,
};
}  // namespace arch
