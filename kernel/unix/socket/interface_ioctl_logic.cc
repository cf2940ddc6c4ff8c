// SIOCGIF* queries (interface_ioctl_logic.h). An ifreq is 16 bytes of name, then a union:
// a sockaddr (addresses; the hardware address as sa_family + sa_data), a short (flags) or
// an int (index, MTU).
#include "unix/socket/interface_ioctl_logic.h"

#include "lib/errno.h"
#include "lib/string.h"

namespace unix {
namespace {

constexpr size_t kUnion = kInterfaceNameSize;
constexpr uint16_t kAfInet = 2;
constexpr uint16_t kArphrdEther = 1, kArphrdLoopback = 772;

void put_sockaddr_in(uint8_t* at, uint32_t address) {
  memset(at, 0, 16);
  memcpy(at, &kAfInet, 2);
  at[4] = static_cast<uint8_t>(address >> 24);
  at[5] = static_cast<uint8_t>(address >> 16);
  at[6] = static_cast<uint8_t>(address >> 8);
  at[7] = static_cast<uint8_t>(address);
}

int answer_by_name(const LinkInfo& link, unsigned long request, uint8_t* value) {
  switch (request) {
  case kSiocgifflags: {
    // ifr_flags is a short: the flags above bit 15 (IFF_LOWER_UP) do not fit, as on Linux.
    auto flags = static_cast<uint16_t>(link.flags & 0xFFFF);
    memcpy(value, &flags, 2);
    return 0;
  }
  case kSiocgifmtu:
  case kSiocgifindex: {
    auto v = static_cast<int32_t>(request == kSiocgifmtu ? link.mtu : link.index);
    memcpy(value, &v, 4);
    return 0;
  }
  case kSiocgifhwaddr: {
    memset(value, 0, 16);
    uint16_t type = link.loopback ? kArphrdLoopback : kArphrdEther;
    memcpy(value, &type, 2);
    memcpy(value + 2, link.mac, 6);
    return 0;
  }
  case kSiocgifaddr:
  case kSiocgifnetmask:
  case kSiocgifbrdaddr:
    if (!link.has_ipv4())
      return -EADDRNOTAVAIL;
    put_sockaddr_in(value, request == kSiocgifaddr      ? link.ipv4
                           : request == kSiocgifnetmask ? link.netmask()
                                                        : link.broadcast());
    return 0;
  default:
    return -ENOTTY;
  }
}

} // namespace

bool is_ifreq_query(unsigned long request) {
  switch (request) {
  case kSiocgifname:
  case kSiocgifflags:
  case kSiocgifaddr:
  case kSiocgifbrdaddr:
  case kSiocgifnetmask:
  case kSiocgifmtu:
  case kSiocgifhwaddr:
  case kSiocgifindex:
    return true;
  default:
    return false;
  }
}

bool is_ipv4_address_query(unsigned long request) {
  return request == kSiocgifaddr || request == kSiocgifnetmask || request == kSiocgifbrdaddr;
}

int answer_ifreq(const InterfaceSnapshot& snapshot, unsigned long request,
                 uint8_t ifreq[kIfreqSize]) {
  if (request == kSiocgifname) {
    int32_t index;
    memcpy(&index, ifreq + kUnion, 4);
    const LinkInfo* link = index > 0 ? snapshot.find_index(static_cast<uint32_t>(index)) : nullptr;
    if (!link)
      return -ENODEV;
    memset(ifreq, 0, kInterfaceNameSize);
    memcpy(ifreq, link->name, strnlen(link->name, kInterfaceNameSize - 1));
    return 0;
  }
  if (!is_ifreq_query(request))
    return -ENOTTY;
  ifreq[kInterfaceNameSize - 1] = 0; // the user's name may lack its NUL, as Linux allows
  const LinkInfo* link = snapshot.find_name(reinterpret_cast<const char*>(ifreq));
  if (!link)
    return -ENODEV;
  return answer_by_name(*link, request, ifreq + kUnion);
}

size_t interface_configuration(const InterfaceSnapshot& snapshot, uint8_t* out, size_t capacity) {
  size_t used = 0;
  for (size_t i = 0; i < snapshot.link_count; ++i) {
    const LinkInfo& link = snapshot.links[i];
    if (!link.has_ipv4())
      continue;
    if (out) {
      if (capacity - used < kIfreqSize)
        break;
      uint8_t* entry = out + used;
      memset(entry, 0, kIfreqSize);
      memcpy(entry, link.name, strnlen(link.name, kInterfaceNameSize - 1));
      put_sockaddr_in(entry + kUnion, link.ipv4);
    }
    used += kIfreqSize;
  }
  return used;
}

} // namespace unix
