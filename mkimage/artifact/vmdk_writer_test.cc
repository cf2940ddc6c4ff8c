#include "artifact/test_support.h"
#include "artifact/vmdk_writer.h"

#include "llvm/Support/Endian.h"

namespace mkimage::artifact {
namespace {

using llvm::support::endian::read32le;
using llvm::support::endian::read64le;

std::string write(const DiskSource& disk, unsigned threads = 2) {
  StringSink out;
  EXPECT_FALSE(static_cast<bool>(writeVmdk(disk, VmdkOptions{threads}, out)));
  return out.data;
}

TEST(VmdkWriter, HeaderFooterAndEndOfStream) {
  DiskSource disk = testing::markedDisk(1 << 20, {0, 700000});
  std::string f = write(disk);
  ASSERT_EQ(f.size() % 512, 0u);
  EXPECT_EQ(f.substr(0, 4), "KDMV");
  EXPECT_EQ(read32le(&f[4]), 3u);
  EXPECT_EQ(read32le(&f[8]), 0x30001u);
  EXPECT_EQ(read64le(&f[12]), (1u << 20) / 512);
  EXPECT_EQ(read64le(&f[20]), 128u);
  EXPECT_EQ(read64le(&f[56]), ~0ull) << "grain directory at the end";
  EXPECT_EQ(f.substr(73, 4), "\n \r\n");
  EXPECT_EQ(f.substr(512, 21), "# Disk DescriptorFile");
  // Last three sectors: footer marker, footer, end-of-stream marker.
  size_t n = f.size();
  EXPECT_EQ(read32le(&f[n - 3 * 512 + 12]), 3u);
  std::string footer = f.substr(n - 2 * 512, 512);
  EXPECT_EQ(footer.substr(0, 56), f.substr(0, 56));
  EXPECT_NE(read64le(&footer[56]), ~0ull);
  EXPECT_EQ(f.substr(n - 512), std::string(512, '\0'));
}

TEST(VmdkWriter, GrainsReadBackThroughDirectoryAndTables) {
  uint64_t size = 40ull << 20; // two grain tables (32 MiB each)
  DiskSource disk = testing::markedDisk(size, {100, 65536 * 3 - 10, 35ull << 20});
  std::string f = write(disk);
  uint64_t gd = read64le(&f[f.size() - 2 * 512 + 56]) * 512;
  std::string back(size, '\0');
  unsigned grains = 0;
  for (unsigned t = 0; t < 2; ++t) {
    uint64_t gt = uint64_t(read32le(&f[gd + t * 4])) * 512;
    ASSERT_NE(gt, 0u);
    EXPECT_EQ(read32le(&f[gt - 512 + 12]), 1u) << "grain table marker";
    for (unsigned e = 0; e < 512; ++e) {
      uint64_t at = uint64_t(read32le(&f[gt + e * 4])) * 512;
      if (!at)
        continue;
      ++grains;
      uint64_t lba = read64le(&f[at]);
      EXPECT_EQ(lba, (t * 512 + e) * 128ull);
      uint32_t len = read32le(&f[at + 8]);
      std::string data = testing::inflateAll(llvm::StringRef(&f[at + 12], len), 15);
      ASSERT_EQ(data.size(), 65536u);
      back.replace(lba * 512, 65536, data);
    }
  }
  EXPECT_EQ(grains, 4u); // the middle mark straddles two grains
  EXPECT_EQ(back, testing::diskBytes(disk));
}

TEST(VmdkWriter, OutputDoesNotDependOnThreads) {
  DiskSource disk = testing::markedDisk(4 << 20, {0, 1 << 20, 3 << 20});
  EXPECT_EQ(write(disk, 1), write(disk, 4));
}

TEST(VmdkWriter, DescriptorNamesTheStreamOptimizedExtent) {
  DiskSource disk = testing::markedDisk(1 << 20, {0});
  std::string d = vmdkDescriptor(disk);
  EXPECT_NE(d.find("createType=\"streamOptimized\""), std::string::npos);
  EXPECT_NE(d.find("RW 2048 SPARSE \"disk.vmdk\""), std::string::npos);
}

TEST(VmdkWriter, RefusesASizeThatIsNotWholeSectors) {
  DiskSource disk = testing::markedDisk(1000, {0});
  StringSink out;
  EXPECT_TRUE(static_cast<bool>(writeVmdk(disk, {}, out)));
}

} // namespace
} // namespace mkimage::artifact
