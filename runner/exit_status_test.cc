#include "exit_status.h"

#include <gtest/gtest.h>
#include <set>

namespace runner {
namespace {

TEST(ExitStatus, GuestCodesComeBackFromDebugExit) {
  for (int guest : {0, 1, 3, 11, 42, 100}) {
    GuestOutcome g = mapQemuExit(((guest << 1) | 1) & 0xff, false);
    EXPECT_EQ(g.kind, GuestOutcome::Program) << guest;
    EXPECT_EQ(g.status, guest);
    EXPECT_EQ(g.message, "");
  }
}

TEST(ExitStatus, PanicHaltAndQemuErrors) {
  EXPECT_EQ(mapQemuExit(253, false).status, kExitGuestPanic); // (126 << 1) | 1
  EXPECT_EQ(mapQemuExit(253, false).kind, GuestOutcome::Panic);
  EXPECT_EQ(mapQemuExit(255, false).kind, GuestOutcome::Panic); // 127: kernel halt
  // ... or the program's own exit(127): the message names both.
  EXPECT_NE(mapQemuExit(255, false).message.find("kernel halted"), std::string::npos);
  EXPECT_NE(mapQemuExit(255, false).message.find("exited with 127"), std::string::npos);
  EXPECT_EQ(mapQemuExit(1, true).status, kExitQemuFailed);  // QEMU's own error
  EXPECT_EQ(mapQemuExit(1, false).status, 0);               // guest exit(0)
  EXPECT_EQ(mapQemuExit(2, false).status, kExitQemuFailed); // even: not from the guest
  EXPECT_EQ(mapQemuExit(0, false).status, 0);               // ACPI power-off
}

// QEMU's status when the guest wrote `byte` to isa-debug-exit.
int qemuCodeFor(int byte) {
  return ((byte << 1) | 1) & 0xFF;
}

TEST(ExitRecordParsing, WellFormedRecords) {
  auto r = parseExitRecord("nanos-exit: exit 255\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, ExitRecord::Exit);
  EXPECT_EQ(r->status, 255);
  r = parseExitRecord("nanos-exit: signal 11\r\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, ExitRecord::Signal);
  EXPECT_EQ(r->status, 11);
  r = parseExitRecord("nanos-exit: panic 127\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, ExitRecord::Panic);
  r = parseExitRecord("nanos-exit: boot-failure 126\n");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->kind, ExitRecord::BootFailure);
}

TEST(ExitRecordParsing, TheLastCompleteRecordCounts) {
  auto r = parseExitRecord("noise\nnanos-exit: exit 3\nnanos-exit: exit 200\nnanos-exit: ex");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200);
}

TEST(ExitRecordParsing, MalformedOrMissingRecordsAreNone) {
  for (const char* text :
       {"", "nanos-exit: exit 200", "nanos-exit: exit 256\n", "nanos-exit: exit -1\n",
        "nanos-exit: exit\n", "nanos-exit: exit 2x\n", "nanos-exit: signal 0\n",
        "nanos-exit: signal 65\n", "nanos-exit: panic 3\n", "nanos-exit: quit 1\n",
        "nanos-exit:  exit 1\n", "xnanos-exit: exit 1\n", "nanos-exit: exit 1 2\n",
        "nanos-exit: exit 0001\n"})
    EXPECT_FALSE(parseExitRecord(text)) << text;
}

TEST(ExitStatus, RecordGivesTheExactStatus) {
  for (int status : {0, 1, 126, 127, 128, 200, 255}) {
    GuestOutcome g = mapGuestExit(qemuCodeFor(status), false, ExitRecord{ExitRecord::Exit, status});
    EXPECT_EQ(g.kind, GuestOutcome::Program) << status;
    EXPECT_EQ(g.status, status);
    EXPECT_EQ(g.message, "") << status;
  }
  // exit(0) makes QEMU exit 1 as its own errors do: the record settles it.
  EXPECT_EQ(mapGuestExit(1, true, ExitRecord{ExitRecord::Exit, 0}).status, 0);
  // debug_exit off: ACPI power-off, QEMU exits 0, the record still carries the status.
  EXPECT_EQ(mapGuestExit(0, false, ExitRecord{ExitRecord::Exit, 200}).status, 200);
}

TEST(ExitStatus, SignalIs128PlusNNamedOnStderr) {
  GuestOutcome g = mapGuestExit(qemuCodeFor(128 + 11), false, ExitRecord{ExitRecord::Signal, 11});
  EXPECT_EQ(g.kind, GuestOutcome::Program);
  EXPECT_EQ(g.status, 139);
  EXPECT_NE(g.message.find("killed by SIGSEGV"), std::string::npos) << g.message;
  EXPECT_EQ(mapGuestExit(qemuCodeFor(134), false, ExitRecord{ExitRecord::Signal, 6}).status, 134);
}

TEST(ExitStatus, PanicHaltAndBootFailureAreNamed) {
  GuestOutcome g = mapGuestExit(qemuCodeFor(126), false, ExitRecord{ExitRecord::Panic, 126});
  EXPECT_EQ(g.kind, GuestOutcome::Panic);
  EXPECT_EQ(g.status, kExitGuestPanic);
  EXPECT_NE(g.message.find("kernel panic"), std::string::npos);
  g = mapGuestExit(qemuCodeFor(127), false, ExitRecord{ExitRecord::Panic, 127});
  EXPECT_EQ(g.status, kExitGuestPanic);
  EXPECT_NE(g.message.find("kernel halted"), std::string::npos);
  EXPECT_EQ(g.message.find("exited with 127"), std::string::npos); // no ambiguity left
  g = mapGuestExit(qemuCodeFor(126), false, ExitRecord{ExitRecord::BootFailure, 126});
  EXPECT_EQ(g.status, kExitGuestPanic);
  EXPECT_NE(g.message.find("boot loader failed"), std::string::npos);
}

TEST(ExitStatus, QemuFailingAfterTheRecordIsNamed) {
  // The guest reported exit(5), yet QEMU exited 2 (its own failure): not the program's 5.
  GuestOutcome g = mapGuestExit(2, true, ExitRecord{ExitRecord::Exit, 5});
  EXPECT_EQ(g.kind, GuestOutcome::QemuFailed);
  EXPECT_EQ(g.status, kExitQemuFailed);
  EXPECT_NE(g.message.find("after the guest reported exit status 5"), std::string::npos);
  EXPECT_EQ(mapGuestExit(qemuCodeFor(6), false, ExitRecord{ExitRecord::Exit, 5}).kind,
            GuestOutcome::QemuFailed);
}

TEST(ExitStatus, WithoutARecordDebugExitDecides) {
  EXPECT_EQ(mapGuestExit(qemuCodeFor(42), false, std::nullopt).status, 42);
  EXPECT_EQ(mapGuestExit(qemuCodeFor(126), false, std::nullopt).kind, GuestOutcome::Panic);
}

TEST(ExitStatus, RunnerStatusesAreDistinct) {
  std::set<int> s = {kExitQemuFailed, kExitTimeout, kExitUsage, kExitGuestPanic, kExitQemuMissing};
  EXPECT_EQ(s.size(), 5u);
}

TEST(ExitStatus, ErrorLines) {
  EXPECT_TRUE(isQemuErrorLine("qemu-system-x86_64: -drive file=x: Could not open 'x'"));
  EXPECT_FALSE(isQemuErrorLine("qemu-system-x86_64: warning: host doesn't support feature"));
  EXPECT_FALSE(isQemuErrorLine(""));
}

} // namespace
} // namespace runner
