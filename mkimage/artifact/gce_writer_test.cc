#include "artifact/gce_writer.h"
#include "artifact/test_support.h"

namespace mkimage::artifact {
namespace {

// Gunzips `gz`, keeping the first `keep` bytes and checking that the rest are zeros (a 1 GiB
// tarball is not held in memory). Returns the kept bytes; `total` gets the full length.
std::string gunzipHead(llvm::StringRef gz, size_t keep, uint64_t* total, bool* restZero) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, 31), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data()));
  z.avail_in = static_cast<uInt>(gz.size());
  std::string head;
  *total = 0;
  *restZero = true;
  std::vector<char> buf(1 << 20);
  int status;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf.data());
    z.avail_out = static_cast<uInt>(buf.size());
    status = inflate(&z, Z_NO_FLUSH);
    size_t n = buf.size() - z.avail_out;
    for (size_t i = 0; i < n; ++i) {
      if (*total + i < keep)
        head += buf[i];
      else if (buf[i])
        *restZero = false;
    }
    *total += n;
  } while (status == Z_OK);
  EXPECT_EQ(status, Z_STREAM_END);
  inflateEnd(&z);
  return head;
}

TEST(GceWriter, TarballHoldsExactlyDiskRawInGnuFormat) {
  const uint64_t content = 4 << 20;
  DiskSource disk = testing::markedDisk(content, {0, 3 << 20});
  std::string expected = testing::diskBytes(disk);
  disk.setSize(kGceSizeUnit);
  StringSink out;
  ASSERT_FALSE(static_cast<bool>(writeGceTarball(disk, out)));
  uint64_t total = 0;
  bool restZero = false;
  std::string tar = gunzipHead(out.data, 512 + content, &total, &restZero);
  EXPECT_EQ(tar.substr(0, 9), std::string("disk.raw\0", 9));
  EXPECT_EQ(tar.substr(257, 8), std::string("ustar  \0", 8));
  EXPECT_EQ(std::stoull(tar.substr(124, 11), nullptr, 8), kGceSizeUnit);
  EXPECT_EQ(tar.substr(512), expected);
  // One file, then end-of-archive zeros up to a 10 KiB record.
  EXPECT_TRUE(restZero);
  EXPECT_EQ(total % 10240, 0u);
  EXPECT_GE(total, 512 + kGceSizeUnit + 1024);
  EXPECT_LT(total, 512 + kGceSizeUnit + 1024 + 10240);
}

TEST(GceWriter, RefusesASizeThatIsNotWholeGiB) {
  DiskSource disk = testing::markedDisk(4 << 20, {0});
  StringSink out;
  EXPECT_TRUE(static_cast<bool>(writeGceTarball(disk, out)));
}

} // namespace
} // namespace mkimage::artifact
