#include "tfs_decoder.h"

#include "lib/tfs/tfs.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>

namespace mkimage::reader {
namespace {

// One open image file, read with pread through the codec's BlockReader.
struct Partition {
  int fd;
  uint64_t offset; // bytes from the start of the image
  uint64_t blocks;
};

bool readBlocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* p = static_cast<Partition*>(ctx);
  if (block > p->blocks || count > p->blocks - block)
    return false;
  size_t want = size_t(count) * tfs::kBlockSize;
  ssize_t got = pread(p->fd, buf, want, static_cast<off_t>(p->offset + block * tfs::kBlockSize));
  return got == static_cast<ssize_t>(want);
}
void* heapAlloc(void*, size_t n) {
  return std::malloc(n);
}
void heapFree(void*, void* p) {
  std::free(p);
}

std::string bytesOf(const uint8_t* p, size_t n) {
  return std::string(reinterpret_cast<const char*>(p), n);
}

Value convert(const tfs::Value& v, int depth) {
  if (depth > 256)
    throw std::runtime_error("values nested too deeply");
  Value out;
  switch (v.kind) {
  case tfs::Kind::kTuple:
    out.kind = Value::Kind::Tuple;
    for (uint32_t i = 0; i < v.count; ++i)
      out.entries[bytesOf(v.items[i].name, v.items[i].name_len)] = convert(*v.items[i].value, depth + 1);
    break;
  case tfs::Kind::kVector:
    out.kind = Value::Kind::Vector;
    for (uint32_t i = 0; i < v.count; ++i)
      out.elems.push_back(convert(*v.items[i].value, depth + 1));
    break;
  case tfs::Kind::kInteger:
    out.kind = Value::Kind::Integer;
    out.num = v.integer;
    if (v.negative && v.integer)
      out.str = "-" + std::to_string(v.integer);
    break;
  case tfs::Kind::kBytes:
    out.kind = Value::Kind::String;
    out.str = bytesOf(v.bytes, v.len);
    break;
  }
  return out;
}

std::string hex(uint64_t v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%#llx", static_cast<unsigned long long>(v));
  return buf;
}

// Decodes the TFS at `offset` (`blocks` long) with the shared codec (kernel/lib/tfs).
DecodedFs decodeFs(int fd, uint64_t offset, uint64_t blocks, const char* which) {
  Partition part{fd, offset, blocks};
  tfs::BlockReader reader{readBlocks, &part};
  tfs::Allocator alloc{heapAlloc, heapFree, nullptr};
  tfs::Volume vol;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, blocks, &vol);
  if (!st.ok())
    throw std::runtime_error(std::string(which) + " filesystem: " + st.what + " at " +
                             std::to_string(offset + st.offset) + " (" + hex(offset + st.offset) +
                             ")");
  DecodedFs fs;
  try {
    fs.root = convert(*vol.root, 0);
  } catch (...) {
    tfs::release(&vol, alloc);
    throw;
  }
  fs.extensions = static_cast<int>(vol.extensions);
  fs.uuid = bytesOf(vol.uuid, sizeof vol.uuid);
  fs.label = vol.label;
  fs.version = vol.version;
  tfs::release(&vol, alloc);
  return fs;
}

std::string readAt(const std::string& path, uint64_t offset, uint64_t size) {
  // Never allocate more than the file can hold: an absurd length is a format error.
  if (size > (uint64_t(1) << 32) || offset > (uint64_t(1) << 50))
    throw std::runtime_error("length " + std::to_string(size) + " out of range at offset " +
                             std::to_string(offset));
  std::ifstream in(path, std::ios::binary);
  in.seekg(static_cast<std::streamoff>(offset));
  std::string s(size, '\0');
  in.read(s.data(), static_cast<std::streamsize>(size));
  if (static_cast<size_t>(in.gcount()) != size)
    throw std::runtime_error("short read at " + std::to_string(offset));
  return s;
}

uint32_t le32(const std::string& s, size_t at) {
  uint32_t v;
  std::memcpy(&v, s.data() + at, 4);
  return v;
}

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0)
      close(fd);
  }
};

} // namespace

DecodedImage decodeImage(const std::string& path) {
  std::string mbr = readAt(path, 0, 512);
  if (mbr.substr(510) != "\x55\xAA")
    throw std::runtime_error("no MBR signature");
  Fd file{open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  struct stat st;
  if (file.fd < 0 || fstat(file.fd, &st) != 0)
    throw std::runtime_error(std::string("cannot open: ") + std::strerror(errno));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  // Partition entries: boot TFS in 0 and root TFS in 1, or ESP, boot, root in 0, 1, 2.
  int first = static_cast<uint8_t>(mbr[0x1BE + 4]) == 0xEF ? 1 : 0;
  auto entry = [&](int i, uint64_t* offset, uint64_t* blocks) {
    *offset = uint64_t(le32(mbr, 0x1BE + 16 * i + 8)) * 512;
    if (*offset == 0 || *offset >= size)
      throw std::runtime_error("partition entry " + std::to_string(i) + " points outside the image");
    *blocks = (size - *offset) / 512;
  };
  DecodedImage img;
  uint64_t bootBlocks, rootBlocks;
  entry(first, &img.bootOffset, &bootBlocks);
  entry(first + 1, &img.rootOffset, &rootBlocks);
  img.rootSize = uint64_t(le32(mbr, 0x1BE + 16 * (first + 1) + 12)) * 512;
  img.boot = decodeFs(file.fd, img.bootOffset, bootBlocks, "boot");
  img.root = decodeFs(file.fd, img.rootOffset, rootBlocks, "root");
  return img;
}

const Value* lookup(const Value& root, const std::string& path) {
  const Value* v = &root;
  size_t pos = 1;
  while (pos <= path.size() && path.size() > 1) {
    size_t slash = path.find('/', pos);
    std::string name =
        path.substr(pos, slash == std::string::npos ? std::string::npos : slash - pos);
    if (!v->has("children"))
      return nullptr;
    const Value& children = v->at("children");
    if (!children.has(name))
      return nullptr;
    v = &children.at(name);
    if (slash == std::string::npos)
      break;
    pos = slash + 1;
  }
  return v;
}

std::string readFile(const std::string& imagePath, uint64_t partOffset, const Value& file) {
  uint64_t length = file.has("filelength") ? file.at("filelength").number() : 0;
  if (length > (uint64_t(1) << 40))
    throw std::runtime_error("absurd filelength " + std::to_string(length));
  std::string data(length, '\0');
  for (const auto& [key, ext] : file.at("extents").entries) {
    uint64_t fileBlock = std::stoull(key);
    uint64_t off = ext.at("offset").number(), len = ext.at("length").number();
    if (fileBlock * 512 >= length && length)
      throw std::runtime_error("extent " + key + " beyond filelength");
    uint64_t bytes = std::min<uint64_t>(len * 512, length - fileBlock * 512);
    std::string chunk = readAt(imagePath, partOffset + off * 512, bytes);
    data.replace(fileBlock * 512, bytes, chunk);
  }
  return data;
}

} // namespace mkimage::reader
