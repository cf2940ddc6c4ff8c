#include "artifact/tar_writer.h"

#include <cstdio>
#include <cstring>

namespace mkimage::artifact {

// `value` in octal, zero-padded to width-1 digits and a NUL.
static void octal(char* field, size_t width, uint64_t value) {
  // Digits from the right; the caller keeps values within width-1 octal digits.
  field[width - 1] = '\0';
  for (size_t i = width - 1; i-- > 0; value >>= 3)
    field[i] = static_cast<char>('0' + (value & 7));
}

// A 12-byte numeric field: octal when it fits 11 digits, else GNU's base-256 form (high bit of
// the first byte set, the value big-endian in the rest).
static void number12(char* field, uint64_t value) {
  if (value < (1ull << 33)) {
    octal(field, 12, value);
    return;
  }
  field[0] = static_cast<char>(0x80);
  for (int i = 11; i >= 1; --i, value >>= 8)
    field[i] = static_cast<char>(value & 0xff);
}

// The checksum is summed with its own field as eight spaces.
static void setChecksum(std::string& h) {
  char* p = h.data();
  std::memset(p + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  std::snprintf(p + 148, 7, "%06o", sum);
  p[155] = ' ';
}

// Every field but the checksum; `stored` is the size field (the bytes that follow).
static llvm::Expected<std::string> headerWithoutChecksum(const TarEntry& e, TarFormat format,
                                                         uint64_t stored) {
  if (e.name.empty() || e.name.size() > 100)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "tar: entry name '%s' is empty or longer than 100 bytes",
                                   e.name.c_str());
  std::string h(512, '\0');
  char* p = h.data();
  std::memcpy(p, e.name.data(), e.name.size());
  octal(p + 100, 8, e.mode);
  octal(p + 108, 8, e.uid);
  octal(p + 116, 8, e.gid);
  number12(p + 124, stored);
  octal(p + 136, 12, 0); // mtime
  p[156] = e.type;
  if (format == TarFormat::Gnu)
    std::memcpy(p + 257, "ustar  ", 8); // magic "ustar " and version " \0"
  else
    std::memcpy(p + 257,
                "ustar\0"
                "00",
                8);
  std::memcpy(p + 265, e.owner.data(), std::min<size_t>(31, e.owner.size()));
  std::memcpy(p + 297, e.group.data(), std::min<size_t>(31, e.group.size()));
  return h;
}

llvm::Expected<std::string> tarHeader(const TarEntry& e, TarFormat format) {
  auto h = headerWithoutChecksum(e, format, e.type == '0' ? e.size : 0);
  if (!h)
    return h.takeError();
  setChecksum(*h);
  return h;
}

// Old GNU sparse layout: in the header, four map entries (offset, length: 12 bytes each) from
// byte 386, the "more entries follow" flag at 482 and the file's real size at 483; each
// extension block holds 21 entries and its own flag at byte 504.
static constexpr size_t kHeaderMapAt = 386, kHeaderMapEntries = 4, kHeaderExtendedAt = 482,
                        kHeaderRealSizeAt = 483, kExtensionEntries = 21, kExtensionExtendedAt = 504;

llvm::Expected<std::string> gnuSparseHeaders(const TarEntry& entry,
                                             const std::vector<SparseRegion>& regions) {
  uint64_t stored = 0, end = 0;
  for (const SparseRegion& r : regions) {
    if (r.offset < end || r.offset + r.length > entry.size)
      return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                     "tar: sparse regions of '%s' overlap, are out of order or "
                                     "pass its end",
                                     entry.name.c_str());
    end = r.offset + r.length;
    stored += r.length;
  }
  TarEntry sparse = entry;
  sparse.type = 'S';
  auto header = headerWithoutChecksum(sparse, TarFormat::Gnu, stored);
  if (!header)
    return header.takeError();
  std::string& h = *header;
  number12(h.data() + kHeaderRealSizeAt, entry.size);
  size_t next = 0;
  auto putEntries = [&](char* at, size_t capacity) {
    for (size_t i = 0; i < capacity && next < regions.size(); ++i, ++next) {
      number12(at + 24 * i, regions[next].offset);
      number12(at + 24 * i + 12, regions[next].length);
    }
  };
  putEntries(h.data() + kHeaderMapAt, kHeaderMapEntries);
  h[kHeaderExtendedAt] = next < regions.size() ? 1 : 0;
  setChecksum(h);
  std::string out = h;
  while (next < regions.size()) {
    std::string ext(512, '\0');
    putEntries(ext.data(), kExtensionEntries);
    ext[kExtensionExtendedAt] = next < regions.size() ? 1 : 0;
    out += ext;
  }
  return out;
}

llvm::Error beginTarFile(Sink& out, const TarEntry& entry, TarFormat format) {
  auto header = tarHeader(entry, format);
  if (!header)
    return header.takeError();
  return out.write(*header);
}

llvm::Error endTarFile(Sink& out) {
  return out.padTo(512);
}

llvm::Error endTarArchive(Sink& out) {
  if (auto e = out.writeZeros(1024))
    return e;
  return out.padTo(10240);
}

} // namespace mkimage::artifact
