#include "unix/events/epoll_interest.h"

#include "lib/errno.h"

#ifdef KERNEL_HOST_BUILD
#include <new>
#else
#include "lib/new.h"
#endif

namespace unix {
namespace {

// EPOLLEXCLUSIVE: Linux wakes one of the epoll instances that watch a file exclusively for
// each event, so a readiness state (the file's change counters) is reported by whichever
// exclusive interest collects it first; the others report it only once the counters move
// (the next connection or datagram). A claim outlives its instance's interest: on Linux an
// instance that was not woken for an event does not see it later either (an interest added
// while its file's state is already claimed waits for the next change, where Linux would
// report the state at once). The claims are kept per file in a small table; a full table
// forgets its oldest claim (that state may then be reported once more).
struct ExclusiveClaim {
  const void* file;
  uint64_t in_gen, out_gen;
  const InterestList* owner;
};
constexpr size_t kMaxClaims = 64;
ExclusiveClaim g_claims[kMaxClaims];
size_t g_next_claim = 0;

ExclusiveClaim* claim_of(const void* file) {
  for (ExclusiveClaim& c : g_claims)
    if (c.owner && c.file == file)
      return &c;
  return nullptr;
}

// Whether another instance already reported this state of `file` exclusively.
bool claimed_elsewhere(const Interest& e, const Readiness& r, const InterestList* list) {
  if (!(e.events & kEpollExclusive))
    return false;
  const ExclusiveClaim* c = claim_of(e.file);
  return c && c->owner != list && c->in_gen == r.in_gen && c->out_gen == r.out_gen;
}

void claim(const Interest& e, const Readiness& r, const InterestList* list) {
  if (!(e.events & kEpollExclusive))
    return;
  ExclusiveClaim* c = claim_of(e.file);
  if (!c) {
    c = &g_claims[g_next_claim];
    g_next_claim = (g_next_claim + 1) % kMaxClaims;
  }
  *c = ExclusiveClaim{e.file, r.in_gen, r.out_gen, list};
}

} // namespace

void forget_exclusive_claims(const void* file) {
  for (ExclusiveClaim& c : g_claims)
    if (c.file == file)
      c = ExclusiveClaim{};
}

int InterestList::add(void* file, int fd, uint32_t events, uint64_t data) {
  if (find(file, fd))
    return -EEXIST;
  auto* e = new (std::nothrow) Interest{file, fd, events, data, true, false, 0, 0, nullptr};
  if (!e)
    return -ENOMEM;
  // Appended, so events come back in the order the interests were added.
  Interest** p = &head_;
  while (*p)
    p = &(*p)->next;
  *p = e;
  ++count_;
  return 0;
}

int InterestList::modify(void* file, int fd, uint32_t events, uint64_t data) {
  Interest* e = find(file, fd);
  if (!e)
    return -ENOENT;
  e->events = events;
  e->data = data;
  e->fresh = true;
  e->disabled = false;
  return 0;
}

int InterestList::remove(void* file, int fd) {
  for (Interest** p = &head_; *p; p = &(*p)->next) {
    if ((*p)->file == file && (*p)->fd == fd) {
      Interest* e = *p;
      *p = e->next;
      delete e;
      --count_;
      return 0;
    }
  }
  return -ENOENT;
}

int InterestList::remove_file(void* file) {
  int removed = 0;
  for (Interest** p = &head_; *p;) {
    if ((*p)->file == file) {
      Interest* e = *p;
      *p = e->next;
      delete e;
      --count_;
      ++removed;
    } else {
      p = &(*p)->next;
    }
  }
  return removed;
}

Interest* InterestList::find(void* file, int fd) const {
  for (Interest* e = head_; e; e = e->next)
    if (e->file == file && e->fd == fd)
      return e;
  return nullptr;
}

void InterestList::clear() {
  while (head_) {
    Interest* e = head_;
    head_ = e->next;
    delete e;
  }
  count_ = 0;
}

uint32_t InterestList::due(const Interest& e, const Readiness& r) {
  if (e.disabled)
    return 0;
  // Errors and hang-ups are always reported, asked for or not (as Linux does).
  uint32_t mask = r.events & ((e.events & ~(kEpollEt | kEpollOneshot | kEpollWakeup |
                                            kEpollExclusive)) |
                              kEpollErr | kEpollHup);
  if (!mask)
    return 0;
  if (!(e.events & kEpollEt) || e.fresh)
    return mask;
  bool watches_in = e.events & kEpollInputBits, watches_out = e.events & kEpollOutputBits;
  bool moved_in = r.in_gen != e.seen_in, moved_out = r.out_gen != e.seen_out;
  if ((watches_in && moved_in) || (watches_out && moved_out))
    return mask;
  if (!watches_in && !watches_out && (moved_in || moved_out))
    return mask; // only errors/hang-ups watched: any change is an edge
  return 0;
}

int InterestList::collect(ReadinessFn ready, void* ctx, EpollEvent* out, int max) {
  int n = 0;
  Interest *keep = nullptr, **keep_tail = &keep, *moved = nullptr, **moved_tail = &moved;
  for (Interest* e = head_; e;) {
    Interest* next = e->next;
    e->next = nullptr;
    bool reported = false;
    if (n < max) {
      Readiness r = ready(e->file, ctx);
      uint32_t mask = claimed_elsewhere(*e, r, this) ? 0 : due(*e, r);
      if (mask) {
        claim(*e, r, this);
        out[n++] = EpollEvent{mask, e->data};
        e->fresh = false;
        e->seen_in = r.in_gen;
        e->seen_out = r.out_gen;
        if (e->events & kEpollOneshot)
          e->disabled = true;
        reported = true;
      }
    }
    if (reported) {
      *moved_tail = e;
      moved_tail = &e->next;
    } else {
      *keep_tail = e;
      keep_tail = &e->next;
    }
    e = next;
  }
  *keep_tail = moved;
  head_ = keep;
  return n;
}

bool InterestList::any_due(ReadinessFn ready, void* ctx) const {
  for (Interest* e = head_; e; e = e->next) {
    Readiness r = ready(e->file, ctx);
    if (!claimed_elsewhere(*e, r, this) && due(*e, r))
      return true;
  }
  return false;
}

} // namespace unix
