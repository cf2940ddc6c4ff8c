// Host file helpers for the image writer: XXH3-128 digests, fast copies into the image
// (copy_file_range over the source's data ranges, so holes stay holes), zstd output.
// Every helper streams through a fixed-size buffer: peak memory never depends on file size.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <memory>
#include <string>

struct XXH3_state_s;

namespace mkimage {

class Digest {
public:
  Digest();
  ~Digest();
  Digest(const Digest&) = delete;
  Digest& operator=(const Digest&) = delete;
  void update(const void* data, size_t size);
  void update(llvm::StringRef s) { update(s.data(), s.size()); }
  // Length-prefixed, so consecutive fields cannot run into each other.
  void field(llvm::StringRef s);
  std::string hex() const;           // 32 hex digits (high 64 bits first)
  void bytes(uint8_t out[16]) const; // big-endian canonical form

private:
  XXH3_state_s* state_;
};

// Digest of a whole host file (streamed). Errors name `path`.
llvm::Expected<std::string> digestFile(const std::string& path, uint64_t& size);
// Digest of `size` bytes of `fd` from `offset`.
llvm::Expected<std::string> digestRange(int fd, uint64_t offset, uint64_t size,
                                        llvm::StringRef what);

// Copies host file `path` (exactly `size` bytes) into `outFd` at `outOffset`. Source holes
// are skipped (they read as zero in the sparse output). `outName` names the output in errors.
llvm::Error copyFileInto(const std::string& path, uint64_t size, int outFd, uint64_t outOffset,
                         llvm::StringRef outName);

// copyFileInto + the file's digest in one go: small files are read once; large ones are
// copied by the kernel while another thread digests them. Errors if the size changed.
llvm::Error copyAndDigest(const std::string& path, uint64_t size, int outFd, uint64_t outOffset,
                          llvm::StringRef outName, std::string& digest);

// Writes `size` bytes of `inFd` zstd-compressed to `outFd` (multi-threaded; the frame is
// identical for every worker count >= 1). Also returns the digest of the raw bytes.
llvm::Error compressInto(int inFd, uint64_t size, int outFd, unsigned threads,
                         llvm::StringRef outName, std::string& rawDigest);

// Decompresses a .zst file into `outFd`.
llvm::Error decompressInto(const std::string& path, int outFd);

llvm::Error errnoFail(const llvm::Twine& what, int err);

} // namespace mkimage
