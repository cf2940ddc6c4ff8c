// An NVMe namespace as a block::Device: READ, WRITE and FLUSH on I/O queue pair 1, a transfer
// split into commands of up to 1 MiB (less if the controller's MDTS says so), up to kSlots of
// them in flight. Each slot owns a PRP list page, so a command never waits for list memory.
//
// Waiting: until interrupts_on() (the LAPIC timer works) requests are polled, as the virtio
// drivers do at boot; from then on a waiter polls for 30 us and then sleeps until the I/O
// completion queue's MSI-X message, in 20 ms slices (a late or lost interrupt costs a slice,
// not the request). A controller without MSI-X stays polled: its pin interrupt would need
// INTMS/INTMC masking around every wait, and the controllers this driver is for (QEMU's
// `nvme`, AWS Nitro) all have MSI-X.
#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/time.h"
#include "drivers/block.h"
#include "drivers/nvme/controller.h"
#include "drivers/nvme/nvme.h"
#include "drivers/nvme/prp.h"
#include "drivers/nvme/status.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/vm.h"
#include "sched/thread.h"
#include "sched/wait.h"

namespace nvme {
namespace {

constexpr size_t kSlots = 16;
constexpr uint16_t kIoQueueEntries = 64; // more than kSlots: the submission ring never fills
constexpr size_t kMaxCommandBytes = 1u << 20;
constexpr uint64_t kRequestTimeoutNs = 60'000'000'000ull;
constexpr uint64_t kSpinBeforeSleepNs = 30'000;
constexpr uint64_t kSleepSliceNs = 20'000'000;
bool g_interrupts_on = false;

// One command in flight; its command identifier is its index.
struct Slot {
  bool busy, done;
  uint16_t status_word;
  size_t sectors;
  uint64_t* prp_list;
  uint64_t prp_list_phys;
};

class NvmeDisk final : public block::Device {
public:
  NvmeDisk(Controller* c, Slot* slots, unsigned index);

  Status read(uint64_t sector, size_t count, void* buffer) override {
    return transfer(kNvmRead, sector, count, static_cast<uint8_t*>(buffer));
  }
  Status write(uint64_t sector, size_t count, const void* buffer) override {
    if (read_only())
      return Err(-EROFS);
    return transfer(kNvmWrite, sector, count, static_cast<uint8_t*>(const_cast<void*>(buffer)));
  }
  Status flush() override;
  uint64_t capacity_sectors() const override { return ctrl_->ns().blocks; }
  bool read_only() const override { return ctrl_->ns().write_protected; }
  const char* name() const override { return name_; }

  void enable_interrupts();
  void describe() const;

private:
  Status transfer(NvmOpcode op, uint64_t sector, size_t count, uint8_t* buffer);
  Status transfer_locked(NvmOpcode op, uint64_t sector, size_t count, uint8_t* buffer);
  Slot* free_slot();
  // Puts `e` on the ring as `slot`'s command (the caller rings the doorbell); false when the
  // ring is full.
  bool submit(Slot* slot, const SubmissionEntry& e, size_t sectors);
  // A READ or WRITE in a free slot; nullptr when every slot is busy.
  ErrorOr<Slot*> submit_transfer(NvmOpcode op, uint64_t sector, size_t sectors, uint8_t* data);
  // Takes every completion the controller posted, marking its slot done.
  void reap();
  bool any_done() const;
  // Waits until some slot in flight is done; -EIO after a minute of silence.
  Status wait_for_completion();
  // Frees every done slot, adding to `stats`; the first error among them (0 if none).
  int collect(block::IoStats* stats, size_t* in_flight);
  Status lock();
  void unlock();
  static void on_interrupt(void* self) { sched::wake_all(static_cast<NvmeDisk*>(self)->waiters_); }

  Controller* ctrl_;
  Slot* slots_;
  size_t max_command_sectors_;
  bool locked_ = false;
  bool interrupts_ = false;
  uint8_t vector_ = 0;
  sched::WaitQueue waiters_;
  char name_[16] = {};
};

constexpr size_t kMaxDisks = 8;
NvmeDisk* g_disks[kMaxDisks];
size_t g_disk_count = 0;

NvmeDisk::NvmeDisk(Controller* c, Slot* slots, unsigned index) : ctrl_(c), slots_(slots) {
  size_t bytes = kMaxCommandBytes;
  uint64_t mdts = c->info().max_transfer_bytes;
  if (mdts && mdts < bytes)
    bytes = mdts;
  max_command_sectors_ = bytes / block::kSectorSize;
  klib::format(name_, sizeof name_, "nvme%un%u", index, c->nsid());
}

void NvmeDisk::describe() const {
  const pci::Address& a = ctrl_->pci().addr;
  kprintf("nvme: pci %02x:%02x.%x, %s (serial %s), namespace %u, %lu sectors%s%s, %s\n", a.bus,
          a.device, a.function, ctrl_->info().model, ctrl_->info().serial, ctrl_->nsid(),
          static_cast<unsigned long>(capacity_sectors()), read_only() ? ", read-only" : "",
          ctrl_->info().volatile_write_cache ? ", write cache" : "",
          ctrl_->has_msix() ? "MSI-X once the timer runs" : "polled (no MSI-X)");
}

void NvmeDisk::enable_interrupts() {
  const pci::Address& a = ctrl_->pci().addr;
  if (!ctrl_->has_msix())
    return;
  auto vector = irq::allocate(on_interrupt, this, "nvme");
  if (!vector) {
    kprintf("%s: no interrupt vector; polling\n", name_);
    return;
  }
  // Table entry 0: the I/O completion queue was created with interrupt vector 0.
  if (!pci::enable_msix(a, 0, *vector)) {
    irq::release(*vector);
    kprintf("%s: MSI-X refused; polling\n", name_);
    return;
  }
  vector_ = *vector;
  waiters_.interrupt_wakes = true; // a sleeping request is not a deadlock
  interrupts_ = true;
  if (boot::cmdline_has("core.devices"))
    kprintf("%s: MSI-X vector %u\n", name_, vector_);
}

void NvmeDisk::reap() {
  CompletionEntry e{};
  while (ctrl_->io().take(&e)) {
    if (e.command_id >= kSlots || !slots_[e.command_id].busy)
      continue; // not ours: ignore rather than corrupt a slot
    Slot& s = slots_[e.command_id];
    s.status_word = e.status;
    s.done = true;
  }
}

bool NvmeDisk::any_done() const {
  for (size_t i = 0; i < kSlots; ++i)
    if (slots_[i].busy && slots_[i].done)
      return true;
  return false;
}

Status NvmeDisk::wait_for_completion() {
  bool sleep = g_interrupts_on && interrupts_;
  uint64_t start = 0, deadline = 0;
  for (;;) {
    reap();
    if (any_done())
      return status_ok();
    uint64_t now = ktime::monotonic_ns();
    if (!start) {
      start = now;
      deadline = now + kRequestTimeoutNs;
    }
    if (now > deadline) {
      kprintf("%s: no answer from the controller for 60 s\n", name_);
      return Err(-EIO);
    }
    if (!sleep || now - start < kSpinBeforeSleepNs) {
      cpu::pause(); // the host serves most requests within microseconds
      continue;
    }
    // Interrupts are off in the kernel: a completion posted after reap() leaves its message
    // pending until the CPU idles, which then wakes us.
    uint64_t slice_end = deadline - now > kSleepSliceNs ? now + kSleepSliceNs : deadline;
    if (sched::wait(waiters_, slice_end, name_) == -EINTR)
      sched::yield(); // a signal is pending: block I/O cannot be abandoned; let others run
  }
}

Slot* NvmeDisk::free_slot() {
  for (size_t i = 0; i < kSlots; ++i)
    if (!slots_[i].busy)
      return &slots_[i];
  return nullptr;
}

bool NvmeDisk::submit(Slot* slot, const SubmissionEntry& e, size_t sectors) {
  auto id = static_cast<uint16_t>(slot - slots_);
  if (!ctrl_->io().submit(with_command_id(e, id)))
    return false;
  slot->busy = true;
  slot->done = false;
  slot->sectors = sectors;
  return true;
}

ErrorOr<Slot*> NvmeDisk::submit_transfer(NvmOpcode op, uint64_t sector, size_t sectors,
                                         uint8_t* data) {
  Slot* slot = free_slot();
  if (!slot)
    return slot;
  Prps prps = TRY(build_prps(mm::virt_to_phys(data), sectors * block::kSectorSize, slot->prp_list,
                             slot->prp_list_phys));
  SubmissionEntry e =
      read_write(op, ctrl_->nsid(), sector, static_cast<uint32_t>(sectors), prps.prp1, prps.prp2);
  if (!submit(slot, e, sectors))
    return static_cast<Slot*>(nullptr);
  return slot;
}

int NvmeDisk::collect(block::IoStats* stats, size_t* in_flight) {
  int first_error = 0;
  for (size_t i = 0; i < kSlots; ++i) {
    Slot& s = slots_[i];
    if (!s.busy || !s.done)
      continue;
    s.busy = false;
    --*in_flight;
    if (stats) {
      ++stats->requests;
      stats->sectors += s.sectors;
    }
    CompletionStatus status = decode_status(s.status_word);
    int err = status_errno(status);
    if (err && !first_error) {
      kprintf("%s: command failed: status type %u code 0x%02x\n", name_, status.type, status.code);
      first_error = err;
    }
  }
  return first_error;
}

Status NvmeDisk::transfer(NvmOpcode op, uint64_t sector, size_t count, uint8_t* buffer) {
  uint64_t capacity = capacity_sectors();
  if (sector > capacity || count > capacity - sector)
    return Err(-EINVAL);
  if (!mm::is_physically_contiguous(buffer, count * block::kSectorSize))
    return Err(-EINVAL);
  if (count == 0)
    return status_ok();
  TRY(lock());
  Status s = transfer_locked(op, sector, count, buffer);
  unlock();
  return s;
}

Status NvmeDisk::transfer_locked(NvmOpcode op, uint64_t sector, size_t count, uint8_t* buffer) {
  block::IoStats* stats = op == kNvmRead ? &block::read_stats() : &block::write_stats();
  uint64_t t0 = cpu::rdtsc();
  size_t in_flight = 0;
  int first_error = 0;
  while (count || in_flight) {
    bool submitted = false;
    while (count && !first_error) {
      size_t n = count < max_command_sectors_ ? count : max_command_sectors_;
      auto slot = submit_transfer(op, sector, n, buffer);
      if (!slot) {
        first_error = slot.error();
        break;
      }
      if (!*slot)
        break; // every slot busy: take completions first
      ++in_flight;
      submitted = true;
      sector += n;
      count -= n;
      buffer += n * block::kSectorSize;
    }
    if (first_error)
      count = 0; // submit nothing more; take back what is in flight
    if (submitted)
      ctrl_->io().ring();
    if (!in_flight)
      break;
    TRY(wait_for_completion()); // on failure the slots stay busy: the controller is lost
    int err = collect(stats, &in_flight);
    if (err && !first_error)
      first_error = err;
  }
  stats->tsc += cpu::rdtsc() - t0;
  if (first_error)
    return Err(first_error);
  return status_ok();
}

Status NvmeDisk::flush() {
  if (!ctrl_->info().volatile_write_cache)
    return status_ok(); // nothing is held back: every completed write is on the medium
  TRY(lock());
  Status result = status_ok();
  Slot* slot = free_slot();
  if (slot && submit(slot, nvme::flush(ctrl_->nsid()), 0)) {
    ctrl_->io().ring();
    size_t in_flight = 1;
    result = wait_for_completion();
    if (result) {
      int err = collect(nullptr, &in_flight);
      if (err)
        result = Err(err);
    }
  } else {
    result = Err(-EBUSY); // the lock is held and nothing is in flight: cannot happen
  }
  unlock();
  return result;
}

// One transfer at a time (its slots, and the ring's order): later callers wait their turn.
Status NvmeDisk::lock() {
  while (locked_) {
    if (sched::wait(waiters_, ktime::monotonic_ns() + kSleepSliceNs, name_) == -EINTR)
      sched::yield();
  }
  locked_ = true;
  return status_ok();
}

void NvmeDisk::unlock() {
  locked_ = false;
  sched::wake_all(waiters_);
}

ErrorOr<Slot*> make_slots() {
  auto* slots = static_cast<Slot*>(kzalloc(sizeof(Slot) * kSlots));
  if (!slots)
    return Err(-ENOMEM);
  for (size_t i = 0; i < kSlots; ++i) {
    slots[i].prp_list_phys = mm::alloc_page(); // written before each use
    if (!slots[i].prp_list_phys)
      return Err(-ENOMEM);
    slots[i].prp_list = static_cast<uint64_t*>(mm::phys_to_virt(slots[i].prp_list_phys));
  }
  return slots;
}

Status probe(const drivers::FoundDevice& found) {
  auto* pci = static_cast<const pci::Device*>(found.bus_data);
  // NVM Express: mass storage (01h), non-volatile memory controller (08h), NVMe (02h).
  if (pci->class_code != 0x01 || pci->subclass != 0x08 || pci->prog_if != 0x02)
    return Err(-ENODEV);
  if (g_disk_count == kMaxDisks)
    return Err(-ENOSPC);
  Controller* c = TRY(Controller::open(*pci));
  Status s = c->identify();
  if (!s) {
    kprintf("nvme: identify failed (%d)\n", s.error());
    return s;
  }
  if (c->ns().block_size != block::kSectorSize || c->ns().metadata_size != 0) {
    kprintf("nvme: namespace %u has %u-byte blocks with %u bytes of metadata; only 512-byte "
            "blocks without metadata are supported\n",
            c->nsid(), c->ns().block_size, c->ns().metadata_size);
    return Err(-EOPNOTSUPP);
  }
  TRY(c->create_io_queues(kIoQueueEntries, c->has_msix()));
  Slot* slots = TRY(make_slots());
  auto* disk = new NvmeDisk(c, slots, static_cast<unsigned>(g_disk_count));
  if (!disk)
    return Err(-ENOMEM);
  g_disks[g_disk_count++] = disk;
  block::register_disk(disk);
  if (boot::cmdline_has("core.devices"))
    disk->describe();
  return status_ok();
}

// Any PCI function: NVMe is recognised by its class code, not by vendor and device IDs.
constexpr drivers::DeviceId kIds[] = {{drivers::Bus::kPci, drivers::kAnyId, drivers::kAnyId}};

} // namespace

void interrupts_on() {
  g_interrupts_on = true;
  for (size_t i = 0; i < g_disk_count; ++i)
    g_disks[i]->enable_interrupts();
}

const drivers::Driver driver{"nvme", kIds, 1, probe};

} // namespace nvme
