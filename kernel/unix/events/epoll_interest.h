// The interest list of one epoll instance and its reporting rules (level-triggered,
// EPOLLET, EPOLLONESHOT), kept apart from files and syscalls so it is unit-tested on the
// host. A file is an opaque pointer here; its state comes from a callback.
//
// Edge triggering works on change counters instead of wake-up callbacks: every pollable
// object counts the changes that may have made it readable (`in_gen`) or writable
// (`out_gen`). An EPOLLET interest reports only when a counter of a direction it watches
// moved since its last report (or it was just added/modified) and the file is ready now --
// the same "a new event happened" rule as Linux, without registering on wait queues.
// EPOLLEXCLUSIVE interests share each readiness state of a file between instances: only
// the first instance to collect it reports it (epoll_interest.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

// Linux's EPOLL* bits (the POLL* values are the same for the low ones).
constexpr uint32_t kEpollIn = 0x001, kEpollPri = 0x002, kEpollOut = 0x004, kEpollErr = 0x008,
                   kEpollHup = 0x010, kEpollNval = 0x020, kEpollRdNorm = 0x040,
                   kEpollRdBand = 0x080, kEpollWrNorm = 0x100, kEpollWrBand = 0x200,
                   kEpollMsg = 0x400, kEpollRdHup = 0x2000;
constexpr uint32_t kEpollExclusive = 1u << 28, kEpollWakeup = 1u << 29,
                   kEpollOneshot = 1u << 30, kEpollEt = 1u << 31;
constexpr uint32_t kEpollInputBits = kEpollIn | kEpollPri | kEpollRdNorm | kEpollRdBand |
                                     kEpollMsg | kEpollRdHup;
constexpr uint32_t kEpollOutputBits = kEpollOut | kEpollWrNorm | kEpollWrBand;

// What a file is ready for now, and its change counters.
struct Readiness {
  uint32_t events = 0;
  uint64_t in_gen = 0, out_gen = 0;
};
using ReadinessFn = Readiness (*)(void* file, void* ctx);

struct Interest {
  void* file;
  int fd;
  uint32_t events; // as given to epoll_ctl, flags included
  uint64_t data;
  bool fresh;      // added or modified since its last report: an edge is due if ready
  bool disabled;   // EPOLLONESHOT fired; EPOLL_CTL_MOD re-arms it
  uint64_t seen_in, seen_out;
  Interest* next;
};

struct EpollEvent {
  uint32_t events;
  uint64_t data;
};

class InterestList {
public:
  // 0, -EEXIST when (file, fd) is already there, -ENOMEM.
  int add(void* file, int fd, uint32_t events, uint64_t data);
  // 0 or -ENOENT.
  int modify(void* file, int fd, uint32_t events, uint64_t data);
  int remove(void* file, int fd);
  // Drops every interest in `file` (its last descriptor was closed). Returns how many.
  int remove_file(void* file);
  Interest* find(void* file, int fd) const;
  void clear();

  // Fills up to `max` events for interests that are due, applying EPOLLET/EPOLLONESHOT.
  // Reported interests move to the end of the list so a small `max` still serves every
  // ready file in turn. Returns the number filled.
  int collect(ReadinessFn ready, void* ctx, EpollEvent* out, int max);
  // Would collect() report anything? Changes nothing (an epoll file's own readiness).
  bool any_due(ReadinessFn ready, void* ctx) const;

  Interest* first() const { return head_; }
  size_t size() const { return count_; }

private:
  // The events `e` would report given `r`, or 0.
  static uint32_t due(const Interest& e, const Readiness& r);
  Interest* head_ = nullptr;
  size_t count_ = 0;
};

// A file is gone: forgets the EPOLLEXCLUSIVE claims on it, so a new file at the same
// address starts with none.
void forget_exclusive_claims(const void* file);

} // namespace unix
