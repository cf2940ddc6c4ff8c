#include "artifact/vhdx_writer.h"

#include "llvm/Support/Endian.h"

#include <array>
#include <cstring>

namespace mkimage::artifact {

using llvm::support::endian::write16le;
using llvm::support::endian::write32le;
using llvm::support::endian::write64le;

namespace {
constexpr uint64_t kKiB = 1024, kMiB = 1024 * kKiB;
constexpr uint64_t kBlockSize = 1 * kMiB; // payload block (1 MiB to 256 MiB allowed)
constexpr uint64_t kLogicalSector = 512, kPhysicalSector = 4096;
// Sectors one sector-bitmap block describes (2^23) over the sectors in a payload block.
constexpr uint64_t kChunkRatio = (1ull << 23) * kLogicalSector / kBlockSize;
constexpr uint64_t kLogOffset = 1 * kMiB, kLogLength = 1 * kMiB;
constexpr uint64_t kMetadataOffset = 2 * kMiB, kMetadataLength = 1 * kMiB;
constexpr uint64_t kBatOffset = 3 * kMiB;
constexpr uint64_t kPayloadFullyPresent = 6;

const char* const kBatRegion = "2DC27766-F623-4200-9D64-115E9BFD4A08";
const char* const kMetadataRegion = "8B7CA206-4790-4B9A-B8FE-575F050F886E";
const char* const kFileParameters = "CAA16737-FA36-4D43-B3B6-33F0AA44E76B";
const char* const kVirtualDiskSize = "2FA54224-CD1B-4876-B211-5DBED83BF4B8";
const char* const kVirtualDiskId = "BECA12AB-B2E6-4523-93EF-C309E000C746";
const char* const kLogicalSectorSize = "8141BF1D-A96F-4709-BA47-F233A8FAAB5F";
const char* const kPhysicalSectorSize = "CDA348C7-445D-4471-9CC9-E9885251C556";

uint64_t divUp(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

std::array<uint32_t, 256> crcTable() {
  std::array<uint32_t, 256> t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k)
      c = (c & 1) ? (c >> 1) ^ 0x82F63B78u : c >> 1;
    t[i] = c;
  }
  return t;
}

int hexDigit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  return (c | 0x20) - 'a' + 10;
}

// Stores a checksum over `block` (whose checksum field at 4..8 is zero) into that field.
void sealWithChecksum(std::string& block) {
  write32le(&block[4], crc32c(block));
}

std::string fileIdentifier() {
  std::string b(64 * kKiB, '\0');
  std::memcpy(&b[0], "vhdxfile", 8);
  const char* creator = "nanos-mkimage";
  for (size_t i = 0; creator[i]; ++i)
    b[8 + 2 * i] = creator[i]; // UTF-16LE
  return b;
}

std::string header(const DiskSource& disk, uint64_t sequence) {
  std::string h(4 * kKiB, '\0');
  std::memcpy(&h[0], "head", 4);
  write64le(&h[8], sequence);
  std::memcpy(&h[16], derivedId16(disk, "vhdx-file-write-guid").data(), 16);
  std::memcpy(&h[32], derivedId16(disk, "vhdx-data-write-guid").data(), 16);
  // LogGuid (48) stays zero: the log is empty, nothing to replay.
  write16le(&h[64], 0); // log version
  write16le(&h[66], 1); // version
  write32le(&h[68], kLogLength);
  write64le(&h[72], kLogOffset);
  sealWithChecksum(h);
  h.resize(64 * kKiB, '\0');
  return h;
}

std::string regionTable(uint64_t batLength) {
  std::string r(64 * kKiB, '\0');
  std::memcpy(&r[0], "regi", 4);
  write32le(&r[8], 2); // entries
  auto entry = [&](size_t at, const char* guid, uint64_t offset, uint64_t length) {
    std::memcpy(&r[at], vhdxGuid(guid).data(), 16);
    write64le(&r[at + 16], offset);
    write32le(&r[at + 24], static_cast<uint32_t>(length));
    write32le(&r[at + 28], 1); // required
  };
  entry(16, kBatRegion, kBatOffset, batLength);
  entry(48, kMetadataRegion, kMetadataOffset, kMetadataLength);
  sealWithChecksum(r);
  return r;
}

std::string metadataRegion(const DiskSource& disk) {
  std::string m(kMetadataLength, '\0');
  std::memcpy(&m[0], "metadata", 8);
  write16le(&m[10], 5); // entries
  constexpr uint32_t kVirtualDisk = 1u << 1, kRequired = 1u << 2;
  size_t entry = 32, item = 64 * kKiB; // items follow the 64 KiB table
  auto add = [&](const char* guid, llvm::StringRef value, uint32_t flags) {
    std::memcpy(&m[entry], vhdxGuid(guid).data(), 16);
    write32le(&m[entry + 16], static_cast<uint32_t>(item));
    write32le(&m[entry + 20], static_cast<uint32_t>(value.size()));
    write32le(&m[entry + 24], flags);
    std::memcpy(&m[item], value.data(), value.size());
    entry += 32;
    item += value.size();
  };
  char v[8];
  write32le(v, kBlockSize);
  write32le(v + 4, 0); // blocks not kept allocated, no parent
  add(kFileParameters, llvm::StringRef(v, 8), kRequired);
  write64le(v, disk.size());
  add(kVirtualDiskSize, llvm::StringRef(v, 8), kVirtualDisk | kRequired);
  add(kVirtualDiskId, derivedId16(disk, "vhdx-virtual-disk-id"), kVirtualDisk | kRequired);
  write32le(v, kLogicalSector);
  add(kLogicalSectorSize, llvm::StringRef(v, 4), kVirtualDisk | kRequired);
  write32le(v, kPhysicalSector);
  add(kPhysicalSectorSize, llvm::StringRef(v, 4), kVirtualDisk | kRequired);
  return m;
}

} // namespace

uint32_t crc32c(llvm::StringRef bytes) {
  static const std::array<uint32_t, 256> table = crcTable();
  uint32_t c = ~0u;
  for (unsigned char b : bytes)
    c = table[(c ^ b) & 0xff] ^ (c >> 8);
  return ~c;
}

std::string vhdxGuid(const char* text) {
  unsigned char raw[16];
  for (int i = 0, j = 0; i < 16; ++j) {
    if (text[j] == '-')
      continue;
    raw[i++] = static_cast<unsigned char>(hexDigit(text[j]) << 4 | hexDigit(text[j + 1]));
    ++j;
  }
  std::string g(16, '\0');
  const int order[16] = {3, 2, 1, 0, 5, 4, 7, 6, 8, 9, 10, 11, 12, 13, 14, 15};
  for (int i = 0; i < 16; ++i)
    g[i] = static_cast<char>(raw[order[i]]);
  return g;
}

llvm::Error writeVhdx(const DiskSource& disk, Sink& out) {
  if (disk.size() % kLogicalSector)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "vhdx: the disk size %llu is not a multiple of 512",
                                   static_cast<unsigned long long>(disk.size()));
  auto used = disk.nonZeroChunks(kBlockSize);
  if (!used)
    return used.takeError();
  uint64_t blocks = used->size();
  // One sector-bitmap entry follows every kChunkRatio payload entries (never used here: a
  // disk without a parent has no sector bitmaps).
  uint64_t entries = blocks + (blocks ? (blocks - 1) / kChunkRatio : 0);
  uint64_t batLength = std::max(kMiB, divUp(entries * 8, kMiB) * kMiB);
  uint64_t payloadStart = kBatOffset + batLength;

  std::string bat(batLength, '\0');
  uint64_t next = payloadStart;
  for (uint64_t b = 0; b < blocks; ++b) {
    if (!(*used)[b])
      continue;
    write64le(&bat[(b + b / kChunkRatio) * 8], kPayloadFullyPresent | (next / kMiB) << 20);
    next += kBlockSize;
  }

  std::string head = fileIdentifier();
  head += header(disk, 0);
  head += header(disk, 1);
  std::string regions = regionTable(batLength);
  head += regions;
  head += regions;
  if (auto e = out.write(head))
    return e;
  if (auto e = out.writeZeros(kLogOffset + kLogLength - out.offset())) // log: empty
    return e;
  if (auto e = out.write(metadataRegion(disk)))
    return e;
  if (auto e = out.write(bat))
    return e;
  std::vector<char> block(kBlockSize);
  for (uint64_t b = 0; b < blocks; ++b) {
    if (!(*used)[b])
      continue;
    if (auto e = disk.read(b * kBlockSize, block))
      return e;
    if (auto e = out.write(llvm::StringRef(block.data(), block.size())))
      return e;
  }
  return llvm::Error::success();
}

} // namespace mkimage::artifact
