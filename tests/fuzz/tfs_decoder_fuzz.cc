// libFuzzer target for the shared TFS codec (kernel/lib/tfs), the decoder both the kernel and
// nanos-mkimage's reader run: any input, taken as a partition, must decode or give an error
// (with an offset), never crash, hang or leak. Works on the bytes in memory: no files.
#include "lib/tfs/tfs.h"

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
void* alloc(void*, size_t n) {
  return std::malloc(n);
}
void dealloc(void*, void* p) {
  std::free(p);
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Input in{data, size};
  tfs::BlockReader reader{read_blocks, &in};
  tfs::Allocator a{alloc, dealloc, nullptr};
  tfs::Volume vol;
  uint64_t blocks = (size + tfs::kBlockSize - 1) / tfs::kBlockSize;
  tfs::DecodeStatus st = tfs::decode(reader, a, blocks, &vol);
  if (st.ok()) {
    // Walk what came out, as the kernel does when it builds its tree.
    const tfs::Value* children = tfs::get(vol.root, "children");
    for (uint32_t i = 0; children && i < children->count; ++i) {
      tfs::Extent e;
      (void)tfs::extent_at(tfs::get(children->items[i].value, "extents"), 0, &e);
      uint64_t n;
      (void)tfs::to_u64(tfs::get(children->items[i].value, "filelength"), &n);
    }
    tfs::release(&vol, a);
  } else if (!st.what || vol.root) {
    std::abort(); // an error must say what, and leave nothing behind
  }
  return 0;
}
