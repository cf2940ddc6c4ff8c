#include "unix/process/elf_plan.h"

#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace {

template <typename T> void put(std::vector<uint8_t>& b, size_t at, T v) {
  std::memcpy(&b[at], &v, sizeof v);
}

// A minimal ET_DYN with PT_INTERP and two PT_LOADs.
std::vector<uint8_t> make_elf(uint16_t type) {
  std::vector<uint8_t> b(4096, 0);
  const uint8_t ident[] = {0x7f, 'E', 'L', 'F', 2, 1, 1};
  std::memcpy(b.data(), ident, sizeof ident);
  put<uint16_t>(b, 16, type);
  put<uint16_t>(b, 18, 62);
  put<uint64_t>(b, 24, 0x1040);
  put<uint64_t>(b, 32, 64);
  put<uint16_t>(b, 54, 56);
  put<uint16_t>(b, 56, 3);
  auto ph = [&](int i, uint32_t t, uint32_t flags, uint64_t off, uint64_t va, uint64_t fs,
                uint64_t ms) {
    size_t at = 64 + 56 * static_cast<size_t>(i);
    put(b, at, t);
    put(b, at + 4, flags);
    put(b, at + 8, off);
    put(b, at + 16, va);
    put(b, at + 32, fs);
    put(b, at + 40, ms);
  };
  ph(0, 3, 4, 0x200, 0x200, 28, 28);
  std::memcpy(&b[0x200], "/lib64/ld-linux-x86-64.so.2", 28);
  ph(1, 1, 5, 0, 0, 0x800, 0x800);
  ph(2, 1, 6, 0x800, 0x1800, 0x100, 0x2000);
  return b;
}

TEST(ElfPlan, DynamicWithInterpreter) {
  auto b = make_elf(3);
  unix::ElfPlan p;
  ASSERT_EQ(unix::plan_elf(b.data(), b.size(), &p), 0);
  EXPECT_TRUE(p.position_independent);
  EXPECT_EQ(p.entry, 0x1040u);
  EXPECT_EQ(p.segment_count, 2u);
  EXPECT_EQ(p.phdr_vaddr, 64u); // covered by the first PT_LOAD
  EXPECT_EQ(p.phnum, 3);
  EXPECT_STREQ(reinterpret_cast<const char*>(&b[p.interp_offset]), "/lib64/ld-linux-x86-64.so.2");
  EXPECT_EQ(p.lowest_vaddr, 0u);
  EXPECT_EQ(p.highest_end, 0x3800u);
  EXPECT_EQ(p.segments[1].flags, 6u);
}

TEST(ElfPlan, RejectsBadInput) {
  unix::ElfPlan p;
  auto b = make_elf(1); // ET_REL
  EXPECT_EQ(unix::plan_elf(b.data(), b.size(), &p), -ENOEXEC);
  b = make_elf(2);
  b[1] = 'X';
  EXPECT_EQ(unix::plan_elf(b.data(), b.size(), &p), -ENOEXEC);
  b = make_elf(2);
  EXPECT_EQ(unix::plan_elf(b.data(), 100, &p), -ENOEXEC); // headers past the buffer
  b = make_elf(2);
  put<uint64_t>(b, 64 + 56 * 2 + 8, 0x801); // offset and vaddr disagree modulo the page
  EXPECT_EQ(unix::plan_elf(b.data(), b.size(), &p), -ENOEXEC);
  b = make_elf(2);
  b[0x200 + 27] = 'x'; // interpreter path not NUL-terminated
  EXPECT_EQ(unix::plan_elf(b.data(), b.size(), &p), -ENOEXEC);
}

} // namespace
