#include "drivers/virtio/device.h"

#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/vm.h"
#include "sched/thread.h"

namespace virtio {
namespace {

constexpr uint64_t kRequestTimeoutNs = 60'000'000'000ull;
// How long a waiter polls before it sleeps: a request the host serves from its page cache
// completes within tens of microseconds, less than a sleep and an interrupt cost.
constexpr uint64_t kSpinBeforeSleepNs = 30'000;
constexpr uint64_t kSleepSliceNs = 20'000'000;
// Waiting for the device, the loop looks at the used index and the TSC alone (a load, a
// PAUSE and a TSC read a round, ~10 instructions) for up to kSpinSliceNs at a time, and only
// between slices at the completion path, the caller's condition and the kernel clock. A
// round that did all of those each time cost ~100 instructions, all spent while the host
// does the work: under `-icount`, where every instruction is guest time, that made boot
// 20-400 us slower with its handful of disk reads. (Also under TCG, a round's host time is
// mostly its PAUSE and TSC read, which both leave the translated code.)
constexpr uint64_t kSpinSliceNs = 10'000;
bool g_boot_done = false;

// Whether a waiter may sleep now: once boot is done. Sleeping lets other threads run kernel
// code in the middle of the waiter's; the file system holds its lock (fs/fs_lock.h) across
// its disk requests and page faults re-check the region table after a read
// (unix/memory/memory.cc), which is what makes that safe.
bool may_sleep() {
  return g_boot_done;
}
// Every device started, for finish_boot to turn their interrupts on.
constexpr size_t kMaxDevices = 32;
Device* g_devices[kMaxDevices];
size_t g_device_count = 0;

// Physically contiguous pages for the device to reach by DMA, not cleared: the virtqueue
// clears the parts that must start zeroed (a few hundred bytes instead of 8-16 KiB a queue).
DmaRegion alloc_dma(size_t bytes) {
  size_t pages = (bytes + mm::kPageSize - 1) / mm::kPageSize;
  uint64_t phys = pages ? mm::alloc_pages(pages) : 0;
  if (!phys)
    return {};
  return DmaRegion{mm::phys_to_virt(phys), phys};
}

} // namespace

void finish_boot() {
  g_boot_done = true;
  bool print = boot::cmdline_has("core.devices");
  for (size_t i = 0; i < g_device_count; ++i) {
    Device* d = g_devices[i];
    d->enable_interrupts();
    Transport& t = d->transport();
    if (print && d->detail()[0]) // devices their driver gave up on have no line
      kprintf("%s: %s (%s), %s%s%s, %s\n", d->name(), t.location(), t.kind(), t.interrupt_mode(),
              d->has(kFeatureEventIdx) ? ", event-idx" : "",
              d->has(kFeatureIndirectDesc) ? ", indirect" : "", d->detail());
  }
}

bool Queue::kick() {
  if (!ring_.publish())
    return false;
  device_->transport().notify(index_);
  return true;
}

void Queue::kick_always() {
  ring_.publish();
  device_->transport().notify(index_);
}

bool Queue::reap() {
  bool any = false;
  void* token;
  uint32_t written;
  while (ring_.pop_used(&token, &written)) {
    complete_(token, written);
    any = true;
  }
  return any;
}

bool Queue::spin_for_used() {
  const volatile uint16_t* used = ring_.used_index();
  uint16_t taken = ring_.next_used();
  uint64_t until = cpu::rdtsc() + ktime::tsc_hz() / (1'000'000'000 / kSpinSliceNs);
  do {
    if (*used != taken)
      return true;
    cpu::pause();
  } while (cpu::rdtsc() < until);
  return *used != taken;
}

Status Queue::wait_until(bool (*done)(void* ctx), void* ctx) {
  // The clock is read once the first look found the request unfinished: at boot most are
  // finished by then (the host served them during the notify).
  bool clock_started = false;
  uint64_t start = 0, deadline = 0;
  bool sleep = may_sleep() && device_->interrupts();
  for (;;) {
    if (reap()) {
      sched::wake_all(waiters_); // some of those may be another waiter's
      // Polled: with EVENT_IDX a device signals its first completion whatever the event
      // index says, and without MSI-X that raises its INTx line until the ISR is read. Read
      // it, so no line stays asserted (a pending interrupt disturbs the LAPIC timer probe).
      if (!sleep)
        device_->transport().take_interrupt();
    }
    if (done(ctx))
      return status_ok();
    if (!clock_started) {
      clock_started = true;
      start = ktime::monotonic_ns();
      deadline = start + kRequestTimeoutNs;
    }
    if (sleep && ktime::monotonic_ns() - start < kSpinBeforeSleepNs) {
      spin_for_used(); // most requests finish within microseconds: a sleep would cost more
      continue;
    }
    if (sleep) {
      // Interrupts are off in the kernel: a completion between the check in arm_interrupt
      // and the wait leaves its interrupt pending until the CPU idles, which then wakes us.
      if (!ring_.arm_interrupt())
        continue;
      // In slices of 20 ms: a completion whose interrupt is late or lost then costs at
      // most one slice, not the request's whole deadline. On a loaded host QEMU can be
      // descheduled between writing the used ring and raising the interrupt; once a wait
      // ran into its full minute (virtio-scsi, cause not found).
      uint64_t now = ktime::monotonic_ns();
      uint64_t slice_end = deadline - now > kSleepSliceNs ? now + kSleepSliceNs : deadline;
      int r = sched::wait(waiters_, slice_end, device_->name());
      if (r == -ETIMEDOUT && slice_end < deadline) {
        ++late_interrupts_;
        continue;
      }
      if (r == -EINTR) {
        // A signal is pending: every wait returns at once until the thread is back in
        // user mode, and block I/O cannot be abandoned. Poll instead, letting the other
        // threads run (one may be the owner of a request we just completed).
        cpu::pause();
        sched::yield();
      }
      if (r != -ETIMEDOUT)
        continue;
    } else {
      if (spin_for_used() || ktime::monotonic_ns() < deadline)
        continue;
    }
    if (ring_.has_used())
      continue;
    kprintf("%s: no answer from the device for 60 s\n", device_->name());
    return Err(-EIO);
  }
}

Status Queue::lock() {
  if (locked_) {
    Status s = wait_until([](void* q) { return !static_cast<Queue*>(q)->locked_; }, this);
    if (!s)
      return s;
  }
  locked_ = true;
  return status_ok();
}

void Queue::unlock() {
  locked_ = false;
  sched::wake_all(waiters_);
}

ErrorOr<Device*> Device::start(const drivers::FoundDevice& found, uint64_t wanted,
                               const char* name) {
  auto transport = open_transport(found);
  if (!transport)
    return Err(transport.error());
  auto* dev = new Device;
  dev->transport_ = *transport;
  dev->name_ = name;
  Transport& t = *dev->transport_;
  t.reset();
  t.set_status(kStatusAcknowledge);
  t.set_status(kStatusAcknowledge | kStatusDriver);
  uint64_t offered = t.device_features();
  if (!t.legacy()) {
    if (!(offered & kFeatureVersion1))
      return Err(dev->fail(Err(-ENODEV)).error());
    wanted |= kFeatureVersion1;
  }
  dev->features_ = offered & wanted;
  t.set_driver_features(dev->features_);
  if (!t.legacy()) {
    t.set_status(kStatusAcknowledge | kStatusDriver | kStatusFeaturesOk);
    if (!(t.status() & kStatusFeaturesOk))
      return Err(dev->fail(Err(-ENODEV)).error());
  }
  if (g_device_count < kMaxDevices)
    g_devices[g_device_count++] = dev;
  return dev;
}

ErrorOr<Queue*> Device::add_queue(uint16_t index, uint16_t max_size, uint16_t max_segments) {
  if (index >= kMaxQueues)
    return Err(-EINVAL);
  Transport& t = *transport_;
  uint16_t device_max = t.max_queue_size(index);
  if (device_max == 0)
    return Err(-ENODEV);
  uint16_t size = t.queue_size_fixed() || device_max < max_size ? device_max : max_size;
  if (size & (size - 1))
    return Err(-EINVAL); // split rings must be a power of two in size (§2.7)
  uint16_t max_indirect = has(kFeatureIndirectDesc) ? max_segments : 0;
  DmaRegion ring = alloc_dma(Virtqueue::ring_bytes(size));
  DmaRegion indirect =
      max_indirect ? alloc_dma(Virtqueue::indirect_bytes(size, max_indirect)) : DmaRegion{};
  if (!ring.virt || (max_indirect && !indirect.virt))
    return Err(-ENOMEM);
  auto* q = new Queue;
  q->device_ = this;
  q->index_ = index;
  q->ring_.init(size, ring, indirect, max_indirect, has(kFeatureEventIdx));
  Status s = t.enable_queue(index, q->ring_);
  if (!s)
    return Err(s.error());
  queues_[index] = q;
  return q;
}

void Device::ready() {
  uint8_t status = kStatusAcknowledge | kStatusDriver | kStatusDriverOk;
  if (!transport_->legacy())
    status |= kStatusFeaturesOk;
  transport_->set_status(status);
}

void Device::describe(const char* detail) {
  size_t n = strnlen(detail, sizeof(detail_) - 1); // a plain copy: no formatting at boot
  memcpy(detail_, detail, n);
  detail_[n] = '\0';
}

Status Device::fail(Status why) {
  transport_->set_status(kStatusFailed);
  kprintf("%s: %s: initialisation failed (%d)\n", name_, transport_->location(), why.error());
  return why;
}

void Device::enable_interrupts() {
  Transport& t = *transport_;
  if (!t.enable_interrupt(&Device::on_interrupt, this))
    return; // polled
  for (uint16_t i = 0; i < kMaxQueues; ++i)
    if (queues_[i] && !t.bind_queue_interrupt(i)) {
      kprintf("%s: %s: queue %u refused its MSI-X vector; polling\n", name_, t.location(), i);
      return;
    }
  interrupts_ = true;
  for (Queue* q : queues_)
    if (q)
      q->waiters_.interrupt_wakes = true; // a sleeping request is not a deadlock
  // What the device returned while it was polled raised no interrupt we could see.
  for (Queue* q : queues_)
    if (q && q->interrupt_fn_)
      q->interrupt_fn_(q->interrupt_ctx_);
}

void Device::on_interrupt(void* ctx) {
  auto* dev = static_cast<Device*>(ctx);
  if (!dev->transport_->take_interrupt())
    return; // a shared INTx line raised by another device
  for (Queue* q : dev->queues_) {
    if (!q)
      continue;
    if (q->interrupt_fn_)
      q->interrupt_fn_(q->interrupt_ctx_);
    else
      sched::wake_all(q->waiters_);
  }
}

} // namespace virtio
