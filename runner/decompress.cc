#include "decompress.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <unistd.h>
#include <vector>
#include <zstd.h>

namespace runner {

TempFile& TempFile::operator=(TempFile&& other) noexcept {
  if (this != &other) {
    if (!path_.empty())
      ::unlink(path_.c_str());
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

TempFile::~TempFile() {
  if (!path_.empty())
    ::unlink(path_.c_str());
}

static llvm::Error fail(const std::string& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

static bool writeAll(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::write(fd, data, size);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

llvm::Expected<TempFile> decompressZstdToTemp(const std::string& compressed) {
  int in = ::open(compressed.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0)
    return fail("image '" + compressed + "': " + std::strerror(errno));
  std::unique_ptr<int, void (*)(int*)> closeIn(&in, [](int* fd) { ::close(*fd); });

  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/nanos-run-XXXXXX.img";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int out = ::mkostemps(name.data(), 4, O_CLOEXEC);
  if (out < 0)
    return fail("cannot create a temporary file " + pattern + ": " + std::strerror(errno));
  TempFile result(name.data());
  std::unique_ptr<int, void (*)(int*)> closeOut(&out, [](int* fd) { ::close(*fd); });

  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx)
    return fail("zstd: out of memory");
  std::vector<char> inBuf(ZSTD_DStreamInSize()), outBuf(ZSTD_DStreamOutSize());
  size_t lastRet = 0;
  bool sawInput = false;
  for (;;) {
    ssize_t got = ::read(in, inBuf.data(), inBuf.size());
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0)
      return fail("image '" + compressed + "': " + std::strerror(errno));
    if (got == 0)
      break;
    sawInput = true;
    ZSTD_inBuffer input{inBuf.data(), static_cast<size_t>(got), 0};
    while (input.pos < input.size) {
      ZSTD_outBuffer output{outBuf.data(), outBuf.size(), 0};
      lastRet = ZSTD_decompressStream(dctx.get(), &output, &input);
      if (ZSTD_isError(lastRet))
        return fail("image '" + compressed + "': not valid zstd data (" +
                    ZSTD_getErrorName(lastRet) + ")");
      if (!writeAll(out, outBuf.data(), output.pos))
        return fail("writing " + result.path() + ": " + std::strerror(errno));
    }
  }
  if (!sawInput || lastRet != 0)
    return fail("image '" + compressed + "': truncated zstd data");
  return result;
}

} // namespace runner
