#include "unix/fd/flock_table.h"

#include "lib/errno.h"

namespace unix {

FlockTable::Entry* FlockTable::find(const void* owner) {
  for (int i = 0; i < used_; ++i)
    if (entries_[i].owner == owner)
      return &entries_[i];
  return nullptr;
}

bool FlockTable::holds(const void* owner, Mode* mode) const {
  for (int i = 0; i < used_; ++i)
    if (entries_[i].owner == owner) {
      if (mode)
        *mode = entries_[i].mode;
      return true;
    }
  return false;
}

// Shared locks coexist; an exclusive lock excludes every other owner's lock.
bool FlockTable::conflicts(uintptr_t key, const void* owner, Mode mode) const {
  for (int i = 0; i < used_; ++i) {
    const Entry& e = entries_[i];
    if (e.owner && e.owner != owner && e.key == key &&
        (mode == Mode::kExclusive || e.mode == Mode::kExclusive))
      return true;
  }
  return false;
}

int FlockTable::lock(uintptr_t key, const void* owner, Mode mode) {
  if (Entry* held = find(owner)) {
    if (held->mode == mode)
      return 0;
    unlock(owner); // Linux drops the old lock before trying the new mode
  }
  if (conflicts(key, owner, mode))
    return -EAGAIN;
  for (int i = 0; i < kCapacity; ++i) {
    if (entries_[i].owner)
      continue;
    entries_[i] = {key, owner, mode};
    if (i >= used_)
      used_ = i + 1;
    return 0;
  }
  return -ENOLCK;
}

bool FlockTable::unlock(const void* owner) {
  Entry* e = find(owner);
  if (!e)
    return false;
  e->owner = nullptr;
  while (used_ > 0 && !entries_[used_ - 1].owner)
    --used_;
  return true;
}

} // namespace unix
