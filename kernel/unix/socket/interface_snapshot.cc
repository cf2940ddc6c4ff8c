// Lookups in an InterfaceSnapshot (interfaces.h); freestanding, host-tested.
#include "unix/socket/interfaces.h"

namespace unix {

const LinkInfo* InterfaceSnapshot::find_index(uint32_t index) const {
  for (size_t i = 0; i < link_count; ++i)
    if (links[i].index == index)
      return &links[i];
  return nullptr;
}

const LinkInfo* InterfaceSnapshot::find_name(const char* name) const {
  for (size_t i = 0; i < link_count; ++i) {
    const char* own = links[i].name;
    size_t k = 0;
    while (k < kInterfaceNameSize && own[k] == name[k] && own[k])
      ++k;
    // Equal when both end at the same place (a name that fills all 16 bytes has no NUL).
    if (k == kInterfaceNameSize || (own[k] == 0 && name[k] == 0))
      return &links[i];
  }
  return nullptr;
}

} // namespace unix
