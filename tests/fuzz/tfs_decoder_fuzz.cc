// libFuzzer target for the shared TFS codec (kernel/lib/tfs), the decoder both the kernel and
// nanos-mkimage's reader run: any input, taken as a partition, must decode or give an error
// (with a description), never crash, hang or leak -- also when memory runs out part way.
// A decoded tree is also hashed as the kernel does at mount (tfs_digest.cc).
// Works on the bytes in memory: no files.
#include "lib/tfs/tfs.h"
#include "lib/tfs/tfs_digest.h"

#include <cstdlib>
#include <cstring>

namespace {
struct Input {
  const uint8_t* data;
  size_t size;
};
bool read_blocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* in = static_cast<Input*>(ctx);
  uint64_t start = block * tfs::kBlockSize, len = uint64_t(count) * tfs::kBlockSize;
  if (start > in->size)
    return false;
  // The partition is the input zero-padded to a whole number of blocks.
  size_t have = in->size - start < len ? in->size - start : len;
  std::memcpy(buf, in->data + start, have);
  std::memset(static_cast<uint8_t*>(buf) + have, 0, len - have);
  return true;
}

// Fails once `budget` allocations have been made (budget < 0: never).
struct Budget {
  long budget;
};
void* alloc(void* ctx, size_t n) {
  auto* b = static_cast<Budget*>(ctx);
  if (b->budget == 0)
    return nullptr;
  if (b->budget > 0)
    --b->budget;
  return std::malloc(n);
}
void dealloc(void*, void* p) {
  std::free(p);
}

// Touches every byte of the tree, as a consumer would. References can share subtrees (and a
// hostile log can make cycles), so the walk is bounded in depth and in nodes.
void walk(const tfs::Value* v, int depth, long* nodes) {
  if (!v || depth > 80 || --*nodes < 0)
    return;
  volatile uint8_t sink = 0;
  switch (v->kind) {
  case tfs::Kind::kBytes:
    for (uint32_t i = 0; i < v->len; ++i)
      sink = sink ^ v->bytes[i];
    break;
  case tfs::Kind::kInteger:
    sink = sink ^ static_cast<uint8_t>(v->integer);
    break;
  case tfs::Kind::kTuple:
  case tfs::Kind::kVector:
    for (uint32_t i = 0; i < v->count; ++i) {
      for (uint32_t j = 0; v->items[i].name && j < v->items[i].name_len; ++j)
        sink = sink ^ v->items[i].name[j];
      tfs::Extent e;
      (void)tfs::extent_at(v, i, &e);
      walk(v->items[i].value, depth + 1, nodes);
    }
    break;
  }
}

void decode_once(const uint8_t* data, size_t size, long budget) {
  Input in{data, size};
  tfs::BlockReader reader{read_blocks, &in};
  Budget b{budget};
  tfs::Allocator a{alloc, dealloc, &b};
  tfs::Volume vol;
  uint64_t blocks = (size + tfs::kBlockSize - 1) / tfs::kBlockSize;
  tfs::DecodeStatus st = tfs::decode(reader, a, blocks, &vol);
  if (st.ok()) {
    if (!vol.root || vol.root->kind != tfs::Kind::kTuple)
      std::abort();
    long nodes = 100000;
    walk(vol.root, 0, &nodes);
    uint64_t n;
    (void)tfs::to_u64(tfs::get(vol.root, "filelength"), &n);
    // The content digest the kernel computes at mount of any image carrying image_digest:
    // bounded work and reads inside the partition whatever the tree (it may loop).
    uint8_t buffer[4 * tfs::kBlockSize];
    tfs::ContentDigest digest;
    tfs::DigestStatus ds = tfs::compute_digest(vol, reader, blocks, buffer, 4, &digest);
    if (!ds.ok() && !ds.what)
      std::abort();
    // The mount's usual, metadata-only check: the same metadata hash, no reads.
    xxh3::Hash128 metadata;
    uint64_t uncovered = 0;
    tfs::DigestStatus ms = tfs::compute_metadata_digest(vol, blocks, &metadata, &uncovered);
    if ((!ms.ok() && !ms.what) || (ds.ok() && (!ms.ok() || metadata != digest.metadata)))
      std::abort();
    tfs::release(&vol, a);
  } else if (!st.what || vol.root || vol.storage) {
    std::abort(); // an error must say what, and leave nothing behind
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  decode_once(data, size, -1);
  // Again with memory running out after a few allocations: cleanup paths must not leak.
  decode_once(data, size, static_cast<long>(size % 13));
  return 0;
}
