#include "artifact/tar_writer.h"
#include "artifact/test_support.h"

namespace mkimage::artifact {
namespace {

unsigned headerSum(std::string h) {
  h.replace(148, 8, std::string(8, ' '));
  unsigned sum = 0;
  for (unsigned char c : h)
    sum += c;
  return sum;
}

TEST(TarWriter, GnuHeaderFields) {
  auto h =
      tarHeader(TarEntry{"disk.raw", '0', 0644, 0, 0, "root", "root", 1ull << 30}, TarFormat::Gnu);
  ASSERT_TRUE(static_cast<bool>(h));
  EXPECT_EQ(h->substr(0, 9), std::string("disk.raw\0", 9));
  EXPECT_EQ(h->substr(100, 8), std::string("0000644\0", 8));
  EXPECT_EQ(h->substr(124, 12), std::string("10000000000\0", 12));
  EXPECT_EQ(h->substr(136, 12), std::string("00000000000\0", 12)) << "mtime 0";
  EXPECT_EQ(h->substr(257, 8), std::string("ustar  \0", 8));
  EXPECT_EQ(std::stoul(h->substr(148, 6), nullptr, 8), headerSum(*h));
}

TEST(TarWriter, UstarHeaderAndOwner) {
  auto h = tarHeader(TarEntry{"disk/", '5', 0555, 107, 107, "", "", 0}, TarFormat::Ustar);
  ASSERT_TRUE(static_cast<bool>(h));
  EXPECT_EQ((*h)[156], '5');
  EXPECT_EQ(h->substr(108, 8), std::string("0000153\0", 8)); // 107 in octal
  EXPECT_EQ(h->substr(257, 8), std::string("ustar\0"
                                           "00",
                                           8));
}

TEST(TarWriter, SizesOf8GiBAndMoreUseBase256) {
  uint64_t size = 10ull << 30;
  auto h = tarHeader(TarEntry{"disk.raw", '0', 0644, 0, 0, "root", "root", size}, TarFormat::Gnu);
  ASSERT_TRUE(static_cast<bool>(h));
  EXPECT_EQ(static_cast<unsigned char>((*h)[124]), 0x80);
  uint64_t v = 0;
  for (int i = 1; i < 12; ++i)
    v = v << 8 | static_cast<unsigned char>((*h)[124 + i]);
  EXPECT_EQ(v, size);
}

TEST(TarWriter, RefusesLongNames) {
  EXPECT_FALSE(static_cast<bool>(tarHeader(TarEntry{std::string(101, 'a')}, TarFormat::Ustar)));
}

TEST(TarWriter, ArchiveEndsWithTwoZeroBlocksInA10KiBRecord) {
  StringSink out;
  ASSERT_FALSE(static_cast<bool>(
      beginTarFile(out, TarEntry{"a", '0', 0644, 0, 0, "r", "r", 3}, TarFormat::Ustar)));
  ASSERT_FALSE(static_cast<bool>(out.write("abc")));
  ASSERT_FALSE(static_cast<bool>(endTarFile(out)));
  ASSERT_FALSE(static_cast<bool>(endTarArchive(out)));
  EXPECT_EQ(out.data.size(), 10240u);
  EXPECT_EQ(out.data.substr(512, 3), "abc");
  EXPECT_EQ(out.data.substr(1024), std::string(10240 - 1024, '\0'));
}

TEST(TarWriter, GnuSparseHeaderHoldsTheMapAndTheRealSize) {
  TarEntry e{"disk.raw", '0', 0644, 0, 0, "root", "root", 1ull << 30};
  auto h = gnuSparseHeaders(e, {{0, 8192}, {1 << 20, 4096}, {1ull << 30, 0}});
  ASSERT_TRUE(static_cast<bool>(h));
  ASSERT_EQ(h->size(), 512u) << "three entries fit the header";
  EXPECT_EQ((*h)[156], 'S');
  EXPECT_EQ(h->substr(124, 12), std::string("00000030000\0", 12)) << "stored bytes: 12 KiB";
  EXPECT_EQ(h->substr(483, 12), std::string("10000000000\0", 12)) << "real size: 1 GiB";
  EXPECT_EQ(h->substr(386, 12), std::string("00000000000\0", 12));
  EXPECT_EQ(h->substr(398, 12), std::string("00000020000\0", 12));
  EXPECT_EQ(h->substr(410, 12), std::string("00004000000\0", 12));
  EXPECT_EQ(h->substr(434, 12), std::string("10000000000\0", 12)) << "the end of the file";
  EXPECT_EQ(h->substr(446, 12), std::string("00000000000\0", 12));
  EXPECT_EQ(h->substr(458, 24), std::string(24, '\0')) << "the fourth entry is unused";
  EXPECT_EQ((*h)[482], 0);
  EXPECT_EQ(h->substr(257, 8), std::string("ustar  \0", 8));
  EXPECT_EQ(std::stoul(h->substr(148, 6), nullptr, 8), headerSum(*h));
}

TEST(TarWriter, GnuSparseMapContinuesInExtensionBlocks) {
  std::vector<SparseRegion> regions;
  for (uint64_t i = 0; i < 26; ++i) // 4 in the header, 21 in one block, 1 in a second
    regions.push_back({i * 65536, 512});
  TarEntry e{"disk.raw", '0', 0644, 0, 0, "root", "root", 26 * 65536};
  auto h = gnuSparseHeaders(e, regions);
  ASSERT_TRUE(static_cast<bool>(h));
  ASSERT_EQ(h->size(), 3u * 512);
  EXPECT_EQ((*h)[482], 1);
  EXPECT_EQ((*h)[512 + 504], 1);
  EXPECT_EQ((*h)[1024 + 504], 0);
  EXPECT_EQ(std::stoull(h->substr(512, 11), nullptr, 8), 4u * 65536) << "entry 5 opens block 1";
  EXPECT_EQ(std::stoull(h->substr(1024, 11), nullptr, 8), 25u * 65536);
  EXPECT_EQ((*h)[1024 + 24], '\0') << "one entry in the last block";
  EXPECT_EQ(std::stoul(h->substr(148, 6), nullptr, 8), headerSum(h->substr(0, 512)));
}

TEST(TarWriter, GnuSparseOffsetsOf8GiBAndMoreUseBase256) {
  uint64_t size = 10ull << 30;
  TarEntry e{"disk.raw", '0', 0644, 0, 0, "root", "root", size};
  auto h = gnuSparseHeaders(e, {{9ull << 30, 4096}, {size, 0}});
  ASSERT_TRUE(static_cast<bool>(h));
  EXPECT_EQ(static_cast<unsigned char>((*h)[386]), 0x80);
  EXPECT_EQ(static_cast<unsigned char>((*h)[483]), 0x80);
  uint64_t v = 0;
  for (int i = 1; i < 12; ++i)
    v = v << 8 | static_cast<unsigned char>((*h)[386 + i]);
  EXPECT_EQ(v, 9ull << 30);
}

TEST(TarWriter, GnuSparseRefusesABadMap) {
  TarEntry e{"disk.raw", '0', 0644, 0, 0, "root", "root", 65536};
  EXPECT_FALSE(static_cast<bool>(gnuSparseHeaders(e, {{4096, 4096}, {0, 512}}))); // order
  EXPECT_FALSE(static_cast<bool>(gnuSparseHeaders(e, {{0, 8192}, {4096, 512}}))); // overlap
  EXPECT_FALSE(static_cast<bool>(gnuSparseHeaders(e, {{61440, 8192}})));          // past the end
}

} // namespace
} // namespace mkimage::artifact
