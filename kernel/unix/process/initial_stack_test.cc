#include "unix/process/initial_stack.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace {

constexpr uint64_t kTop = 0x7fff'0000'0000;

struct Mapped {
  std::vector<uint8_t> bytes;
  uint64_t base;
  uint64_t word(uint64_t addr) const {
    uint64_t v;
    std::memcpy(&v, &bytes.at(addr - base), sizeof v);
    return v;
  }
  const char* str(uint64_t addr) const {
    return reinterpret_cast<const char*>(&bytes.at(addr - base));
  }
};

TEST(InitialStack, LinuxLayout) {
  const char* argv[] = {"/hello", "a1", "second"};
  const char* envp[] = {"HOME=/", "X=y"};
  unix::AuxEntry aux[] = {{6, 4096}, {9, 0x401000}};
  unix::InitialStackInput in;
  in.argv = argv;
  in.argc = 3;
  in.envp = envp;
  in.envc = 2;
  in.aux = aux;
  in.auxc = 2;
  in.execfn = "/hello";
  for (int i = 0; i < 16; ++i)
    in.random[i] = static_cast<uint8_t>(i + 1);

  Mapped m{std::vector<uint8_t>(4096), kTop - 4096};
  uint64_t sp = unix::build_initial_stack(in, m.bytes.data(), m.bytes.size(), kTop);
  ASSERT_NE(sp, 0u);
  EXPECT_EQ(sp % 16, 0u);
  EXPECT_EQ(m.word(sp), 3u);
  EXPECT_STREQ(m.str(m.word(sp + 8)), "/hello");
  EXPECT_STREQ(m.str(m.word(sp + 16)), "a1");
  EXPECT_STREQ(m.str(m.word(sp + 24)), "second");
  EXPECT_EQ(m.word(sp + 32), 0u);
  EXPECT_STREQ(m.str(m.word(sp + 40)), "HOME=/");
  EXPECT_STREQ(m.str(m.word(sp + 48)), "X=y");
  EXPECT_EQ(m.word(sp + 56), 0u);
  uint64_t a = sp + 64;
  EXPECT_EQ(m.word(a), 6u);
  EXPECT_EQ(m.word(a + 8), 4096u);
  EXPECT_EQ(m.word(a + 16), 9u);
  EXPECT_EQ(m.word(a + 24), 0x401000u);
  bool saw_random = false, saw_execfn = false, saw_platform = false;
  for (a += 32;; a += 16) {
    uint64_t type = m.word(a), value = m.word(a + 8);
    if (type == unix::kAtNull)
      break;
    if (type == unix::kAtRandom) {
      saw_random = true;
      EXPECT_EQ(std::memcmp(&m.bytes.at(value - m.base), in.random, 16), 0);
    } else if (type == unix::kAtExecfn) {
      saw_execfn = true;
      EXPECT_STREQ(m.str(value), "/hello");
    } else if (type == unix::kAtPlatform) {
      saw_platform = true;
      EXPECT_STREQ(m.str(value), "x86_64");
    }
  }
  EXPECT_TRUE(saw_random && saw_execfn && saw_platform);
}

TEST(InitialStack, AlignedForEveryCountParity) {
  const char* argv[] = {"p", "q"};
  for (size_t argc = 0; argc <= 2; ++argc) {
    unix::InitialStackInput in;
    in.argv = argv;
    in.argc = argc;
    in.execfn = "/p";
    Mapped m{std::vector<uint8_t>(1024), kTop - 1024};
    uint64_t sp = unix::build_initial_stack(in, m.bytes.data(), m.bytes.size(), kTop);
    ASSERT_NE(sp, 0u);
    EXPECT_EQ(sp % 16, 0u) << argc;
    EXPECT_EQ(m.word(sp), argc);
    EXPECT_EQ(m.word(sp + 8 * (argc + 1)), 0u); // argv terminator
  }
}

TEST(InitialStack, TooSmallBufferFails) {
  const char* argv[] = {"/a-rather-long-program-name"};
  unix::InitialStackInput in;
  in.argv = argv;
  in.argc = 1;
  std::vector<uint8_t> buf(64);
  EXPECT_EQ(unix::build_initial_stack(in, buf.data(), buf.size(), kTop), 0u);
}

} // namespace
