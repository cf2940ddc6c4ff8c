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

llvm::Error fail(const std::string& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", message.c_str());
}

// Decodes the partition and computes its digest; *stored gets the image_digest value
// ("" when absent).
llvm::Error digestPartition(int fd, uint64_t offset, uint64_t blocks, const std::string& name,
                            tfs::ContentDigest* digest, std::string* stored) {
  Source source{fd, offset, blocks};
  tfs::BlockReader reader{readBlocks, &source};
  tfs::Allocator alloc{hostAlloc, hostFree, nullptr};
  tfs::Volume volume;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, blocks, &volume);
  if (!st.ok())
    return fail(name + ": the root filesystem does not decode (" +
                (st.what ? st.what : "malformed") + ")");
  const tfs::Value* key = tfs::get(volume.root, tfs::kDigestKey);
  stored->clear();
  if (key && key->kind == tfs::Kind::kBytes)
    stored->assign(reinterpret_cast<const char*>(key->bytes), key->len);
  else if (key)
    *stored = "(not a string)";
  constexpr uint32_t kBufferBlocks = 2048; // 1 MiB reads
  std::vector<uint8_t> buffer(static_cast<size_t>(kBufferBlocks) * tfs::kBlockSize);
  tfs::DigestStatus ds =
      tfs::compute_digest(volume, reader, blocks, buffer.data(), kBufferBlocks, digest);
  tfs::release(&volume, alloc);
  if (!ds.ok())
    return fail(name + ": cannot compute image_digest: " + ds.what);
  return llvm::Error::success();
}

std::string hex(const xxh3::Hash128& h) {
  char text[xxh3::kHexLength + 1];
  xxh3::to_hex(h, text);
  return text;
}

} // namespace

llvm::Expected<std::string> imageDigestOf(int fd, uint64_t offset, uint64_t blocks,
                                          const std::string& name) {
  tfs::ContentDigest digest;
  std::string stored;
  if (auto e = digestPartition(fd, offset, blocks, name, &digest, &stored))
    return e;
  char text[tfs::kDigestTextLength + 1];
  tfs::format_digest(digest, text);
  return std::string(text, tfs::kDigestTextLength);
}

llvm::Error checkImageDigest(int fd, uint64_t offset, uint64_t blocks, const std::string& name,
                             bool* checked) {
  *checked = false;
  tfs::ContentDigest got;
  std::string stored;
  if (auto e = digestPartition(fd, offset, blocks, name, &got, &stored))
    return e;
  if (stored.empty())
    return llvm::Error::success();
  tfs::ContentDigest want;
  if (!tfs::parse_digest(reinterpret_cast<const uint8_t*>(stored.data()), stored.size(), &want))
    return fail(name + ": image_digest is malformed (expected xxh3-128:<32 hex>:<32 hex>)");
  if (got.metadata != want.metadata)
    return fail(name + ": image_digest mismatch in the metadata: expected xxh3-128 " +
                hex(want.metadata) + ", found " + hex(got.metadata));
  if (got.data != want.data)
    return fail(name + ": image_digest mismatch in the file data: expected xxh3-128 " +
                hex(want.data) + ", found " + hex(got.data));
  *checked = true;
  return llvm::Error::success();
}

std::string imageDigestPlaceholder() {
  char text[tfs::kDigestTextLength + 1];
  tfs::format_digest(tfs::ContentDigest{}, text);
  return std::string(text, tfs::kDigestTextLength);
}

} // namespace mkimage
