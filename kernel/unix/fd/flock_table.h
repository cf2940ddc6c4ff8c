// flock() locks of the one process: whole-file advisory locks held by open file
// descriptions, as Linux keeps them. Two descriptions of one file (two open() calls) can
// conflict with each other even inside one process; descriptors dup'ed from one description
// share its lock. Pure logic (host-tested); sys_flock.cc does the waiting.
#pragma once

#include <stdint.h>

namespace unix {

class FlockTable {
public:
  enum class Mode : uint8_t { kShared, kExclusive };

  // Takes a `mode` lock on the file `key` for the description `owner`. A lock the owner
  // already holds in the other mode is dropped first, as Linux does (a conversion is not
  // atomic: it is lost if the new mode then conflicts). Returns 0, -EAGAIN when another
  // owner's lock conflicts, or -ENOLCK when the table is full.
  int lock(uintptr_t key, const void* owner, Mode mode);
  // Drops owner's lock, if it has one; true if it had.
  bool unlock(const void* owner);
  // Whether owner holds a lock (and which).
  bool holds(const void* owner, Mode* mode = nullptr) const;

  static constexpr int kCapacity = 512; // locks held at once by the program

private:
  struct Entry {
    uintptr_t key;
    const void* owner; // nullptr: a free slot
    Mode mode;
  };
  Entry* find(const void* owner);
  bool conflicts(uintptr_t key, const void* owner, Mode mode) const;

  Entry entries_[kCapacity] = {};
  int used_ = 0; // entries_[0..used_) may hold locks; beyond are free
};

} // namespace unix
