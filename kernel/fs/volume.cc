#include "fs/volume.h"

#include "drivers/block.h"
#include "fs/content_digest.h"
#include "fs/metadata_log.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/tfs/tfs_digest.h"
#include "mm/heap.h"

namespace fs {
namespace {

block::Device* g_disk = nullptr;
uint64_t g_first_sector = 0; // partition start on the disk
uint64_t g_sectors = 0;      // partition length
tfs::Volume g_volume;
bool g_writable = false;
bool g_unflushed = false; // blocks written since the last disk flush
// The image has `image_digest` and the kernel has not changed it yet: before the first file
// data reaches the disk, the log must say the key is gone (the digest would no longer match).
bool g_digest_unsealed = false;
FreeSpace g_free(krealloc);

bool read_for_codec(void*, uint64_t block, uint32_t count, void* buf) {
  return read_blocks(block, count, buf).ok();
}
void* heap_alloc(void*, size_t size) {
  return kmalloc(size);
}
void heap_free(void*, void* p) {
  kfree(p);
}
// Log extensions are not free space.
void reserve_extension(void*, uint64_t block, uint64_t nblocks) {
  g_free.reserve(block, nblocks);
}

uint32_t le32(const uint8_t* p) {
  return p[0] | p[1] << 8 | p[2] << 16 | static_cast<uint32_t>(p[3]) << 24;
}

// Finds the root partition; false with a message when the partition table is unusable.
bool locate_partition(block::Device* disk) {
  auto* mbr = static_cast<uint8_t*>(kmalloc(block::kSectorSize));
  if (!mbr || !disk->read(0, 1, mbr).ok()) {
    kprintf("root disk: cannot read sector 0\n");
    kfree(mbr);
    return false;
  }
  bool ok = true;
  if (mbr[510] != 0x55 || mbr[511] != 0xAA) {
    g_first_sector = 0; // bare TFS volume (spec §1.5)
    g_sectors = disk->capacity_sectors();
  } else {
    int entry = mbr[0x1BE + 4] == 0xEF ? 2 : 1;
    const uint8_t* e = mbr + 0x1BE + 16 * entry;
    g_first_sector = le32(e + 8);
    uint64_t capacity = disk->capacity_sectors();
    if (e[4] == 0 || g_first_sector == 0 || g_first_sector >= capacity) {
      kprintf("root disk: MBR partition entry %d holds no root filesystem\n", entry);
      ok = false;
    }
    g_sectors = capacity - g_first_sector; // the root TFS runs to the end of the disk (§1.6)
  }
  kfree(mbr);
  return ok;
}

} // namespace

Status mount_root() {
  g_disk = block::root_disk();
  if (!g_disk) {
    kprintf("root filesystem: no disk found\n");
    return Err(-ENODEV);
  }
  if (!locate_partition(g_disk))
    return Err(-EINVAL);
  if (!g_free.init(g_sectors) || !g_free.reserve(0, 1))
    return Err(-ENOMEM);
  tfs::BlockReader reader{read_for_codec, nullptr};
  tfs::Allocator alloc{heap_alloc, heap_free, nullptr};
  tfs::LogObserver observer{reserve_extension, nullptr};
  tfs::DecodeStatus st = tfs::decode(reader, alloc, g_sectors, &g_volume, &observer);
  if (!st.ok()) {
    kprintf("root filesystem: %s at partition offset %#lx\n", st.what ? st.what : "malformed",
            static_cast<unsigned long>(st.offset));
    return Err(st.error == tfs::Error::kIo ? -EIO : -EINVAL);
  }
  if (!check_content_digest(g_volume, g_sectors).ok())
    return Err(-EINVAL);
  g_digest_unsealed = tfs::get(g_volume.root, tfs::kDigestKey) != nullptr;
  // Appending needs the v5 encoding (a v4 log would need a fresh chain, spec §3.10).
  g_writable = !g_disk->read_only() && g_volume.version == 5 &&
               !tfs::get(g_volume.root, "readonly_rootfs");
  return status_ok();
}

const tfs::Value* root_tuple() {
  return g_volume.root;
}
const tfs::Volume& volume() {
  return g_volume;
}
bool writable() {
  return g_writable;
}
void set_read_only() {
  g_writable = false;
}
FreeSpace& free_space() {
  return g_free;
}
uint64_t partition_blocks() {
  return g_sectors;
}

// block::Device takes any number of sectors and splits them into its own requests.
Status read_blocks(uint64_t block, uint64_t count, void* buf) {
  if (block > g_sectors || count > g_sectors - block)
    return Err(-EIO);
  return g_disk->read(g_first_sector + block, count, buf);
}

Status write_blocks(uint64_t block, uint64_t count, const void* buf) {
  if (g_digest_unsealed) {
    g_digest_unsealed = false;
    if (!log::remove_image_digest_now().ok())
      return Err(-EIO);
  }
  return write_log_blocks(block, count, buf);
}

Status write_log_blocks(uint64_t block, uint64_t count, const void* buf) {
  if (block > g_sectors || count > g_sectors - block)
    return Err(-EIO);
  if (count)
    g_unflushed = true;
  return g_disk->write(g_first_sector + block, count, buf);
}

Status flush_disk() {
  if (!g_unflushed)
    return status_ok(); // a program that wrote nothing costs no flush request at exit
  Status s = g_disk->flush();
  if (s.ok())
    g_unflushed = false;
  return s;
}

} // namespace fs
