// stage2's boot TFS lookup: the log is decoded by the shared codec (kernel/lib/tfs, the
// decoder the kernel and nanos-mkimage run), then root -> children -> kernel -> extents is
// read and the file loaded whole into memory.
//
// Memory: the codec allocates from stage2's top-down bump arena; nothing is ever freed (the
// boot TFS log is two extensions, ~0.5 MiB). Everything the codec used lies above the
// kernel's file buffer, which stage2_main() hands to the kernel as reclaimable.
#include "lib/tfs/tfs.h"
#include "stage2.h"

namespace stage2 {
namespace {

// Stage2's arena halts when it runs out; a request this large can only come from a corrupt
// log (a TUPLE_AVAILABLE claiming a huge value), so it is refused as "out of memory" instead.
constexpr size_t kMaxAllocation = 64u * 1024 * 1024;

void* arena_alloc(void* ctx, size_t size) {
  if (size == 0 || size > kMaxAllocation)
    return nullptr;
  return static_cast<Arena*>(ctx)->alloc(static_cast<uint32_t>(size), 16);
}
void arena_free(void*, void*) {}

struct Disk {
  uint64_t part_lba;
};
bool read_blocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  return disk_read(static_cast<Disk*>(ctx)->part_lba + block, count, buf);
}

// The partition's size is not known here (stage2.h passes only its start): bound it by what a
// 32-bit LBA can address. A link beyond the disk then fails as a read error.
constexpr uint64_t kPartitionBlocks = 0xFFFFFFFFull;

// "bad TFS: <what> at byte 0x<offset>", built in the arena (stage2 has no formatting; hex
// needs no 64-bit division, which i386 code would take from libgcc).
const char* describe(Arena& arena, const tfs::DecodeStatus& st) {
  // The messages the boot-loader tests and users know for the two common failures.
  if (st.error == tfs::Error::kBadMagic && st.offset == 0)
    return "bad TFS: no NVMTFS magic (is partition entry the boot TFS?)";
  if (st.error == tfs::Error::kIo)
    return "disk read error in the boot TFS log";
  static const char kPrefix[] = "bad TFS: ";
  static const char kAt[] = " at byte 0x";
  size_t what = 0;
  while (st.what[what])
    ++what;
  auto* out = static_cast<char*>(arena.alloc(static_cast<uint32_t>(sizeof kPrefix + what + 32)));
  size_t n = 0;
  for (size_t i = 0; kPrefix[i]; ++i)
    out[n++] = kPrefix[i];
  for (size_t i = 0; i < what; ++i)
    out[n++] = st.what[i];
  for (size_t i = 0; kAt[i]; ++i)
    out[n++] = kAt[i];
  int shift = 60;
  while (shift > 0 && !(st.offset >> shift))
    shift -= 4;
  for (; shift >= 0; shift -= 4)
    out[n++] = "0123456789abcdef"[(st.offset >> shift) & 15];
  out[n] = 0;
  return out;
}

} // namespace

const char* tfs_load_kernel(uint64_t part_lba, Arena& arena, uint8_t** data, uint32_t* size) {
  Disk disk{part_lba};
  tfs::BlockReader reader{read_blocks, &disk};
  tfs::Allocator alloc{arena_alloc, arena_free, &arena};
  tfs::Volume volume;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, kPartitionBlocks, &volume);
  if (!st.ok())
    return describe(arena, st);

  const tfs::Value* children = tfs::get(volume.root, "children");
  if (!children)
    return "bad TFS: root has no children";
  const tfs::Value* file = tfs::get(children, "kernel");
  if (!file || file->kind != tfs::Kind::kTuple)
    return "no /kernel in the boot TFS";
  uint64_t length = 0;
  const tfs::Value* filelength = tfs::get(file, "filelength");
  if (filelength && !tfs::to_u64(filelength, &length))
    return "bad TFS: /kernel has a bad filelength";
  const tfs::Value* extents = tfs::get(file, "extents");
  if (!extents || extents->kind != tfs::Kind::kTuple)
    return "bad TFS: /kernel has no extents";
  if (length == 0 || length > 256 * 1024 * 1024)
    return "/kernel is empty or larger than 256 MiB";

  uint32_t padded = (static_cast<uint32_t>(length) + 511) & ~511u;
  auto* buffer = static_cast<uint8_t*>(arena.alloc(padded, 4096)); // zeroed: holes read as 0
  uint32_t buffer_blocks = padded / 512;
  for (uint32_t i = 0; i < extents->count; ++i) {
    tfs::Extent e;
    if (!tfs::extent_at(extents, i, &e))
      return "bad TFS: /kernel has a malformed extent";
    if (e.uninited || e.file_block >= buffer_blocks)
      continue; // reads as zeros / lies beyond filelength
    uint64_t room = buffer_blocks - e.file_block;
    uint32_t n = static_cast<uint32_t>(e.length < room ? e.length : room);
    if (!disk_read(part_lba + e.disk_block, n, buffer + e.file_block * 512))
      return "disk read error while reading /kernel";
  }
  *data = buffer;
  *size = static_cast<uint32_t>(length);
  return nullptr;
}

} // namespace stage2
