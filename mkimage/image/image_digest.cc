#include "image/image_digest.h"

#include "lib/tfs/tfs_digest.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <vector>

namespace mkimage {
namespace {

struct Source {
  int fd;
  uint64_t offset;
  uint64_t blocks;
};

bool readBlocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* s = static_cast<Source*>(ctx);
  if (block > s->blocks || count > s->blocks - block)
    return false;
  size_t want = static_cast<size_t>(count) * tfs::kBlockSize;
  size_t done = 0;
  while (done < want) {
    ssize_t n = ::pread(s->fd, static_cast<char*>(buf) + done, want - done,
                        static_cast<off_t>(s->offset + block * tfs::kBlockSize + done));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    done += static_cast<size_t>(n);
  }
  return true;
}
void* hostAlloc(void*, size_t n) {
  return std::malloc(n);
}
void hostFree(void*, void* p) {
  std::free(p);
}

} // namespace

llvm::Expected<std::string> imageDigestOf(int fd, uint64_t offset, uint64_t blocks,
                                          const std::string& name) {
  Source source{fd, offset, blocks};
  tfs::BlockReader reader{readBlocks, &source};
  tfs::Allocator alloc{hostAlloc, hostFree, nullptr};
  tfs::Volume volume;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, blocks, &volume);
  if (!st.ok())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s: the root filesystem just written does not decode (%s)",
                                   name.c_str(), st.what ? st.what : "malformed");
  constexpr uint32_t kBufferBlocks = 2048; // 1 MiB reads
  std::vector<uint8_t> buffer(static_cast<size_t>(kBufferBlocks) * tfs::kBlockSize);
  tfs::ContentDigest digest;
  tfs::DigestStatus ds =
      tfs::compute_digest(volume, reader, blocks, buffer.data(), kBufferBlocks, &digest);
  tfs::release(&volume, alloc);
  if (!ds.ok())
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "%s: cannot compute image_digest: %s", name.c_str(), ds.what);
  char text[tfs::kDigestTextLength + 1];
  tfs::format_digest(digest, text);
  return std::string(text, tfs::kDigestTextLength);
}

std::string imageDigestPlaceholder() {
  char text[tfs::kDigestTextLength + 1];
  tfs::format_digest(tfs::ContentDigest{}, text);
  return std::string(text, tfs::kDigestTextLength);
}

} // namespace mkimage
