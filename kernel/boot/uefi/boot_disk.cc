// Finding the disk BOOTX64.EFI came from, and sector reads through its Block I/O protocol.
#include "loader.h"
#include "stage2.h"

namespace uefi_boot {
namespace {

uint16_t node_length(const efi::DevicePathNode* node) {
  return static_cast<uint16_t>(node->length[0] | node->length[1] << 8);
}

bool is_end(const efi::DevicePathNode* node) {
  return node->type == efi::kDevicePathEndType && node->subtype == efi::kDevicePathEndEntire;
}

// A copy of the device path up to (not including) its last hard-drive (partition) node,
// closed by an end node; nullptr when the path has no such node.
efi::DevicePathNode* parent_disk_path(const efi::DevicePathNode* path) {
  const auto* bytes = reinterpret_cast<const uint8_t*>(path);
  size_t offset = 0, partition_at = 0;
  bool found = false;
  for (const efi::DevicePathNode* node = path; !is_end(node);) {
    uint16_t length = node_length(node);
    if (length < sizeof(efi::DevicePathNode) || offset > 4096)
      stage2::fail("the boot device has a malformed device path");
    if (node->type == efi::kDevicePathMediaType && node->subtype == efi::kDevicePathHardDrive) {
      partition_at = offset;
      found = true;
    }
    offset += length;
    node = reinterpret_cast<const efi::DevicePathNode*>(bytes + offset);
  }
  if (!found)
    return nullptr;
  auto* copy = static_cast<uint8_t*>(memory_alloc(nullptr, partition_at + 4, 8));
  memcpy(copy, bytes, partition_at);
  auto* end = reinterpret_cast<efi::DevicePathNode*>(copy + partition_at);
  *end = {efi::kDevicePathEndType, efi::kDevicePathEndEntire, {4, 0}};
  return reinterpret_cast<efi::DevicePathNode*>(copy);
}

efi::BlockIo* block_io_of(efi::Handle handle) {
  void* block_io = nullptr;
  if (efi::failed(boot_services()->handle_protocol(handle, &efi::kBlockIoGuid, &block_io)))
    return nullptr;
  return static_cast<efi::BlockIo*>(block_io);
}

// Block I/O buffers must be aligned to the device's IoAlign; reads into other buffers go
// through this page-aligned bounce buffer.
constexpr uint32_t kBounceSectors = 128;
uint8_t* g_bounce;

} // namespace

efi::BlockIo* find_boot_disk(efi::Handle image) {
  void* loaded = nullptr;
  if (efi::failed(boot_services()->handle_protocol(image, &efi::kLoadedImageGuid, &loaded)))
    stage2::fail("no Loaded Image protocol on our own image");
  efi::Handle device = static_cast<efi::LoadedImage*>(loaded)->device_handle;
  efi::BlockIo* disk = block_io_of(device);
  if (!disk)
    stage2::fail("the device we were loaded from has no Block I/O protocol");
  if (disk->media->logical_partition) {
    // The usual case: the firmware read us from the ESP; go up to the disk that holds it.
    void* path = nullptr;
    if (efi::failed(boot_services()->handle_protocol(device, &efi::kDevicePathGuid, &path)))
      stage2::fail("the boot partition has no device path");
    void* parent = parent_disk_path(static_cast<efi::DevicePathNode*>(path));
    efi::Handle disk_handle = nullptr;
    if (!parent ||
        efi::failed(
            boot_services()->locate_device_path(&efi::kBlockIoGuid, &parent, &disk_handle)) ||
        !is_end(static_cast<efi::DevicePathNode*>(parent)))
      stage2::fail("cannot find the disk that holds the boot partition");
    disk = block_io_of(disk_handle);
    if (!disk || disk->media->logical_partition)
      stage2::fail("cannot find the disk that holds the boot partition");
  }
  if (!disk->media->media_present)
    stage2::fail("the boot disk has no media");
  if (disk->media->block_size != 512)
    stage2::fail("the boot disk's blocks are not 512 bytes");
  g_bounce =
      static_cast<uint8_t*>(allocate_pages(kBounceSectors * 512, efi::kLoaderData, 0xFFFFFFFFull));
  return disk;
}

bool disk_read(void* ctx, uint64_t lba, uint32_t count, void* dst) {
  auto* disk = static_cast<efi::BlockIo*>(ctx);
  uint32_t align = disk->media->io_align;
  auto* out = static_cast<uint8_t*>(dst);
  if (align <= 1 || reinterpret_cast<uintptr_t>(out) % align == 0)
    return !efi::failed(
        disk->read_blocks(disk, disk->media->media_id, lba, uint64_t{count} * 512, out));
  while (count) {
    uint32_t n = count < kBounceSectors ? count : kBounceSectors;
    if (efi::failed(disk->read_blocks(disk, disk->media->media_id, lba, n * 512, g_bounce)))
      return false;
    memcpy(out, g_bounce, n * 512);
    out += n * 512;
    lba += n;
    count -= n;
  }
  return true;
}

} // namespace uefi_boot
