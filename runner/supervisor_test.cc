#include "supervisor.h"

#include <csignal>
#include <gtest/gtest.h>

namespace runner {
namespace {

std::vector<std::string> sh(const std::string& script) {
  return {"/bin/sh", "-c", script};
}

TEST(Supervisor, ExitCodeAndStderrErrorLines) {
  SupervisedExit r = superviseProcess(sh("exit 5"), std::nullopt);
  EXPECT_EQ(r.kind, SupervisedExit::Exited);
  EXPECT_EQ(r.code, 5);
  EXPECT_FALSE(r.stderrHadError);

  r = superviseProcess(sh("echo 'qemu: warning: something' >&2; exit 1"), std::nullopt);
  EXPECT_EQ(r.code, 1);
  EXPECT_FALSE(r.stderrHadError);

  r = superviseProcess(sh("printf 'qemu: cannot open disk' >&2; exit 1"), std::nullopt);
  EXPECT_EQ(r.code, 1);
  EXPECT_TRUE(r.stderrHadError); // also without a final newline
}

TEST(Supervisor, TimeoutStopsTheChild) {
  SupervisedExit r = superviseProcess(sh("exec sleep 30"), 0.2);
  EXPECT_EQ(r.kind, SupervisedExit::TimedOut);
}

TEST(Supervisor, ChildThatIgnoresSigtermIsKilled) {
  // The grace period is 2 s: SIGKILL follows.
  SupervisedExit r = superviseProcess(sh("trap '' TERM; while :; do sleep 0.1; done"), 0.1);
  EXPECT_EQ(r.kind, SupervisedExit::TimedOut);
}

TEST(Supervisor, KilledBySignal) {
  SupervisedExit r = superviseProcess(sh("kill -SEGV $$"), std::nullopt);
  EXPECT_EQ(r.kind, SupervisedExit::Killed);
  EXPECT_EQ(r.signal, SIGSEGV);
}

TEST(Supervisor, SpawnFailure) {
  SupervisedExit r = superviseProcess({"/nonexistent/qemu"}, std::nullopt);
  EXPECT_EQ(r.kind, SupervisedExit::SpawnFailed);
  EXPECT_EQ(r.spawnErrno, ENOENT);
}

TEST(Supervisor, HidesOnlyQemuSignalLinesWhenAsked) {
  const std::string script = "echo 'qemu: warning: kept' >&2; "
                             "echo 'qemu-system-x86_64: terminating on signal 15 from pid 7' >&2; "
                             "printf 'last, no newline' >&2";
  testing::internal::CaptureStderr();
  superviseProcess(sh(script), std::nullopt, /*hideSignalLines=*/true);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "qemu: warning: kept\nlast, no newline");
  testing::internal::CaptureStderr();
  superviseProcess(sh(script), std::nullopt);
  EXPECT_NE(testing::internal::GetCapturedStderr().find("terminating on signal 15"),
            std::string::npos);
}

TEST(Supervisor, FindExecutable) {
  EXPECT_EQ(findExecutable("/bin/sh"), std::optional<std::string>("/bin/sh"));
  EXPECT_FALSE(findExecutable("/nonexistent/sh").has_value());
  EXPECT_FALSE(findExecutable("").has_value());
  auto sh = findExecutable("sh");
  ASSERT_TRUE(sh.has_value());
  EXPECT_EQ(sh->substr(sh->size() - 3), "/sh");
  EXPECT_FALSE(findExecutable("no-such-program-nanos-run-test").has_value());
}

} // namespace
} // namespace runner
