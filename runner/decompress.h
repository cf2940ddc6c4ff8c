// Decompresses a zstd image (nanos-mkimage build --compress) to a temporary file, so QEMU
// can use it as a raw disk.
#pragma once

#include "llvm/Support/Error.h"

#include <string>

namespace runner {

// A temporary file deleted when this object goes away.
class TempFile {
public:
  TempFile() = default;
  explicit TempFile(std::string path) : path_(std::move(path)) {}
  TempFile(TempFile&& other) noexcept : path_(std::move(other.path_)) { other.path_.clear(); }
  TempFile& operator=(TempFile&& other) noexcept;
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile();
  const std::string& path() const { return path_; }

private:
  std::string path_;
};

// Writes the decompressed content of `compressed` to a new file in $TMPDIR (or /tmp).
// Errors name the file and the cause; nothing is left behind on failure.
llvm::Expected<TempFile> decompressZstdToTemp(const std::string& compressed);

} // namespace runner
