#include "unix/socket/afunix/socket_names.h"

#include "lib/errno.h"
#include "lib/string.h"

namespace unix {
namespace {

bool same(const SocketName& a, const SocketName& b) {
  return a.dir == b.dir && a.len == b.len && (a.dir >= 0 || a.type == b.type) &&
         memcmp(a.bytes, b.bytes, a.len) == 0;
}

} // namespace

int SocketNames::add(const SocketName& name, void* owner) {
  Slot* free_slot = nullptr;
  for (Slot& s : slots_) {
    if (s.owner && same(s.name, name))
      return -EADDRINUSE;
    if (!s.owner && !free_slot)
      free_slot = &s;
  }
  if (!free_slot)
    return -ENOBUFS;
  free_slot->name = name;
  free_slot->owner = owner;
  return 0;
}

void* SocketNames::find(const SocketName& name) const {
  for (const Slot& s : slots_)
    if (s.owner && same(s.name, name))
      return s.owner;
  return nullptr;
}

void SocketNames::remove(void* owner) {
  for (Slot& s : slots_)
    if (s.owner == owner)
      s.owner = nullptr;
}

} // namespace unix
