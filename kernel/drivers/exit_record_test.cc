#include "drivers/exit_record.h"

#include <gtest/gtest.h>
#include <string>

namespace {

std::string record(ExitReport::Kind kind, int status) {
  char buf[exit_channel::kMaxRecordLength];
  size_t n = exit_channel::format_record({kind, status}, buf, sizeof buf);
  return std::string(buf, n);
}

TEST(ExitRecord, ProgramStatusesKeepAllEightBits) {
  EXPECT_EQ(record(ExitReport::Kind::kProgramExit, 0), "nanos-exit: exit 0\n");
  EXPECT_EQ(record(ExitReport::Kind::kProgramExit, 200), "nanos-exit: exit 200\n");
  EXPECT_EQ(record(ExitReport::Kind::kProgramExit, 255), "nanos-exit: exit 255\n");
}

TEST(ExitRecord, SignalAndPanicAreTheirOwnKinds) {
  EXPECT_EQ(record(ExitReport::Kind::kKilledBySignal, 11), "nanos-exit: signal 11\n");
  EXPECT_EQ(record(ExitReport::Kind::kKernelPanic, 126), "nanos-exit: panic 126\n");
  EXPECT_EQ(record(ExitReport::Kind::kKernelPanic, 127), "nanos-exit: panic 127\n");
}

TEST(ExitRecord, ExtremesFitTheAdvertisedLength) {
  EXPECT_EQ(record(ExitReport::Kind::kKilledBySignal, 2147483647),
            "nanos-exit: signal 2147483647\n");
  EXPECT_EQ(record(ExitReport::Kind::kProgramExit, -5), "nanos-exit: exit -5\n");
}

TEST(ExitRecord, TooSmallABufferGivesNothing) {
  char buf[8];
  EXPECT_EQ(exit_channel::format_record({ExitReport::Kind::kProgramExit, 1}, buf, sizeof buf), 0u);
}

// The debug-exit fallback: a shell's status, truncated to the device's byte.
TEST(ExitRecord, DebugExitCodeIsTheShellStatus) {
  EXPECT_EQ(debug_exit_code({ExitReport::Kind::kProgramExit, 200}), 200);
  EXPECT_EQ(debug_exit_code({ExitReport::Kind::kKilledBySignal, 11}), 139);
  EXPECT_EQ(debug_exit_code({ExitReport::Kind::kKernelPanic, 126}), 126);
}

} // namespace
