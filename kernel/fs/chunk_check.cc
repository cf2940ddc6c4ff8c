#include "fs/chunk_check.h"

#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "lib/tfs/tfs_digest.h"
#include "mm/heap.h"

namespace fs {
namespace {

enum ChunkState : uint8_t { kUnchecked = 0, kGood = 1, kBad = 2 };

constexpr uint64_t kBlock = tfs::kBlockSize;

bool g_checks_on = false;
uint8_t* g_chunk_buffer = nullptr; // one chunk, taken at the first check

// Reads file blocks [first, first + count) through the extents; blocks outside every
// extent, or in uninited ones, read as zeros (as read_file shows them).
bool read_file_blocks(const Inode* f, uint64_t first, uint64_t count, uint8_t* out) {
  memset(out, 0, count * kBlock);
  uint64_t end = first + count;
  for (uint32_t i = 0; i < f->count; ++i) {
    const FileExtent& e = f->extents[i];
    uint64_t from = e.file_block > first ? e.file_block : first;
    uint64_t to = e.file_block + e.length < end ? e.file_block + e.length : end;
    if (e.uninited || from >= to)
      continue;
    if (!read_blocks(e.disk_block + (from - e.file_block), to - from, out + (from - first) * kBlock)
             .ok())
      return false;
  }
  return true;
}

void report(const Inode* f, uint64_t chunk, bool io_error) {
  char* path = static_cast<char*>(kmalloc(4096));
  if (!path || node_path(static_cast<NodeId>(f->number), path, 4096) < 0) {
    kfree(path);
    path = nullptr;
  }
  uint64_t from = chunk * tfs::kChunkBlocks * kBlock;
  uint64_t end = from + tfs::kChunkBlocks * kBlock; // the chunk's bytes inside the file
  if (end > f->length)
    end = f->length;
  kprintf("root filesystem: %s: %s at bytes %lu-%lu: reads of it fail with EIO\n",
          path ? path : "a file",
          io_error ? "cannot read its data to check its chunk digest"
                   : "file data does not match its chunk digest (changed since nanos-mkimage "
                     "wrote the image)",
          static_cast<unsigned long>(from),
          static_cast<unsigned long>(end > from ? end - 1 : from));
  kfree(path);
}

// Hashes chunk `index` of f once; true when it matches.
bool check_chunk(const Inode* f, uint64_t index) {
  ChunkCheck* c = f->chunks;
  if (c->state[index] != kUnchecked)
    return c->state[index] == kGood;
  uint32_t blocks = tfs::chunk_blocks(f->length, index);
  bool io_ok = read_file_blocks(f, index * tfs::kChunkBlocks, blocks, g_chunk_buffer);
  if (io_ok && tfs::chunk_matches(c->digests, index, g_chunk_buffer, blocks * kBlock)) {
    c->state[index] = kGood;
    return true;
  }
  if (!c->reported) {
    c->reported = true;
    report(f, index, !io_ok);
  }
  // A read error may be transient: only a mismatch is remembered.
  if (io_ok)
    c->state[index] = kBad;
  return false;
}

} // namespace

void set_chunk_checks(bool on) {
  g_checks_on = on;
}
bool chunk_checks_on() {
  return g_checks_on;
}

ChunkCheck* chunk_check_for(const tfs::Value* file, uint64_t length, bool* failed) {
  if (!g_checks_on)
    return nullptr;
  const tfs::Value* digests = tfs::chunk_digests_of(file, length);
  if (!digests)
    return nullptr; // no data (mount checked every file with data has digests)
  uint64_t chunks = tfs::chunk_count(length);
  auto* c = static_cast<ChunkCheck*>(kzalloc(sizeof(ChunkCheck) + chunks));
  if (!c) {
    *failed = true;
    return nullptr;
  }
  c->digests = digests;
  c->chunks = chunks;
  c->state = reinterpret_cast<uint8_t*>(c + 1);
  return c;
}

ErrorOr<size_t> check_chunks(const Inode* f, uint64_t offset, size_t len) {
  ChunkCheck* c = f->chunks;
  if (!c || len == 0)
    return len;
  if (!g_chunk_buffer) {
    g_chunk_buffer = static_cast<uint8_t*>(kmalloc(tfs::kChunkBlocks * kBlock));
    if (!g_chunk_buffer)
      return Err(-ENOMEM);
  }
  constexpr uint64_t kChunkBytes = tfs::kChunkBlocks * kBlock;
  uint64_t first = offset / kChunkBytes;
  uint64_t last = (offset + len - 1) / kChunkBytes;
  for (uint64_t i = first; i <= last && i < c->chunks; ++i) {
    if (check_chunk(f, i))
      continue;
    if (i == first)
      return Err(-EIO);
    return static_cast<size_t>(i * kChunkBytes - offset); // the good chunks before it
  }
  return len;
}

void drop_chunk_check(Inode* f) {
  kfree(f->chunks);
  f->chunks = nullptr;
}

} // namespace fs
