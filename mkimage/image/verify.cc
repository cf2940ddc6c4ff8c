// `nanos-mkimage verify IMAGE [BOM]`: re-reads an image and checks its structure (MBR,
// boot image descriptor, partitions, TFS headers) and, with a BOM, the image digest and
// every file's bytes at the block the BOM records.
#include "image/disk_layout.h"
#include "image/file_io.h"
#include "image/image_builder.h"
#include "support/json_depth.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

namespace {
struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0)
      ::close(fd);
  }
};

llvm::Error readExact(int fd, uint64_t offset, char* buf, size_t n, const std::string& name) {
  ssize_t got = ::pread(fd, buf, n, static_cast<off_t>(offset));
  if (got < 0)
    return errnoFail(name + ": read failed", errno);
  if (static_cast<size_t>(got) != n)
    return fail(name + ": truncated at offset " + llvm::Twine(offset));
  return llvm::Error::success();
}

struct Partition {
  uint64_t offset = 0, size = 0;
};
} // namespace

llvm::Error verifyImage(const std::string& image, const std::string& bomPath,
                        llvm::raw_ostream& out) {
  Fd f;
  f.fd = ::open(image.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0)
    return errnoFail(image + ": cannot open", errno);
  char magic[4];
  if (::pread(f.fd, magic, 4, 0) == 4 && std::memcmp(magic, "\x28\xB5\x2F\xFD", 4) == 0) {
    // zstd: decompress into an unnamed temporary file next to nothing (O_TMPFILE).
    const char* tmp = std::getenv("TMPDIR");
    Fd raw;
    raw.fd = ::open(tmp && *tmp ? tmp : "/tmp", O_RDWR | O_TMPFILE | O_CLOEXEC, 0600);
    if (raw.fd < 0)
      return errnoFail(image + ": cannot create a temporary file to decompress into", errno);
    if (auto e = decompressInto(image, raw.fd))
      return e;
    std::swap(f.fd, raw.fd);
  }
  struct stat st;
  if (::fstat(f.fd, &st) != 0)
    return errnoFail(image + ": cannot stat", errno);
  uint64_t size = static_cast<uint64_t>(st.st_size);

  if (size < 512)
    return fail(image + ": not a disk image (" + llvm::Twine(size) + " bytes, less than a sector)");
  char mbr[512];
  if (auto e = readExact(f.fd, 0, mbr, 512, image))
    return e;
  if (static_cast<uint8_t>(mbr[510]) != 0x55 || static_cast<uint8_t>(mbr[511]) != 0xAA)
    return fail(image + ": offset 0x1fe: no MBR signature 55 AA");
  uint64_t s2 = llvm::support::endian::read64le(mbr + 0x1B2);
  if (llvm::support::endian::read32le(mbr + 0x1BA) != 12)
    return fail(image + ": offset 0x1ba: stage2 descriptor type is not 12");
  // A --uefi image has its EFI system partition in entry 0; the TFS partitions follow it.
  const int first = static_cast<uint8_t>(mbr[0x1BE + 4]) == kPartitionEsp ? 1 : 0;
  uint64_t firstTfsFloor = 512 + s2 + 4096; // stage2 and the klog area come before
  if (first) {
    uint64_t espOffset = uint64_t(llvm::support::endian::read32le(mbr + 0x1BE + 8)) * 512;
    uint64_t espSize = uint64_t(llvm::support::endian::read32le(mbr + 0x1BE + 12)) * 512;
    if (espSize == 0 || espOffset < 512 + s2 + 4096 || espOffset + espSize > size)
      return fail(image + ": offset 0x1be: the EFI system partition is not inside the image "
                          "after stage2 and the klog area");
    firstTfsFloor = espOffset + espSize;
  }
  Partition parts[2];
  for (int i = 0; i < 2; ++i) {
    const char* e = mbr + 0x1BE + 16 * (first + i);
    parts[i].offset = uint64_t(llvm::support::endian::read32le(e + 8)) * 512;
    parts[i].size = uint64_t(llvm::support::endian::read32le(e + 12)) * 512;
    if (static_cast<uint8_t>(e[4]) != 0x83 || parts[i].size == 0 ||
        parts[i].offset + parts[i].size > size)
      return fail(image + ": offset 0x" + llvm::Twine::utohexstr(0x1BE + 16 * (first + i)) +
                  ": partition entry " + llvm::Twine(first + i) +
                  " is not a TFS partition inside the image");
    char hdr[8];
    if (auto err = readExact(f.fd, parts[i].offset, hdr, 8, image))
      return err;
    if (std::memcmp(hdr, "NVMTFS", 6) != 0 || hdr[6] != 5)
      return fail(image + ": offset " + llvm::Twine(parts[i].offset) + ": partition " +
                  llvm::Twine(i) + " does not start with a TFS v5 log");
  }
  if (parts[0].offset < firstTfsFloor)
    return fail(image + ": boot partition overlaps stage2, the klog area or the EFI system "
                        "partition");
  if (bomPath.empty())
    return llvm::Error::success(); // the caller checks the tree (reader/image_check.h)

  auto buffer = llvm::MemoryBuffer::getFile(bomPath, true);
  if (!buffer)
    return fail(bomPath + ": cannot read: " + buffer.getError().message());
  if (auto e = checkJsonNesting((*buffer)->getBuffer(), bomPath))
    return e;
  auto json = llvm::json::parse((*buffer)->getBuffer());
  if (!json)
    return fail(bomPath + ": invalid JSON: " + llvm::toString(json.takeError()));
  const llvm::json::Object* bom = json->getAsObject();
  const llvm::json::Object* img = bom ? bom->getObject("image") : nullptr;
  const llvm::json::Object* kernel = bom ? bom->getObject("kernel") : nullptr;
  const llvm::json::Array* files = bom ? bom->getArray("files") : nullptr;
  if (!img || !kernel || !files || !img->getString("xxh3_128"))
    return fail(bomPath + ": not a nanos-mkimage BOM (missing image/kernel/files)");
  if (img->getInteger("size").getValueOr(-1) != static_cast<int64_t>(size))
    return fail(image + ": size " + llvm::Twine(size) + " differs from the BOM's");
  auto digest = digestRange(f.fd, 0, size, image);
  if (!digest)
    return digest.takeError();
  if (*digest != *img->getString("xxh3_128"))
    return fail(image + ": digest " + *digest + " differs from the BOM's " +
                *img->getString("xxh3_128"));

  auto checkData = [&](const llvm::json::Object& o, const Partition& p,
                       const std::string& what) -> llvm::Error {
    int64_t bytes = o.getInteger("size").getValueOr(-1);
    int64_t block = o.getInteger("block").getValueOr(-1);
    auto want = o.getString("xxh3_128");
    if (bytes < 0 || block < 0 || !want)
      return fail(bomPath + ": entry " + what + " lacks size/block/xxh3_128");
    if (bytes == 0)
      return llvm::Error::success();
    uint64_t at = p.offset + static_cast<uint64_t>(block) * 512;
    if (at + static_cast<uint64_t>(bytes) > p.offset + p.size)
      return fail(image + ": " + what + " extends past its partition");
    auto got = digestRange(f.fd, at, static_cast<uint64_t>(bytes), image);
    if (!got)
      return got.takeError();
    if (*got != *want)
      return fail(image + ": " + what + " at offset " + llvm::Twine(at) + " has digest " + *got +
                  ", the BOM says " + *want);
    return llvm::Error::success();
  };
  if (auto e = checkData(*kernel, parts[0], "/kernel (boot partition)"))
    return e;
  size_t checked = 0;
  for (const llvm::json::Value& v : *files) {
    const llvm::json::Object* o = v.getAsObject();
    if (!o || !o->getString("path") || !o->getString("kind"))
      return fail(bomPath + ": malformed files[] entry");
    llvm::StringRef kind = *o->getString("kind");
    if (kind != "file" && kind != "generated")
      continue;
    if (auto e = checkData(*o, parts[1], o->getString("path")->str()))
      return e;
    ++checked;
  }
  out << image << ": OK (" << checked << " files and the kernel match " << bomPath << ")\n";
  return llvm::Error::success();
}

} // namespace mkimage
