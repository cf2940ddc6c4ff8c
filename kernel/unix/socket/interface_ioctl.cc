// Interface ioctls (interface_ioctl.h): user memory in and out, the answers from
// interface_ioctl_logic.cc over a fresh snapshot of the interfaces.
#include "unix/socket/interface_ioctl.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "unix/socket/interface_ioctl_logic.h"
#include "unix/socket/socket.h"

namespace unix {
namespace {

// struct ifconf: the buffer's length in bytes (in: its size, out: what was written, or
// needed when the buffer is null), then the buffer.
struct Ifconf {
  int32_t length;
  uint32_t pad;
  uint64_t buffer;
};
static_assert(sizeof(Ifconf) == kIfconfSize);

ErrorOr<long> configuration(const InterfaceSnapshot& snapshot, uint64_t arg) {
  UserPtr<Ifconf> user_conf(arg);
  Ifconf conf = TRY(copy_from_user(user_conf));
  size_t written;
  if (!conf.buffer) {
    written = interface_configuration(snapshot, nullptr, 0);
  } else {
    uint8_t entries[InterfaceSnapshot::kMaxLinks * kIfreqSize];
    size_t room = conf.length < 0 ? 0 : static_cast<size_t>(conf.length);
    written =
        interface_configuration(snapshot, entries, room < sizeof entries ? room : sizeof entries);
    if (written)
      TRY(copy_to_user(UserPtr<void>(conf.buffer), entries, written));
  }
  conf.length = static_cast<int32_t>(written);
  TRY(copy_to_user(user_conf, &conf));
  return 0L;
}

} // namespace

ErrorOr<long> interface_ioctl(int domain, unsigned long request, uint64_t arg) {
  bool known = request == kSiocgifconf || is_ifreq_query(request);
  if (!known || (is_ipv4_address_query(request) && domain != kAfInet))
    return Err(-ENOTTY);
  InterfaceSnapshot snapshot;
  take_interface_snapshot(snapshot);
  if (request == kSiocgifconf)
    return configuration(snapshot, arg);
  uint8_t ifreq[kIfreqSize];
  UserPtr<uint8_t> user_ifreq(arg);
  TRY(copy_from_user(ifreq, user_ifreq, kIfreqSize));
  int error = answer_ifreq(snapshot, request, ifreq);
  if (error)
    return Err(error);
  TRY(copy_to_user(user_ifreq, ifreq, kIfreqSize));
  return 0L;
}

} // namespace unix
