// The interface ioctls every socket answers, whatever its family (as Linux sends requests
// its families do not know to the device layer): SIOCGIFCONF, SIOCGIFFLAGS, SIOCGIFMTU,
// SIOCGIFHWADDR, SIOCGIFINDEX, SIOCGIFNAME; and on AF_INET sockets the IPv4 ones,
// SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFBRDADDR. socket_file.cc asks here first.
#pragma once

#include "lib/error_or.h"

#include <stdint.h>

namespace unix {

// -ENOTTY when `request` is none of these (the family's ioctl gets it then); else 0 or the
// query's error (-ENODEV, -EADDRNOTAVAIL, -EFAULT).
ErrorOr<long> interface_ioctl(int domain, unsigned long request, uint64_t arg);

} // namespace unix
