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

} // namespace
} // namespace mkimage::artifact
