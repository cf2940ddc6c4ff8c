#include "image/disk_layout.h"

#include "llvm/Support/Endian.h"

#include <gtest/gtest.h>

namespace mkimage {
namespace {

std::string fakeBoot(uint64_t s2, uint32_t type = 12) {
  std::string b(512 + s2, '\0');
  llvm::support::endian::write64le(&b[0x1AA], 0x8000);
  llvm::support::endian::write64le(&b[0x1B2], s2);
  llvm::support::endian::write32le(&b[0x1BA], type);
  b[0x1FE] = '\x55';
  b[0x1FF] = '\xAA';
  return b;
}

TEST(DiskLayout, AcceptsAValidBootImage) {
  auto b = parseBootImage(fakeBoot(0xBC00), "boot.img");
  ASSERT_TRUE(static_cast<bool>(b)) << llvm::toString(b.takeError());
  EXPECT_EQ(firstPartitionOffset(*b), 0xCE00u);
}

TEST(DiskLayout, RejectsWrongTypeAndLength) {
  auto bad = parseBootImage(fakeBoot(1024, 7), "b.img");
  ASSERT_FALSE(static_cast<bool>(bad));
  EXPECT_NE(llvm::toString(bad.takeError()).find("type 7"), std::string::npos);
  std::string truncated = fakeBoot(1024);
  truncated.resize(1000);
  auto bad2 = parseBootImage(truncated, "b.img");
  ASSERT_FALSE(static_cast<bool>(bad2));
  EXPECT_NE(llvm::toString(bad2.takeError()).find("1000 bytes"), std::string::npos);
}

std::string errorOf(const std::string& bytes) {
  auto b = parseBootImage(bytes, "b.img");
  return b ? std::string("accepted") : llvm::toString(b.takeError());
}

TEST(DiskLayout, RejectsNoSignatureEmptyAndOversizedStage2) {
  std::string unsigned_ = fakeBoot(1024);
  unsigned_[0x1FF] = 0;
  EXPECT_NE(errorOf(unsigned_).find("no boot sector signature 55 AA"), std::string::npos);
  EXPECT_NE(errorOf(fakeBoot(0)).find("stage2 of 0 bytes"), std::string::npos);
  EXPECT_EQ(errorOf(fakeBoot(kMaxStage2Size)), "accepted");
  EXPECT_NE(errorOf(fakeBoot(kMaxStage2Size + 512)).find("stage2 of"), std::string::npos);
}

TEST(DiskLayout, PartitionEntryFields) {
  std::string e = partitionEntry(103, 24576);
  EXPECT_EQ(static_cast<uint8_t>(e[0]), 0x80);
  EXPECT_EQ(static_cast<uint8_t>(e[4]), 0x83);
  EXPECT_EQ(llvm::support::endian::read32le(&e[8]), 103u);
  EXPECT_EQ(llvm::support::endian::read32le(&e[12]), 24576u);
  // CHS of LBA 103: cyl 0, head 1, sector 41.
  EXPECT_EQ(static_cast<uint8_t>(e[1]), 1);
  EXPECT_EQ(static_cast<uint8_t>(e[2]), 41);
}

} // namespace
} // namespace mkimage
