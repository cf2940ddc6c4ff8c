#include "drivers/nvme/commands.h"

#include <cstddef>
#include <gtest/gtest.h>

namespace nvme {
namespace {

TEST(NvmeEntries, LayoutMatchesTheSpecification) {
  EXPECT_EQ(offsetof(SubmissionEntry, nsid), 4u);
  EXPECT_EQ(offsetof(SubmissionEntry, prp1), 24u);
  EXPECT_EQ(offsetof(SubmissionEntry, prp2), 32u);
  EXPECT_EQ(offsetof(SubmissionEntry, cdw10), 40u);
  EXPECT_EQ(offsetof(SubmissionEntry, cdw15), 60u);
  EXPECT_EQ(offsetof(CompletionEntry, sq_head), 8u);
  EXPECT_EQ(offsetof(CompletionEntry, command_id), 12u);
  EXPECT_EQ(offsetof(CompletionEntry, status), 14u);
}

TEST(NvmeCommands, IdentifyController) {
  SubmissionEntry e = identify(kIdentifyController, 0, 0x5000);
  EXPECT_EQ(e.cdw0, 0x06u);
  EXPECT_EQ(e.prp1, 0x5000u);
  EXPECT_EQ(e.prp2, 0u);
  EXPECT_EQ(e.cdw10, 1u);
}

TEST(NvmeCommands, CommandIdGoesInTheHighHalfOfDwordZero) {
  SubmissionEntry e = with_command_id(read_write(kNvmRead, 1, 0, 1, 0x1000, 0), 0xBEEF);
  EXPECT_EQ(e.cdw0, 0xBEEF0002u);
  e = with_command_id(e, 7);
  EXPECT_EQ(e.cdw0, 0x00070002u);
}

TEST(NvmeCommands, QueueCountIsZeroBasedForBothKinds) {
  SubmissionEntry e = set_queue_count(1);
  EXPECT_EQ(e.cdw0, 0x09u);
  EXPECT_EQ(e.cdw10, 0x07u);
  EXPECT_EQ(e.cdw11, 0u);
  EXPECT_EQ(set_queue_count(4).cdw11, 0x00030003u);
}

TEST(NvmeCommands, CreateQueues) {
  SubmissionEntry cq = create_io_completion_queue(1, 64, 0x200000, 3, true);
  EXPECT_EQ(cq.cdw0, 0x05u);
  EXPECT_EQ(cq.prp1, 0x200000u);
  EXPECT_EQ(cq.cdw10, 0x003F0001u);
  EXPECT_EQ(cq.cdw11, 0x00030003u); // vector 3, IEN, PC
  EXPECT_EQ(create_io_completion_queue(1, 64, 0, 0, false).cdw11, 1u);
  SubmissionEntry sq = create_io_submission_queue(1, 64, 0x201000, 1);
  EXPECT_EQ(sq.cdw0, 0x01u);
  EXPECT_EQ(sq.cdw10, 0x003F0001u);
  EXPECT_EQ(sq.cdw11, 0x00010001u); // completion queue 1, PC
}

TEST(NvmeCommands, ReadWriteSplitTheLbaAndCountBlocksFromZero) {
  SubmissionEntry e = read_write(kNvmWrite, 1, 0x1'2345'6789ull, 8, 0xA000, 0xB000);
  EXPECT_EQ(e.cdw0, 0x01u);
  EXPECT_EQ(e.nsid, 1u);
  EXPECT_EQ(e.cdw10, 0x23456789u);
  EXPECT_EQ(e.cdw11, 0x1u);
  EXPECT_EQ(e.cdw12, 7u);
  EXPECT_EQ(e.prp1, 0xA000u);
  EXPECT_EQ(e.prp2, 0xB000u);
  EXPECT_EQ(read_write(kNvmRead, 1, 0, 65536, 0, 0).cdw12, 0xFFFFu);
}

TEST(NvmeCommands, FlushNamesTheNamespace) {
  SubmissionEntry e = flush(2);
  EXPECT_EQ(e.cdw0, 0u);
  EXPECT_EQ(e.nsid, 2u);
}

} // namespace
} // namespace nvme
