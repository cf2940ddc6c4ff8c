#include "image/image_digest.h"

#include "lib/tfs/tfs_digest.h"

#include <algorithm>
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

// Chunk `index` of a file (tfs_digest.h: whole blocks through its extents, zeros elsewhere)
// into `buffer`; false on a read error.
bool readChunk(const tfs::Value* extents, uint64_t filelength, uint64_t index,
               const tfs::BlockReader& reader, std::vector<uint8_t>& buffer) {
  uint64_t first = index * tfs::kChunkBlocks;
  uint64_t count = tfs::chunk_blocks(filelength, index);
  std::fill(buffer.begin(), buffer.begin() + static_cast<long>(count * tfs::kBlockSize), 0);
  for (uint32_t i = 0; extents && extents->kind == tfs::Kind::kTuple && i < extents->count; ++i) {
    tfs::Extent e;
    if (!tfs::extent_at(extents, i, &e) || e.uninited)
      continue;
    uint64_t from = std::max(e.file_block, first);
    uint64_t to = std::min(e.file_block + e.length, first + count);
    if (from < to && !reader.read(reader.ctx, e.disk_block + (from - e.file_block),
                                  static_cast<uint32_t>(to - from),
                                  buffer.data() + (from - first) * tfs::kBlockSize))
      return false;
  }
  return true;
}

// What the kernel checks when a file is read: every chunk of every file below `children`
// against its `chunk_digests`. Returns the first problem ("" when none), naming the file.
std::string chunkMismatch(const tfs::Value* children, const std::string& dir,
                          const tfs::BlockReader& reader, std::vector<uint8_t>& buffer, int depth) {
  if (!children || children->kind != tfs::Kind::kTuple || depth > tfs::kMaxNesting)
    return "";
  for (uint32_t i = 0; i < children->count; ++i) {
    const tfs::Item& item = children->items[i];
    std::string path =
        dir + "/" + std::string(reinterpret_cast<const char*>(item.name), item.name_len);
    const tfs::Value* v = item.value;
    if (!v || v->kind != tfs::Kind::kTuple)
      continue;
    if (const tfs::Value* sub = tfs::get(v, "children")) {
      std::string found = chunkMismatch(sub, path, reader, buffer, depth + 1);
      if (!found.empty())
        return found;
      continue;
    }
    uint64_t length = 0;
    if (!tfs::to_u64(tfs::get(v, "filelength"), &length))
      continue;
    const tfs::Value* digests = tfs::chunk_digests_of(v, length);
    if (!digests)
      continue; // no data, or an older writer's image: the data hash covers it
    for (uint64_t c = 0; c < tfs::chunk_count(length); ++c) {
      if (!readChunk(tfs::get(v, "extents"), length, c, reader, buffer))
        return path + ": cannot read chunk " + std::to_string(c);
      size_t bytes = static_cast<size_t>(tfs::chunk_blocks(length, c)) * tfs::kBlockSize;
      if (!tfs::chunk_matches(digests, c, buffer.data(), bytes))
        return path + ": file data does not match its chunk digest at bytes " +
               std::to_string(c * tfs::kChunkBlocks * tfs::kBlockSize) + "-" +
               std::to_string(std::min((c + 1) * tfs::kChunkBlocks * tfs::kBlockSize, length) - 1) +
               " (the kernel fails reads of it with EIO)";
    }
  }
  return "";
}

// Decodes the partition and computes its digest; *stored gets the image_digest value
// ("" when absent). With `chunks`, also checks every file's chunk digests (*chunks: the
// first problem, "" when none).
llvm::Error digestPartition(int fd, uint64_t offset, uint64_t blocks, const std::string& name,
                            tfs::ContentDigest* digest, std::string* stored,
                            std::string* chunks = nullptr) {
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
  if (chunks && ds.ok())
    *chunks = chunkMismatch(tfs::get(volume.root, "children"), "", reader, buffer, 1);
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
  std::string stored, chunks;
  if (auto e = digestPartition(fd, offset, blocks, name, &got, &stored, &chunks))
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
                hex(want.data) + ", found " + hex(got.data) +
                (chunks.empty() ? "" : " (" + chunks + ")"));
  if (!chunks.empty())
    return fail(name + ": " + chunks);
  *checked = true;
  return llvm::Error::success();
}

llvm::Expected<std::string> chunkDigestsOf(int fd, uint64_t offset, uint64_t size,
                                           const std::string& name) {
  uint64_t chunks = tfs::chunk_count(size);
  Source source{fd, offset, chunks * tfs::kChunkBlocks};
  std::vector<uint8_t> buffer(static_cast<size_t>(tfs::kChunkBlocks) * tfs::kBlockSize);
  std::string out;
  out.reserve(chunks * tfs::kChunkDigestText);
  for (uint64_t i = 0; i < chunks; ++i) {
    uint32_t blocks = tfs::chunk_blocks(size, i);
    if (!readBlocks(&source, i * tfs::kChunkBlocks, blocks, buffer.data()))
      return fail(name + ": cannot read back file data at byte " + std::to_string(offset) +
                  " for its chunk digests");
    char hex[xxh3::kHexLength + 1];
    xxh3::to_hex(xxh3::hash128(buffer.data(), static_cast<size_t>(blocks) * tfs::kBlockSize), hex);
    out.append(hex, tfs::kChunkDigestText);
  }
  return out;
}

std::string chunkDigestsPlaceholder(uint64_t size) {
  return std::string(tfs::chunk_count(size) * tfs::kChunkDigestText, '0');
}

std::string imageDigestPlaceholder() {
  char text[tfs::kDigestTextLength + 1];
  tfs::format_digest(tfs::ContentDigest{}, text);
  return std::string(text, tfs::kDigestTextLength);
}

} // namespace mkimage
