// The boot loaders' /kernel lookup (stage2 and the UEFI loader): the MBR's boot partition,
// then the boot TFS log decoded by the shared codec (kernel/lib/tfs, the decoder the kernel
// and nanos-mkimage run), then root -> children -> kernel -> extents, and the file loaded
// whole into memory.
//
// Memory: the codec allocates from the loader's bump allocator; nothing is ever freed (the
// boot TFS log is two extensions, ~0.5 MiB).
#include "tfs_lookup.h"

#include "lib/tfs/tfs.h"

namespace boot_load {
namespace {

// Loaders' allocators may halt when they run out; a request this large can only come from a
// corrupt log (a TUPLE_AVAILABLE claiming a huge value), so it is refused as "out of memory".
constexpr size_t kMaxAllocation = 64u * 1024 * 1024;

void* codec_alloc(void* ctx, size_t size) {
  if (size == 0 || size > kMaxAllocation)
    return nullptr;
  const auto* services = static_cast<const LoaderServices*>(ctx);
  return services->alloc(services->ctx, size, 16);
}
void codec_free(void*, void*) {}

struct Partition {
  const LoaderServices* services;
  uint64_t part_lba;
};
bool read_blocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  const auto* part = static_cast<const Partition*>(ctx);
  return part->services->read(part->services->ctx, part->part_lba + block, count, buf);
}

// The partition's size is not known here (the MBR entry's count is not trusted): bound it by what a
// 32-bit LBA can address. A link beyond the disk then fails as a read error.
constexpr uint64_t kPartitionBlocks = 0xFFFFFFFFull;

// "bad TFS: <what> at byte 0x<offset>", built in loader memory (the loaders have no
// formatting; hex needs no 64-bit division, which i386 code would take from libgcc).
const char* describe(const LoaderServices& services, const tfs::DecodeStatus& st) {
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
  auto* out = static_cast<char*>(services.alloc(services.ctx, sizeof kPrefix + what + 32, 1));
  if (!out)
    return "bad TFS (and no memory left to say where)";
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

uint32_t read_u32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) | static_cast<uint32_t>(p[1]) << 8 |
         static_cast<uint32_t>(p[2]) << 16 | static_cast<uint32_t>(p[3]) << 24;
}

} // namespace

const char* kernel_program_headers(const uint8_t* image, uint32_t size, ProgramHeaders* out) {
  // ELF64 header offsets (System V ABI): e_ident class/data at 4/5, e_machine at 18, e_phoff
  // at 32, e_phentsize and e_phnum at 54/56.
  if (size < 64 || image[0] != 0x7F || image[1] != 'E' || image[2] != 'L' || image[3] != 'F' ||
      image[4] != 2 || image[5] != 1)
    return "/kernel is not a little-endian ELF64 file";
  if ((image[18] | image[19] << 8) != 0x3E)
    return "/kernel is not an x86-64 ELF file";
  uint64_t phoff = read_u32(image + 32) | static_cast<uint64_t>(read_u32(image + 36)) << 32;
  auto entry_size = static_cast<uint16_t>(image[54] | image[55] << 8);
  auto count = static_cast<uint16_t>(image[56] | image[57] << 8);
  if (entry_size < 56 || phoff > size || static_cast<uint64_t>(count) * entry_size > size - phoff)
    return "/kernel has a bad program header table";
  *out = {phoff, entry_size, count};
  return nullptr;
}

const char* boot_partition_lba(const uint8_t* mbr, uint64_t* lba) {
  if (mbr[0x1FE] != 0x55 || mbr[0x1FF] != 0xAA)
    return "no partition table on the boot disk";
  const uint8_t* entry = mbr + 0x1BE;
  if (entry[4] == 0xEF) // an EFI system partition comes first; the boot TFS follows it
    entry += 16;
  uint32_t first = read_u32(entry + 8);
  if (first == 0 || read_u32(entry + 12) == 0)
    return "boot partition entry is empty";
  *lba = first;
  return nullptr;
}

const char* tfs_load_kernel(const LoaderServices& services, uint64_t part_lba, uint8_t** data,
                            uint32_t* size) {
  Partition partition{&services, part_lba};
  tfs::BlockReader reader{read_blocks, &partition};
  tfs::Allocator alloc{codec_alloc, codec_free, const_cast<LoaderServices*>(&services)};
  tfs::Volume volume;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, kPartitionBlocks, &volume);
  if (!st.ok())
    return describe(services, st);

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
  auto* buffer = static_cast<uint8_t*>(services.alloc(services.ctx, padded, 4096));
  if (!buffer) // zeroed: holes read as 0
    return "no memory for /kernel";
  uint32_t buffer_blocks = padded / 512;
  for (uint32_t i = 0; i < extents->count; ++i) {
    tfs::Extent e;
    if (!tfs::extent_at(extents, i, &e))
      return "bad TFS: /kernel has a malformed extent";
    if (e.uninited || e.file_block >= buffer_blocks)
      continue; // reads as zeros / lies beyond filelength
    uint64_t room = buffer_blocks - e.file_block;
    uint32_t n = static_cast<uint32_t>(e.length < room ? e.length : room);
    if (!services.read(services.ctx, part_lba + e.disk_block, n, buffer + e.file_block * 512))
      return "disk read error while reading /kernel";
  }
  *data = buffer;
  *size = static_cast<uint32_t>(length);
  return nullptr;
}

} // namespace boot_load
