// QEMU's fw_cfg device, read by the boot loaders (stage2, the UEFI loader) for one fact:
// whether the file opt/nanos/verbose exists (nanos-run --verbose adds it), which turns on
// their progress lines. Consoles are
// quiet by default; errors are always printed.
//
// The file directory is read with fw_cfg's DMA interface, one request per 64-byte entry: a
// byte-wise read of the directory through the data port would cost ~1000 port reads, each a
// VM exit under KVM. Without fw_cfg (Xen, other hypervisors, real hardware) or without DMA
// (QEMU < 2.9) the answer is simply "not verbose".
#include "stage2.h"

namespace {
constexpr uint16_t kSelectorPort = 0x510;
constexpr uint16_t kDataPort = 0x511;
constexpr uint16_t kDmaAddressHighPort = 0x514; // big-endian halves; writing the low one
constexpr uint16_t kDmaAddressLowPort = 0x518;  // starts the transfer
constexpr uint16_t kKeySignature = 0x0000;
constexpr uint16_t kKeyFeatures = 0x0001;
constexpr uint16_t kKeyFileDirectory = 0x0019;
constexpr uint32_t kFeatureDma = 1u << 1;
constexpr uint32_t kDmaError = 1u << 0;
constexpr uint32_t kDmaRead = 1u << 1;
constexpr uint32_t kDmaSelect = 1u << 3;
constexpr char kVerboseFile[] = "opt/nanos/verbose";

// One directory entry as the device sends it (multi-byte fields big-endian).
struct FileEntry {
  uint32_t size;
  uint16_t select;
  uint16_t reserved;
  char name[56];
};
static_assert(sizeof(FileEntry) == 64);

// A DMA request (all fields big-endian); the device clears `control` when it is done.
struct DmaRequest {
  uint32_t control;
  uint32_t length;
  uint64_t address;
};

inline void outw(uint16_t port, uint16_t v) {
  asm volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
inline void outl(uint16_t port, uint32_t v) {
  asm volatile("outl %0, %1" : : "a"(v), "Nd"(port) : "memory");
}
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

uint32_t read_le32(uint16_t key) {
  outw(kSelectorPort, key);
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i)
    v |= static_cast<uint32_t>(inb(kDataPort)) << (8 * i);
  return v;
}

// Reads `length` bytes of the selected item (after selecting `key` when select is true)
// into dst. Both loaders run with identity addressing, so pointers are physical addresses.
bool dma_read(uint16_t key, bool select, void* dst, uint32_t length) {
  static volatile DmaRequest request;
  uint32_t control = kDmaRead | (select ? (static_cast<uint32_t>(key) << 16) | kDmaSelect : 0);
  request.control = __builtin_bswap32(control);
  request.length = __builtin_bswap32(length);
  request.address = __builtin_bswap64(reinterpret_cast<uintptr_t>(dst));
  uint64_t at = reinterpret_cast<uintptr_t>(&request);
  outl(kDmaAddressHighPort, __builtin_bswap32(static_cast<uint32_t>(at >> 32)));
  outl(kDmaAddressLowPort, __builtin_bswap32(static_cast<uint32_t>(at)));
  uint32_t left;
  while ((left = __builtin_bswap32(request.control)) & ~kDmaError) { // QEMU: already done
  }
  return !(left & kDmaError);
}

bool name_is(const char* name, const char* wanted) {
  for (size_t i = 0; i < sizeof FileEntry::name; ++i) {
    if (name[i] != wanted[i])
      return false;
    if (!name[i])
      return true;
  }
  return false;
}
} // namespace

namespace stage2 {

bool fw_cfg_verbose() {
  if (read_le32(kKeySignature) != 0x554D4551) // "QEMU"
    return false;
  if (!(read_le32(kKeyFeatures) & kFeatureDma))
    return false;
  uint32_t count;
  if (!dma_read(kKeyFileDirectory, true, &count, sizeof count))
    return false;
  count = __builtin_bswap32(count);
  FileEntry entry;
  for (uint32_t i = 0; i < count && i < 1024; ++i) {
    if (!dma_read(0, false, &entry, sizeof entry))
      return false;
    if (name_is(entry.name, kVerboseFile))
      return true;
  }
  return false;
}

} // namespace stage2
