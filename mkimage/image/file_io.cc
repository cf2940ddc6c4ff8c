#include "image/file_io.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <sys/mman.h>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>
#include <vector>
#include <xxh_x86dispatch.h>
#include <xxhash.h>
#include <zstd.h>

namespace mkimage {

constexpr size_t kBufferSize = 1 << 20;

// One uninitialised buffer per thread, allocated once: a fresh zeroed 1 MiB vector per
// file cost more than the small files it was reading.
static char* scratch() {
  static thread_local std::unique_ptr<char[]> buffer(new char[kBufferSize]);
  return buffer.get();
}

llvm::Error errnoFail(const llvm::Twine& what, int err) {
  return llvm::createStringError(std::error_code(err, std::generic_category()),
                                 (what + ": " + std::strerror(err)).str());
}

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

Digest::Digest() : state_(XXH3_createState()) {
  XXH3_128bits_reset(state_);
}
Digest::~Digest() {
  XXH3_freeState(state_);
}
// Through xxh_x86dispatch.h this is XXH3_128bits_update_dispatch, which picks AVX2/AVX-512
// code at run time; the plain entry point is SSE2 and hashed slower than the kernel copied.
void Digest::update(const void* data, size_t size) {
  XXH3_128bits_update(state_, data, size);
}
void Digest::field(llvm::StringRef s) {
  uint64_t n = s.size();
  update(&n, sizeof n);
  update(s);
}
void Digest::bytes(uint8_t out[16]) const {
  XXH128_canonical_t c;
  XXH128_canonicalFromHash(&c, XXH3_128bits_digest(state_));
  std::memcpy(out, c.digest, 16);
}
std::string Digest::hex() const {
  uint8_t b[16];
  bytes(b);
  return llvm::toHex(llvm::ArrayRef<uint8_t>(b, 16), /*LowerCase=*/true);
}

namespace {
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};
} // namespace

llvm::Expected<std::string> digestRange(int fd, uint64_t offset, uint64_t size,
                                        llvm::StringRef what) {
  char* buf = scratch();
  Digest d;
  while (size > 0) {
    size_t want = size < kBufferSize ? static_cast<size_t>(size) : kBufferSize;
    ssize_t n = ::pread(fd, buf, want, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errnoFail(what + ": read failed", errno);
    if (n == 0)
      return fail(what + ": file is shorter than expected (changed while reading?)");
    d.update(buf, static_cast<size_t>(n));
    size -= static_cast<uint64_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return d.hex();
}

llvm::Expected<std::string> digestFile(const std::string& path, uint64_t& size) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (f.fd < 0)
    return errnoFail(path + ": cannot open", errno);
  struct stat st;
  if (::fstat(f.fd, &st) != 0)
    return errnoFail(path + ": cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return fail(path + ": not a regular file");
  size = static_cast<uint64_t>(st.st_size);
  return digestRange(f.fd, 0, size, path);
}

static llvm::Error copyPlain(int in, uint64_t from, uint64_t len, int out, uint64_t outOffset,
                             const std::string& path, llvm::StringRef outName) {
  char* buf = scratch();
  while (len > 0) {
    size_t want = len < kBufferSize ? static_cast<size_t>(len) : kBufferSize;
    ssize_t n = ::pread(in, buf, want, static_cast<off_t>(from));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errnoFail(path + ": read failed", errno);
    if (n == 0)
      return fail(path + ": file shrank while being copied");
    size_t got = static_cast<size_t>(n);
    bool zero = std::all_of(buf, buf + got, [](char c) { return c == 0; });
    for (size_t done = 0; !zero && done < got;) {
      ssize_t w = ::pwrite(out, buf + done, got - done, static_cast<off_t>(outOffset + done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return errnoFail(outName + ": write failed", errno);
      done += static_cast<size_t>(w);
    }
    from += got;
    outOffset += got;
    len -= got;
  }
  return llvm::Error::success();
}

// Copies [from, from+len) with copy_file_range, falling back to read/write when the
// kernel or the filesystems cannot do it.
static llvm::Error copyRange(int in, uint64_t from, uint64_t len, int out, uint64_t outOffset,
                             const std::string& path, llvm::StringRef outName) {
  while (len > 0) {
    loff_t inOff = static_cast<loff_t>(from), outOff = static_cast<loff_t>(outOffset);
    ssize_t n = ::copy_file_range(in, &inOff, out, &outOff, len, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0 && (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP ||
                  errno == EPERM || errno == ETXTBSY))
      return copyPlain(in, from, len, out, outOffset, path, outName);
    if (n < 0) {
      int err = errno;
      // A failing read of the source is rare; the output side (ENOSPC, EFBIG, EIO) is not.
      if (err == ENOSPC || err == EFBIG || err == EDQUOT)
        return errnoFail(outName + ": write failed", err);
      return errnoFail(path + " -> " + outName + ": copy failed", err);
    }
    if (n == 0)
      return fail(path + ": file shrank while being copied");
    from += static_cast<uint64_t>(n);
    outOffset += static_cast<uint64_t>(n);
    len -= static_cast<uint64_t>(n);
  }
  return llvm::Error::success();
}

llvm::Error copyFileInto(const std::string& path, uint64_t size, int outFd, uint64_t outOffset,
                         llvm::StringRef outName) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (f.fd < 0)
    return errnoFail(path + ": cannot open", errno);
  uint64_t pos = 0;
  while (pos < size) {
    off_t data = ::lseek(f.fd, static_cast<off_t>(pos), SEEK_DATA);
    if (data < 0 && errno == ENXIO)
      break;      // only a hole remains
    if (data < 0) // SEEK_DATA unsupported: copy everything
      return copyRange(f.fd, pos, size - pos, outFd, outOffset + pos, path, outName);
    uint64_t start = static_cast<uint64_t>(data);
    if (start >= size)
      break;
    off_t hole = ::lseek(f.fd, data, SEEK_HOLE);
    uint64_t end = hole < 0 ? size : std::min<uint64_t>(size, static_cast<uint64_t>(hole));
    if (auto e = copyRange(f.fd, start, end - start, outFd, outOffset + start, path, outName))
      return e;
    pos = end;
  }
  return llvm::Error::success();
}

// Digest through 4 MiB read-only mappings of the page cache: no copy into a buffer, so
// hashing stays faster than the kernel's copy. Each window is unmapped before the next, so
// resident memory is bounded by the window, not the file.
static llvm::Expected<std::string> digestMapped(int fd, uint64_t size, const std::string& path) {
  constexpr uint64_t kWindow = 4ull << 20;
  Digest d;
  for (uint64_t at = 0; at < size; at += kWindow) {
    size_t len = static_cast<size_t>(std::min(kWindow, size - at));
    void* p =
        ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, static_cast<off_t>(at));
    if (p == MAP_FAILED)
      return digestRange(fd, 0, size, path); // e.g. a filesystem without mmap
    d.update(p, len);
    ::munmap(p, len);
  }
  return d.hex();
}

llvm::Error copyAndDigest(const std::string& path, uint64_t size, int outFd, uint64_t outOffset,
                          llvm::StringRef outName, std::string& digest) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (f.fd < 0)
    return errnoFail(path + ": cannot open", errno);
  struct stat st;
  if (::fstat(f.fd, &st) != 0)
    return errnoFail(path + ": cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return fail(path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) != size)
    return fail(path + ": changed size while the image was being built");
  if (size <= kBufferSize) {
    // Small files (most libraries): one read feeds both the digest and the image.
    char* buf = scratch();
    size_t got = 0;
    while (got < size) {
      ssize_t n = ::pread(f.fd, buf + got, size - got, static_cast<off_t>(got));
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return errnoFail(path + ": read failed", errno);
      if (n == 0)
        return fail(path + ": changed size while the image was being built");
      got += static_cast<size_t>(n);
    }
    Digest d;
    d.update(buf, got);
    digest = d.hex();
    for (size_t done = 0; done < got;) {
      ssize_t w = ::pwrite(outFd, buf + done, got - done, static_cast<off_t>(outOffset + done));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return errnoFail(outName + ": write failed", errno);
      done += static_cast<size_t>(w);
    }
    return llvm::Error::success();
  }
  // Large files: the kernel copies (copy_file_range) while a second thread digests the
  // source through its own buffer, so the digest costs no extra wall time on >= 2 cores.
  llvm::Expected<std::string> hashed = std::string();
  std::thread hasher([&] { hashed = digestMapped(f.fd, size, path); });
  llvm::Error copied = copyFileInto(path, size, outFd, outOffset, outName);
  hasher.join();
  if (copied) {
    llvm::consumeError(hashed.takeError());
    return copied;
  }
  if (!hashed)
    return hashed.takeError();
  digest = *hashed;
  return llvm::Error::success();
}

llvm::Error compressInto(int inFd, uint64_t size, int outFd, unsigned threads,
                         llvm::StringRef outName, std::string& rawDigest) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  if (!cctx)
    return fail(outName + ": out of memory (zstd)");
  auto freeCtx = llvm::make_scope_exit([&] { ZSTD_freeCCtx(cctx); });
  if (threads == 0)
    threads = std::max(1u, std::thread::hardware_concurrency());
  // nbWorkers >= 1 always: zstd's multi-threaded frames are identical for every worker
  // count, but differ from single-threaded mode (nbWorkers = 0), so never use 0.
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, 3);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  size_t r = ZSTD_CCtx_setParameter(cctx, ZSTD_c_nbWorkers, static_cast<int>(threads));
  if (ZSTD_isError(r))
    return fail(outName + ": libzstd has no multi-threading support: " + ZSTD_getErrorName(r));
  ZSTD_CCtx_setPledgedSrcSize(cctx, size);
  std::vector<char> in(kBufferSize), out(ZSTD_CStreamOutSize());
  Digest d;
  uint64_t pos = 0, outPos = 0;
  auto flushOut = [&](size_t n) -> llvm::Error {
    for (size_t done = 0; done < n;) {
      ssize_t w = ::pwrite(outFd, out.data() + done, n - done, static_cast<off_t>(outPos));
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return errnoFail(outName + ": write failed", errno);
      done += static_cast<size_t>(w);
      outPos += static_cast<uint64_t>(w);
    }
    return llvm::Error::success();
  };
  for (;;) {
    size_t want = std::min<uint64_t>(in.size(), size - pos);
    size_t got = 0;
    while (got < want) {
      ssize_t n = ::pread(inFd, in.data() + got, want - got, static_cast<off_t>(pos + got));
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        return errnoFail(outName + ": reading the raw image back failed", n < 0 ? errno : EIO);
      got += static_cast<size_t>(n);
    }
    d.update(in.data(), got);
    pos += got;
    bool last = pos == size;
    ZSTD_inBuffer ib{in.data(), got, 0};
    ZSTD_EndDirective mode = last ? ZSTD_e_end : ZSTD_e_continue;
    for (;;) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      size_t left = ZSTD_compressStream2(cctx, &ob, &ib, mode);
      if (ZSTD_isError(left))
        return fail(outName + ": zstd compression failed: " + ZSTD_getErrorName(left));
      if (auto e = flushOut(ob.pos))
        return e;
      if (last ? left == 0 : ib.pos == ib.size)
        break;
    }
    if (last)
      break;
  }
  rawDigest = d.hex();
  return llvm::Error::success();
}

llvm::Error decompressInto(const std::string& path, int outFd) {
  Fd f;
  f.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0)
    return errnoFail(path + ": cannot open", errno);
  ZSTD_DCtx* dctx = ZSTD_createDCtx();
  auto freeCtx = llvm::make_scope_exit([&] { ZSTD_freeDCtx(dctx); });
  std::vector<char> in(ZSTD_DStreamInSize()), out(ZSTD_DStreamOutSize());
  uint64_t outPos = 0;
  size_t last = 0;
  for (;;) {
    ssize_t n = ::read(f.fd, in.data(), in.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errnoFail(path + ": read failed", errno);
    if (n == 0)
      break;
    ZSTD_inBuffer ib{in.data(), static_cast<size_t>(n), 0};
    bool outputFull = false;
    // A full output buffer may hide more output, unless the frame just ended (last == 0):
    // calling again then would start reading a next frame and report its header size.
    while (ib.pos < ib.size || (outputFull && last != 0)) {
      ZSTD_outBuffer ob{out.data(), out.size(), 0};
      last = ZSTD_decompressStream(dctx, &ob, &ib);
      if (ZSTD_isError(last))
        return fail(path + ": not a valid zstd stream: " + ZSTD_getErrorName(last));
      if (ob.pos && ::pwrite(outFd, out.data(), ob.pos, static_cast<off_t>(outPos)) !=
                        static_cast<ssize_t>(ob.pos))
        return errnoFail(path + ": writing the decompressed image failed", errno);
      outPos += ob.pos;
      outputFull = ob.pos == ob.size;
    }
  }
  if (last != 0)
    return fail(path + ": truncated zstd stream");
  return llvm::Error::success();
}

} // namespace mkimage
