// virtio-blk (virtio 1.x §5.2) on the virtio core: a block::Device whose reads and writes
// are split into requests of up to 1 MiB, several in flight at once.
#include "arch/x86_64/cpu.h"
#include "drivers/block.h"
#include "drivers/virtio/device.h"
#include "drivers/virtio/drivers.h"
#include "drivers/virtio/pipelined_transfer.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "mm/heap.h"
#include "mm/layout.h"

namespace virtio {
namespace {

// Device features (§5.2.3).
constexpr uint64_t kBlkReadOnly = 1ull << 5;
constexpr uint64_t kBlkFlush = 1ull << 9;
// Request types (§5.2.6).
enum : uint32_t { kTypeIn = 0, kTypeOut = 1, kTypeFlush = 4 };
enum : uint8_t { kStatusOk = 0 };

// 1 MiB per request, one data descriptor (neither SIZE_MAX nor SEG_MAX is negotiated, and
// QEMU splits what it must). Up to kSlots requests in flight: the device works on the next
// while we take the previous one back.
constexpr size_t kMaxRequestSectors = 2048;
constexpr size_t kSlots = 16;

struct RequestHeader {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

// One request in flight; the device reads `header` and writes `status`.
struct Slot {
  RequestHeader header;
  uint8_t status;
  bool busy, done;
  uint64_t submitted_tsc;
  size_t sectors;
};

class BlkDisk final : public block::Device {
public:
  BlkDisk(virtio::Device* dev, Queue* queue, Slot* slots)
      : dev_(dev), queue_(queue), slots_(slots) {
    capacity_ = dev->transport().config64(0);
    read_only_ = dev->has(kBlkReadOnly);
    const char* kind = dev->transport().kind();
    // Keep the names the boot tests and messages know.
    if (kind[0] == 'p')
      name_ = kind[3] ? "virtio-blk (legacy)" : "virtio-blk";
    else
      name_ = kind[4] ? "virtio-blk (mmio, legacy)" : "virtio-blk (mmio)";
  }

  Status read(uint64_t sector, size_t count, void* buffer) override {
    return transfer(kTypeIn, sector, count, buffer);
  }
  Status write(uint64_t sector, size_t count, const void* buffer) override {
    if (read_only_)
      return Err(-EROFS);
    return transfer(kTypeOut, sector, count, const_cast<void*>(buffer));
  }
  Status flush() override;
  Status flush_locked();
  uint64_t capacity_sectors() const override { return capacity_; }
  bool read_only() const override { return read_only_; }
  const char* name() const override { return name_; }

private:
  Status transfer(uint32_t type, uint64_t sector, size_t count, void* buffer);
  Status transfer_locked(uint32_t type, uint64_t sector, size_t count, void* buffer);
  // Queues one request; nullptr when no slot or descriptors are free.
  Slot* submit(uint32_t type, uint64_t sector, size_t sectors, void* data);
  // Waits for `slot`, records its time, frees it; its status as a Status.
  Status finish(Slot* slot, block::IoStats* stats);
  Slot* free_slot();
  static bool can_submit(void* disk) {
    auto* d = static_cast<BlkDisk*>(disk);
    return d->free_slot() && d->queue_->free_descriptors() >= d->queue_->descriptors_needed(3);
  }

  virtio::Device* dev_;
  Queue* queue_;
  Slot* slots_;
  uint64_t capacity_ = 0;
  bool read_only_ = false;
  const char* name_ = nullptr;
};

Slot* BlkDisk::free_slot() {
  for (size_t i = 0; i < kSlots; ++i)
    if (!slots_[i].busy)
      return &slots_[i];
  return nullptr;
}

Slot* BlkDisk::submit(uint32_t type, uint64_t sector, size_t sectors, void* data) {
  Slot* s = free_slot();
  uint16_t segments = sectors ? 3 : 2;
  if (!s || queue_->free_descriptors() < queue_->descriptors_needed(segments))
    return nullptr;
  s->header = RequestHeader{type, 0, sector};
  s->status = 0xFF;
  s->busy = true;
  s->done = false;
  s->sectors = sectors;
  Virtqueue::Segment seg[3];
  uint16_t n = 0;
  seg[n++] = {mm::virt_to_phys(&s->header), sizeof(RequestHeader), false};
  if (sectors)
    seg[n++] = {mm::virt_to_phys(data), static_cast<uint32_t>(sectors * block::kSectorSize),
                type == kTypeIn};
  seg[n++] = {mm::virt_to_phys(&s->status), 1, true};
  if (!queue_->add(seg, n, s)) {
    s->busy = false;
    return nullptr;
  }
  s->submitted_tsc = cpu::rdtsc();
  return s;
}

Status BlkDisk::finish(Slot* s, block::IoStats* stats) {
  Status waited = queue_->wait_until(slot_done<Slot>, s);
  if (stats) {
    ++stats->requests;
    stats->sectors += s->sectors;
    stats->tsc += cpu::rdtsc() - s->submitted_tsc;
  }
  if (!waited)
    return waited; // the device is gone: the slot stays busy for good
  s->busy = false;
  queue_->wake_waiters(); // a thread may wait for a free slot (can_submit)
  return s->status == kStatusOk ? status_ok() : Status(Err(-EIO));
}

Status BlkDisk::transfer(uint32_t type, uint64_t sector, size_t count, void* buffer) {
  if (sector > capacity_ || count > capacity_ - sector)
    return Err(-EINVAL);
  if (!mm::is_physically_contiguous(buffer, count * block::kSectorSize))
    return Err(-EINVAL);
  Status locked = queue_->lock();
  if (!locked)
    return locked;
  Status s = transfer_locked(type, sector, count, buffer);
  queue_->unlock();
  return s;
}

Status BlkDisk::transfer_locked(uint32_t type, uint64_t sector, size_t count, void* buffer) {
  block::IoStats* stats = type == kTypeIn ? &block::read_stats() : &block::write_stats();
  return pipelined_transfer<kSlots, Slot>(
      *queue_, sector, count, static_cast<uint8_t*>(buffer), kMaxRequestSectors, block::kSectorSize,
      [&](uint64_t at, size_t n, uint8_t* data) { return submit(type, at, n, data); },
      [&](Slot* slot) { return finish(slot, stats); }, can_submit, this);
}

Status BlkDisk::flush() {
  if (!dev_->has(kBlkFlush))
    return status_ok();
  Status locked = queue_->lock();
  if (!locked)
    return locked;
  Status done = flush_locked();
  queue_->unlock();
  return done;
}

Status BlkDisk::flush_locked() {
  Slot* s;
  while (!(s = submit(kTypeFlush, 0, 0, nullptr))) {
    Status w = queue_->wait_until(can_submit, this);
    if (!w)
      return w;
  }
  queue_->kick();
  return finish(s, nullptr);
}

Status probe(const drivers::FoundDevice& found) {
  auto dev = Device::start(
      found, kBlkReadOnly | kBlkFlush | kFeatureIndirectDesc | kFeatureEventIdx, "virtio-blk");
  if (!dev)
    return Err(dev.error());
  auto queue = (*dev)->add_queue(0, 128, 3);
  if (!queue)
    return (*dev)->fail(Err(queue.error()));
  (*queue)->set_completion(mark_slot_done<Slot>);
  auto* slots = static_cast<Slot*>(kzalloc(sizeof(Slot) * kSlots));
  if (!slots)
    return (*dev)->fail(Err(-ENOMEM));
  auto* disk = new BlkDisk(*dev, *queue, slots);
  char detail[48];
  klib::format(detail, sizeof(detail), "%lu sectors%s",
               static_cast<unsigned long>(disk->capacity_sectors()),
               disk->read_only() ? ", read-only" : "");
  (*dev)->ready();
  (*dev)->describe(detail);
  block::register_disk(disk);
  return status_ok();
}

constexpr drivers::DeviceId kIds[] = {
    {drivers::Bus::kPci, 0x1AF4, 0x1001},
    {drivers::Bus::kPci, 0x1AF4, 0x1040 + kDeviceBlock},
    {drivers::Bus::kVirtioMmio, drivers::kAnyId, kDeviceBlock},
};

} // namespace

const drivers::Driver blk_driver{"virtio-blk", kIds, sizeof(kIds) / sizeof(kIds[0]), probe};

} // namespace virtio
