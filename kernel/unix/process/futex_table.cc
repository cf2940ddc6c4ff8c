#include "unix/process/futex_table.h"

namespace unix {

void FutexTable::enqueue(FutexWaiter* w) {
  w->next = nullptr;
  w->woken = false;
  FutexWaiter** p = &buckets_[bucket(w->addr)];
  while (*p)
    p = &(*p)->next;
  *p = w;
}

bool FutexTable::remove(FutexWaiter* w) {
  for (FutexWaiter** p = &buckets_[bucket(w->addr)]; *p; p = &(*p)->next) {
    if (*p == w) {
      *p = w->next;
      w->next = nullptr;
      return true;
    }
  }
  return false;
}

size_t FutexTable::waiters(uint64_t addr) const {
  size_t n = 0;
  for (const FutexWaiter* w = buckets_[bucket(addr)]; w; w = w->next)
    n += w->addr == addr;
  return n;
}

} // namespace unix
