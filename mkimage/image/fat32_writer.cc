#include "image/fat32_writer.h"

#include "llvm/Support/Endian.h"

namespace mkimage {
namespace {

using llvm::support::endian::write16le;
using llvm::support::endian::write32le;

constexpr uint32_t kSector = 512;
constexpr uint32_t kReservedSectors = 32; // boot sector, FSInfo, backups at 6 and 7
constexpr uint32_t kFsInfoSector = 1;
constexpr uint32_t kBackupBootSector = 6;
constexpr uint32_t kFatCount = 2;
constexpr uint32_t kMinFat32Clusters = 65525; // fewer makes it FAT16 by definition
constexpr uint32_t kEndOfChain = 0x0FFFFFFF;
constexpr uint8_t kAttrDirectory = 0x10;
constexpr uint8_t kAttrArchive = 0x20;
constexpr uint16_t kFixedDate = (0 << 9) | (1 << 5) | 1; // 1980-01-01, the FAT epoch

// Clusters of the fixed tree: root directory, EFI/, EFI/BOOT/, then the file.
constexpr uint32_t kRootCluster = 2;
constexpr uint32_t kEfiCluster = 3;
constexpr uint32_t kBootCluster = 4;
constexpr uint32_t kFileCluster = 5;

llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

// One 32-byte short-name directory entry; `name` is the 11-byte padded 8.3 form.
std::string dirEntry(const char (&name)[12], uint8_t attributes, uint32_t cluster, uint32_t size) {
  std::string e(32, '\0');
  e.replace(0, 11, name, 11);
  e[11] = static_cast<char>(attributes);
  write16le(&e[16], kFixedDate); // created
  write16le(&e[18], kFixedDate); // last accessed
  write16le(&e[20], static_cast<uint16_t>(cluster >> 16));
  write16le(&e[24], kFixedDate); // modified
  write16le(&e[26], static_cast<uint16_t>(cluster));
  write32le(&e[28], size);
  return e;
}

std::string directory(std::initializer_list<std::string> entries) {
  std::string cluster;
  for (const std::string& e : entries)
    cluster += e;
  cluster.resize(kSector, '\0'); // a zero first byte ends the listing
  return cluster;
}

// The boot sector with the FAT32 BPB (offsets per the FAT specification, section 3).
std::string bootSector(uint32_t sectors, uint32_t fatSectors, uint32_t hiddenSectors,
                       uint32_t volumeId) {
  std::string b(kSector, '\0');
  b[0] = static_cast<char>(0xEB); // jmp short over the BPB, then a halt loop
  b[1] = 0x58;
  b[2] = static_cast<char>(0x90);
  b.replace(3, 8, "NANOSMKI");
  write16le(&b[11], kSector);
  b[13] = 1; // sectors per cluster
  write16le(&b[14], kReservedSectors);
  b[16] = kFatCount;
  b[21] = static_cast<char>(0xF8); // fixed media
  write16le(&b[24], 32);           // sectors per track, heads: nominal geometry
  write16le(&b[26], 64);
  write32le(&b[28], hiddenSectors);
  write32le(&b[32], sectors);
  write32le(&b[36], fatSectors);
  write32le(&b[44], kRootCluster);
  write16le(&b[48], kFsInfoSector);
  write16le(&b[50], kBackupBootSector);
  b[64] = static_cast<char>(0x80); // drive number
  b[66] = 0x29;                    // extended boot signature: the next three fields exist
  write32le(&b[67], volumeId);
  b.replace(71, 11, "NO NAME    ");
  b.replace(82, 8, "FAT32   ");
  b[90] = static_cast<char>(0xF4); // hlt; jmp back (the jump at 0 lands here)
  b[91] = static_cast<char>(0xEB);
  b[92] = static_cast<char>(0xFD);
  b[510] = 0x55;
  b[511] = static_cast<char>(0xAA);
  return b;
}

std::string fsInfoSector(uint32_t freeClusters, uint32_t nextFree) {
  std::string s(kSector, '\0');
  write32le(&s[0], 0x41615252);
  write32le(&s[484], 0x61417272);
  write32le(&s[488], freeClusters);
  write32le(&s[492], nextFree);
  write32le(&s[508], 0xAA550000);
  return s;
}

// FNV-1a of the loader: a volume ID that changes with the content, not the clock.
uint32_t volumeIdOf(const std::string& bytes) {
  uint32_t h = 2166136261u;
  for (unsigned char c : bytes)
    h = (h ^ c) * 16777619u;
  return h;
}

} // namespace

llvm::Expected<FatVolume> layoutEsp(const std::string& loader, uint64_t sectors,
                                    uint32_t hiddenSectors) {
  if (sectors > UINT32_MAX)
    return fail("EFI system partition of " + llvm::Twine(sectors) + " sectors is too large");
  // The smallest FAT that maps every data cluster (entries 0 and 1 are reserved).
  uint32_t fatSectors = 1;
  uint64_t clusters = 0;
  for (;; ++fatSectors) {
    if (kReservedSectors + kFatCount * uint64_t{fatSectors} >= sectors)
      return fail("EFI system partition of " + llvm::Twine(sectors) + " sectors is too small");
    clusters = sectors - kReservedSectors - kFatCount * uint64_t{fatSectors};
    if ((clusters + 2) * 4 <= uint64_t{fatSectors} * kSector)
      break;
  }
  if (clusters < kMinFat32Clusters)
    return fail("EFI system partition of " + llvm::Twine(sectors) +
                " sectors is too small for FAT32 (" + llvm::Twine(clusters) + " clusters)");
  uint64_t fileClusters = loader.empty() ? 0 : (loader.size() + kSector - 1) / kSector;
  if (kFileCluster - kRootCluster + fileClusters > clusters || loader.size() > UINT32_MAX)
    return fail("the UEFI loader (" + llvm::Twine(loader.size()) +
                " bytes) does not fit the EFI system partition");

  std::string fat(uint64_t{fatSectors} * kSector, '\0');
  write32le(&fat[0], 0x0FFFFF00 | 0xF8); // media byte in entry 0
  write32le(&fat[4], kEndOfChain);
  for (uint32_t c : {kRootCluster, kEfiCluster, kBootCluster})
    write32le(&fat[c * 4], kEndOfChain);
  for (uint64_t i = 0; i < fileClusters; ++i) {
    uint64_t c = kFileCluster + i;
    write32le(&fat[c * 4], i + 1 == fileClusters ? kEndOfChain : static_cast<uint32_t>(c + 1));
  }
  uint32_t firstFree = static_cast<uint32_t>(kFileCluster + fileClusters);
  uint32_t freeClusters = static_cast<uint32_t>(clusters + 2 - firstFree);

  FatVolume v;
  v.sizeBytes = sectors * kSector;
  std::string boot =
      bootSector(static_cast<uint32_t>(sectors), fatSectors, hiddenSectors, volumeIdOf(loader));
  std::string fsInfo = fsInfoSector(freeClusters, firstFree);
  v.pieces.emplace_back(0, boot);
  v.pieces.emplace_back(kFsInfoSector * kSector, fsInfo);
  v.pieces.emplace_back(kBackupBootSector * kSector, boot);
  v.pieces.emplace_back((kBackupBootSector + 1) * kSector, fsInfo);
  uint64_t fatStart = uint64_t{kReservedSectors} * kSector;
  for (uint32_t i = 0; i < kFatCount; ++i)
    v.pieces.emplace_back(fatStart + uint64_t{i} * fat.size(), fat);

  uint64_t dataStart = fatStart + kFatCount * fat.size();
  auto clusterAt = [&](uint64_t cluster) { return dataStart + (cluster - 2) * kSector; };
  v.pieces.emplace_back(clusterAt(kRootCluster),
                        directory({dirEntry("EFI        ", kAttrDirectory, kEfiCluster, 0)}));
  // ".." of a directory in the root names cluster 0 (the FAT specification's rule).
  v.pieces.emplace_back(clusterAt(kEfiCluster),
                        directory({dirEntry(".          ", kAttrDirectory, kEfiCluster, 0),
                                   dirEntry("..         ", kAttrDirectory, 0, 0),
                                   dirEntry("BOOT       ", kAttrDirectory, kBootCluster, 0)}));
  v.pieces.emplace_back(
      clusterAt(kBootCluster),
      directory({dirEntry(".          ", kAttrDirectory, kBootCluster, 0),
                 dirEntry("..         ", kAttrDirectory, kEfiCluster, 0),
                 dirEntry("BOOTX64 EFI", kAttrArchive, fileClusters ? kFileCluster : 0,
                          static_cast<uint32_t>(loader.size()))}));
  if (!loader.empty())
    v.pieces.emplace_back(clusterAt(kFileCluster), loader);
  return v;
}

} // namespace mkimage
