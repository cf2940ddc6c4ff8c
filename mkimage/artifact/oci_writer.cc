#include "artifact/oci_writer.h"

#include "artifact/qcow2_writer.h"
#include "artifact/tar_writer.h"
#include "artifact/vhd_writer.h"
#include "support/atomic_file.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage::artifact {

namespace {

constexpr int kGzipLevel = 6;
constexpr uint32_t kKubevirtQemuUid = 107;

llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

std::string render(const llvm::json::Value& value) {
  std::string text;
  llvm::raw_string_ostream os(text);
  os << value; // compact, keys in sorted order: reproducible
  return os.str();
}

struct Blob {
  std::string digest; // "sha256:<hex>"
  uint64_t size = 0;
};

llvm::Expected<Blob> writeBlob(const std::string& dir, llvm::StringRef bytes) {
  Blob b{"sha256:" + sha256Hex(bytes), bytes.size()};
  if (auto e = writeFileAtomically(dir + "/blobs/sha256/" + b.digest.substr(7), bytes))
    return e;
  return b;
}

struct LayerBlob {
  Blob blob;
  std::string diffId; // digest of the uncompressed tar
};

llvm::Error writeLayerTar(const DiskSource& disk, OciLayer kind, Sink& tar) {
  if (kind == OciLayer::RawDisk) {
    TarEntry file{"disk.raw", '0', 0444, 0, 0, "root", "root", disk.size()};
    if (auto e = beginTarFile(tar, file, TarFormat::Ustar))
      return e;
    if (auto e = copyDisk(disk, tar))
      return e;
  } else {
    auto qcow2 = Qcow2Writer::plan(disk);
    if (!qcow2)
      return qcow2.takeError();
    TarEntry dir{"disk/", '5', 0555, kKubevirtQemuUid, kKubevirtQemuUid, "", "", 0};
    TarEntry file{"disk/disk.qcow2", '0', 0440, kKubevirtQemuUid,
                  kKubevirtQemuUid,  "",  "",   qcow2->fileSize()};
    if (auto e = beginTarFile(tar, dir, TarFormat::Ustar))
      return e;
    if (auto e = beginTarFile(tar, file, TarFormat::Ustar))
      return e;
    if (auto e = qcow2->write(tar))
      return e;
  }
  if (auto e = endTarFile(tar))
    return e;
  return endTarArchive(tar);
}

llvm::Expected<LayerBlob> writeLayer(const DiskSource& disk, OciLayer kind,
                                     const std::string& dir) {
  std::string blobs = dir + "/blobs/sha256/";
  auto file = AtomicFile::create(blobs + "layer");
  if (!file)
    return file.takeError();
  FileSink fileSink(file->fd(), file->path());
  Sha256Sink compressed(fileSink);
  GzipSink gzip(compressed, kGzipLevel);
  Sha256Sink uncompressed(gzip);
  if (auto e = writeLayerTar(disk, kind, uncompressed))
    return e;
  if (auto e = gzip.finish())
    return e;
  if (auto e = fileSink.finish())
    return e;
  LayerBlob layer;
  layer.diffId = "sha256:" + uncompressed.hexDigest();
  layer.blob.digest = "sha256:" + compressed.hexDigest();
  layer.blob.size = compressed.offset();
  // The blob's name is its digest, known only now: commit under the final name.
  if (::fchmod(file->fd(), 0644) != 0 ||
      ::rename(file->tempPath().c_str(), (blobs + layer.blob.digest.substr(7)).c_str()) != 0)
    return fail(dir + ": cannot name the layer blob: " + std::strerror(errno));
  return layer;
}

llvm::json::Object descriptor(const char* mediaType, const Blob& blob) {
  return llvm::json::Object{
      {"mediaType", mediaType}, {"digest", blob.digest}, {"size", static_cast<int64_t>(blob.size)}};
}

} // namespace

llvm::Error writeOciLayout(const DiskSource& disk, OciLayer kind, const std::string& dir) {
  if (auto ec = llvm::sys::fs::create_directories(dir + "/blobs/sha256"))
    return fail(dir + ": cannot create blobs/sha256: " + ec.message());
  auto layer = writeLayer(disk, kind, dir);
  if (!layer)
    return layer.takeError();
  const char* kEpoch = "1970-01-01T00:00:00Z";
  llvm::json::Object config{
      {"architecture", "amd64"},
      {"os", "linux"},
      {"created", kEpoch},
      {"config", llvm::json::Object{}},
      {"rootfs",
       llvm::json::Object{{"type", "layers"}, {"diff_ids", llvm::json::Array{layer->diffId}}}},
      {"history", llvm::json::Array{llvm::json::Object{
                      {"created", kEpoch},
                      {"created_by", kind == OciLayer::RawDisk
                                         ? "nanos-mkimage export --format oci"
                                         : "nanos-mkimage export --format containerdisk"}}}}};
  auto configBlob = writeBlob(dir, render(llvm::json::Value(std::move(config))));
  if (!configBlob)
    return configBlob.takeError();
  llvm::json::Object manifest{
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
      {"config", descriptor("application/vnd.oci.image.config.v1+json", *configBlob)},
      {"layers",
       llvm::json::Array{descriptor("application/vnd.oci.image.layer.v1.tar+gzip", layer->blob)}}};
  auto manifestBlob = writeBlob(dir, render(llvm::json::Value(std::move(manifest))));
  if (!manifestBlob)
    return manifestBlob.takeError();
  llvm::json::Object entry =
      descriptor("application/vnd.oci.image.manifest.v1+json", *manifestBlob);
  entry["annotations"] = llvm::json::Object{{"org.opencontainers.image.ref.name", "latest"}};
  llvm::json::Object index{{"schemaVersion", 2},
                           {"mediaType", "application/vnd.oci.image.index.v1+json"},
                           {"manifests", llvm::json::Array{std::move(entry)}}};
  if (auto e =
          writeFileAtomically(dir + "/index.json", render(llvm::json::Value(std::move(index)))))
    return e;
  return writeFileAtomically(dir + "/oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
}

static llvm::Error copyFileInto(const std::string& path, Sink& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return fail(path + ": cannot open: " + std::strerror(errno));
  std::vector<char> buffer(1 << 20);
  for (;;) {
    ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0) {
      int err = errno;
      ::close(fd);
      return fail(path + ": read failed: " + std::strerror(err));
    }
    if (n == 0)
      break;
    if (auto e = out.write(llvm::StringRef(buffer.data(), static_cast<size_t>(n)))) {
      ::close(fd);
      return e;
    }
  }
  ::close(fd);
  return llvm::Error::success();
}

llvm::Error writeOciArchive(const std::string& dir, Sink& out) {
  std::vector<std::string> blobs;
  std::error_code ec;
  for (llvm::sys::fs::directory_iterator it(dir + "/blobs/sha256", ec), end; it != end && !ec;
       it.increment(ec))
    blobs.push_back(llvm::sys::path::filename(it->path()).str());
  if (ec)
    return fail(dir + ": cannot list blobs: " + ec.message());
  std::sort(blobs.begin(), blobs.end());
  auto addFile = [&](const std::string& name) -> llvm::Error {
    uint64_t size = 0;
    if (auto err = llvm::sys::fs::file_size(dir + "/" + name, size))
      return fail(dir + "/" + name + ": " + err.message());
    if (auto e = beginTarFile(out, TarEntry{name, '0', 0644, 0, 0, "root", "root", size},
                              TarFormat::Ustar))
      return e;
    if (auto e = copyFileInto(dir + "/" + name, out))
      return e;
    return endTarFile(out);
  };
  if (auto e = addFile("oci-layout"))
    return e;
  if (auto e = addFile("index.json"))
    return e;
  for (const char* d : {"blobs/", "blobs/sha256/"})
    if (auto e =
            beginTarFile(out, TarEntry{d, '5', 0755, 0, 0, "root", "root", 0}, TarFormat::Ustar))
      return e;
  for (const std::string& b : blobs)
    if (auto e = addFile("blobs/sha256/" + b))
      return e;
  return endTarArchive(out);
}

} // namespace mkimage::artifact
