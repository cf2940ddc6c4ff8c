#include "fs/volume.h"

#include "drivers/block.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace fs {
namespace {

block::Device* g_disk = nullptr;
uint64_t g_first_sector = 0; // partition start on the disk
uint64_t g_sectors = 0;      // partition length
tfs::Volume g_volume;

bool read_blocks(void*, uint64_t block, uint32_t count, void* buf) {
  if (block > g_sectors || count > g_sectors - block)
    return false;
  return g_disk->read(g_first_sector + block, count, buf).ok();
}
void* heap_alloc(void*, size_t size) {
  return kmalloc(size);
}
void heap_free(void*, void* p) {
  kfree(p);
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
    g_sectors = capacity - g_first_sector; // the root TFS runs to the end of the disk
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
  tfs::BlockReader reader{read_blocks, nullptr};
  tfs::Allocator alloc{heap_alloc, heap_free, nullptr};
  tfs::DecodeStatus st = tfs::decode(reader, alloc, g_sectors, &g_volume);
  if (!st.ok()) {
    kprintf("root filesystem: %s at partition offset %#lx\n", st.what ? st.what : "malformed",
            static_cast<unsigned long>(st.offset));
    return Err(st.error == tfs::Error::kIo ? -EIO : -EINVAL);
  }
  return status_ok();
}

const tfs::Value* root_tuple() {
  return g_volume.root;
}

uint64_t file_length(const tfs::Value* file) {
  uint64_t n = 0;
  if (!tfs::to_u64(tfs::get(file, "filelength"), &n))
    return 0;
  return n;
}

namespace {
constexpr size_t kBounceSectors = 64; // 32 KiB per disk request
uint8_t* g_bounce = nullptr;

// The extent holding file block `block`, if any.
bool find_extent(const tfs::Value* extents, uint64_t block, tfs::Extent* out) {
  if (!extents)
    return false;
  for (uint32_t i = 0; i < extents->count; ++i) {
    tfs::Extent e;
    if (tfs::extent_at(extents, i, &e) && block >= e.file_block && block - e.file_block < e.length) {
      *out = e;
      return true;
    }
  }
  return false;
}
// First file block >= block that an extent covers (UINT64_MAX if none).
uint64_t next_extent_start(const tfs::Value* extents, uint64_t block) {
  uint64_t best = UINT64_MAX;
  for (uint32_t i = 0; extents && i < extents->count; ++i) {
    tfs::Extent e;
    if (tfs::extent_at(extents, i, &e) && e.file_block >= block && e.file_block < best)
      best = e.file_block;
  }
  return best;
}
} // namespace

ErrorOr<size_t> read_file(const tfs::Value* file, uint64_t offset, void* buf, size_t len) {
  uint64_t size = file_length(file);
  if (offset >= size)
    return static_cast<size_t>(0);
  if (len > size - offset)
    len = size - offset;
  if (!g_bounce) {
    g_bounce = static_cast<uint8_t*>(kmalloc(kBounceSectors * block::kSectorSize));
    if (!g_bounce)
      return Err(-ENOMEM);
  }
  const tfs::Value* extents = tfs::get(file, "extents");
  auto* out = static_cast<uint8_t*>(buf);
  size_t done = 0;
  while (done < len) {
    uint64_t pos = offset + done;
    uint64_t block = pos / block::kSectorSize;
    size_t in_block = pos % block::kSectorSize;
    tfs::Extent e{};
    bool found = find_extent(extents, block, &e);
    if (!found || e.uninited) {
      // A hole (or preallocated space): zeros up to the next extent.
      uint64_t next = found ? e.file_block + e.length : next_extent_start(extents, block + 1);
      uint64_t hole_end = next >= UINT64_MAX / block::kSectorSize ? offset + len
                                                                  : next * block::kSectorSize;
      size_t n = hole_end > pos ? static_cast<size_t>(hole_end - pos < len - done ? hole_end - pos
                                                                                   : len - done)
                                : 0;
      if (n == 0) // a zero-length extent: step over one block
        n = block::kSectorSize - in_block < len - done ? block::kSectorSize - in_block : len - done;
      memset(out + done, 0, n);
      done += n;
      continue;
    }
    uint64_t count = e.file_block + e.length - block;
    if (count > kBounceSectors)
      count = kBounceSectors;
    uint64_t want = (in_block + (len - done) + block::kSectorSize - 1) / block::kSectorSize;
    if (count > want)
      count = want;
    uint64_t disk_block = e.disk_block + (block - e.file_block);
    if (disk_block > g_sectors || count > g_sectors - disk_block ||
        !g_disk->read(g_first_sector + disk_block, count, g_bounce).ok())
      return Err(-EIO);
    size_t n = count * block::kSectorSize - in_block;
    if (n > len - done)
      n = len - done;
    memcpy(out + done, g_bounce + in_block, n);
    done += n;
  }
  return done;
}

} // namespace fs
