// Futex wait queues keyed by user address: waiters hash into buckets by address; wake,
// requeue and bitset matching are pure list operations (host-tested). The syscall
// (futex.cc) puts the sleeping and the user-memory accesses around them.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct FutexWaiter {
  uint64_t addr = 0;     // user address of the futex word (the key)
  uint32_t bitset = ~0u; // FUTEX_WAIT_BITSET mask (FUTEX_WAIT: all bits)
  bool woken = false;    // set when a wake took it off the table
  FutexWaiter* next = nullptr;
  void* owner = nullptr; // for the caller (the sleeping thread's wait queue)
};

class FutexTable {
public:
  static constexpr size_t kBuckets = 64;

  // Appends w (FIFO per address).
  void enqueue(FutexWaiter* w);
  // Unlinks w if it is still queued (a wait that timed out or was interrupted).
  bool remove(FutexWaiter* w);
  // Wakes up to n waiters on addr whose bitset intersects `bitset`, oldest first: each is
  // unlinked, marked woken and passed to on_wake. Returns how many.
  template <typename F> int wake(uint64_t addr, int n, uint32_t bitset, F on_wake) {
    int done = 0;
    FutexWaiter** p = &buckets_[bucket(addr)];
    while (*p && done < n) {
      FutexWaiter* w = *p;
      if (w->addr == addr && (w->bitset & bitset)) {
        *p = w->next;
        w->next = nullptr;
        w->woken = true;
        ++done;
        on_wake(w);
      } else {
        p = &w->next;
      }
    }
    return done;
  }
  // FUTEX_REQUEUE: wakes up to n_wake waiters on from, then moves up to n_move of the
  // rest to `to` (behind its own waiters). Returns woken + moved.
  template <typename F>
  int requeue(uint64_t from, uint64_t to, int n_wake, int n_move, F on_wake) {
    int woken = wake(from, n_wake, ~0u, on_wake);
    int moved = 0;
    FutexWaiter** p = &buckets_[bucket(from)];
    while (*p && moved < n_move) {
      FutexWaiter* w = *p;
      if (w->addr == from) {
        *p = w->next;
        w->next = nullptr;
        w->addr = to;
        enqueue(w);
        ++moved;
      } else {
        p = &w->next;
      }
    }
    return woken + moved;
  }
  size_t waiters(uint64_t addr) const;

  static size_t bucket(uint64_t addr) { return (addr >> 2) * 0x9E3779B97F4A7C15ull >> 58; }

private:
  FutexWaiter* buckets_[kBuckets] = {};
};
static_assert(FutexTable::kBuckets == 64, "bucket() takes the top 6 bits of the hash");

} // namespace unix
