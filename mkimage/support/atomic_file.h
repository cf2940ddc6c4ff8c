// Output files that appear whole or not at all: data goes to a temporary file in
// the destination directory, which is renamed over the destination on commit().
// A failed or abandoned build never leaves a partial or stale output behind.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace mkimage {

class AtomicFile {
public:
  // Creates "<dir of path>/.<name>.tmp-XXXXXX". Errors name `path`.
  static llvm::Expected<AtomicFile> create(llvm::StringRef path);

  AtomicFile(AtomicFile&& other) noexcept;
  AtomicFile& operator=(AtomicFile&&) = delete;
  AtomicFile(const AtomicFile&) = delete;
  ~AtomicFile();  // removes the temporary file unless committed

  int fd() const { return fd_; }
  const std::string& path() const { return path_; }
  const std::string& tempPath() const { return tempPath_; }

  // Writes all of `data` at `offset` (pwrite loop); errors name the destination.
  llvm::Error writeAt(uint64_t offset, llvm::StringRef data);
  // fsync is skipped on purpose: build outputs are cheap to regenerate.
  llvm::Error commit(unsigned mode = 0644);

private:
  AtomicFile(std::string path, std::string tempPath, int fd)
      : path_(std::move(path)), tempPath_(std::move(tempPath)), fd_(fd) {}
  std::string path_;
  std::string tempPath_;
  int fd_ = -1;
};

// Convenience: writes `contents` to `path` atomically.
llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents);

}  // namespace mkimage
