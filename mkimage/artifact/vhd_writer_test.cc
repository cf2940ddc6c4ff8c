#include "artifact/test_support.h"
#include "artifact/vhd_writer.h"

#include "llvm/Support/Endian.h"

namespace mkimage::artifact {
namespace {

using llvm::support::endian::read16be;
using llvm::support::endian::read32be;
using llvm::support::endian::read64be;

TEST(VhdWriter, GeometryFollowsTheSpecificationsAlgorithm) {
  // 1 MiB: 2048 sectors, 17 per track, 120 cylinders*heads, 4 heads -> 30 cylinders.
  VhdGeometry g = vhdGeometry(1 << 20);
  EXPECT_EQ(g.cylinders, 30);
  EXPECT_EQ(g.heads, 4);
  EXPECT_EQ(g.sectorsPerTrack, 17);
  // 1 GiB: 2097152 sectors; 17 per track needs 121 heads, 31 per track still 67650 >= 16*1024
  // cylinders*heads, so 63 per track and 16 heads: 33288 / 16 = 2080 cylinders.
  g = vhdGeometry(1ull << 30);
  EXPECT_EQ(g.cylinders, 2080);
  EXPECT_EQ(g.heads, 16);
  EXPECT_EQ(g.sectorsPerTrack, 63);
  // Past 65535*16*63 sectors: 255 sectors per track, cylinders capped.
  g = vhdGeometry(2000ull << 30);
  EXPECT_EQ(g.heads, 16);
  EXPECT_EQ(g.sectorsPerTrack, 255);
  EXPECT_EQ(g.cylinders, 65535);
}

TEST(VhdWriter, FixedDiskIsTheDataThenAValidFooter) {
  DiskSource disk = testing::markedDisk(3 << 20, {0, (2 << 20) + 3});
  StringSink out;
  ASSERT_FALSE(static_cast<bool>(writeVhd(disk, out)));
  ASSERT_EQ(out.data.size(), (3u << 20) + 512);
  EXPECT_EQ(out.data.substr(0, 3 << 20), testing::diskBytes(disk));
  std::string f = out.data.substr(3 << 20);
  EXPECT_EQ(f.substr(0, 8), "conectix");
  EXPECT_EQ(read32be(&f[12]), 0x00010000u);
  EXPECT_EQ(read64be(&f[16]), ~0ull);
  EXPECT_EQ(read64be(&f[40]), 3u << 20);
  EXPECT_EQ(read64be(&f[48]), 3u << 20);
  EXPECT_EQ(read32be(&f[60]), 2u) << "fixed";
  VhdGeometry g = vhdGeometry(3 << 20);
  EXPECT_EQ(read16be(&f[56]), g.cylinders);
  uint32_t stored = read32be(&f[64]);
  std::string zeroed = f;
  zeroed.replace(64, 4, std::string(4, '\0'));
  uint32_t sum = 0;
  for (unsigned char c : zeroed)
    sum += c;
  EXPECT_EQ(stored, ~sum);
  EXPECT_NE(f.substr(68, 16), std::string(16, '\0')) << "unique id";
}

TEST(VhdWriter, UniqueIdComesFromTheImage) {
  StringSink a, b;
  DiskSource one = DiskSource::fromBytes(std::string(1 << 20, '\0'), "one");
  DiskSource two = DiskSource::fromBytes(std::string(1 << 20, '\0'), "two");
  ASSERT_FALSE(static_cast<bool>(writeVhd(one, a)));
  ASSERT_FALSE(static_cast<bool>(writeVhd(two, b)));
  EXPECT_NE(a.data.substr((1 << 20) + 68, 16), b.data.substr((1 << 20) + 68, 16));
  StringSink again;
  ASSERT_FALSE(static_cast<bool>(writeVhd(one, again)));
  EXPECT_EQ(a.data, again.data);
}

} // namespace
} // namespace mkimage::artifact
