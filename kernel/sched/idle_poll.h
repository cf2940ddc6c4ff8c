// Polling before the CPU halts: a device that expects input soon (a NIC that just sent
// frames whose answers are on their way) is watched for a short while by the idle loop
// instead of sleeping until its interrupt.
//
// Why: under emulation (QEMU TCG) taking an interrupt, leaving a halt and every device
// register access wait for the emulator's global lock, which the device model holds while
// it works through a burst of our frames. A guest that halts and waits for the interrupt
// therefore sees the answers only when the whole burst is done, and the two sides take
// turns; a guest that watches the ring in memory (its interrupt turned off meanwhile) takes
// each answer as it is written and keeps the device busy: the two work in parallel.
// On hardware this is the usual trade of a few microseconds of spinning for an interrupt's
// latency.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace sched {

struct IdlePoller {
  // Nothing is runnable. True if input is expected soon: the poller then turned its
  // interrupt off and will be polled; false to let the CPU halt as usual.
  bool (*begin)(IdlePoller* self);
  // True once input arrived; the poller deferred its work (sched/deferred.h) and turns its
  // interrupt back on when that work is done.
  bool (*poll)(IdlePoller* self);
  // The wait ended without input: turn the interrupt back on. True if input arrived in
  // between (the poller deferred its work instead of waiting for an interrupt).
  bool (*end)(IdlePoller* self);
  IdlePoller* next = nullptr; // private
};

// Registers a poller for the rest of the kernel's life (drivers, at probe).
void add_idle_poller(IdlePoller* poller);

// How long the idle loop polls at most before it halts.
constexpr uint64_t kIdlePollNs = 100'000;

// Called by the idle loop with interrupts off: polls every poller that expects input until
// one finds some (true: run the deferred work) or the clock passes `until_ns` (false: every
// interrupt is on again, halt). `now_ns` is the clock (injected for the host tests).
bool poll_before_halt(uint64_t until_ns, uint64_t (*now_ns)());

} // namespace sched
