// capget: the program runs as root (uid 0) of its own machine, so it holds every capability,
// as root on Linux outside a container. (capset stays unimplemented: dropping capabilities
// would have to be enforced to be true, and no runtime we run asks for it.)
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "unix/process/process.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

// _LINUX_CAPABILITY_VERSION_1 (one 32-bit set), _2 and _3 (two: 64 capabilities).
constexpr uint32_t kCapabilityV1 = 0x19980330, kCapabilityV2 = 0x20071026,
                   kCapabilityV3 = 0x20080522;
// Capabilities 0..40 (CAP_CHECKPOINT_RESTORE, the last of Linux 5.15, the release uname
// reports) in the two 32-bit words.
constexpr uint32_t kAllCapabilities[2] = {0xFFFFFFFFu, 0x1FFu};

struct CapHeader {
  uint32_t version;
  int32_t pid;
};
struct CapData {
  uint32_t effective, permitted, inheritable;
};

// How many CapData words the header's version moves; an unknown version gets the
// preferred one written back, and -EINVAL (a probe with no data pointer then succeeds).
ErrorOr<int> words_for(UserPtr<CapHeader> uheader, CapHeader& header) {
  header = TRY(copy_from_user(uheader));
  if (header.version == kCapabilityV1)
    return 1;
  if (header.version == kCapabilityV2 || header.version == kCapabilityV3)
    return 2;
  uint32_t preferred = kCapabilityV3;
  TRY(copy_to_user(uheader.as<uint32_t>(), &preferred));
  return Err(-EINVAL);
}

// pid 0 is the caller; otherwise one of the program's threads (its pid is the main
// thread's tid).
Status check_target(int32_t pid) {
  if (pid < 0)
    return Err(-EINVAL);
  if (pid != 0 && !find_task(pid))
    return Err(-ESRCH);
  return true;
}

} // namespace

SyscallResult sys_capget(const SyscallArgs& a) {
  CapHeader header;
  ErrorOr<int> words = words_for(a.user<CapHeader>(0), header);
  UserPtr<CapData> data = a.user<CapData>(1);
  if (!words.ok())
    return data.is_null() && words.error() == -EINVAL ? SyscallResult(0L)
                                                      : SyscallResult(Err(words.error()));
  TRY(check_target(header.pid));
  if (data.is_null())
    return 0L;
  CapData sets[2];
  for (int i = 0; i < 2; ++i)
    sets[i] = {kAllCapabilities[i], kAllCapabilities[i], 0};
  TRY(copy_to_user(data, sets, static_cast<size_t>(*words)));
  return 0L;
}

} // namespace unix
