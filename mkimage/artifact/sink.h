// Byte sinks the artifact writers stream into. Every format is written front to back once, so
// a writer never seeks: it writes bytes or runs of zeros, and a sink decides what a run of
// zeros costs (a hole in a file, real zeros inside a tar or gzip stream). Sinks chain: a tar
// stream goes through a SHA-256 sink into a gzip sink into a file.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/SHA256.h"

#include <cstdint>
#include <memory>
#include <string>

namespace mkimage::artifact {

class Sink {
public:
  virtual ~Sink() = default;
  llvm::Error write(llvm::StringRef data) {
    offset_ += data.size();
    return put(data);
  }
  // `count` zero bytes: a file leaves a hole, a stream writes them.
  llvm::Error writeZeros(uint64_t count) {
    offset_ += count;
    return putZeros(count);
  }
  // Zeros up to the next multiple of `alignment` (a power of two or any positive number).
  llvm::Error padTo(uint64_t alignment) {
    uint64_t rest = offset_ % alignment;
    return rest ? writeZeros(alignment - rest) : llvm::Error::success();
  }
  // Bytes written so far (the position of the next byte).
  uint64_t offset() const { return offset_; }
  // Flushes what the sink buffers; after this the sink takes no more data.
  virtual llvm::Error finish() { return llvm::Error::success(); }

protected:
  virtual llvm::Error put(llvm::StringRef data) = 0;
  virtual llvm::Error putZeros(uint64_t count); // default: writes zero buffers through put()

private:
  uint64_t offset_ = 0;
};

// Collects everything in memory (unit tests, small metadata blobs).
class StringSink : public Sink {
public:
  std::string data;

protected:
  llvm::Error put(llvm::StringRef bytes) override {
    data.append(bytes.data(), bytes.size());
    return llvm::Error::success();
  }
  llvm::Error putZeros(uint64_t count) override {
    data.append(count, '\0');
    return llvm::Error::success();
  }
};

// Writes to an open file descriptor from offset 0 through a 1 MiB buffer; zeros become holes
// (the file is extended with ftruncate by finish(), so a trailing hole counts too).
class FileSink : public Sink {
public:
  FileSink(int fd, std::string pathForErrors) : fd_(fd), path_(std::move(pathForErrors)) {}
  llvm::Error finish() override;
  // Overwrites bytes already written (after finish(): a header known only at the end).
  llvm::Error patch(uint64_t offset, llvm::StringRef bytes);

protected:
  llvm::Error put(llvm::StringRef bytes) override;
  llvm::Error putZeros(uint64_t count) override;

private:
  llvm::Error flush();
  int fd_;
  std::string path_;
  std::string buffer_;
  uint64_t bufferStart_ = 0; // file offset of buffer_[0]
};

// Passes everything on to `next` and hashes it (OCI digests: "sha256:<hex>").
class Sha256Sink : public Sink {
public:
  explicit Sha256Sink(Sink& next) : next_(next) {}
  llvm::Error finish() override { return llvm::Error::success(); } // `next` is the caller's
  std::string hexDigest();                                         // once, after the last write

protected:
  llvm::Error put(llvm::StringRef bytes) override;

private:
  Sink& next_;
  llvm::SHA256 hash_;
};

// gzip (RFC 1952) of everything written, into `next`. The header carries no name and mtime 0,
// so the output depends only on the input and zlib's version and level.
class GzipSink : public Sink {
public:
  GzipSink(Sink& next, int level);
  ~GzipSink() override;
  llvm::Error finish() override; // ends the gzip member (does not finish `next`)

protected:
  llvm::Error put(llvm::StringRef bytes) override;

private:
  llvm::Error run(llvm::StringRef bytes, int flush);
  Sink& next_;
  struct State;
  std::unique_ptr<State> state_;
};

// The hex form of a SHA-256 of a string (small blobs: OCI config, manifest, index).
std::string sha256Hex(llvm::StringRef bytes);

// zlib-format (RFC 1950) deflate of one buffer at `level` (VMDK grains).
llvm::Expected<std::string> zlibCompress(llvm::StringRef bytes, int level);

} // namespace mkimage::artifact
