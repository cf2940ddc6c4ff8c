#include "sched/idle_poll.h"

namespace sched {
namespace {

IdlePoller* g_pollers = nullptr;
constexpr int kMaxPolling = 8;
// Polls between clock reads: a read leaves translated code under emulation, a poll is a
// load or two.
constexpr int kPollsPerClockRead = 32;

} // namespace

void add_idle_poller(IdlePoller* poller) {
  poller->next = g_pollers;
  g_pollers = poller;
}

bool poll_before_halt(uint64_t until_ns, uint64_t (*now_ns)()) {
  IdlePoller* polling[kMaxPolling];
  int count = 0;
  for (IdlePoller* p = g_pollers; p && count < kMaxPolling; p = p->next)
    if (p->begin(p))
      polling[count++] = p;
  if (count == 0)
    return false;
  IdlePoller* found = nullptr;
  while (!found) {
    for (int round = 0; round < kPollsPerClockRead && !found; ++round)
      for (int i = 0; i < count && !found; ++i)
        if (polling[i]->poll(polling[i]))
          found = polling[i];
    if (!found && now_ns() >= until_ns)
      break;
  }
  // The one that found input re-arms when its work is done; the others now.
  bool any = found != nullptr;
  for (int i = 0; i < count; ++i)
    if (polling[i] != found && polling[i]->end(polling[i]))
      any = true;
  return any;
}

} // namespace sched
