#include "image/file_io.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <memory>
#include <mutex>
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
// Total input size from which copyAndDigestAll spreads the work over several threads.
constexpr uint64_t kThreadedBytes = 16ull << 20;

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

namespace {

// Bytes that read as zero: what a hole contributes to a digest, without reading the hole
// (which would fill the page cache with zero pages the size of the hole).
alignas(64) const char kZeros[64 << 10] = {};

void digestZeros(Digest& d, uint64_t n) {
  while (n > 0) {
    size_t step = static_cast<size_t>(std::min<uint64_t>(n, sizeof kZeros));
    d.update(kZeros, step);
    n -= step;
  }
}

// Walks a file's data ranges and holes (SEEK_DATA/SEEK_HOLE), remembering what the last
// lookup found (a hole [from_, dataStart_), then data up to dataEnd_) so that reading a
// dense file forwards costs two lseeks, not two per chunk.
class Extents {
public:
  Extents(int fd, uint64_t size) : fd_(fd), size_(size) {}
  // The segment starting at `pos`: data or hole, ending at or before `limit`.
  struct Segment {
    bool data;
    uint64_t end;
  };
  Segment at(uint64_t pos, uint64_t limit) {
    if (!seek_)
      return {true, limit};
    if (!(known_ && pos >= from_ && pos < dataEnd_)) {
      from_ = pos;
      off_t d = ::lseek(fd_, static_cast<off_t>(pos), SEEK_DATA);
      if (d < 0 && errno == ENXIO) { // only a hole remains
        dataStart_ = dataEnd_ = size_;
      } else if (d < 0) { // SEEK_DATA unsupported: treat everything as data
        seek_ = false;
        return {true, limit};
      } else {
        off_t h = ::lseek(fd_, d, SEEK_HOLE);
        dataStart_ = std::min<uint64_t>(size_, static_cast<uint64_t>(d));
        dataEnd_ = h < 0 ? size_ : std::min<uint64_t>(size_, static_cast<uint64_t>(h));
      }
      known_ = true;
      if (pos >= dataEnd_) // raced with a writer; the size checks catch real changes
        return {true, limit};
    }
    if (pos < dataStart_)
      return {false, std::min(dataStart_, limit)};
    return {true, std::min(dataEnd_, limit)};
  }

private:
  int fd_;
  uint64_t size_;
  uint64_t from_ = 0, dataStart_ = 0, dataEnd_ = 0;
  bool known_ = false, seek_ = true;
};

llvm::Error readFully(int fd, char* buf, uint64_t offset, size_t len, const std::string& path) {
  for (size_t got = 0; got < len;) {
    ssize_t n = ::pread(fd, buf + got, len - got, static_cast<off_t>(offset + got));
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      return errnoFail(path + ": read failed", errno);
    if (n == 0)
      return fail(path + ": changed size while the image was being built");
    got += static_cast<size_t>(n);
  }
  return llvm::Error::success();
}

llvm::Error writeFully(int fd, const char* buf, uint64_t offset, size_t len,
                       llvm::StringRef outName) {
  for (size_t done = 0; done < len;) {
    ssize_t w = ::pwrite(fd, buf + done, len - done, static_cast<off_t>(offset + done));
    if (w < 0 && errno == EINTR)
      continue;
    if (w < 0)
      return errnoFail(outName + ": write failed", errno);
    done += static_cast<size_t>(w);
  }
  return llvm::Error::success();
}

// Shared state of one job. A large file is cut into kBufferSize chunks. Its owner reads
// each chunk once into a cache-sized buffer, digests it and writes it from there, so every
// byte crosses the memory bus once on the way in and once on the way out, as with `cp`.
// A thread with nothing left to start helps the owner of a large file by copying chunks
// from the end with copy_file_range; the owner then only digests those (digestMapped). `claims`
// packs the owner's next chunk (low 32 bits) and the end of the chunks not yet taken by a helper
// (high 32 bits): whoever moves one towards the other first copies that chunk.
struct JobState {
  CopyJob* job = nullptr;
  Fd in;
  uint64_t chunks = 0;
  std::atomic<uint64_t> claims{0};
  std::atomic<bool> open{false}; // `in` is valid and helpers may take chunks
  std::mutex m;                  // held by a helper while it uses `in`; guards `err`
  bool closed = false;
  llvm::Error err = llvm::Error::success();

  void record(llvm::Error e) {
    if (err)
      llvm::consumeError(std::move(e));
    else
      err = std::move(e);
  }
  // The owner's claim of chunk `c` (its next): false if a helper took it.
  bool claimFront(uint64_t c) {
    uint64_t v = claims.load();
    while ((v >> 32) > c)
      if (claims.compare_exchange_weak(v, (v >> 32) << 32 | (c + 1)))
        return true;
    return false;
  }
  // A helper's claim of the last chunk not yet taken; false when none is left.
  bool claimBack(uint64_t& c) {
    uint64_t v = claims.load();
    while ((v >> 32) > (v & 0xffffffff) + 1) { // leave the owner its next chunk
      uint64_t hi = (v >> 32) - 1;
      if (claims.compare_exchange_weak(v, hi << 32 | (v & 0xffffffff))) {
        c = hi;
        return true;
      }
    }
    return false;
  }
  uint64_t unclaimed() const {
    uint64_t v = claims.load();
    return (v >> 32) - (v & 0xffffffff);
  }
};

// Digests [pos, pos+len) of `fd` through a read-only mapping of the page cache: no copy
// into `buf` (its fallback), which made the owner of a single large file the bottleneck
// (1.23-1.31 x cp against 1.12 with the mapping). Only for chunks the owner does not
// write. A file truncated under the mapping would raise SIGBUS, so the size is checked
// right before; the window that leaves is the one the old copy-and-mmap writer had.
llvm::Error digestMapped(int fd, uint64_t pos, size_t len, char* buf, Digest& d,
                         const std::string& path) {
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return errnoFail(path + ": cannot stat", errno);
  if (static_cast<uint64_t>(st.st_size) < pos + len)
    return fail(path + ": changed size while the image was being built");
  uint64_t base = pos & ~uint64_t(4095);
  size_t mapped = static_cast<size_t>(pos + len - base);
  void* m =
      ::mmap(nullptr, mapped, PROT_READ, MAP_SHARED | MAP_POPULATE, fd, static_cast<off_t>(base));
  if (m == MAP_FAILED) { // e.g. a filesystem without mmap
    if (auto e = readFully(fd, buf, pos, len, path))
      return e;
    d.update(buf, len);
    return llvm::Error::success();
  }
  d.update(static_cast<const char*>(m) + (pos - base), len);
  ::munmap(m, mapped);
  return llvm::Error::success();
}

// Runs job `s` in the calling thread (its owner).
llvm::Error runJob(JobState& s, int outFd, llvm::StringRef outName) {
  CopyJob& job = *s.job;
  const std::string& path = job.path;
  uint64_t size = job.size;
  s.in.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (s.in.fd < 0)
    return errnoFail(path + ": cannot open", errno);
  struct stat st;
  if (::fstat(s.in.fd, &st) != 0)
    return errnoFail(path + ": cannot stat", errno);
  if (!S_ISREG(st.st_mode))
    return fail(path + ": not a regular file");
  if (static_cast<uint64_t>(st.st_size) != size)
    return fail(path + ": changed size while the image was being built");
  char* buf = scratch();
  Digest d;
  if (size <= kBufferSize) {
    // Small files (most libraries): one read feeds both the digest and the image.
    if (auto e = readFully(s.in.fd, buf, 0, static_cast<size_t>(size), path))
      return e;
    d.update(buf, static_cast<size_t>(size));
    job.digest = d.hex();
    return writeFully(outFd, buf, job.outOffset, static_cast<size_t>(size), outName);
  }
  s.chunks = (size + kBufferSize - 1) / kBufferSize;
  if (s.chunks > UINT32_MAX)
    return fail(path + ": too large (" + llvm::Twine(size) + " bytes)");
  s.claims.store(s.chunks << 32);
  s.open.store(true);
  Extents extents(s.in.fd, size);
  for (uint64_t c = 0; c < s.chunks; ++c) {
    bool copy = s.claimFront(c);
    uint64_t end = std::min(size, (c + 1) * kBufferSize);
    for (uint64_t pos = c * kBufferSize; pos < end;) {
      Extents::Segment seg = extents.at(pos, end);
      size_t len = static_cast<size_t>(seg.end - pos);
      if (!seg.data) { // holes stay holes in the (sparse) image
        digestZeros(d, len);
      } else if (copy) {
        if (auto e = readFully(s.in.fd, buf, pos, len, path))
          return e;
        d.update(buf, len);
        if (auto e = writeFully(outFd, buf, job.outOffset + pos, len, outName))
          return e;
      } else if (auto e = digestMapped(s.in.fd, pos, len, buf, d, path)) {
        return e; // a helper copies this chunk: only digest it
      }
      pos = seg.end;
    }
  }
  job.digest = d.hex();
  return llvm::Error::success();
}

// Copies chunks of the owner's file from its end until none is left (see JobState).
// A failure sets `failed`, which ends the helping (and the starting of further files).
void help(JobState& s, int outFd, llvm::StringRef outName, std::atomic<bool>& failed) {
  std::lock_guard<std::mutex> lock(s.m);
  if (s.closed)
    return;
  Extents extents(s.in.fd, s.job->size);
  uint64_t c;
  while (!s.err && s.claimBack(c)) {
    uint64_t end = std::min(s.job->size, (c + 1) * kBufferSize);
    for (uint64_t pos = c * kBufferSize; pos < end;) {
      Extents::Segment seg = extents.at(pos, end);
      if (seg.data)
        if (auto e = copyRange(s.in.fd, pos, seg.end - pos, outFd, s.job->outOffset + pos,
                               s.job->path, outName)) {
          s.record(std::move(e));
          failed.store(true);
          return;
        }
      pos = seg.end;
    }
  }
}

} // namespace

llvm::Error copyAndDigestAll(llvm::MutableArrayRef<CopyJob> jobs, int outFd,
                             llvm::StringRef outName, unsigned threads) {
  size_t n = jobs.size();
  std::unique_ptr<JobState[]> states(new JobState[n]);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    states[i].job = &jobs[i];
    total += jobs[i].size;
  }
  // Largest first, so that no thread starts a big file when the others are almost done.
  std::vector<size_t> order(n);
  for (size_t i = 0; i < n; ++i)
    order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return jobs[a].size > jobs[b].size; });
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  auto worker = [&] {
    for (;;) {
      size_t k = next.fetch_add(1);
      if (k >= n || failed.load())
        break;
      JobState& s = states[order[k]];
      llvm::Error e = runJob(s, outFd, outName);
      std::lock_guard<std::mutex> lock(s.m); // waits for a helper still copying
      s.closed = true;
      s.open.store(false);
      if (s.in.fd >= 0)
        ::close(s.in.fd);
      s.in.fd = -1;
      if (e) {
        s.record(std::move(e));
        failed.store(true);
      }
    }
    // Nothing left to start: help the file with the most chunks still to copy.
    while (!failed.load()) {
      JobState* best = nullptr;
      for (size_t i = 0; i < n; ++i)
        if (states[i].open.load() && states[i].unclaimed() > 1 &&
            (!best || states[i].unclaimed() > best->unclaimed()))
          best = &states[i];
      if (!best)
        break;
      help(*best, outFd, outName, failed);
    }
  };
  // By default one per CPU, at most 4: the writes all go to the one image file (whose inode
  // lock serialises them) and memory bandwidth is shared, so more threads would mostly cost
  // their 1 MiB buffers (measured on 2 cores only).
  if (threads == 0)
    threads = std::min(4u, std::max(1u, std::thread::hardware_concurrency()));
  // Small images stay in one thread. A hello-world image (1.7 MB kernel, 2 MB libc) was
  // 0.04-0.14 ms faster with a second thread on an idle machine, but 0.15-0.3 ms slower
  // while another process kept one core busy (the thread then waits to be scheduled); from
  // 16 MiB the second core pays off whatever the load. One thread more than there are
  // files: it helps with the copy of the last one.
  unsigned extra =
      total >= kThreadedBytes ? static_cast<unsigned>(std::min<size_t>(threads, n + 1) - 1) : 0;
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < extra; ++i)
    pool.emplace_back(worker);
  worker();
  for (std::thread& t : pool)
    t.join();
  // The first failure in job order (the caller's order), whichever thread met it.
  llvm::Error first = llvm::Error::success();
  for (size_t i = 0; i < n; ++i) {
    if (!states[i].err)
      continue;
    if (first) {
      llvm::consumeError(std::move(states[i].err));
      continue;
    }
    first = jobs[i].errorPrefix.empty()
                ? std::move(states[i].err)
                : fail(jobs[i].errorPrefix + ": " + llvm::toString(std::move(states[i].err)));
  }
  return first;
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
