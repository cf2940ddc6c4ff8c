// virtio-scsi (virtio 1.x §5.6) on the virtio core: the disk at LUN 0 of the first target
// that answers becomes a block::Device (Google Cloud's default disk interface; QEMU
// `-device virtio-scsi-pci -device scsi-hd`). READ(16)/WRITE(16) of up to 1 MiB, several
// in flight; SYNCHRONIZE CACHE(10) for flush; TEST UNIT READY and READ CAPACITY(16) at
// probe. Any SCSI error is -EIO.
#include "arch/x86_64/cpu.h"
#include "drivers/block.h"
#include "drivers/virtio/device.h"
#include "drivers/virtio/drivers.h"
#include "drivers/virtio/pipelined_transfer.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"

namespace virtio {
namespace {

// Queues (§5.6.2) and configuration offsets (§5.6.4).
enum : uint16_t { kControlQueue = 0, kEventQueue = 1, kRequestQueue = 2 };
enum : size_t { kCfgSenseSize = 20, kCfgCdbSize = 24, kCfgMaxTarget = 30, kCfgMaxSectors = 8 };
constexpr size_t kCdbSize = 32; // the defaults, which the device's config must show
constexpr size_t kSenseSize = 96;
constexpr size_t kMaxRequestSectors = 2048;
constexpr size_t kSlots = 16;
constexpr uint16_t kMaxTargetsProbed = 16;

// SCSI operation codes (SBC-3/SPC-4).
enum : uint8_t {
  kTestUnitReady = 0x00,
  kSynchronizeCache10 = 0x35,
  kRead16 = 0x88,
  kWrite16 = 0x8A,
  kServiceActionIn16 = 0x9E, // with service action 0x10: READ CAPACITY(16)
};

struct __attribute__((packed)) CommandHeader { // virtio_scsi_req_cmd, driver-written part
  uint8_t lun[8];
  uint64_t id;
  uint8_t task_attr, prio, crn;
  uint8_t cdb[kCdbSize];
};
struct CommandResponse { // device-written part
  uint32_t sense_len;
  uint32_t residual;
  uint16_t status_qualifier;
  uint8_t status;   // SCSI status: 0 GOOD
  uint8_t response; // virtio: 0 VIRTIO_SCSI_S_OK, 3 BAD_TARGET...
  uint8_t sense[kSenseSize];
};
static_assert(sizeof(CommandHeader) == 19 + kCdbSize);

struct Slot {
  CommandHeader header;
  CommandResponse response;
  bool busy, done;
  uint64_t submitted_tsc;
  size_t sectors;
};

void put_be(uint8_t* p, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i, v >>= 8)
    p[i] = static_cast<uint8_t>(v);
}
uint64_t get_be(const uint8_t* p, int bytes) {
  uint64_t v = 0;
  for (int i = 0; i < bytes; ++i)
    v = v << 8 | p[i];
  return v;
}

class ScsiDisk final : public block::Device {
public:
  ScsiDisk(virtio::Device* dev, Queue* queue, Slot* slots, size_t max_sectors)
      : dev_(dev), queue_(queue), slots_(slots), max_sectors_(max_sectors) {}

  // Finds a target whose LUN 0 is ready and reads its capacity.
  Status find_disk();

  Status read(uint64_t sector, size_t count, void* buffer) override {
    return transfer(false, sector, count, buffer);
  }
  Status write(uint64_t sector, size_t count, const void* buffer) override {
    return transfer(true, sector, count, const_cast<void*>(buffer));
  }
  Status flush() override;
  uint64_t capacity_sectors() const override { return capacity_; }
  bool read_only() const override { return false; }
  const char* name() const override { return "virtio-scsi"; }
  uint16_t target() const { return target_; }

private:
  // One command: `data` of `len` bytes, read by the device (to_device) or written by it.
  Slot* submit(const uint8_t* cdb, size_t cdb_len, void* data, uint32_t len, bool to_device);
  Status finish(Slot* s, block::IoStats* stats);
  Status command(const uint8_t* cdb, size_t cdb_len, void* data, uint32_t len, bool to_device);
  Status transfer(bool write, uint64_t sector, size_t count, void* buffer);
  Status transfer_locked(bool write, uint64_t sector, size_t count, void* buffer);
  Slot* free_slot();
  static bool can_submit(void* disk) {
    auto* d = static_cast<ScsiDisk*>(disk);
    return d->free_slot() && d->queue_->free_descriptors() >= d->queue_->descriptors_needed(3);
  }

  virtio::Device* dev_;
  Queue* queue_;
  Slot* slots_;
  size_t max_sectors_;
  uint16_t target_ = 0;
  uint64_t capacity_ = 0;
  uint64_t next_id_ = 1;
};

Slot* ScsiDisk::free_slot() {
  for (size_t i = 0; i < kSlots; ++i)
    if (!slots_[i].busy)
      return &slots_[i];
  return nullptr;
}

Slot* ScsiDisk::submit(const uint8_t* cdb, size_t cdb_len, void* data, uint32_t len,
                       bool to_device) {
  Slot* s = free_slot();
  if (!s || queue_->free_descriptors() < queue_->descriptors_needed(len ? 3 : 2))
    return nullptr;
  memset(&s->header, 0, sizeof(s->header));
  // Single-level LUN addressing (§5.6.6.1): 1, target, then LUN 0 in flat space.
  s->header.lun[0] = 1;
  s->header.lun[1] = static_cast<uint8_t>(target_);
  s->header.lun[2] = 0x40;
  s->header.id = next_id_++;
  memcpy(s->header.cdb, cdb, cdb_len);
  s->response.response = 0xFF;
  s->busy = true;
  s->done = false;
  s->sectors = len / block::kSectorSize;
  // Device-readable parts before device-writable ones (§2.7.4.2).
  Virtqueue::Segment seg[3];
  uint16_t n = 0;
  seg[n++] = {mm::virt_to_phys(&s->header), sizeof(CommandHeader), false};
  if (len && to_device)
    seg[n++] = {mm::virt_to_phys(data), len, false};
  seg[n++] = {mm::virt_to_phys(&s->response), sizeof(CommandResponse), true};
  if (len && !to_device)
    seg[n++] = {mm::virt_to_phys(data), len, true};
  if (!queue_->add(seg, n, s)) {
    s->busy = false;
    return nullptr;
  }
  s->submitted_tsc = cpu::rdtsc();
  return s;
}

Status ScsiDisk::finish(Slot* s, block::IoStats* stats) {
  Status waited = queue_->wait_until(slot_done<Slot>, s);
  if (stats) {
    ++stats->requests;
    stats->sectors += s->sectors;
    stats->tsc += cpu::rdtsc() - s->submitted_tsc;
  }
  if (!waited)
    return waited;
  s->busy = false;
  queue_->wake_waiters();
  return s->response.response == 0 && s->response.status == 0 ? status_ok() : Status(Err(-EIO));
}

Status ScsiDisk::command(const uint8_t* cdb, size_t cdb_len, void* data, uint32_t len,
                         bool to_device) {
  Slot* s;
  while (!(s = submit(cdb, cdb_len, data, len, to_device))) {
    Status w = queue_->wait_until(can_submit, this);
    if (!w)
      return w;
  }
  queue_->kick();
  return finish(s, nullptr);
}

Status ScsiDisk::find_disk() {
  uint16_t max_target = static_cast<uint16_t>(dev_->transport().config32(kCfgMaxTarget));
  auto* capacity = static_cast<uint8_t*>(kzalloc(32));
  if (!capacity)
    return Err(-ENOMEM);
  Status result = Err(-ENODEV);
  for (target_ = 0; target_ <= max_target && target_ < kMaxTargetsProbed; ++target_) {
    // The first command after reset reports UNIT ATTENTION: ask again a few times.
    const uint8_t tur[6] = {kTestUnitReady};
    Status ready = Err(-EIO);
    for (int attempt = 0; attempt < 3 && !ready; ++attempt)
      ready = command(tur, sizeof(tur), nullptr, 0, false);
    if (!ready)
      continue;
    uint8_t cdb[16] = {kServiceActionIn16, 0x10};
    put_be(cdb + 10, 32, 4); // allocation length
    if (!command(cdb, sizeof(cdb), capacity, 32, false))
      continue;
    uint64_t last_lba = get_be(capacity, 8);
    uint32_t block_bytes = static_cast<uint32_t>(get_be(capacity + 8, 4));
    if (block_bytes != block::kSectorSize) {
      kprintf("virtio-scsi: target %u: %u-byte blocks unsupported\n", target_, block_bytes);
      continue;
    }
    capacity_ = last_lba + 1;
    result = status_ok();
    break;
  }
  kfree(capacity);
  return result;
}

Status ScsiDisk::transfer(bool write, uint64_t sector, size_t count, void* buffer) {
  if (sector > capacity_ || count > capacity_ - sector)
    return Err(-EINVAL);
  if (!mm::is_physically_contiguous(buffer, count * block::kSectorSize))
    return Err(-EINVAL);
  Status locked = queue_->lock();
  if (!locked)
    return locked;
  Status s = transfer_locked(write, sector, count, buffer);
  queue_->unlock();
  return s;
}

Status ScsiDisk::transfer_locked(bool write, uint64_t sector, size_t count, void* buffer) {
  block::IoStats* stats = write ? &block::write_stats() : &block::read_stats();
  auto submit_rw = [&](uint64_t at, size_t n, uint8_t* data) {
    uint8_t cdb[16] = {write ? kWrite16 : kRead16};
    put_be(cdb + 2, at, 8);
    put_be(cdb + 10, n, 4);
    return submit(cdb, sizeof(cdb), data, static_cast<uint32_t>(n * block::kSectorSize), write);
  };
  return pipelined_transfer<kSlots, Slot>(
      *queue_, sector, count, static_cast<uint8_t*>(buffer), max_sectors_, block::kSectorSize,
      submit_rw, [&](Slot* slot) { return finish(slot, stats); }, can_submit, this);
}

Status ScsiDisk::flush() {
  Status locked = queue_->lock();
  if (!locked)
    return locked;
  const uint8_t cdb[10] = {kSynchronizeCache10};
  Status s = command(cdb, sizeof(cdb), nullptr, 0, false);
  queue_->unlock();
  return s;
}

void ignore_completion(void*, uint32_t) {}

Status probe(const drivers::FoundDevice& found) {
  auto dev = Device::start(found, kFeatureIndirectDesc | kFeatureEventIdx, "virtio-scsi");
  if (!dev)
    return Err(dev.error());
  Transport& t = (*dev)->transport();
  if (t.config32(kCfgCdbSize) != kCdbSize || t.config32(kCfgSenseSize) != kSenseSize)
    return (*dev)->fail(Err(-ENODEV));
  // The control and event queues exist on every device; we send nothing on them.
  auto control = (*dev)->add_queue(kControlQueue, 8, 1);
  auto events = control ? (*dev)->add_queue(kEventQueue, 8, 1) : control;
  auto requests = events ? (*dev)->add_queue(kRequestQueue, 128, 3) : events;
  if (!requests)
    return (*dev)->fail(Err(requests.error()));
  (*control)->set_completion(ignore_completion);
  (*events)->set_completion(ignore_completion);
  (*requests)->set_completion(mark_slot_done<Slot>);
  auto* slots = static_cast<Slot*>(kzalloc(sizeof(Slot) * kSlots));
  if (!slots)
    return (*dev)->fail(Err(-ENOMEM));
  size_t max_sectors = t.config32(kCfgMaxSectors);
  if (max_sectors == 0 || max_sectors > kMaxRequestSectors)
    max_sectors = kMaxRequestSectors;
  auto* disk = new ScsiDisk(*dev, *requests, slots, max_sectors);
  // DRIVER_OK before the first command (§3.1.1): the device may not use queues before.
  (*dev)->ready();
  Status found_disk = disk->find_disk();
  if (!found_disk) {
    kprintf("virtio-scsi: %s: no disk at LUN 0 of any target\n", t.location());
    return found_disk; // a controller without our disk: leave it be
  }
  char detail[64];
  klib::format(detail, sizeof(detail), "target %u lun 0, %lu sectors", disk->target(),
               static_cast<unsigned long>(disk->capacity_sectors()));
  (*dev)->describe(detail);
  block::register_disk(disk);
  return status_ok();
}

constexpr drivers::DeviceId kIds[] = {
    {drivers::Bus::kPci, 0x1AF4, 0x1004},
    {drivers::Bus::kPci, 0x1AF4, 0x1040 + kDeviceScsi},
    {drivers::Bus::kVirtioMmio, drivers::kAnyId, kDeviceScsi},
};

} // namespace

const drivers::Driver scsi_driver{"virtio-scsi", kIds, sizeof(kIds) / sizeof(kIds[0]), probe};

} // namespace virtio
