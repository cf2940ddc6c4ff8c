#include "drivers/nvme/status.h"
#include "lib/errno.h"

#include <gtest/gtest.h>

namespace nvme {
namespace {

uint16_t word(uint8_t type, uint8_t code, bool dnr = false, bool phase = true) {
  return static_cast<uint16_t>((dnr ? 1u << 15 : 0u) | (type & 7u) << 9 | code << 1 |
                               (phase ? 1u : 0u));
}

TEST(NvmeStatus, PhaseTagIsNotPartOfTheStatus) {
  EXPECT_TRUE(decode_status(1).ok());
  EXPECT_TRUE(decode_status(0).ok());
  EXPECT_EQ(status_errno(decode_status(1)), 0);
}

TEST(NvmeStatus, DecodesTypeCodeAndFlags) {
  CompletionStatus s = decode_status(word(2, 0x81, true));
  EXPECT_EQ(s.type, 2u);
  EXPECT_EQ(s.code, 0x81u);
  EXPECT_TRUE(s.do_not_retry);
  EXPECT_FALSE(s.more);
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(decode_status(static_cast<uint16_t>(1u << 14)).more);
}

TEST(NvmeStatus, MapsToTheBlockLayersErrors) {
  EXPECT_EQ(status_errno(decode_status(word(0, 0x80))), -EINVAL); // LBA out of range
  EXPECT_EQ(status_errno(decode_status(word(0, 0x02))), -EINVAL); // invalid field
  EXPECT_EQ(status_errno(decode_status(word(0, 0x01))), -EOPNOTSUPP);
  EXPECT_EQ(status_errno(decode_status(word(0, 0x20))), -EROFS);
  EXPECT_EQ(status_errno(decode_status(word(1, 0x82))), -EROFS);
  EXPECT_EQ(status_errno(decode_status(word(0, 0x81))), -ENOSPC);
  EXPECT_EQ(status_errno(decode_status(word(0, 0x06))), -EIO); // internal error
  EXPECT_EQ(status_errno(decode_status(word(2, 0x81))), -EIO); // unrecovered read error
  EXPECT_EQ(status_errno(decode_status(word(2, 0x80))), -EIO); // write fault
  EXPECT_EQ(status_errno(decode_status(word(1, 0x80))), -EIO); // conflicting attributes
  EXPECT_EQ(status_errno(decode_status(word(3, 0x00))), -EIO); // path error
}

} // namespace
} // namespace nvme
