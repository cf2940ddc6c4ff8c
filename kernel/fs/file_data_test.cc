// file_data.cc on the host: a memory disk behind read_blocks/write_blocks, a real FreeSpace,
// and the log calls recorded. Checks what reaches the disk, the extents and the free space.
#include "fs/file_data.h"

#include "fs/chunk_check.h"
#include "fs/metadata_log.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/kprintf.h"
#include "lib/tfs/tfs_digest.h"

#include <gtest/gtest.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

// ---- the kernel services file_data.cc uses, faked ----
void* kmalloc(size_t n) { return malloc(n); }
void* kzalloc(size_t n) { return calloc(1, n); }
void kfree(void* p) { free(p); }
void* krealloc(void* p, size_t n) { return realloc(p, n); }

namespace {
std::vector<uint8_t> g_disk;
fs::FreeSpace g_space(realloc);
std::vector<uint64_t> g_removed_extents; // file blocks passed to log::remove_extent
std::vector<std::string> g_removed_attributes; // "tuple.name" passed to log::remove_attribute
int g_marked = 0;
bool g_fail_io = false;
std::string g_console; // what kprintf printed
} // namespace

void kprintf(const char* fmt, ...) {
  char line[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  g_console += line;
}

namespace fs {
Status read_blocks(uint64_t block, uint64_t count, void* buf) {
  if (g_fail_io || (block + count) * 512 > g_disk.size())
    return Err(-EIO);
  memcpy(buf, g_disk.data() + block * 512, count * 512);
  return status_ok();
}
Status write_blocks(uint64_t block, uint64_t count, const void* buf) {
  if (g_fail_io || (block + count) * 512 > g_disk.size())
    return Err(-EIO);
  memcpy(g_disk.data() + block * 512, buf, count * 512);
  return status_ok();
}
FreeSpace& free_space() { return g_space; }
long node_path(NodeId id, char* buf, size_t size) {
  return snprintf(buf, size, "/node/%d", static_cast<int>(id));
}
namespace log {
void mark_dirty(Inode*) { ++g_marked; }
Status remove_extent(uint32_t, uint64_t file_block) {
  g_removed_extents.push_back(file_block);
  return status_ok();
}
Status remove_attribute(uint32_t tuple, const char* name) {
  g_removed_attributes.push_back(std::to_string(tuple) + "." + name);
  return status_ok();
}
} // namespace log
} // namespace fs

namespace {

constexpr uint64_t kReserve = fs::kLogReserveBlocks;

class FileData : public ::testing::Test {
protected:
  // A disk of `blocks` blocks, garbage everywhere (so that a block the code forgets to
  // write shows up), all free but block 0.
  void SetUp() override { make_disk(20000); }
  void make_disk(uint64_t blocks) {
    g_disk.assign(blocks * 512, 0xEE);
    ASSERT_TRUE(g_space.init(blocks));
    ASSERT_TRUE(g_space.reserve(0, 1));
    g_removed_extents.clear();
    g_removed_attributes.clear();
    g_fail_io = false;
  }
  void TearDown() override { free(file.extents); }

  size_t write(uint64_t off, const std::string& s) {
    auto r = fs::write_file(&file, off, s.data(), s.size());
    EXPECT_TRUE(r.ok()) << r.error();
    return r.ok() ? *r : 0;
  }
  std::string read(uint64_t off, size_t len) {
    std::string out(len, '?');
    auto r = fs::read_file(&file, off, out.data(), len);
    EXPECT_TRUE(r.ok());
    out.resize(r.ok() ? *r : 0);
    return out;
  }
  fs::Inode file{};
};

TEST_F(FileData, SmallAppendsShareOneExtentAndTrimGivesTheRestBack) {
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string piece(1000, static_cast<char>('a' + i % 26));
    ASSERT_EQ(write(file.length, piece), 1000u);
    all += piece;
  }
  EXPECT_EQ(file.length, 100000u);
  EXPECT_TRUE(file.length_dirty);
  EXPECT_EQ(read(0, 200000), all);
  ASSERT_EQ(file.count, 1u); // the reservation and growth in place kept it in one extent
  EXPECT_EQ(file.extents[0].length, (100000u + 511) / 512);
  EXPECT_GT(file.extents[0].allocated, file.extents[0].length);
  uint64_t before = g_space.free_blocks();
  fs::trim_file(&file);
  EXPECT_EQ(file.extents[0].allocated, file.extents[0].length);
  EXPECT_EQ(g_space.free_blocks(), 19999u - file.extents[0].length);
  EXPECT_GT(g_space.free_blocks(), before);
  // The padding after the data in the last block is zeros on disk.
  const fs::FileExtent& e = file.extents[0];
  const uint8_t* last = g_disk.data() + (e.disk_block + e.length - 1) * 512;
  for (size_t i = 100000 % 512; i < 512; ++i)
    ASSERT_EQ(last[i], 0) << i;
}

TEST_F(FileData, OverwriteInsideABlockKeepsItsNeighbours) {
  write(0, std::string(2000, 'x'));
  write(700, "HELLO");
  write(1020, "ACROSS"); // spans blocks 1 and 2
  std::string want(2000, 'x');
  want.replace(700, 5, "HELLO");
  want.replace(1020, 6, "ACROSS");
  EXPECT_EQ(read(0, 2000), want);
  EXPECT_EQ(file.length, 2000u);
}

TEST_F(FileData, SparseWriteTakesOnlyWhatItNeeds) {
  write(0, "start");
  fs::trim_file(&file);
  uint64_t free_before = g_space.free_blocks();
  write(10 * 1024 * 1024, "end");
  EXPECT_EQ(file.length, 10u * 1024 * 1024 + 3);
  EXPECT_EQ(free_before - g_space.free_blocks(), 1u); // one block for 3 bytes in a hole
  std::string hole = read(5 * 1024 * 1024, 4096);
  EXPECT_EQ(hole, std::string(4096, '\0'));
  EXPECT_EQ(read(10 * 1024 * 1024 - 2, 10), std::string("\0\0end", 5));
  EXPECT_EQ(read(0, 7), std::string("start\0\0", 7));
  EXPECT_EQ(fs::file_blocks(&file), 2u);
}

TEST_F(FileData, TruncateDownThenUpReadsZeros) {
  write(0, std::string(5000, 'q'));
  ASSERT_EQ(fs::truncate_file(&file, 700), 0);
  EXPECT_EQ(file.length, 700u);
  EXPECT_EQ(file.extents[0].length, 2u);
  ASSERT_EQ(fs::truncate_file(&file, 6000), 0);
  std::string got = read(0, 6000);
  ASSERT_EQ(got.size(), 6000u);
  EXPECT_EQ(got.substr(0, 700), std::string(700, 'q'));
  EXPECT_EQ(got.substr(700), std::string(5300, '\0'));
  // Writing at the end again does not bring the old bytes back either.
  write(6000, "z");
  EXPECT_EQ(read(690, 20), std::string(10, 'q') + std::string(10, '\0'));
}

TEST_F(FileData, TruncateToZeroFreesEveryBlockAndLogsLoggedExtents) {
  write(0, std::string(3000, 'a'));
  file.extents[0].index = 42; // as if a flush had written it to the log
  file.extents_index = 7;
  ASSERT_EQ(fs::truncate_file(&file, 0), 0);
  EXPECT_EQ(file.count, 0u);
  EXPECT_EQ(g_space.free_blocks(), 19999u);
  ASSERT_EQ(g_removed_extents.size(), 1u);
  EXPECT_EQ(g_removed_extents[0], 0u);
}

TEST_F(FileData, DiskFullGivesAShortWriteThenEnospc) {
  make_disk(kReserve + 1 + 40); // 40 blocks beyond the log's reserve
  std::string big(100 * 512, 'd');
  auto r = fs::write_file(&file, 0, big.data(), big.size());
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 40u * 512);
  EXPECT_EQ(file.length, 40u * 512);
  r = fs::write_file(&file, file.length, "x", 1);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -ENOSPC);
  EXPECT_EQ(g_space.free_blocks(), kReserve); // the reserve is untouched
  EXPECT_EQ(read(0, 40 * 512), big.substr(0, 40 * 512));
  EXPECT_EQ(fs::allocate_file(&file, file.length, 4096, false), -ENOSPC);
}

TEST_F(FileData, FallocateZeroFillsHolesAndKeepSize) {
  write(0, "data");
  ASSERT_EQ(fs::allocate_file(&file, 0, 8192, true), 0);
  EXPECT_EQ(file.length, 4u); // KEEP_SIZE
  EXPECT_EQ(fs::file_blocks(&file), 16u);
  ASSERT_EQ(fs::allocate_file(&file, 8192, 1000, false), 0);
  EXPECT_EQ(file.length, 9192u);
  std::string got = read(0, 9192);
  EXPECT_EQ(got.substr(0, 4), "data");
  EXPECT_EQ(got.substr(4), std::string(9188, '\0'));
}

TEST_F(FileData, UninitedExtentReadsZerosAndTakesWrites) {
  ASSERT_TRUE(g_space.reserve(100, 8));
  file.extents = static_cast<fs::FileExtent*>(malloc(4 * sizeof(fs::FileExtent)));
  file.capacity = 4;
  file.count = 1;
  file.extents[0] = fs::FileExtent{0, 100, 8, 8, 5, true, false};
  file.length = 4096;
  EXPECT_EQ(read(0, 4096), std::string(4096, '\0'));
  write(1000, "in the middle");
  EXPECT_FALSE(file.extents[0].uninited);
  EXPECT_TRUE(file.extents[0].dirty);
  ASSERT_EQ(g_removed_attributes.size(), 1u); // the flag goes from the extent's tuple
  EXPECT_EQ(g_removed_attributes[0], "5.uninited");
  std::string want(4096, '\0');
  want.replace(1000, 13, "in the middle");
  EXPECT_EQ(read(0, 4096), want);
}

TEST_F(FileData, ReleaseGivesEverythingBack) {
  write(0, std::string(70000, 'r'));
  write(5 * 1024 * 1024, "far");
  file.extents_index = 3;
  for (uint32_t i = 0; i < file.count; ++i)
    file.extents[i].index = 10 + i;
  uint32_t extents = file.count;
  fs::release_file_blocks(&file);
  EXPECT_EQ(g_space.free_blocks(), 19999u);
  EXPECT_EQ(g_removed_extents.size(), extents);
  EXPECT_EQ(file.count, 0u);
}

TEST_F(FileData, IoErrorIsReported) {
  write(0, "abc");
  g_fail_io = true;
  auto r = fs::write_file(&file, 1, "x", 1);
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EIO);
  char buf[4];
  auto rd = fs::read_file(&file, 0, buf, 3);
  EXPECT_FALSE(rd.ok());
  g_fail_io = false;
}

} // namespace

// ---- chunk digests: data from the image is checked when first read ----

class ChunkChecks : public FileData {
protected:
  static constexpr size_t kChunk = tfs::kChunkBlocks * 512;

  // Writes `size` bytes of a pattern as the file, then gives it the chunk digests of what is
  // on the disk now (as nanos-mkimage records them) and turns the checks on.
  void make_checked_file(size_t size) {
    content.resize(size);
    for (size_t i = 0; i < size; ++i)
      content[i] = static_cast<char>('a' + (i * 7 + i / 512) % 26);
    ASSERT_EQ(write(0, content), size);
    std::string padded = content + std::string((512 - size % 512) % 512, '\0');
    for (size_t at = 0; at < padded.size(); at += kChunk) {
      size_t n = padded.size() - at < kChunk ? padded.size() - at : kChunk;
      char hex[xxh3::kHexLength + 1];
      xxh3::to_hex(xxh3::hash128(padded.data() + at, n), hex);
      digests += hex;
    }
    digests_value = {};
    digests_value.kind = tfs::Kind::kBytes;
    digests_value.bytes = reinterpret_cast<const uint8_t*>(digests.data());
    digests_value.len = static_cast<uint32_t>(digests.size());
    item = {reinterpret_cast<const uint8_t*>("chunk_digests"), 13, &digests_value};
    tuple = {};
    tuple.kind = tfs::Kind::kTuple;
    tuple.items = &item;
    tuple.count = tuple.capacity = 1;
    fs::set_chunk_checks(true);
    bool failed = false;
    file.chunks = fs::chunk_check_for(&tuple, file.length, &failed);
    ASSERT_FALSE(failed);
    ASSERT_NE(file.chunks, nullptr);
    g_console.clear();
  }
  void TearDown() override {
    fs::drop_chunk_check(&file);
    fs::set_chunk_checks(false);
    FileData::TearDown();
  }
  // Flips one byte of file offset `at` on the disk (behind the code's back).
  void corrupt(uint64_t at) {
    const fs::FileExtent& e = file.extents[0];
    ASSERT_LT(at / 512, e.length);
    g_disk[(e.disk_block + at / 512) * 512 + at % 512] ^= 0x20;
  }

  std::string content, digests;
  tfs::Value digests_value{}, tuple{};
  tfs::Item item{};
};

TEST_F(ChunkChecks, IntactFileReadsNormally) {
  make_checked_file(3 * kChunk + 1000); // four chunks, the last one partial
  fs::trim_file(&file);
  ASSERT_EQ(file.count, 1u);
  EXPECT_EQ(read(0, content.size() + 10), content);
  EXPECT_EQ(read(kChunk - 3, 7), content.substr(kChunk - 3, 7));
  EXPECT_EQ(g_console, "");
}

TEST_F(ChunkChecks, DamagedChunkFailsReadsOfItOnlyAndIsReportedOnce) {
  make_checked_file(3 * kChunk + 1000);
  fs::trim_file(&file);
  corrupt(2 * kChunk + 5); // chunk 2
  // Chunks 0, 1 and 3 still read.
  EXPECT_EQ(read(0, 100), content.substr(0, 100));
  EXPECT_EQ(read(3 * kChunk, 1000), content.substr(3 * kChunk));
  // A read starting in chunk 2 fails; one spanning 1 and 2 stops where chunk 2 begins.
  char buf[100];
  auto r = fs::read_file(&file, 2 * kChunk + 10, buf, sizeof buf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EIO);
  EXPECT_EQ(read(kChunk, 2 * kChunk), content.substr(kChunk, kChunk));
  EXPECT_EQ(g_console, "root filesystem: /node/0: file data does not match its chunk digest "
                       "(changed since nanos-mkimage wrote the image) at bytes 131072-196607: "
                       "reads of it fail with EIO\n");
  r = fs::read_file(&file, 2 * kChunk, buf, sizeof buf); // still refused, not printed again
  EXPECT_FALSE(r.ok());
  EXPECT_EQ(g_console.find("root filesystem", 10), std::string::npos);
}

TEST_F(ChunkChecks, DamageInTheZeroTailOfTheLastBlockIsCaught) {
  make_checked_file(kChunk + 100); // the last block holds 100 bytes of data, then zeros
  fs::trim_file(&file);
  corrupt(kChunk + 300);
  char buf[10];
  auto r = fs::read_file(&file, kChunk, buf, sizeof buf);
  EXPECT_FALSE(r.ok());
}

TEST_F(ChunkChecks, ReadErrorFailsTheReadButIsNotRememberedAsDamage) {
  make_checked_file(1000);
  g_fail_io = true;
  char buf[10];
  auto r = fs::read_file(&file, 0, buf, sizeof buf);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error(), -EIO);
  EXPECT_NE(g_console.find("cannot read its data"), std::string::npos);
  g_fail_io = false;
  EXPECT_EQ(read(0, 10), content.substr(0, 10));
}

TEST_F(ChunkChecks, WritingTheFileDropsItsDigests) {
  make_checked_file(2 * kChunk);
  write(10, "new data");
  EXPECT_EQ(file.chunks, nullptr);
  content.replace(10, 8, "new data");
  EXPECT_EQ(read(0, content.size()), content);
}

TEST_F(ChunkChecks, TruncateDropsTheDigests) {
  make_checked_file(2 * kChunk);
  ASSERT_EQ(fs::truncate_file(&file, 100), 0);
  EXPECT_EQ(file.chunks, nullptr);
  EXPECT_EQ(read(0, 200), content.substr(0, 100));
}

TEST_F(ChunkChecks, OffMeansNoCheck) {
  fs::set_chunk_checks(false);
  tfs::Value t{};
  t.kind = tfs::Kind::kTuple;
  bool failed = false;
  EXPECT_EQ(fs::chunk_check_for(&t, 1000, &failed), nullptr);
  EXPECT_FALSE(failed);
}
