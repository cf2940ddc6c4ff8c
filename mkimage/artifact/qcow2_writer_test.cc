#include "artifact/qcow2_writer.h"
#include "artifact/test_support.h"

#include "llvm/Support/Endian.h"

#include <unistd.h>

namespace mkimage::artifact {
namespace {

using llvm::support::endian::read16be;
using llvm::support::endian::read32be;
using llvm::support::endian::read64be;
constexpr uint64_t C = Qcow2Writer::kClusterSize;

std::string write(const DiskSource& disk) {
  auto plan = Qcow2Writer::plan(disk);
  EXPECT_TRUE(static_cast<bool>(plan));
  StringSink out;
  EXPECT_FALSE(static_cast<bool>(plan->write(out)));
  EXPECT_EQ(out.data.size(), plan->fileSize());
  return out.data;
}

// Reads the guest disk back through L1/L2 the way a qcow2 reader does; counts data clusters.
std::string readBack(const std::string& f, unsigned* dataClusters) {
  uint64_t size = read64be(&f[24]);
  uint64_t l1 = read64be(&f[40]);
  uint32_t l1Size = read32be(&f[36]);
  std::string disk(size, '\0');
  *dataClusters = 0;
  for (uint32_t i = 0; i < l1Size; ++i) {
    uint64_t l2 = read64be(&f[l1 + i * 8]) & 0x00fffffffffffe00ull;
    if (!l2)
      continue;
    for (uint64_t e = 0; e < C / 8; ++e) {
      uint64_t entry = read64be(&f[l2 + e * 8]);
      uint64_t guest = (i * (C / 8) + e) * C;
      if (!entry)
        continue;
      EXPECT_TRUE(entry >> 63) << "COPIED flag";
      ++*dataClusters;
      uint64_t host = entry & 0x00fffffffffffe00ull;
      uint64_t n = std::min(C, size - guest);
      disk.replace(guest, n, f.substr(host, n));
    }
  }
  return disk;
}

TEST(Qcow2Writer, HeaderIsVersion3With64KiBClusters) {
  DiskSource disk = testing::markedDisk(5 * C + 512, {0, 3 * C + 7});
  std::string f = write(disk);
  EXPECT_EQ(f.substr(0, 4), "QFI\xfb");
  EXPECT_EQ(read32be(&f[4]), 3u);
  EXPECT_EQ(read32be(&f[20]), 16u);
  EXPECT_EQ(read64be(&f[24]), 5 * C + 512);
  EXPECT_EQ(read32be(&f[96]), 4u) << "16-bit refcounts";
  EXPECT_EQ(read32be(&f[100]), 104u);
  EXPECT_EQ(read64be(&f[104]), 0u) << "end of header extensions";
}

TEST(Qcow2Writer, ZeroClustersStayUnallocatedAndDataReadsBack) {
  DiskSource disk = testing::markedDisk(6 * C + 512, {10, 4 * C - 50, 6 * C + 100});
  std::string f = write(disk);
  unsigned data = 0;
  EXPECT_EQ(readBack(f, &data), testing::diskBytes(disk));
  // Marks in clusters 0, 3 and 4 (the second straddles) and 6: four clusters, no more.
  EXPECT_EQ(data, 4u);
}

TEST(Qcow2Writer, EveryClusterOfTheFileHasRefcountOneAndNoOtherDoes) {
  DiskSource disk = testing::markedDisk(40 * C, {0, 20 * C, 39 * C});
  std::string f = write(disk);
  uint64_t table = read64be(&f[48]);
  uint64_t block = read64be(&f[table]);
  uint64_t clusters = f.size() / C;
  for (uint64_t c = 0; c < C / 2; ++c)
    EXPECT_EQ(read16be(&f[block + c * 2]), c < clusters ? 1 : 0) << "cluster " << c;
}

TEST(Qcow2Writer, LargeVirtualSizeCostsOnlyItsMetadata) {
  // 1 GiB of which only the first 128 KiB are content: L1 of two entries, one L2 table.
  DiskSource disk = testing::markedDisk(2 * C, {0, C + 5});
  disk.setSize(1ull << 30);
  std::string f = write(disk);
  EXPECT_EQ(read32be(&f[36]), 2u);
  EXPECT_EQ(read64be(&f[read64be(&f[40]) + 8]), 0u) << "second L2 table allocated";
  EXPECT_EQ(f.size(), 7 * C) << "header, L1, refcount table and block, L2, two data clusters";
  // The one L2 table maps guest clusters 0 and 1, nothing else.
  uint64_t l2 = read64be(&f[read64be(&f[40])]) & 0x00fffffffffffe00ull;
  std::string expected = testing::diskBytes(DiskSource(testing::markedDisk(2 * C, {0, C + 5})));
  for (uint64_t e = 0; e < C / 8; ++e) {
    uint64_t entry = read64be(&f[l2 + e * 8]) & 0x00fffffffffffe00ull;
    if (e >= 2) {
      EXPECT_EQ(entry, 0u) << "guest cluster " << e;
      continue;
    }
    EXPECT_EQ(f.substr(entry, C), expected.substr(e * C, C));
  }
}

// The one-pass file writer: the same disk through L1/L2, refcount one on every cluster.
TEST(Qcow2Writer, OnePassFileReadsBackWithExactRefcounts) {
  DiskSource disk = testing::markedDisk(40 * C + 512, {10, 4 * C - 50, 39 * C});
  char path[] = "/tmp/artifact-qcow2-XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  FileSink sink(fd, path);
  ASSERT_FALSE(static_cast<bool>(Qcow2Writer::writeFile(disk, sink)));
  std::string f(static_cast<size_t>(::lseek(fd, 0, SEEK_END)), '\0');
  ASSERT_EQ(::pread(fd, f.data(), f.size(), 0), static_cast<ssize_t>(f.size()));
  ::close(fd);
  ::unlink(path);
  EXPECT_EQ(f.substr(0, 4), "QFI\xfb");
  unsigned data = 0;
  EXPECT_EQ(readBack(f, &data), testing::diskBytes(disk));
  EXPECT_EQ(data, 4u);
  ASSERT_EQ(f.size() % C, 0u);
  uint64_t block = read64be(&f[read64be(&f[48])]);
  for (uint64_t c = 0; c < C / 2; ++c)
    EXPECT_EQ(read16be(&f[block + c * 2]), c < f.size() / C ? 1 : 0) << "cluster " << c;
}

TEST(Qcow2Writer, SameDiskSameBytes) {
  DiskSource disk = testing::markedDisk(3 * C, {C});
  EXPECT_EQ(write(disk), write(disk));
}

} // namespace
} // namespace mkimage::artifact
