// The ESP writer (fat32_writer.cc): the structures a FAT32 reader relies on, checked field by
// field. tests/uefi runs fsck.fat over a written image as well.
#include "image/fat32_writer.h"

#include "llvm/Support/Endian.h"

#include <gtest/gtest.h>

namespace {

using llvm::support::endian::read16le;
using llvm::support::endian::read32le;

// The volume as bytes (only the first `bytes` of it: the rest is zero).
std::string flatten(const mkimage::FatVolume& v, uint64_t bytes) {
  std::string out(bytes, '\0');
  for (const auto& [offset, piece] : v.pieces)
    if (offset < bytes)
      out.replace(offset, std::min<uint64_t>(piece.size(), bytes - offset),
                  piece.substr(0, bytes - offset));
  return out;
}

struct Geometry {
  uint32_t fatSectors, dataStart;
};

Geometry geometry(const std::string& d) {
  uint32_t fat = read32le(&d[36]);
  return {fat, (read16le(&d[14]) + 2 * fat) * 512};
}

TEST(Fat32Writer, BootSectorAndFsInfo) {
  std::string loader(1000, 'x');
  auto v = mkimage::layoutEsp(loader, mkimage::kEspSectors, 2100);
  ASSERT_TRUE(static_cast<bool>(v)) << llvm::toString(v.takeError());
  EXPECT_EQ(v->sizeBytes, 33u << 20);
  std::string d = flatten(*v, 1 << 20);
  EXPECT_EQ(read16le(&d[11]), 512);   // bytes per sector
  EXPECT_EQ(d[13], 1);                // sectors per cluster
  EXPECT_EQ(read16le(&d[17]), 0);     // no fixed root directory (FAT32)
  EXPECT_EQ(read16le(&d[22]), 0);     // FATSz16 0: the 32-bit size applies
  EXPECT_EQ(read32le(&d[28]), 2100u); // hidden sectors = partition start
  EXPECT_EQ(read32le(&d[32]), mkimage::kEspSectors);
  EXPECT_EQ(read32le(&d[44]), 2u); // root directory cluster
  EXPECT_EQ(d.substr(82, 8), "FAT32   ");
  EXPECT_EQ(static_cast<uint8_t>(d[510]), 0x55);
  EXPECT_EQ(static_cast<uint8_t>(d[511]), 0xAA);
  EXPECT_EQ(d.substr(0, 512), d.substr(6 * 512, 512)); // backup boot sector
  // Cluster count: FAT32 by definition (>= 65525), and every cluster has a FAT entry.
  Geometry g = geometry(d);
  uint32_t clusters = mkimage::kEspSectors - g.dataStart / 512;
  EXPECT_GE(clusters, 65525u);
  EXPECT_GE(g.fatSectors * 512 / 4, clusters + 2);
  EXPECT_LT((g.fatSectors - 1) * 512 / 4, clusters + 2); // and the FAT is no larger
  // FSInfo: signatures, free count = clusters minus root, EFI, BOOT and 2 file clusters.
  EXPECT_EQ(read32le(&d[512]), 0x41615252u);
  EXPECT_EQ(read32le(&d[512 + 484]), 0x61417272u);
  EXPECT_EQ(read32le(&d[512 + 488]), clusters - 5);
  EXPECT_EQ(read32le(&d[512 + 492]), 7u);
  EXPECT_EQ(read32le(&d[512 + 508]), 0xAA550000u);
}

TEST(Fat32Writer, TreeAndChain) {
  std::string loader(1300, '\0');
  for (size_t i = 0; i < loader.size(); ++i)
    loader[i] = static_cast<char>(i * 7);
  auto v = mkimage::layoutEsp(loader, mkimage::kEspSectors, 0);
  ASSERT_TRUE(static_cast<bool>(v));
  std::string d = flatten(*v, 2 << 20);
  Geometry g = geometry(d);
  auto cluster = [&](uint32_t c) { return d.substr(g.dataStart + (c - 2) * 512, 512); };
  std::string fat1 = d.substr(32 * 512, g.fatSectors * 512);
  EXPECT_EQ(fat1, d.substr((32 + g.fatSectors) * 512, g.fatSectors * 512)); // two equal FATs
  EXPECT_EQ(read32le(&fat1[0]), 0x0FFFFFF8u);
  for (uint32_t c : {2u, 3u, 4u, 7u})
    EXPECT_EQ(read32le(&fat1[c * 4]), 0x0FFFFFFFu) << c;
  EXPECT_EQ(read32le(&fat1[5 * 4]), 6u);
  EXPECT_EQ(read32le(&fat1[6 * 4]), 7u);
  EXPECT_EQ(read32le(&fat1[8 * 4]), 0u);

  std::string root = cluster(2);
  EXPECT_EQ(root.substr(0, 11), "EFI        ");
  EXPECT_EQ(root[11], 0x10);
  EXPECT_EQ(read16le(&root[26]), 3);
  EXPECT_EQ(root[32], 0); // end of the listing
  std::string efi = cluster(3);
  EXPECT_EQ(efi.substr(0, 11), ".          ");
  EXPECT_EQ(efi.substr(32, 11), "..         ");
  EXPECT_EQ(read16le(&efi[32 + 26]), 0); // parent is the root: cluster 0
  EXPECT_EQ(efi.substr(64, 11), "BOOT       ");
  EXPECT_EQ(read16le(&efi[64 + 26]), 4);
  std::string boot = cluster(4);
  EXPECT_EQ(read16le(&boot[32 + 26]), 3);
  EXPECT_EQ(boot.substr(64, 11), "BOOTX64 EFI");
  EXPECT_EQ(boot[64 + 11], 0x20);
  EXPECT_EQ(read16le(&boot[64 + 26]), 5);
  EXPECT_EQ(read32le(&boot[64 + 28]), 1300u);
  EXPECT_EQ(cluster(5) + cluster(6) + cluster(7).substr(0, 276), loader);
}

TEST(Fat32Writer, SameInputSameBytes) {
  auto a = mkimage::layoutEsp("abc", mkimage::kEspSectors, 9);
  auto b = mkimage::layoutEsp("abc", mkimage::kEspSectors, 9);
  auto c = mkimage::layoutEsp("abd", mkimage::kEspSectors, 9);
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ(a->pieces, b->pieces);
  EXPECT_NE(read32le(&a->pieces[0].second[67]), read32le(&c->pieces[0].second[67])); // volume ID
}

TEST(Fat32Writer, RefusesVolumesTooSmall) {
  auto tiny = mkimage::layoutEsp("x", 20000, 0); // a FAT16-sized volume
  ASSERT_FALSE(static_cast<bool>(tiny));
  EXPECT_NE(llvm::toString(tiny.takeError()).find("too small for FAT32"), std::string::npos);
  auto full = mkimage::layoutEsp(std::string(40u << 20, 'x'), mkimage::kEspSectors, 0);
  ASSERT_FALSE(static_cast<bool>(full));
  EXPECT_NE(llvm::toString(full.takeError()).find("does not fit"), std::string::npos);
}

} // namespace
