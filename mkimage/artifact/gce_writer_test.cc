#include "artifact/gce_writer.h"
#include "artifact/test_support.h"

namespace mkimage::artifact {
namespace {

uint64_t octalField(const std::string& h, size_t at) {
  return std::stoull(h.substr(at, 11), nullptr, 8);
}

// Reads a GNU old-format sparse member the way an extracting tar does: the map from the header
// and its extension blocks, then the stored bytes placed at their offsets. Returns the first
// `keep` bytes of the file (no test holds a whole GiB in memory) and checks that no data lies
// beyond them; *realSize gets the file's size, *end the offset just past the member's data.
std::string extractSparse(const std::string& tar, uint64_t keep, uint64_t* realSize, size_t* end) {
  const std::string header = tar.substr(0, 512);
  EXPECT_EQ(header[156], 'S');
  uint64_t stored = octalField(header, 124);
  *realSize = octalField(header, 483);
  std::vector<std::pair<uint64_t, uint64_t>> map;
  auto readEntries = [&](const std::string& block, size_t at, size_t count) {
    for (size_t i = 0; i < count; ++i) {
      if (block[at + 24 * i] == '\0')
        return;
      map.push_back({octalField(block, at + 24 * i), octalField(block, at + 24 * i + 12)});
    }
  };
  readEntries(header, 386, 4);
  bool extended = header[482] == 1;
  size_t pos = 512;
  while (extended) {
    std::string ext = tar.substr(pos, 512);
    readEntries(ext, 0, 21);
    extended = ext[504] == 1;
    pos += 512;
  }
  std::string file(keep, '\0');
  uint64_t total = 0;
  for (auto [offset, length] : map) {
    EXPECT_LE(offset + length, *realSize);
    if (length) {
      EXPECT_LE(offset + length, keep) << "data beyond the part the test keeps";
    }
    if (length && offset + length <= keep)
      file.replace(offset, length, tar.substr(pos + total, length));
    total += length;
  }
  EXPECT_EQ(total, stored) << "the size field counts the stored bytes";
  *end = pos + (stored + 511) / 512 * 512;
  return file;
}

TEST(GceWriter, TarballHoldsExactlyDiskRawStoredSparse) {
  const uint64_t content = 4 << 20;
  DiskSource disk = testing::markedDisk(content, {0, 3 << 20});
  std::string expected = testing::diskBytes(disk); // the content; the rest is zeros
  disk.setSize(kGceSizeUnit);
  StringSink out;
  ASSERT_FALSE(static_cast<bool>(writeGceTarball(disk, out)));
  std::string tar = testing::inflateAll(out.data, 31);
  // Two pages of data: the tar is a few KiB, not a GiB.
  EXPECT_LT(tar.size(), 64u * 1024);
  EXPECT_EQ(tar.substr(0, 9), std::string("disk.raw\0", 9));
  EXPECT_EQ(tar.substr(257, 8), std::string("ustar  \0", 8));
  size_t end = 0;
  uint64_t realSize = 0;
  EXPECT_EQ(extractSparse(tar, content, &realSize, &end), expected);
  EXPECT_EQ(realSize, kGceSizeUnit);
  // One member, then end-of-archive zeros up to a 10 KiB record.
  EXPECT_EQ(tar.size() % 10240, 0u);
  EXPECT_GE(tar.size(), end + 1024);
  EXPECT_EQ(tar.find_first_not_of('\0', end), std::string::npos);
}

TEST(GceWriter, ManyRegionsGoIntoExtensionBlocks) {
  // 30 separate marks: more than the header's 4 entries and one extension block's 21.
  std::string bytes(8 << 20, '\0');
  for (int i = 0; i < 30; ++i)
    bytes[static_cast<size_t>(i) * 65536 + 100] = static_cast<char>(i + 1);
  DiskSource disk = DiskSource::fromBytes(bytes, "many-regions");
  std::string expected = testing::diskBytes(disk);
  disk.setSize(kGceSizeUnit);
  StringSink out;
  ASSERT_FALSE(static_cast<bool>(writeGceTarball(disk, out)));
  std::string tar = testing::inflateAll(out.data, 31);
  EXPECT_EQ(tar[482], 1) << "the map continues past the header";
  size_t end = 0;
  uint64_t realSize = 0;
  EXPECT_EQ(extractSparse(tar, bytes.size(), &realSize, &end), expected);
  EXPECT_EQ(realSize, kGceSizeUnit);
}

TEST(GceWriter, DataRegionsMergeNeighboursAndMarkAHoleAtTheEnd) {
  auto regions = dataRegions({true, true, false, true, false}, 4096, 5 * 4096);
  ASSERT_EQ(regions.size(), 3u);
  EXPECT_EQ(regions[0].offset, 0u);
  EXPECT_EQ(regions[0].length, 8192u);
  EXPECT_EQ(regions[1].offset, 3u * 4096);
  EXPECT_EQ(regions[1].length, 4096u);
  EXPECT_EQ(regions[2].offset, 5u * 4096);
  EXPECT_EQ(regions[2].length, 0u);
  // Data up to the end: no empty region.
  regions = dataRegions({false, true}, 4096, 8192);
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0].offset, 4096u);
  // All zeros: the map is just the end.
  regions = dataRegions({false, false}, 4096, 8192);
  ASSERT_EQ(regions.size(), 1u);
  EXPECT_EQ(regions[0].offset, 8192u);
  EXPECT_EQ(regions[0].length, 0u);
}

TEST(GceWriter, RefusesASizeThatIsNotWholeGiB) {
  DiskSource disk = testing::markedDisk(4 << 20, {0});
  StringSink out;
  EXPECT_TRUE(static_cast<bool>(writeGceTarball(disk, out)));
}

} // namespace
} // namespace mkimage::artifact
