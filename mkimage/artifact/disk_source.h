// The disk an artifact is made from: a Nanos image (checked to be one: MBR, boot and root TFS
// decode) or, for unit tests, bytes in memory. Its size is the artifact's virtual size, which
// may exceed the image: the bytes past the image read as zeros (VHD and GCE round the disk up).
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mkimage::artifact {

class DiskSource {
public:
  // Opens and checks a Nanos image (raw or .zst) with the reader the other commands use.
  static llvm::Expected<DiskSource> openImage(const std::string& path);
  // In-memory disk; `identity` stands in for the image's root filesystem UUID.
  static DiskSource fromBytes(std::string bytes, std::string identity);

  // Bytes of image content (before any padding).
  uint64_t contentSize() const { return contentSize_; }
  // The virtual disk size: contentSize() unless resized.
  uint64_t size() const { return size_; }
  // Makes the disk `size` bytes long (zeros after the content); never smaller than the content.
  void setSize(uint64_t size) { size_ = size; }

  // A stable name for this content: the root filesystem's UUID, itself a digest of everything
  // the image holds. Format identifiers (VHD unique id, VHDX GUIDs, VMDK CID) derive from it.
  const std::string& identity() const { return identity_; }

  // Fills `out` from `offset`; bytes past the content read as zeros.
  llvm::Error read(uint64_t offset, llvm::MutableArrayRef<char> out) const;

  // For each `chunk`-sized piece of the disk (the last may be short): does it hold a byte that
  // is not zero? Only the data ranges of the file are read (SEEK_DATA), holes are zeros.
  llvm::Expected<std::vector<bool>> nonZeroChunks(uint64_t chunk) const;
  // Calls `visit` with each such chunk's index and its bytes (always `chunk` bytes, zeros past
  // the content), in increasing order: one pass over the data for the writers that can.
  llvm::Error forEachNonZeroChunk(
      uint64_t chunk,
      llvm::function_ref<llvm::Error(uint64_t index, llvm::ArrayRef<char> bytes)> visit) const;

  const std::string& path() const { return path_; }

private:
  struct Backing;
  std::shared_ptr<Backing> backing_;
  std::string path_, identity_;
  uint64_t contentSize_ = 0, size_ = 0;
};

// A 16-byte identifier derived from the disk's identity and a purpose ("vhd-unique-id", ...):
// XXH3-128 of both, so two artifacts of one image agree and different images differ.
std::string derivedId16(const DiskSource& disk, llvm::StringRef purpose);

// True if every byte of `bytes` is zero.
bool allZero(llvm::ArrayRef<char> bytes);

} // namespace mkimage::artifact
