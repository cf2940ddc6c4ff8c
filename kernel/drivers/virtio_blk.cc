#include "drivers/virtio_blk.h"

#include "arch/x86_64/cpu.h"
#include "drivers/block.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"

namespace virtio_blk {
namespace {

constexpr uint16_t kVendor = 0x1AF4;
enum : uint8_t {
  kStatusAck = 1,
  kStatusDriver = 2,
  kStatusDriverOk = 4,
  kStatusFeaturesOk = 8,
  kStatusFailed = 0x80
};
enum : uint32_t { kBlkRo = 1u << 5, kBlkFlush = 1u << 9 };
enum : uint32_t { kReqIn = 0, kReqOut = 1, kReqFlush = 4 };
enum : uint16_t { kDescNext = 1, kDescWrite = 2 };
// 1 MiB per request: one descriptor (the driver negotiates neither SIZE_MAX nor SEG_MAX;
// QEMU splits large requests itself). Under emulation each request costs a notify exit
// and a polling loop, whatever its size.
constexpr size_t kMaxChunkSectors = 2048;

struct Desc {
  uint64_t addr;
  uint32_t len;
  uint16_t flags;
  uint16_t next;
};
struct RequestHeader {
  uint32_t type;
  uint32_t reserved;
  uint64_t sector;
};

inline void barrier() {
  asm volatile("" ::: "memory");
}
template <typename T> T mmio_read(volatile void* base, size_t off) {
  return *reinterpret_cast<volatile T*>(static_cast<volatile uint8_t*>(base) + off);
}
template <typename T> void mmio_write(volatile void* base, size_t off, T v) {
  *reinterpret_cast<volatile T*>(static_cast<volatile uint8_t*>(base) + off) = v;
}

// Common configuration structure offsets (virtio 1.0 §4.1.4.3).
enum : size_t {
  kDevFeatureSel = 0,
  kDevFeature = 4,
  kDrvFeatureSel = 8,
  kDrvFeature = 12,
  kDevStatus = 20,
  kQueueSel = 22,
  kQueueSize = 24,
  kQueueEnable = 28,
  kQueueNotifyOff = 30,
  kQueueDesc = 32,
  kQueueDriver = 40,
  kQueueDevice = 48,
};
// Legacy I/O registers.
enum : uint16_t {
  kLegHostFeatures = 0,
  kLegGuestFeatures = 4,
  kLegQueuePfn = 8,
  kLegQueueSize = 12,
  kLegQueueSel = 14,
  kLegQueueNotify = 16,
  kLegStatus = 18,
  kLegConfig = 20,
};

// virtio-mmio registers (virtio 1.0 §4.2.2; version 1 = legacy layout §4.2.4).
enum : size_t {
  kMmioMagic = 0x000,
  kMmioVersion = 0x004,
  kMmioDeviceId = 0x008,
  kMmioDevFeatures = 0x010,
  kMmioDevFeaturesSel = 0x014,
  kMmioDrvFeatures = 0x020,
  kMmioDrvFeaturesSel = 0x024,
  kMmioGuestPageSize = 0x028,
  kMmioQueueSel = 0x030,
  kMmioQueueNumMax = 0x034,
  kMmioQueueNum = 0x038,
  kMmioQueueAlign = 0x03C,
  kMmioQueuePfn = 0x040,
  kMmioQueueReady = 0x044,
  kMmioQueueNotify = 0x050,
  kMmioStatus = 0x070,
  kMmioQueueDescLow = 0x080,
  kMmioQueueDriverLow = 0x090,
  kMmioQueueDeviceLow = 0x0A0,
  kMmioConfig = 0x100,
};
constexpr uint32_t kMmioMagicValue = 0x74726976; // "virt"

class Disk final : public block::Device {
public:
  bool init_modern(const pci::Device& dev);
  bool init_legacy(const pci::Device& dev);
  bool init_mmio(volatile uint8_t* regs);

  Status read(uint64_t sector, size_t count, void* buffer) override {
    return transfer(kReqIn, sector, count, buffer);
  }
  Status write(uint64_t sector, size_t count, const void* buffer) override {
    if (read_only_)
      return Err(-EROFS);
    return transfer(kReqOut, sector, count, const_cast<void*>(buffer));
  }
  Status flush() override {
    if (!has_flush_)
      return status_ok();
    return submit(kReqFlush, 0, nullptr, 0);
  }
  uint64_t capacity_sectors() const override { return capacity_; }
  bool read_only() const override { return read_only_; }
  const char* name() const override {
    if (transport_ == Transport::kMmio)
      return mmio_version_ == 1 ? "virtio-blk (mmio, legacy)" : "virtio-blk (mmio)";
    return transport_ == Transport::kPciModern ? "virtio-blk" : "virtio-blk (legacy)";
  }

private:
  Status transfer(uint32_t type, uint64_t sector, size_t count, void* buffer);
  Status submit(uint32_t type, uint64_t sector, void* data, size_t len);
  bool setup_ring(uint16_t size);
  void set_status(uint8_t s) {
    switch (transport_) {
    case Transport::kPciModern:
      mmio_write<uint8_t>(common_, kDevStatus, s);
      break;
    case Transport::kPciLegacy:
      cpu::outb(static_cast<uint16_t>(io_ + kLegStatus), s);
      break;
    case Transport::kMmio:
      mmio_write<uint32_t>(mmio_, kMmioStatus, s);
      break;
    }
  }
  uint8_t status() const {
    switch (transport_) {
    case Transport::kPciModern:
      return mmio_read<uint8_t>(common_, kDevStatus);
    case Transport::kPciLegacy:
      return cpu::inb(static_cast<uint16_t>(io_ + kLegStatus));
    case Transport::kMmio:
      return static_cast<uint8_t>(mmio_read<uint32_t>(mmio_, kMmioStatus));
    }
    return 0;
  }
  // 64-bit fields as two 32-bit writes: QEMU's common config accepts at most 4 bytes.
  void write64(size_t off, uint64_t v) {
    mmio_write<uint32_t>(common_, off, static_cast<uint32_t>(v));
    mmio_write<uint32_t>(common_, off + 4, static_cast<uint32_t>(v >> 32));
  }
  void notify() {
    barrier();
    switch (transport_) {
    case Transport::kPciModern:
      mmio_write<uint16_t>(notify_, 0, 0);
      break;
    case Transport::kPciLegacy:
      cpu::outw(static_cast<uint16_t>(io_ + kLegQueueNotify), 0);
      break;
    case Transport::kMmio:
      mmio_write<uint32_t>(mmio_, kMmioQueueNotify, 0);
      break;
    }
  }

  enum class Transport { kPciModern, kPciLegacy, kMmio };
  Transport transport_ = Transport::kPciModern;
  volatile uint8_t* mmio_ = nullptr; // virtio-mmio registers
  uint32_t mmio_version_ = 0;
  volatile uint8_t* common_ = nullptr;
  volatile uint8_t* notify_ = nullptr; // this queue's notify address
  volatile uint8_t* device_cfg_ = nullptr;
  uint16_t io_ = 0;
  uint64_t capacity_ = 0;
  bool read_only_ = false;
  bool has_flush_ = false;

  uint16_t qsize_ = 0;
  uint64_t ring_phys_ = 0;
  size_t avail_off_ = 0, used_off_ = 0;
  Desc* desc_ = nullptr;
  volatile uint16_t* avail_ = nullptr; // flags, idx, ring[]
  volatile uint8_t* used_ = nullptr;   // flags, idx, ring[{id,len}]
  uint16_t avail_idx_ = 0;
  uint16_t last_used_ = 0;
  RequestHeader* header_ = nullptr; // kmalloc'd: header then status byte
  volatile uint8_t* status_byte_ = nullptr;
};

// Allocates the split virtqueue in physically contiguous pages, in the legacy layout
// (descriptors, available ring, used ring at the next page boundary) which also satisfies
// the modern transport's alignment rules.
bool Disk::setup_ring(uint16_t size) {
  qsize_ = size;
  size_t desc_bytes = 16u * size;
  size_t avail_bytes = 6u + 2u * size;
  size_t used_bytes = 6u + 8u * size;
  size_t used_off = mm::page_round_up(desc_bytes + avail_bytes);
  size_t total = used_off + mm::page_round_up(used_bytes);
  ring_phys_ = mm::alloc_pages(total / mm::kPageSize);
  if (!ring_phys_)
    return false;
  auto* base = static_cast<uint8_t*>(mm::phys_to_virt(ring_phys_));
  memset(base, 0, total);
  desc_ = reinterpret_cast<Desc*>(base);
  avail_ = reinterpret_cast<volatile uint16_t*>(base + desc_bytes);
  used_ = base + used_off;
  avail_off_ = desc_bytes;
  used_off_ = used_off;
  avail_[0] = 1; // VIRTQ_AVAIL_F_NO_INTERRUPT: we poll
  header_ = static_cast<RequestHeader*>(kzalloc(sizeof(RequestHeader) + 16));
  if (!header_)
    return false;
  status_byte_ = reinterpret_cast<volatile uint8_t*>(header_ + 1);
  return true;
}

bool Disk::init_modern(const pci::Device& dev) {
  transport_ = Transport::kPciModern;
  uint32_t notify_mult = 0;
  uint8_t cap = 0;
  volatile uint8_t* notify_base = nullptr;
  while ((cap = pci::find_capability(dev.addr, 0x09, cap)) != 0) {
    uint8_t type = pci::read8(dev.addr, static_cast<uint8_t>(cap + 3));
    uint8_t bar_index = pci::read8(dev.addr, static_cast<uint8_t>(cap + 4));
    uint32_t offset = pci::read32(dev.addr, static_cast<uint8_t>(cap + 8));
    uint32_t length = pci::read32(dev.addr, static_cast<uint8_t>(cap + 12));
    if (bar_index > 5 || (type != 1 && type != 2 && type != 4))
      continue;
    bool io = false;
    uint64_t bar = pci::bar_address(dev.addr, bar_index, &io);
    if (io || !bar)
      continue;
    auto* va = static_cast<volatile uint8_t*>(mm::map_mmio(bar + offset, length));
    if (type == 1 && !common_)
      common_ = va;
    if (type == 2 && !notify_base) {
      notify_base = va;
      notify_mult = pci::read32(dev.addr, static_cast<uint8_t>(cap + 16));
    }
    if (type == 4 && !device_cfg_)
      device_cfg_ = va;
  }
  if (!common_ || !notify_base || !device_cfg_)
    return false;

  set_status(0);
  for (int i = 0; i < 1000000 && status() != 0; ++i)
    cpu::pause();
  set_status(kStatusAck);
  set_status(kStatusAck | kStatusDriver);
  mmio_write<uint32_t>(common_, kDevFeatureSel, 0);
  uint32_t f0 = mmio_read<uint32_t>(common_, kDevFeature);
  mmio_write<uint32_t>(common_, kDevFeatureSel, 1);
  uint32_t f1 = mmio_read<uint32_t>(common_, kDevFeature);
  if (!(f1 & 1))
    return false; // VIRTIO_F_VERSION_1
  uint32_t accept0 = f0 & (kBlkRo | kBlkFlush);
  mmio_write<uint32_t>(common_, kDrvFeatureSel, 0);
  mmio_write<uint32_t>(common_, kDrvFeature, accept0);
  mmio_write<uint32_t>(common_, kDrvFeatureSel, 1);
  mmio_write<uint32_t>(common_, kDrvFeature, 1);
  set_status(kStatusAck | kStatusDriver | kStatusFeaturesOk);
  if (!(status() & kStatusFeaturesOk))
    return false;
  read_only_ = accept0 & kBlkRo;
  has_flush_ = accept0 & kBlkFlush;

  mmio_write<uint16_t>(common_, kQueueSel, 0);
  uint16_t max = mmio_read<uint16_t>(common_, kQueueSize);
  if (!max)
    return false;
  uint16_t size = max < 64 ? max : 64;
  mmio_write<uint16_t>(common_, kQueueSize, size);
  if (!setup_ring(size))
    return false;
  write64(kQueueDesc, ring_phys_);
  write64(kQueueDriver, ring_phys_ + avail_off_);
  write64(kQueueDevice, ring_phys_ + used_off_);
  uint16_t notify_off = mmio_read<uint16_t>(common_, kQueueNotifyOff);
  notify_ = notify_base + static_cast<size_t>(notify_off) * notify_mult;
  mmio_write<uint16_t>(common_, kQueueEnable, 1);
  set_status(kStatusAck | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
  capacity_ = mmio_read<uint32_t>(device_cfg_, 0) |
              (static_cast<uint64_t>(mmio_read<uint32_t>(device_cfg_, 4)) << 32);
  return true;
}

bool Disk::init_legacy(const pci::Device& dev) {
  transport_ = Transport::kPciLegacy;
  pci::Bar bar = pci::read_bar(dev.addr, 0);
  if (!bar.io || !bar.address)
    return false;
  io_ = static_cast<uint16_t>(bar.address);
  set_status(0);
  set_status(kStatusAck);
  set_status(kStatusAck | kStatusDriver);
  uint32_t f = cpu::inl(static_cast<uint16_t>(io_ + kLegHostFeatures));
  uint32_t accept = f & (kBlkRo | kBlkFlush);
  cpu::outl(static_cast<uint16_t>(io_ + kLegGuestFeatures), accept);
  read_only_ = accept & kBlkRo;
  has_flush_ = accept & kBlkFlush;
  cpu::outw(static_cast<uint16_t>(io_ + kLegQueueSel), 0);
  uint16_t size = cpu::inw(static_cast<uint16_t>(io_ + kLegQueueSize)); // fixed by the device
  if (!size || !setup_ring(size))
    return false;
  cpu::outl(static_cast<uint16_t>(io_ + kLegQueuePfn), static_cast<uint32_t>(ring_phys_ >> 12));
  set_status(kStatusAck | kStatusDriver | kStatusDriverOk);
  capacity_ = cpu::inl(static_cast<uint16_t>(io_ + kLegConfig)) |
              (static_cast<uint64_t>(cpu::inl(static_cast<uint16_t>(io_ + kLegConfig + 4))) << 32);
  return true;
}

bool Disk::init_mmio(volatile uint8_t* regs) {
  transport_ = Transport::kMmio;
  mmio_ = regs;
  mmio_version_ = mmio_read<uint32_t>(mmio_, kMmioVersion);
  if (mmio_version_ != 1 && mmio_version_ != 2)
    return false;
  auto rd = [this](size_t off) { return mmio_read<uint32_t>(mmio_, off); };
  auto wr = [this](size_t off, uint32_t v) { mmio_write<uint32_t>(mmio_, off, v); };
  set_status(0);
  set_status(kStatusAck);
  set_status(kStatusAck | kStatusDriver);
  wr(kMmioDevFeaturesSel, 0);
  uint32_t f0 = rd(kMmioDevFeatures);
  uint32_t accept0 = f0 & (kBlkRo | kBlkFlush);
  wr(kMmioDrvFeaturesSel, 0);
  wr(kMmioDrvFeatures, accept0);
  if (mmio_version_ == 2) {
    wr(kMmioDevFeaturesSel, 1);
    if (!(rd(kMmioDevFeatures) & 1)) // VIRTIO_F_VERSION_1
      return false;
    wr(kMmioDrvFeaturesSel, 1);
    wr(kMmioDrvFeatures, 1);
    set_status(kStatusAck | kStatusDriver | kStatusFeaturesOk);
    if (!(status() & kStatusFeaturesOk))
      return false;
  } else {
    wr(kMmioGuestPageSize, static_cast<uint32_t>(mm::kPageSize));
  }
  read_only_ = accept0 & kBlkRo;
  has_flush_ = accept0 & kBlkFlush;
  wr(kMmioQueueSel, 0);
  uint32_t max = rd(kMmioQueueNumMax);
  if (!max)
    return false;
  uint16_t size = static_cast<uint16_t>(max < 64 ? max : 64);
  wr(kMmioQueueNum, size);
  if (!setup_ring(size))
    return false;
  if (mmio_version_ == 1) {
    wr(kMmioQueueAlign, static_cast<uint32_t>(mm::kPageSize));
    wr(kMmioQueuePfn, static_cast<uint32_t>(ring_phys_ >> 12));
    set_status(kStatusAck | kStatusDriver | kStatusDriverOk);
  } else {
    auto wr64 = [&wr](size_t off, uint64_t v) {
      wr(off, static_cast<uint32_t>(v));
      wr(off + 4, static_cast<uint32_t>(v >> 32));
    };
    wr64(kMmioQueueDescLow, ring_phys_);
    wr64(kMmioQueueDriverLow, ring_phys_ + avail_off_);
    wr64(kMmioQueueDeviceLow, ring_phys_ + used_off_);
    wr(kMmioQueueReady, 1);
    set_status(kStatusAck | kStatusDriver | kStatusFeaturesOk | kStatusDriverOk);
  }
  capacity_ = rd(kMmioConfig) | (static_cast<uint64_t>(rd(kMmioConfig + 4)) << 32);
  return true;
}

Status Disk::submit(uint32_t type, uint64_t sector, void* data, size_t len) {
  header_->type = type;
  header_->reserved = 0;
  header_->sector = sector;
  *status_byte_ = 0xFF;
  uint16_t n = 0;
  desc_[n] = Desc{mm::virt_to_phys(header_), sizeof(RequestHeader), kDescNext, 1};
  ++n;
  if (len) {
    desc_[n] = Desc{mm::virt_to_phys(data), static_cast<uint32_t>(len),
                    static_cast<uint16_t>(kDescNext | (type == kReqIn ? kDescWrite : 0)),
                    static_cast<uint16_t>(n + 1)};
    ++n;
  } else {
    desc_[0].next = 1;
  }
  desc_[n] = Desc{mm::virt_to_phys(const_cast<uint8_t*>(status_byte_)), 1, kDescWrite, 0};
  avail_[2 + avail_idx_ % qsize_] = 0; // chain head
  barrier();
  ++avail_idx_;
  avail_[1] = avail_idx_;
  notify();
  auto used_idx = [this] { return *reinterpret_cast<volatile uint16_t*>(used_ + 2); };
  uint64_t start = cpu::rdtsc();
  while (used_idx() == last_used_) {
    cpu::pause();
    if (cpu::rdtsc() - start > (1ull << 36)) { // tens of seconds at any plausible TSC rate
      kprintf("virtio-blk: request timed out\n");
      return Err(-EIO);
    }
  }
  barrier();
  ++last_used_;
  return *status_byte_ == 0 ? status_ok() : Status(Err(-EIO));
}

// Kernel memory only: the direct map and the kernel image are physically contiguous.
bool dma_ok(const void* p, size_t len) {
  auto v = reinterpret_cast<uint64_t>(p);
  return (v >= mm::kDirectMapBase && v + len <= mm::kMmioBase) || v >= mm::kKernelBase;
}

Status Disk::transfer(uint32_t type, uint64_t sector, size_t count, void* buffer) {
  if (sector > capacity_ || count > capacity_ - sector)
    return Err(-EINVAL);
  if (!dma_ok(buffer, count * block::kSectorSize))
    return Err(-EINVAL);
  auto* p = static_cast<uint8_t*>(buffer);
  block::IoStats& stats = type == kReqIn ? block::read_stats() : block::write_stats();
  while (count) {
    size_t n = count < kMaxChunkSectors ? count : kMaxChunkSectors;
    uint64_t t0 = cpu::rdtsc();
    Status s = submit(type, sector, p, n * block::kSectorSize);
    ++stats.requests;
    stats.sectors += n;
    stats.tsc += cpu::rdtsc() - t0;
    if (!s)
      return s;
    sector += n;
    count -= n;
    p += n * block::kSectorSize;
  }
  return status_ok();
}

} // namespace

bool matches(const pci::Device& dev) {
  return dev.vendor == kVendor && (dev.device_id == 0x1001 || dev.device_id == 0x1042);
}

void probe(const pci::Device& dev) {
  pci::enable_device(dev.addr);
  auto* disk = new Disk;
  bool ok = disk->init_modern(dev);
  if (!ok && dev.device_id == 0x1001) {
    delete disk;
    disk = new Disk;
    ok = disk->init_legacy(dev);
  }
  if (!ok) {
    kprintf("virtio-blk %02x:%02x.%x: initialisation failed\n", dev.addr.bus, dev.addr.device,
            dev.addr.function);
    delete disk;
    return;
  }
  block::register_disk(disk);
}

bool probe_mmio(uint64_t phys) {
  auto* regs = static_cast<volatile uint8_t*>(mm::map_mmio(phys, 0x200));
  if (mmio_read<uint32_t>(regs, kMmioMagic) != kMmioMagicValue ||
      mmio_read<uint32_t>(regs, kMmioDeviceId) != 2)
    return false;
  auto* disk = new Disk;
  if (!disk->init_mmio(regs)) {
    kprintf("virtio-blk (mmio) at %#lx: initialisation failed\n", static_cast<unsigned long>(phys));
    delete disk;
    return false;
  }
  block::register_disk(disk);
  return true;
}

} // namespace virtio_blk
