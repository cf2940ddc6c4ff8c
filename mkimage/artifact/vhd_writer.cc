#include "artifact/vhd_writer.h"

#include "llvm/Support/Endian.h"

#include <cstring>

namespace mkimage::artifact {

using llvm::support::endian::write16be;
using llvm::support::endian::write32be;
using llvm::support::endian::write64be;

VhdGeometry vhdGeometry(uint64_t size) {
  // The specification's CHS algorithm (appendix "CHS Calculation"), step for step.
  uint64_t total = size / 512;
  total = std::min<uint64_t>(total, 65535ull * 16 * 255);
  uint64_t sectors, heads, cylinderTimesHeads;
  if (total >= 65535ull * 16 * 63) {
    sectors = 255;
    heads = 16;
    cylinderTimesHeads = total / sectors;
  } else {
    sectors = 17;
    cylinderTimesHeads = total / sectors;
    heads = std::max<uint64_t>(4, (cylinderTimesHeads + 1023) / 1024);
    if (cylinderTimesHeads >= heads * 1024 || heads > 16) {
      sectors = 31;
      heads = 16;
      cylinderTimesHeads = total / sectors;
    }
    if (cylinderTimesHeads >= heads * 1024) {
      sectors = 63;
      heads = 16;
      cylinderTimesHeads = total / sectors;
    }
  }
  VhdGeometry g;
  g.cylinders = static_cast<uint16_t>(cylinderTimesHeads / heads);
  g.heads = static_cast<uint8_t>(heads);
  g.sectorsPerTrack = static_cast<uint8_t>(sectors);
  return g;
}

std::string vhdFooter(uint64_t size, llvm::StringRef uniqueId) {
  std::string f(512, '\0');
  char* p = f.data();
  std::memcpy(p, "conectix", 8);
  write32be(p + 8, 2);           // features: the reserved bit that is always set
  write32be(p + 12, 0x00010000); // format version 1.0
  write64be(p + 16, ~0ull);      // data offset: none for a fixed disk
  write32be(p + 24, 0);          // timestamp: fixed (seconds since 2000-01-01), reproducible
  // Creator "win ": readers (QEMU among them) then take the size from the footer's current
  // size rather than from the CHS geometry, which cannot express every MiB multiple.
  std::memcpy(p + 28, "win ", 4);
  write32be(p + 32, 0x000a0000);  // creator version
  std::memcpy(p + 36, "Wi2k", 4); // creator host OS
  write64be(p + 40, size);        // original size
  write64be(p + 48, size);        // current size
  VhdGeometry g = vhdGeometry(size);
  write16be(p + 56, g.cylinders);
  p[58] = static_cast<char>(g.heads);
  p[59] = static_cast<char>(g.sectorsPerTrack);
  write32be(p + 60, 2); // disk type: fixed
  std::memcpy(p + 68, uniqueId.data(), std::min<size_t>(16, uniqueId.size()));
  // Checksum: ones' complement of the byte sum of the footer with the checksum field zero.
  uint32_t sum = 0;
  for (unsigned char c : f)
    sum += c;
  write32be(p + 64, ~sum);
  return f;
}

llvm::Error copyDisk(const DiskSource& disk, Sink& out) {
  constexpr uint64_t kPiece = 1 << 20;
  std::vector<char> buffer(kPiece);
  for (uint64_t at = 0; at < disk.size(); at += kPiece) {
    uint64_t len = std::min(kPiece, disk.size() - at);
    llvm::MutableArrayRef<char> piece(buffer.data(), len);
    if (at >= disk.contentSize()) {
      if (auto e = out.writeZeros(len))
        return e;
      continue;
    }
    if (auto e = disk.read(at, piece))
      return e;
    // 4 KiB steps: a zero page is a hole in a file sink.
    for (uint64_t p = 0; p < len; p += 4096) {
      llvm::ArrayRef<char> page(buffer.data() + p, std::min<uint64_t>(4096, len - p));
      llvm::Error e = allZero(page) ? out.writeZeros(page.size())
                                    : out.write(llvm::StringRef(page.data(), page.size()));
      if (e)
        return e;
    }
  }
  return llvm::Error::success();
}

llvm::Error writeVhd(const DiskSource& disk, Sink& out) {
  if (auto e = copyDisk(disk, out))
    return e;
  return out.write(vhdFooter(disk.size(), derivedId16(disk, "vhd-unique-id")));
}

} // namespace mkimage::artifact
