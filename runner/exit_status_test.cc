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
  EXPECT_EQ(mapQemuExit(1, true).status, kExitQemuFailed);      // QEMU's own error
  EXPECT_EQ(mapQemuExit(1, false).status, 0);                   // guest exit(0)
  EXPECT_EQ(mapQemuExit(2, false).status, kExitQemuFailed);     // even: not from the guest
  EXPECT_EQ(mapQemuExit(0, false).status, 0);                   // ACPI power-off
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
