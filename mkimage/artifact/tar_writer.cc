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

llvm::Expected<std::string> tarHeader(const TarEntry& e, TarFormat format) {
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
  uint64_t size = e.type == '0' ? e.size : 0;
  if (size < (1ull << 33)) {
    octal(p + 124, 12, size);
  } else { // base-256: high bit of the first byte set, big-endian value
    p[124] = static_cast<char>(0x80);
    for (int i = 11; i >= 1; --i, size >>= 8)
      p[124 + i] = static_cast<char>(size & 0xff);
  }
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
  // The checksum is summed with its own field as eight spaces.
  std::memset(p + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  std::snprintf(p + 148, 7, "%06o", sum);
  p[155] = ' ';
  return h;
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
