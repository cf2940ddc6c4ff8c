// The names AF_UNIX sockets are bound to (bind), inside the one process. A path name is
// the directory it lives in (a node) plus the entry's name in it, so "s", "./s" and
// "/tmp/s" from /tmp are one name; an abstract name is its bytes, and belongs to one socket
// type, as on Linux. A small table: a program binds a handful of names.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct SocketName {
  int64_t dir = -1; // the directory node of a path name; -1: abstract
  int type = 0;     // abstract names only (a path name is one name whatever the type)
  uint32_t len = 0;
  char bytes[108] = {};
};

class SocketNames {
public:
  static constexpr int kCapacity = 64;
  // 0, -EADDRINUSE (taken) or -ENOBUFS (table full).
  int add(const SocketName& name, void* owner);
  // The owner of name, or nullptr. A path name matches whatever its owner's type.
  void* find(const SocketName& name) const;
  // Releases every name owner holds (its socket is closing).
  void remove(void* owner);

private:
  struct Slot {
    SocketName name;
    void* owner = nullptr;
  };
  Slot slots_[kCapacity];
};

} // namespace unix
