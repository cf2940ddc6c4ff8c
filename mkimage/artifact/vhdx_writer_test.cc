#include "artifact/test_support.h"
#include "artifact/vhdx_writer.h"

#include "llvm/Support/Endian.h"

namespace mkimage::artifact {
namespace {

using llvm::support::endian::read16le;
using llvm::support::endian::read32le;
using llvm::support::endian::read64le;
constexpr uint64_t MiB = 1 << 20, KiB = 1024;

std::string write(const DiskSource& disk) {
  StringSink out;
  EXPECT_FALSE(static_cast<bool>(writeVhdx(disk, out)));
  return out.data;
}

bool checksumHolds(std::string block) {
  uint32_t stored = read32le(&block[4]);
  block.replace(4, 4, std::string(4, '\0'));
  return crc32c(block) == stored;
}

TEST(VhdxWriter, Crc32cKnownValue) {
  EXPECT_EQ(crc32c("123456789"), 0xE3069283u);
}

TEST(VhdxWriter, GuidsAreStoredMixedEndian) {
  EXPECT_EQ(vhdxGuid("2DC27766-F623-4200-9D64-115E9BFD4A08"),
            std::string("\x66\x77\xC2\x2D\x23\xF6\x00\x42\x9D\x64\x11\x5E\x9B\xFD\x4A\x08", 16));
}

TEST(VhdxWriter, HeadersAndRegionTablesCarryValidChecksums) {
  std::string f = write(testing::markedDisk(3 * MiB, {0}));
  EXPECT_EQ(f.substr(0, 8), "vhdxfile");
  for (uint64_t at : {64 * KiB, 128 * KiB}) {
    std::string h = f.substr(at, 4 * KiB);
    EXPECT_EQ(h.substr(0, 4), "head");
    EXPECT_TRUE(checksumHolds(h));
    EXPECT_EQ(read16le(&h[66]), 1u);
    EXPECT_EQ(read64le(&h[72]), 1 * MiB);
  }
  EXPECT_NE(read64le(&f[64 * KiB + 8]), read64le(&f[128 * KiB + 8])) << "sequence numbers";
  for (uint64_t at : {192 * KiB, 256 * KiB}) {
    std::string r = f.substr(at, 64 * KiB);
    EXPECT_EQ(r.substr(0, 4), "regi");
    EXPECT_TRUE(checksumHolds(r));
    EXPECT_EQ(read32le(&r[8]), 2u);
  }
}

TEST(VhdxWriter, MetadataAndBatDescribeTheDisk) {
  uint64_t size = 5 * MiB + 512 * 3;
  DiskSource disk = testing::markedDisk(size, {10, 2 * MiB + 1, 5 * MiB + 20});
  std::string f = write(disk);
  std::string m = f.substr(2 * MiB, MiB);
  ASSERT_EQ(m.substr(0, 8), "metadata");
  ASSERT_EQ(read16le(&m[10]), 5u);
  // Entry 1 is the virtual disk size.
  EXPECT_EQ(m.substr(32 + 32, 16), vhdxGuid("2FA54224-CD1B-4876-B211-5DBED83BF4B8"));
  EXPECT_EQ(read64le(&m[read32le(&m[32 + 32 + 16])]), size);
  // BAT at 3 MiB: blocks 0, 2 and 5 present, the others not.
  std::string back(size, '\0');
  unsigned present = 0;
  for (uint64_t b = 0; b < 6; ++b) {
    uint64_t entry = read64le(&f[3 * MiB + b * 8]);
    if ((entry & 7) == 0)
      continue;
    EXPECT_EQ(entry & 7, 6u);
    ++present;
    uint64_t at = (entry >> 20) * MiB;
    uint64_t n = std::min(MiB, size - b * MiB);
    back.replace(b * MiB, n, f.substr(at, n));
  }
  EXPECT_EQ(present, 3u);
  EXPECT_EQ(back, testing::diskBytes(disk));
}

TEST(VhdxWriter, SameDiskSameBytes) {
  DiskSource disk = testing::markedDisk(2 * MiB, {MiB});
  EXPECT_EQ(write(disk), write(disk));
}

} // namespace
} // namespace mkimage::artifact
