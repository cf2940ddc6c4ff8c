#include "artifact/sink.h"

#include "llvm/ADT/StringExtras.h"

#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <zlib.h>

namespace mkimage::artifact {

static llvm::Error ioError(const std::string& path, const char* what, int err) {
  return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: %s: %s",
                                 path.c_str(), what, std::strerror(err));
}

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

llvm::Error Sink::putZeros(uint64_t count) {
  static const char kZeros[64 * 1024] = {};
  while (count > 0) {
    uint64_t n = std::min<uint64_t>(count, sizeof kZeros);
    if (auto e = put(llvm::StringRef(kZeros, n)))
      return e;
    count -= n;
  }
  return llvm::Error::success();
}

constexpr size_t kFileBuffer = 1 << 20;

llvm::Error FileSink::flush() {
  const char* p = buffer_.data();
  size_t left = buffer_.size();
  uint64_t at = bufferStart_;
  while (left > 0) {
    ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return ioError(path_, "write failed", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
    at += static_cast<uint64_t>(n);
  }
  bufferStart_ = at;
  buffer_.clear();
  return llvm::Error::success();
}

llvm::Error FileSink::put(llvm::StringRef bytes) {
  if (buffer_.size() + bytes.size() > kFileBuffer)
    if (auto e = flush())
      return e;
  if (bytes.size() >= kFileBuffer) { // large writes bypass the buffer
    buffer_.assign(bytes.data(), bytes.size());
    return flush();
  }
  buffer_.append(bytes.data(), bytes.size());
  return llvm::Error::success();
}

llvm::Error FileSink::putZeros(uint64_t count) {
  if (count < 4096) { // short runs are cheaper as bytes than as a flush
    buffer_.append(count, '\0');
    return llvm::Error::success();
  }
  if (auto e = flush())
    return e;
  bufferStart_ += count;
  return llvm::Error::success();
}

llvm::Error FileSink::finish() {
  if (auto e = flush())
    return e;
  if (::ftruncate(fd_, static_cast<off_t>(bufferStart_)) != 0)
    return ioError(path_, "cannot set the file size", errno);
  return llvm::Error::success();
}

llvm::Error FileSink::patch(uint64_t offset, llvm::StringRef bytes) {
  if (auto e = flush())
    return e;
  std::string saved = std::move(buffer_);
  uint64_t savedStart = bufferStart_;
  buffer_.assign(bytes.data(), bytes.size());
  bufferStart_ = offset;
  llvm::Error e = flush();
  buffer_ = std::move(saved);
  bufferStart_ = savedStart;
  return e;
}

llvm::Error Sha256Sink::put(llvm::StringRef bytes) {
  hash_.update(bytes);
  return next_.write(bytes);
}

std::string Sha256Sink::hexDigest() {
  return llvm::toHex(hash_.final(), /*LowerCase=*/true);
}

std::string sha256Hex(llvm::StringRef bytes) {
  llvm::SHA256 hash;
  hash.update(bytes);
  return llvm::toHex(hash.final(), /*LowerCase=*/true);
}

struct GzipSink::State {
  z_stream z{};
  bool open = false;
  std::string out = std::string(256 * 1024, '\0');
};

GzipSink::GzipSink(Sink& next, int level) : next_(next), state_(std::make_unique<State>()) {
  // windowBits 15 + 16: a gzip wrapper; memLevel 8 is zlib's default.
  state_->open =
      deflateInit2(&state_->z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK;
}

GzipSink::~GzipSink() {
  if (state_->open)
    deflateEnd(&state_->z);
}

llvm::Error GzipSink::run(llvm::StringRef bytes, int flush) {
  if (!state_->open)
    return fail("gzip: zlib failed to initialise");
  z_stream& z = state_->z;
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  z.avail_in = static_cast<uInt>(bytes.size());
  int status;
  do {
    z.next_out = reinterpret_cast<Bytef*>(state_->out.data());
    z.avail_out = static_cast<uInt>(state_->out.size());
    status = deflate(&z, flush);
    if (status == Z_STREAM_ERROR)
      return fail("gzip: deflate failed");
    size_t produced = state_->out.size() - z.avail_out;
    if (produced)
      if (auto e = next_.write(llvm::StringRef(state_->out.data(), produced)))
        return e;
  } while (z.avail_out == 0 || (flush == Z_FINISH && status != Z_STREAM_END));
  return llvm::Error::success();
}

llvm::Error GzipSink::put(llvm::StringRef bytes) {
  // zlib counts in uInt: feed at most 1 GiB at a time.
  while (!bytes.empty()) {
    llvm::StringRef piece = bytes.take_front(1u << 30);
    if (auto e = run(piece, Z_NO_FLUSH))
      return e;
    bytes = bytes.drop_front(piece.size());
  }
  return llvm::Error::success();
}

llvm::Error GzipSink::finish() {
  return run({}, Z_FINISH);
}

llvm::Expected<std::string> zlibCompress(llvm::StringRef bytes, int level) {
  uLongf length = compressBound(static_cast<uLong>(bytes.size()));
  std::string out(length, '\0');
  int status = compress2(reinterpret_cast<Bytef*>(out.data()), &length,
                         reinterpret_cast<const Bytef*>(bytes.data()),
                         static_cast<uLong>(bytes.size()), level);
  if (status != Z_OK)
    return fail("deflate failed (zlib status " + llvm::Twine(status) + ")");
  out.resize(length);
  return out;
}

} // namespace mkimage::artifact
