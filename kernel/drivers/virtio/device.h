// The virtio core every virtio driver builds on: device initialisation (§3.1.1: reset,
// ACKNOWLEDGE, DRIVER, feature negotiation, FEATURES_OK, queues, DRIVER_OK), queue memory,
// one interrupt per device, and waiting for the device to return requests.
//
// Waiting: once the kernel is up (finish_boot(), from drivers::start_interrupt_driven_io)
// and the device has an interrupt, a thread that waits for a request sleeps on the queue's
// WaitQueue and the interrupt handler wakes it; other threads run meanwhile (the file
// system serialises its operations with a sleeping lock, fs/fs_lock.h).
// Polling is the fallback where no interrupt can be had (no MSI-X/INTx/IRQ for the device)
// and during boot, where requests are few (virtio-scsi's probe commands) and nothing else
// could run anyway.
//
// Callback-driven queues (virtio-net): no thread waits for a request; the device returns
// buffers on its own (received frames). The driver gives the queue an interrupt callback,
// which the top half calls instead of waking waiters; the callback defers the real work
// (sched/deferred.h), which takes the returned requests with pop() and re-arms the
// interrupt with arm_interrupt(). The driver polls itself (a timer) while interrupts are
// not on yet.
#pragma once

#include "drivers/bus/driver.h"
#include "drivers/virtio/transport.h"
#include "drivers/virtio/virtqueue.h"
#include "sched/wait.h"

#include <stdint.h>

namespace virtio {

class Device;

class Queue {
public:
  // Puts a request on the ring (call kick() to hand it over). -ENOSPC when full.
  Status add(const Virtqueue::Segment* segments, uint16_t count, void* token) {
    return ring_.add(segments, count, token);
  }
  // Publishes the added requests and notifies the device if it asked for it; true if it
  // was notified.
  bool kick();
  // Receives each request the device returns: its token and the bytes it wrote.
  using CompleteFn = void (*)(void* token, uint32_t written);
  void set_completion(CompleteFn fn) { complete_ = fn; }
  // Hands returned requests to the completion function until done(ctx) holds, sleeping
  // meanwhile (or polling: see above). Any waiting thread may complete another thread's
  // requests; each waits for its own condition. -EIO after a minute without an answer.
  Status wait_until(bool (*done)(void* ctx), void* ctx);
  // One transfer at a time per queue (the file system's own shared buffers are protected
  // by its lock, fs/fs_lock.h, not by this). lock() waits, like wait_until, while another
  // thread holds it.
  Status lock();
  void unlock();
  // Wakes the threads in wait_until to re-check their condition (a driver resource they
  // wait for was released).
  void wake_waiters() { sched::wake_all(waiters_); }
  uint16_t free_descriptors() const { return ring_.free_descriptors(); }
  uint16_t descriptors_needed(uint16_t segments) const {
    return ring_.descriptors_needed(segments);
  }
  uint16_t in_flight() const { return ring_.in_flight(); }
  uint16_t size() const { return ring_.size(); }

  // ---- callback-driven use (see the file comment) ----
  // Called from the interrupt's top half (and once when interrupts are turned on, for what
  // the device returned before): it must only defer work.
  using InterruptFn = void (*)(void* ctx);
  void set_interrupt_callback(InterruptFn fn, void* ctx) {
    interrupt_fn_ = fn;
    interrupt_ctx_ = ctx;
  }
  // Takes the next returned request: its token and the bytes the device wrote.
  bool pop(void** token, uint32_t* written) { return ring_.pop_used(token, written); }
  // Asks for an interrupt at the next returned request; false if one was returned meanwhile
  // (look again instead of waiting). disarm_interrupt asks for none.
  bool arm_interrupt() { return ring_.arm_interrupt(); }
  void disarm_interrupt() { ring_.disarm_interrupt(); }
  // Publishes what was added and notifies the device whatever it asked for: a watchdog's
  // re-kick when the device seems to have missed a notification.
  void kick_always();

private:
  friend class Device;
  bool reap(); // completes every returned request; true if there was one
  // Spins until the device returns a request (true) or ~10 us passed.
  bool spin_for_used();

  Virtqueue ring_;
  CompleteFn complete_ = nullptr;
  InterruptFn interrupt_fn_ = nullptr;
  void* interrupt_ctx_ = nullptr;
  bool locked_ = false;
  uint64_t late_interrupts_ = 0; // sleep slices that ended without the interrupt
  sched::WaitQueue waiters_;
  Device* device_ = nullptr;
  uint16_t index_ = 0;
};

class Device {
public:
  // Opens the transport of a device a bus found, resets it and negotiates: the result has
  // the features both sides have among `wanted` (device-specific bits plus
  // kFeatureIndirectDesc / kFeatureEventIdx as the driver can use them), and VERSION_1 on a
  // modern transport. `name` is the driver's, for messages ("virtio-blk"). Its interrupt
  // is set up by finish_boot: until then no device interrupt can be pending while the
  // kernel probes the LAPIC timer or runs its self-test.
  static ErrorOr<Device*> start(const drivers::FoundDevice& found, uint64_t wanted,
                                const char* name);

  bool has(uint64_t feature) const { return (features_ & feature) != 0; }
  Transport& transport() { return *transport_; }
  const char* name() const { return name_; }

  // Sets up queue `index` with at most `max_size` entries and, if INDIRECT_DESC was
  // negotiated, tables of `max_segments` descriptors per request.
  ErrorOr<Queue*> add_queue(uint16_t index, uint16_t max_size, uint16_t max_segments);
  // DRIVER_OK: the queues are live.
  void ready();
  // What the driver made of the device, for its boot line. finish_boot prints the line,
  // once the interrupt mode is known, when the command line has core.devices:
  // "virtio-blk: pci 00:03.0 (pci), MSI-X vector 34, event-idx, indirect, <detail>".
  void describe(const char* detail);
  const char* detail() const { return detail_; }
  // Gives up on the device (FAILED status); returns `why` for the probe to pass on.
  Status fail(Status why);

  bool interrupts() const { return interrupts_; }
  // Asks the transport for an interrupt and binds the queues to it (finish_boot).
  void enable_interrupts();

private:
  static void on_interrupt(void* ctx);

  static constexpr uint16_t kMaxQueues = 4;
  Transport* transport_ = nullptr;
  const char* name_ = nullptr;
  uint64_t features_ = 0;
  bool interrupts_ = false;
  Queue* queues_[kMaxQueues] = {};
  char detail_[64] = {};
};

// Turns every device's interrupt on; from now on requests may sleep (see above).
void finish_boot();

} // namespace virtio
