// blkfront: a vbd from the xenstore as a block::Device. One shared ring page and a pool of
// kMaxSegments bounce pages, all granted to the back-end once at connect time; a transfer
// is split into requests of up to 11 pages, each copied through the pool. Requests are
// polled (the CPU goes to the back-end's domain while waiting).
#include "drivers/xen/blkfront.h"

#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/xen/events.h"
#include "arch/x86_64/xen/grant_table.h"
#include "arch/x86_64/xen/hypercall.h"
#include "drivers/block.h"
#include "drivers/xen/blkif.h"
#include "drivers/xen/xenbus.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "sched/thread.h"
#include "sched/wait.h"

namespace xen_drivers {
namespace {
// A request the back-end does not answer in this many TSC cycles (~30 s at 2 GHz) fails.
constexpr uint64_t kRequestCycles = 60ull << 30;
constexpr uint64_t kConnectTimeoutNs = 60'000'000'000ull;
constexpr uint64_t kConnectTimeoutMs = 20000;
// Once the scheduler can idle until an interrupt, a waiter sleeps until the back-end's
// event (in slices, so a lost event costs one slice, not the request).
constexpr uint64_t kSleepSliceNs = 20'000'000;
bool g_interrupts_on = false;

class BlkFront final : public block::Device {
public:
  explicit BlkFront(const xenbus::Device* dev) : dev_(dev) {}
  Status connect();

  Status read(uint64_t sector, size_t count, void* buffer) override {
    return transfer(blkif::kRead, sector, count, static_cast<uint8_t*>(buffer));
  }
  Status write(uint64_t sector, size_t count, const void* buffer) override {
    if (read_only_)
      return Err(-EROFS);
    return transfer(blkif::kWrite, sector, count, static_cast<uint8_t*>(const_cast<void*>(buffer)));
  }
  Status flush() override;
  uint64_t capacity_sectors() const override { return sectors_; }
  bool read_only() const override { return read_only_; }
  const char* name() const override { return name_; }
  bool interrupt_driven() const { return event_bound_; }
  bool persistent_grants() const { return persistent_; }

private:
  Status publish_ring();
  Status transfer(blkif::Operation op, uint64_t sector, size_t count, uint8_t* buffer);
  Status transfer_locked(blkif::Operation op, uint64_t sector, size_t count, uint8_t* buffer,
                         block::IoStats& stats);
  Status submit_and_wait(blkif::Operation op, uint64_t sector, size_t sectors);
  Status wait_for(uint64_t id);
  Status lock();
  static void on_event(void* self) { sched::wake_all(static_cast<BlkFront*>(self)->waiters_); }

  sched::WaitQueue waiters_;
  bool event_bound_ = false;
  bool locked_ = false;

  const xenbus::Device* dev_;
  blkif::FrontRing ring_;
  uint64_t ring_phys_ = 0;
  xen::gnttab::Ref ring_ref_ = 0;
  uint32_t port_ = 0;
  uint64_t pool_phys_[blkif::kMaxSegments] = {};
  uint32_t pool_refs_[blkif::kMaxSegments] = {};
  uint64_t sectors_ = 0;
  bool read_only_ = false;
  bool flush_supported_ = false;
  bool persistent_ = false; // the back-end keeps our pool's grants mapped
  uint64_t next_id_ = 1;
  char name_[24] = {};
};

// The ring's grant, event channel and protocol, in one transaction.
Status BlkFront::publish_ring() {
  char ring_ref[16], port[16];
  klib::format(ring_ref, sizeof ring_ref, "%u", ring_ref_);
  klib::format(port, sizeof port, "%u", port_);
  // feature-persistent: we promise to use only the pool's grants, which never change, so a
  // back-end that offers it maps each once and keeps it (no map/unmap per request).
  const xenbus::Key keys[] = {{"ring-ref", ring_ref},
                              {"event-channel", port},
                              {"protocol", "x86_64-abi"},
                              {"feature-persistent", "1"}};
  return xenbus::write_keys(*dev_, keys, sizeof keys / sizeof keys[0]);
}

Status BlkFront::connect() {
  klib::format(name_, sizeof name_, "xen-vbd %u", dev_->id);
  TRY(xenbus::switch_state(*dev_, xenbus::kInitialising));
  // The back-end publishes its features in InitWait and waits for our ring.
  TRY(xenbus::wait_backend_state(*dev_, xenbus::kInitWait, kConnectTimeoutMs));
  ring_phys_ = mm::alloc_zeroed_page();
  if (!ring_phys_)
    return Err(-ENOMEM);
  ring_.init(static_cast<volatile uint8_t*>(mm::phys_to_virt(ring_phys_)));
  ring_ref_ = TRY(xen::gnttab::grant_access(dev_->backend_id, ring_phys_, false));
  for (size_t i = 0; i < blkif::kMaxSegments; ++i) {
    pool_phys_[i] = mm::alloc_page();
    if (!pool_phys_[i])
      return Err(-ENOMEM);
    pool_refs_[i] = TRY(xen::gnttab::grant_access(dev_->backend_id, pool_phys_[i], false));
  }
  port_ = TRY(xen::evtchn_alloc_unbound(dev_->backend_id));
  waiters_.interrupt_wakes = true;
  event_bound_ = xen::events::ready() && xen::events::bind(port_, on_event, this).ok();
  TRY(publish_ring());
  TRY(xenbus::switch_state(*dev_, xenbus::kInitialised));
  TRY(xenbus::wait_backend_state(*dev_, xenbus::kConnected, kConnectTimeoutMs));
  sectors_ = TRY(xenbus::backend_number(*dev_, "sectors"));
  auto sector_size = xenbus::backend_number(*dev_, "sector-size");
  if (sector_size && sector_size.value() != blkif::kSectorSize)
    return Err(-EOPNOTSUPP); // 4 KiB-sector disks: not handled
  auto info = xenbus::backend_number(*dev_, "info");
  read_only_ = info && (info.value() & 4); // VDISK_READONLY
  auto flush = xenbus::backend_number(*dev_, "feature-flush-cache");
  flush_supported_ = flush && flush.value() == 1;
  auto persistent = xenbus::backend_number(*dev_, "feature-persistent");
  persistent_ = persistent && persistent.value() == 1;
  TRY(xenbus::switch_state(*dev_, xenbus::kConnected));
  return status_ok();
}

Status BlkFront::submit_and_wait(blkif::Operation op, uint64_t sector, size_t sectors) {
  volatile blkif::Request* req = ring_.next_request();
  if (!req)
    return Err(-EBUSY); // one request at a time: cannot happen
  uint64_t id = next_id_++;
  req->operation = op;
  req->handle = static_cast<uint16_t>(dev_->id);
  req->pad = 0;
  req->id = id;
  req->sector_number = sector;
  if (sectors)
    blkif::fill_segments(req, pool_refs_, sectors);
  else
    req->nr_segments = 0;
  ring_.push();
  xen::notify(port_);
  return wait_for(id);
}

Status BlkFront::wait_for(uint64_t id) {
  bool sleep = g_interrupts_on && event_bound_;
  uint64_t start = cpu::rdtsc();
  uint64_t deadline = sleep ? ktime::monotonic_ns() + kConnectTimeoutNs : 0;
  for (;;) {
    const volatile blkif::Response* rsp = ring_.peek_response();
    if (rsp) {
      uint64_t rsp_id = rsp->id;
      int16_t status = rsp->status;
      ring_.consume();
      if (rsp_id != id)
        continue;
      if (status == blkif::kOkay)
        return status_ok();
      return Err(status == blkif::kNotSupported ? -EOPNOTSUPP : -EIO);
    }
    if (!sleep) {
      if (cpu::rdtsc() - start > kRequestCycles)
        return Err(-EIO);
      xen::sched_yield(); // the back-end runs in another domain
      continue;
    }
    // Interrupts are off in the kernel: a response that lands after the look above leaves
    // its event pending until the CPU idles, which then wakes us.
    uint64_t now = ktime::monotonic_ns();
    if (now > deadline) {
      kprintf("%s: no answer from the back-end for 60 s\n", name_);
      return Err(-EIO);
    }
    uint64_t slice_end = deadline - now > kSleepSliceNs ? now + kSleepSliceNs : deadline;
    if (sched::wait(waiters_, slice_end, name_) == -EINTR)
      sched::yield(); // a signal is pending: block I/O cannot be abandoned; let others run
  }
}

// One request at a time (the bounce pages are shared): later callers wait their turn.
Status BlkFront::lock() {
  while (locked_) {
    if (sched::wait(waiters_, ktime::monotonic_ns() + kSleepSliceNs, name_) == -EINTR)
      sched::yield();
  }
  locked_ = true;
  return status_ok();
}

Status BlkFront::transfer(blkif::Operation op, uint64_t sector, size_t count, uint8_t* buffer) {
  if (sector > sectors_ || count > sectors_ - sector)
    return Err(-EINVAL);
  block::IoStats& stats = op == blkif::kRead ? block::read_stats() : block::write_stats();
  TRY(lock());
  Status s = transfer_locked(op, sector, count, buffer, stats);
  locked_ = false;
  sched::wake_all(waiters_);
  return s;
}

Status BlkFront::transfer_locked(blkif::Operation op, uint64_t sector, size_t count,
                                 uint8_t* buffer, block::IoStats& stats) {
  uint64_t t0 = cpu::rdtsc();
  constexpr size_t kBatch = blkif::kMaxSegments * blkif::kSectorsPerPage;
  while (count) {
    size_t n = count < kBatch ? count : kBatch;
    size_t pages = (n + blkif::kSectorsPerPage - 1) / blkif::kSectorsPerPage;
    if (op == blkif::kWrite)
      for (size_t i = 0; i < pages; ++i) {
        size_t bytes = (i + 1 == pages ? n - i * blkif::kSectorsPerPage : blkif::kSectorsPerPage) *
                       blkif::kSectorSize;
        memcpy(mm::phys_to_virt(pool_phys_[i]), buffer + i * mm::kPageSize, bytes);
      }
    TRY(submit_and_wait(op, sector, n));
    if (op == blkif::kRead)
      for (size_t i = 0; i < pages; ++i) {
        size_t bytes = (i + 1 == pages ? n - i * blkif::kSectorsPerPage : blkif::kSectorsPerPage) *
                       blkif::kSectorSize;
        memcpy(buffer + i * mm::kPageSize, mm::phys_to_virt(pool_phys_[i]), bytes);
      }
    ++stats.requests;
    stats.sectors += n;
    sector += n;
    count -= n;
    buffer += n * blkif::kSectorSize;
  }
  stats.tsc += cpu::rdtsc() - t0;
  return status_ok();
}

Status BlkFront::flush() {
  if (!flush_supported_)
    return status_ok(); // the back-end writes through
  TRY(lock());
  Status s = submit_and_wait(blkif::kFlushDiskCache, 0, 0);
  locked_ = false;
  sched::wake_all(waiters_);
  return s;
}

Status probe(const drivers::FoundDevice& found) {
  auto* dev = static_cast<const xenbus::Device*>(found.bus_data);
  auto* disk = new BlkFront(dev);
  if (!disk)
    return Err(-ENOMEM);
  Status s = disk->connect();
  if (!s) {
    kprintf("blkfront: %s: cannot connect (%d)\n", dev->nodename, s.error());
    return s; // its pages and grants stay: a failed disk is not retried
  }
  block::register_disk(disk);
  if (boot::cmdline_has("core.devices"))
    kprintf("xen-blkfront: %s (back-end %s, domain %u), %lu sectors%s%s, %s\n", dev->nodename,
            dev->backend, dev->backend_id, static_cast<unsigned long>(disk->capacity_sectors()),
            disk->read_only() ? ", read-only" : "",
            disk->persistent_grants() ? ", persistent grants" : "",
            disk->interrupt_driven() ? "event channel upcall" : "polled");
  return status_ok();
}

} // namespace

// Called once the scheduler's timer works (devices.cc): from now on waiters sleep.
void blkfront_interrupts_on() {
  g_interrupts_on = true;
}

namespace {
const drivers::DeviceId kIds[] = {{drivers::Bus::kXenbus, drivers::kAnyId, xenbus::kVbd}};
} // namespace

const drivers::Driver blkfront_driver = {"xen-blkfront", kIds, 1, probe};

} // namespace xen_drivers
