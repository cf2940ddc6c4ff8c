#include "reader/image_reader.h"

#include "image/file_io.h"
#include "lib/tfs/tfs.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage::reader {

class ImageFile {
public:
  explicit ImageFile(int fd) : fd_(fd) {}
  ~ImageFile() {
    if (fd_ >= 0)
      ::close(fd_);
  }
  ImageFile(const ImageFile&) = delete;
  ImageFile& operator=(const ImageFile&) = delete;
  int fd() const { return fd_; }

private:
  int fd_;
};

int imageFd(const DecodedImage& image) {
  return image.file ? image.file->fd() : -1;
}

namespace {

llvm::Error fail(const std::string& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", what.c_str());
}

std::string at(uint64_t offset) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "at %llu (%#llx)", static_cast<unsigned long long>(offset),
                static_cast<unsigned long long>(offset));
  return buf;
}

bool preadAll(int fd, void* buf, size_t len, uint64_t offset) {
  auto* p = static_cast<char*>(buf);
  while (len) {
    ssize_t n = ::pread(fd, p, len, static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      return false;
    p += n;
    len -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return true;
}

// ---- the codec's callbacks ----
struct Partition {
  int fd;
  uint64_t offset; // bytes from the start of the image
  uint64_t blocks;
};

bool readBlocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* p = static_cast<Partition*>(ctx);
  if (block > p->blocks || count > p->blocks - block)
    return false;
  return preadAll(p->fd, buf, size_t(count) * tfs::kBlockSize, p->offset + block * tfs::kBlockSize);
}
void* heapAlloc(void*, size_t n) {
  return std::malloc(n);
}
void heapFree(void*, void* p) {
  std::free(p);
}
void noteExtension(void* ctx, uint64_t block, uint64_t blocks) {
  static_cast<std::vector<LogExtension>*>(ctx)->push_back({block, blocks});
}

// ---- the codec's tree as std containers ----
// Bounds: depth (a reference cycle would never end) and the number of nodes (references
// shared many times over could otherwise multiply the tree).
constexpr int kMaxDepth = 256;
constexpr uint64_t kMaxNodes = 4'000'000; // ~0.8 GB of std containers; ~500 000 files

std::string bytesOf(const uint8_t* p, size_t n) {
  return n ? std::string(reinterpret_cast<const char*>(p), n) : std::string();
}

bool convert(const tfs::Value& v, Value& out, int depth, uint64_t& nodes, std::string& why) {
  if (depth > kMaxDepth) {
    why = "values nested deeper than 256 (a reference cycle?)";
    return false;
  }
  if (++nodes > kMaxNodes) {
    why = "more than 4 million values (references shared too often?)";
    return false;
  }
  switch (v.kind) {
  case tfs::Kind::kTuple:
    out.kind = Value::Kind::Tuple;
    for (uint32_t i = 0; i < v.count; ++i)
      if (!convert(*v.items[i].value, out.entries[bytesOf(v.items[i].name, v.items[i].name_len)],
                   depth + 1, nodes, why))
        return false;
    return true;
  case tfs::Kind::kVector:
    out.kind = Value::Kind::Vector;
    out.elems.resize(v.count);
    for (uint32_t i = 0; i < v.count; ++i)
      if (!convert(*v.items[i].value, out.elems[i], depth + 1, nodes, why))
        return false;
    return true;
  case tfs::Kind::kInteger:
    out.kind = Value::Kind::Integer;
    out.num = v.integer;
    out.negative = v.negative && v.integer != 0;
    return true;
  case tfs::Kind::kBytes:
    out.kind = Value::Kind::String;
    out.str = bytesOf(v.bytes, v.len);
    return true;
  }
  return true;
}

// Decodes the TFS of one partition with the shared codec (kernel/lib/tfs).
llvm::Expected<DecodedFs> decodeFs(const std::string& image, int fd, const char* name,
                                   uint64_t offset, uint64_t blocks) {
  DecodedFs fs;
  fs.name = name;
  fs.offset = offset;
  fs.blocks = blocks;
  Partition part{fd, offset, blocks};
  tfs::BlockReader reader{readBlocks, &part};
  tfs::Allocator alloc{heapAlloc, heapFree, nullptr};
  tfs::LogObserver observer{noteExtension, &fs.log};
  tfs::Volume vol;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, blocks, &vol, &observer);
  std::string where = image + ": " + name + " partition: ";
  if (!st.ok())
    return fail(where + st.what + " " + at(offset + st.offset));
  uint64_t nodes = 0;
  std::string why;
  bool ok = convert(*vol.root, fs.root, 0, nodes, why);
  fs.version = vol.version;
  fs.extensions = static_cast<int>(vol.extensions);
  fs.uuid = bytesOf(vol.uuid, sizeof vol.uuid);
  fs.label = vol.label;
  fs.logEnd = vol.log_end;
  tfs::release(&vol, alloc);
  if (!ok)
    return fail(where + why);
  return fs;
}

uint32_t le32(const uint8_t* p) {
  return uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16 | uint32_t(p[3]) << 24;
}

// Opens the image; a zstd image is decompressed into an unnamed temporary file (O_TMPFILE:
// nothing is left behind, whatever happens).
llvm::Expected<std::shared_ptr<ImageFile>> openImage(const std::string& path, bool* compressed) {
  auto file = std::make_shared<ImageFile>(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file->fd() < 0)
    return fail(path + ": cannot open: " + std::strerror(errno));
  unsigned char magic[4];
  *compressed = preadAll(file->fd(), magic, 4, 0) && std::memcmp(magic, "\x28\xB5\x2F\xFD", 4) == 0;
  if (!*compressed)
    return file;
  const char* tmp = std::getenv("TMPDIR");
  auto raw = std::make_shared<ImageFile>(
      ::open(tmp && *tmp ? tmp : "/tmp", O_RDWR | O_TMPFILE | O_CLOEXEC, 0600));
  if (raw->fd() < 0)
    return fail(path +
                ": cannot create a temporary file to decompress into: " + std::strerror(errno));
  if (auto e = decompressInto(path, raw->fd()))
    return e;
  return raw;
}

} // namespace

std::optional<uint64_t> Value::number() const {
  if (kind == Kind::Integer) {
    if (negative)
      return std::nullopt;
    return num;
  }
  if (kind != Kind::String || str.empty() || str.size() > 20)
    return std::nullopt;
  uint64_t n = 0;
  for (char c : str) {
    if (c < '0' || c > '9')
      return std::nullopt;
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10)
      return std::nullopt;
    n = n * 10 + d;
  }
  return n;
}

int imageFileDescriptor(const DecodedImage& image) {
  return image.file ? image.file->fd() : -1;
}

llvm::Expected<DecodedImage> decodeImage(const std::string& path) {
  DecodedImage img;
  img.path = path;
  auto file = openImage(path, &img.compressed);
  if (!file)
    return file.takeError();
  img.file = std::move(*file);
  int fd = img.file->fd();
  struct stat st;
  if (::fstat(fd, &st) != 0)
    return fail(path + ": cannot stat: " + std::strerror(errno));
  uint64_t size = static_cast<uint64_t>(st.st_size);
  uint8_t mbr[512];
  if (size < 512 || !preadAll(fd, mbr, 512, 0))
    return fail(path + ": shorter than one 512-byte sector");
  if (mbr[510] != 0x55 || mbr[511] != 0xAA)
    return fail(path + ": no MBR signature (55 AA) at 510");
  // Partition entries: boot TFS in 0 and root TFS in 1, or ESP, boot, root in 0, 1, 2.
  int first = mbr[0x1BE + 4] == 0xEF ? 1 : 0;
  uint64_t blocks[2];
  uint64_t* offsets[2] = {&img.bootOffset, &img.rootOffset};
  for (int i = 0; i < 2; ++i) {
    const uint8_t* e = mbr + 0x1BE + 16 * (first + i);
    uint64_t lba = le32(e + 8), count = le32(e + 12);
    uint64_t offset = lba * 512;
    if (lba == 0 || offset >= size)
      return fail(path + ": MBR partition entry " + std::to_string(first + i) +
                  " points outside the image " + at(0x1BE + 16 * (first + i) + 8));
    // The entry's sector count bounds the partition; the image end bounds a bad count.
    uint64_t toEnd = (size - offset) / 512;
    blocks[i] = count && count < toEnd ? count : toEnd;
    *offsets[i] = offset;
  }
  img.rootSize = blocks[1] * 512;
  auto boot = decodeFs(path, fd, "boot", img.bootOffset, blocks[0]);
  if (!boot)
    return boot.takeError();
  auto root = decodeFs(path, fd, "root", img.rootOffset, blocks[1]);
  if (!root)
    return root.takeError();
  img.boot = std::move(*boot);
  img.root = std::move(*root);
  return img;
}

llvm::Expected<const Value*> resolve(const Value& root, const std::string& path, bool followLast) {
  constexpr int kMaxLinks = 40;          // as Linux: more hops than this is a loop
  std::vector<const Value*> dirs{&root}; // the current directory is dirs.back()
  // Components still to walk, last one first.
  std::vector<std::string> todo;
  auto push = [&](const std::string& p) {
    std::vector<std::string> parts;
    size_t pos = 0;
    while (pos <= p.size()) {
      size_t slash = p.find('/', pos);
      if (slash == std::string::npos)
        slash = p.size();
      if (slash > pos)
        parts.push_back(p.substr(pos, slash - pos));
      pos = slash + 1;
    }
    todo.insert(todo.end(), parts.rbegin(), parts.rend());
    if (!p.empty() && p[0] == '/')
      dirs.resize(1);
  };
  // "file/" names a directory (POSIX): a trailing '/' follows a final link and must end on a
  // directory, else the lookup fails with ENOTDIR as the kernel's does.
  bool mustBeDirectory = path.size() > 1 && path.back() == '/';
  if (mustBeDirectory)
    followLast = true;
  push(path);
  int links = 0;
  const Value* current = &root;
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    const Value* dir = dirs.back();
    const Value* children = dir->find("children");
    if (!children || children->kind != Value::Kind::Tuple)
      return fail(path + ": not a directory on the way");
    if (name == ".") {
      current = dir;
      continue;
    }
    if (name == "..") {
      if (dirs.size() > 1)
        dirs.pop_back();
      current = dirs.back();
      continue;
    }
    const Value* entry = children->find(name);
    if (!entry)
      return fail(path + ": no such file or directory (" + name + ")");
    const Value* target = entry->find("linktarget");
    if (target && (!todo.empty() || followLast)) {
      if (++links > kMaxLinks)
        return fail(path + ": too many levels of symbolic links (a link loop?)");
      if (target->str.empty())
        return fail(path + ": empty symbolic link (" + name + ")");
      push(target->str); // relative to `dir`; absolute resets to the root
      current = dirs.back();
      continue;
    }
    current = entry;
    if (!todo.empty())
      dirs.push_back(entry);
  }
  if (mustBeDirectory && !current->find("children"))
    return fail(path + ": not a directory");
  return current;
}

const Value* lookup(const Value& root, const std::string& path) {
  auto v = resolve(root, path, false);
  if (!v) {
    llvm::consumeError(v.takeError());
    return nullptr;
  }
  return *v;
}

llvm::Expected<uint64_t> fileLength(const Value& file) {
  const Value* len = file.find("filelength");
  if (!len)
    return 0;
  if (auto n = len->number())
    return *n;
  return fail("filelength is not a number");
}

llvm::Expected<std::vector<Extent>> fileExtents(const Value& file) {
  std::vector<Extent> out;
  const Value* extents = file.find("extents");
  if (!extents)
    return out;
  if (extents->kind != Value::Kind::Tuple)
    return fail("extents is not a tuple");
  for (const auto& [key, ext] : extents->entries) {
    Value keyValue;
    keyValue.kind = Value::Kind::String;
    keyValue.str = key;
    Extent e;
    auto fileBlock = keyValue.number();
    const Value* offset = ext.find("offset");
    const Value* length = ext.find("length");
    const Value* allocated = ext.find("allocated");
    std::optional<uint64_t> disk = offset ? offset->number() : std::nullopt;
    std::optional<uint64_t> len = length ? length->number() : std::nullopt;
    std::optional<uint64_t> alloc = allocated ? allocated->number() : len;
    if (!fileBlock || !disk || !len || !alloc)
      return fail("extent '" + key + "' is malformed (key, offset, length, allocated)");
    e.fileBlock = *fileBlock;
    e.diskBlock = *disk;
    e.length = *len;
    e.allocated = *alloc;
    e.uninited = ext.has("uninited");
    out.push_back(e);
  }
  std::sort(out.begin(), out.end(),
            [](const Extent& a, const Extent& b) { return a.fileBlock < b.fileBlock; });
  return out;
}

llvm::Expected<std::string> readFile(const DecodedImage& image, const DecodedFs& fs,
                                     const Value& file) {
  std::string where = image.path + ": " + fs.name + " partition: ";
  auto length = fileLength(file);
  if (!length)
    return fail(where + llvm::toString(length.takeError()));
  auto extents = fileExtents(file);
  if (!extents)
    return fail(where + llvm::toString(extents.takeError()));
  // cat holds the file in memory; a sparse file of 4 GiB and more is not worth it.
  if (*length >= (uint64_t(1) << 32))
    return fail(where + "file of " + std::to_string(*length) + " bytes is too large to read");
  std::string data(*length, '\0');
  for (const Extent& e : *extents) {
    if (e.length > fs.blocks || e.diskBlock > fs.blocks - e.length)
      return fail(where + "extent at block " + std::to_string(e.diskBlock) + " (" +
                  std::to_string(e.length) + " blocks) runs past the partition end");
    if (e.uninited || e.fileBlock >= (*length + 511) / 512)
      continue; // zeros, or nothing of the file's length
    uint64_t start = e.fileBlock * 512;
    uint64_t bytes = std::min(e.length * 512, *length - start);
    uint64_t from = fs.offset + e.diskBlock * 512;
    if (!preadAll(image.file->fd(), data.data() + start, bytes, from))
      return fail(where + "cannot read " + std::to_string(bytes) + " bytes " + at(from));
  }
  return data;
}

} // namespace mkimage::reader
