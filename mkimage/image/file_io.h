// Host file helpers for the image writer: XXH3-128 digests, fast copies into the image
// (copy_file_range over the source's data ranges, so holes stay holes), zstd output.
// Every helper streams through fixed-size buffers: peak memory never depends on file size.
#pragma once

#include "llvm/ADT/ArrayRef.h"
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

// One host file to put into the image: exactly `size` bytes of `path` at `outOffset`.
struct CopyJob {
  std::string path;
  uint64_t size = 0;
  uint64_t outOffset = 0;
  std::string errorPrefix; // prepended to this job's errors ("PREFIX: ...") when not empty
  std::string digest;      // out: XXH3-128 of the file's bytes (hex)
};

// Copies every job's file into `outFd` and fills in its digest. Each file is read once:
// small files in one read, large ones in cache-sized chunks that are digested and written
// from the same buffer. With >= 16 MiB of input the files are spread over up to `threads`
// threads (0 = one per CPU), and a thread with no file left to start copies chunks of a
// large file another thread is reading, with copy_file_range. Source holes are skipped
// (they read as zero in the sparse output); a size change is an error. `outName` names the
// output in errors; the error returned is that of the first failing job in `jobs` order.
llvm::Error copyAndDigestAll(llvm::MutableArrayRef<CopyJob> jobs, int outFd,
                             llvm::StringRef outName, unsigned threads);

// Writes `size` bytes of `inFd` zstd-compressed to `outFd` (multi-threaded; the frame is
// identical for every worker count >= 1). Also returns the digest of the raw bytes.
llvm::Error compressInto(int inFd, uint64_t size, int outFd, unsigned threads,
                         llvm::StringRef outName, std::string& rawDigest);

// Decompresses a .zst file into `outFd`.
llvm::Error decompressInto(const std::string& path, int outFd);

llvm::Error errnoFail(const llvm::Twine& what, int err);

} // namespace mkimage
