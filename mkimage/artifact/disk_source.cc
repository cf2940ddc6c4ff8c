#include "artifact/disk_source.h"

#include "reader/image_reader.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <xxhash.h>

namespace mkimage::artifact {

struct DiskSource::Backing {
  reader::DecodedImage image; // keeps the (possibly decompressed) file open
  int fd = -1;
  std::string bytes; // when in memory
};

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

llvm::Expected<DiskSource> DiskSource::openImage(const std::string& path) {
  auto image = reader::decodeImage(path);
  if (!image)
    return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s (not a Nanos image?)",
                                   llvm::toString(image.takeError()).c_str());
  DiskSource disk;
  disk.backing_ = std::make_shared<Backing>();
  disk.backing_->fd = reader::imageFileDescriptor(*image);
  off_t end = ::lseek(disk.backing_->fd, 0, SEEK_END);
  if (end < 0)
    return fail(path + ": cannot find the image size: " + std::strerror(errno));
  disk.identity_ = image->root.uuid;
  disk.backing_->image = std::move(*image);
  disk.path_ = path;
  disk.contentSize_ = disk.size_ = static_cast<uint64_t>(end);
  return disk;
}

DiskSource DiskSource::fromBytes(std::string bytes, std::string identity) {
  DiskSource disk;
  disk.backing_ = std::make_shared<Backing>();
  disk.contentSize_ = disk.size_ = bytes.size();
  disk.backing_->bytes = std::move(bytes);
  disk.identity_ = std::move(identity);
  disk.path_ = "<memory>";
  return disk;
}

llvm::Error DiskSource::read(uint64_t offset, llvm::MutableArrayRef<char> out) const {
  std::memset(out.data(), 0, out.size());
  if (offset >= contentSize_)
    return llvm::Error::success();
  uint64_t len = std::min<uint64_t>(out.size(), contentSize_ - offset);
  if (backing_->fd < 0) {
    std::memcpy(out.data(), backing_->bytes.data() + offset, len);
    return llvm::Error::success();
  }
  char* p = out.data();
  while (len > 0) {
    ssize_t n = ::pread(backing_->fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return fail(path_ + ": read failed at " + llvm::Twine(offset) + ": " +
                  (n < 0 ? std::strerror(errno) : "unexpected end of file"));
    p += n;
    len -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return llvm::Error::success();
}

bool allZero(llvm::ArrayRef<char> bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  // Word at a time: this scan runs over every data byte of the image.
  while (n >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    if (w)
      return false;
    p += 8;
    n -= 8;
  }
  while (n--)
    if (*p++)
      return false;
  return true;
}

// The data ranges [start, end) of the content: the whole content in memory, SEEK_DATA /
// SEEK_HOLE on a file (a file system without them reports one data range).
static std::vector<std::pair<uint64_t, uint64_t>> dataRanges(int fd, uint64_t size) {
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  if (fd < 0) {
    ranges.emplace_back(0, size);
    return ranges;
  }
  uint64_t at = 0;
  while (at < size) {
    off_t data = ::lseek(fd, static_cast<off_t>(at), SEEK_DATA);
    if (data < 0) {
      if (errno != ENXIO) // ENXIO: only a hole is left
        ranges.emplace_back(at, size);
      break;
    }
    off_t hole = ::lseek(fd, data, SEEK_HOLE);
    uint64_t end = hole < 0 ? size : std::min<uint64_t>(static_cast<uint64_t>(hole), size);
    ranges.emplace_back(static_cast<uint64_t>(data), end);
    at = end;
  }
  return ranges;
}

llvm::Error DiskSource::forEachNonZeroChunk(
    uint64_t chunk, llvm::function_ref<llvm::Error(uint64_t, llvm::ArrayRef<char>)> visit) const {
  std::vector<char> buffer(std::max<uint64_t>(chunk, 1 << 20) / chunk * chunk);
  uint64_t next = 0; // chunks below this one were visited (two data ranges may share a chunk)
  for (auto [start, end] : dataRanges(backing_->fd, contentSize_)) {
    for (uint64_t at = std::max(start / chunk, next) * chunk; at < end;) {
      uint64_t len = std::min<uint64_t>(buffer.size(), (end + chunk - 1) / chunk * chunk - at);
      if (auto e = read(at, llvm::MutableArrayRef<char>(buffer.data(), len)))
        return e;
      for (uint64_t c = 0; c < len; c += chunk) {
        llvm::ArrayRef<char> piece(buffer.data() + c, chunk);
        if (!allZero(piece))
          if (auto e = visit((at + c) / chunk, piece))
            return e;
      }
      at += len;
      next = at / chunk;
    }
  }
  return llvm::Error::success();
}

llvm::Expected<std::vector<bool>> DiskSource::nonZeroChunks(uint64_t chunk) const {
  std::vector<bool> used((size_ + chunk - 1) / chunk, false);
  auto mark = [&](uint64_t index, llvm::ArrayRef<char>) {
    used[index] = true;
    return llvm::Error::success();
  };
  if (auto e = forEachNonZeroChunk(chunk, mark))
    return e;
  return used;
}

std::string derivedId16(const DiskSource& disk, llvm::StringRef purpose) {
  std::string input = disk.identity() + '\0' + purpose.str();
  XXH128_hash_t h = XXH3_128bits(input.data(), input.size());
  XXH128_canonical_t canonical;
  XXH128_canonicalFromHash(&canonical, h);
  return std::string(reinterpret_cast<const char*>(canonical.digest), 16);
}

} // namespace mkimage::artifact
