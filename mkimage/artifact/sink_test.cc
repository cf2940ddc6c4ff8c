#include "artifact/sink.h"
#include "artifact/test_support.h"

#include <cstdio>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage::artifact {
namespace {

TEST(Sink, Sha256OfKnownInput) {
  EXPECT_EQ(sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  StringSink inner;
  Sha256Sink hashed(inner);
  ASSERT_FALSE(static_cast<bool>(hashed.write("ab")));
  ASSERT_FALSE(static_cast<bool>(hashed.write("c")));
  EXPECT_EQ(hashed.hexDigest(), sha256Hex("abc"));
  EXPECT_EQ(inner.data, "abc");
}

TEST(Sink, GzipRoundTripsAndIsReproducible) {
  std::string input(300000, 'x');
  input += "tail";
  auto gz = [&] {
    StringSink out;
    GzipSink gzip(out, 6);
    EXPECT_FALSE(static_cast<bool>(gzip.write(input)));
    EXPECT_FALSE(static_cast<bool>(gzip.writeZeros(70000)));
    EXPECT_FALSE(static_cast<bool>(gzip.finish()));
    return out.data;
  };
  std::string a = gz();
  EXPECT_EQ(a, gz());
  ASSERT_GT(a.size(), 10u);
  EXPECT_EQ(static_cast<unsigned char>(a[0]), 0x1f);
  EXPECT_EQ(a.substr(4, 4), std::string(4, '\0')) << "mtime must be 0";
  EXPECT_EQ(testing::inflateAll(a, 31), input + std::string(70000, '\0'));
}

TEST(Sink, FileSinkLeavesZerosAsHolesAndKeepsTheSize) {
  char path[] = "/tmp/artifact-sink-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  FileSink sink(fd, path);
  ASSERT_FALSE(static_cast<bool>(sink.write("head")));
  ASSERT_FALSE(static_cast<bool>(sink.writeZeros(8 << 20)));
  ASSERT_FALSE(static_cast<bool>(sink.write("tail")));
  ASSERT_FALSE(static_cast<bool>(sink.writeZeros(1 << 20)));
  ASSERT_FALSE(static_cast<bool>(sink.finish()));
  struct stat st;
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(static_cast<uint64_t>(st.st_size), 8 + (9ull << 20));
  EXPECT_LT(static_cast<uint64_t>(st.st_blocks) * 512, 1ull << 20) << "zeros were written out";
  char buf[4];
  ASSERT_EQ(::pread(fd, buf, 4, 4 + (8 << 20)), 4);
  EXPECT_EQ(std::string(buf, 4), "tail");
  ::close(fd);
  ::unlink(path);
}

TEST(Sink, ZlibCompressIsZlibFormat) {
  auto z = zlibCompress(std::string(65536, 'a'), 6);
  ASSERT_TRUE(static_cast<bool>(z));
  EXPECT_EQ(testing::inflateAll(*z, 15), std::string(65536, 'a'));
}

} // namespace
} // namespace mkimage::artifact
