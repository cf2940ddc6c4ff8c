// The file-ops dispatch (file_ops.cc) driven with fake operations tables: which operation
// a call reaches, with which position, and the Linux answer when a kind leaves one out.
#include "unix/fd/file_ops.h"

#include <cerrno>
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using unix::File;
using unix::FileOps;
using unix::IoVector;

// What the fake operations saw.
struct Calls {
  std::vector<size_t> lens;    // read/write lengths, in order
  std::vector<uint64_t*> poss; // the position pointer each got
  int vector_calls = 0;
  int seeks = 0;
  std::string written;
};
Calls g_calls;

// User buffers are host memory in this test: a UserPtr carries a host address.
uint64_t addr(const void* p) {
  return reinterpret_cast<uint64_t>(p);
}
UserPtr<uint8_t> user(void* p) {
  return UserPtr<uint8_t>(addr(p));
}
UserPtr<const uint8_t> user(const char* p) {
  return UserPtr<const uint8_t>(addr(p));
}

// A file of 10 bytes "0123456789": reads copy from the position and advance it.
constexpr char kContent[] = "0123456789";
ErrorOr<size_t> fake_read(File&, UserPtr<uint8_t> buf, size_t len, uint64_t* pos) {
  g_calls.lens.push_back(len);
  g_calls.poss.push_back(pos);
  size_t left = *pos < 10 ? 10 - *pos : 0;
  size_t n = len < left ? len : left;
  std::memcpy(reinterpret_cast<uint8_t*>(buf.address()), kContent + *pos, n);
  *pos += n;
  return n;
}
ErrorOr<size_t> fake_write(File&, UserPtr<const uint8_t> buf, size_t len, uint64_t* pos) {
  g_calls.lens.push_back(len);
  g_calls.poss.push_back(pos);
  g_calls.written.append(reinterpret_cast<const char*>(buf.address()), len);
  *pos += len;
  return len;
}
// Fails every call after the first with EIO.
ErrorOr<size_t> fails_after_one(File& f, UserPtr<uint8_t> buf, size_t len, uint64_t* pos) {
  if (!g_calls.lens.empty())
    return Err(-EIO);
  return fake_read(f, buf, len, pos);
}
ErrorOr<size_t> whole_vector(File&, const IoVector& io) {
  ++g_calls.vector_calls;
  return io.total;
}
ErrorOr<uint64_t> fake_seek(File& f, int64_t off, int) {
  ++g_calls.seeks;
  f.offset = static_cast<uint64_t>(off);
  return f.offset;
}
ErrorOr<long> fake_ioctl(File&, unsigned long request, uint64_t arg) {
  return static_cast<long>(request + arg);
}
unix::Readiness only_readable(File&) {
  unix::Readiness r;
  r.events = unix::kEpollIn;
  r.in_gen = 7;
  r.out_gen = 3;
  return r;
}

const FileOps kPositional{.positional = true,
                          .read = fake_read,
                          .write = fake_write,
                          .seek = fake_seek,
                          .ioctl = fake_ioctl};
const FileOps kStream{.read = fake_read, .write = fake_write, .readiness = only_readable};
const FileOps kEmpty{};
const FileOps kFlaky{.read = fails_after_one};
const FileOps kMessages{
    .read = fake_read, .read_vector = whole_vector, .write_vector = whole_vector};
const FileOps kDevice{.read = fake_read, .seek = unix::seek_nowhere};
const FileOps kWrongEnd{.read = unix::read_not_permitted, .write = unix::write_not_permitted};

class FileOpsTest : public ::testing::Test {
protected:
  void SetUp() override { g_calls = Calls{}; }
  File file(const FileOps& ops) {
    File f{};
    f.ops = &ops;
    f.kind = ops.kind;
    f.refs = 1;
    return f;
  }
  uint8_t buf[32] = {};
};

TEST_F(FileOpsTest, ReadAndWriteUseTheFileOffset) {
  File f = file(kPositional);
  auto r = unix::file_read(f, user(buf), 4);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 4u);
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 4), "0123");
  EXPECT_EQ(g_calls.poss[0], &f.offset);
  EXPECT_EQ(f.offset, 4u);
  r = unix::file_read(f, user(buf), 32);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 6u); // the rest of the file
  EXPECT_EQ(f.offset, 10u);

  auto w = unix::file_write(f, user("ab"), 2);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(g_calls.written, "ab");
  EXPECT_EQ(f.offset, 12u);
}

TEST_F(FileOpsTest, MissingReadOrWriteIsEinval) {
  File f = file(kEmpty);
  EXPECT_EQ(unix::file_read(f, user(buf), 1).error(), -EINVAL);
  EXPECT_EQ(unix::file_write(f, user(buf).as<const uint8_t>(), 1).error(), -EINVAL);
}

TEST_F(FileOpsTest, WrongEndOfAFileIsEbadf) {
  File f = file(kWrongEnd);
  EXPECT_EQ(unix::file_read(f, user(buf), 1).error(), -EBADF);
  EXPECT_EQ(unix::file_write(f, user(buf).as<const uint8_t>(), 1).error(), -EBADF);
}

TEST_F(FileOpsTest, PreadUsesItsOwnPositionAndLeavesTheOffset) {
  File f = file(kPositional);
  f.offset = 1;
  auto r = unix::file_pread(f, user(buf), 3, 5);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(std::string(reinterpret_cast<char*>(buf), 3), "567");
  EXPECT_NE(g_calls.poss[0], &f.offset);
  EXPECT_EQ(f.offset, 1u);
  auto w = unix::file_pwrite(f, user(buf).as<const uint8_t>(), 2, 0);
  ASSERT_TRUE(w.ok());
  EXPECT_EQ(f.offset, 1u);
}

TEST_F(FileOpsTest, PreadOnAStreamIsEspipeAndNegativeIsEinval) {
  File s = file(kStream);
  EXPECT_EQ(unix::file_pread(s, user(buf), 1, 0).error(), -ESPIPE);
  EXPECT_EQ(unix::file_pwrite(s, user(buf).as<const uint8_t>(), 1, 0).error(), -ESPIPE);
  EXPECT_TRUE(g_calls.lens.empty()); // the kind was never asked
  File p = file(kPositional);
  EXPECT_EQ(unix::file_pread(p, user(buf), 1, -1).error(), -EINVAL);
  EXPECT_EQ(unix::file_pwrite(p, user(buf).as<const uint8_t>(), 1, -1).error(), -EINVAL);
}

TEST_F(FileOpsTest, ReadvWithoutItsOwnReadsEachVectorAndStopsShort) {
  File f = file(kPositional);
  uint8_t a[4], b[1], c[8], d[8];
  linux::iovec v[] = {{addr(a), 4},
                      {addr(b), 0}, // skipped
                      {addr(c), 8}, // only 6 bytes left: short
                      {addr(d), 8}};
  auto r = unix::file_readv(f, IoVector{v, 4, 20});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 10u);
  EXPECT_EQ(g_calls.lens, (std::vector<size_t>{4, 8}));
  EXPECT_EQ(std::string(reinterpret_cast<char*>(c), 6), "456789");
}

TEST_F(FileOpsTest, ReadvKeepsWhatWasReadBeforeAnError) {
  File f = file(kFlaky);
  uint8_t a[2], b[2];
  linux::iovec v[] = {{addr(a), 2}, {addr(b), 2}};
  auto r = unix::file_readv(f, IoVector{v, 2, 4});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 2u);
  g_calls = Calls{};
  g_calls.lens.push_back(0); // now the first call fails too
  EXPECT_EQ(unix::file_readv(f, IoVector{v, 2, 4}).error(), -EIO);
}

TEST_F(FileOpsTest, ReadvAndWritevUseTheKindsVectorOperation) {
  File f = file(kMessages);
  linux::iovec v[] = {{addr(buf), 3}, {addr(buf), 5}};
  auto r = unix::file_readv(f, IoVector{v, 2, 8});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 8u);
  EXPECT_TRUE(unix::file_writev(f, IoVector{v, 2, 8}).ok());
  EXPECT_EQ(g_calls.vector_calls, 2);
  EXPECT_TRUE(g_calls.lens.empty()); // not split into reads
}

TEST_F(FileOpsTest, SeekChecksWhenceThenAsksTheKind) {
  File f = file(kPositional);
  EXPECT_EQ(unix::file_seek(f, 0, -1).error(), -EINVAL);
  EXPECT_EQ(unix::file_seek(f, 0, 5).error(), -EINVAL);
  EXPECT_EQ(g_calls.seeks, 0);
  auto r = unix::file_seek(f, 7, 0);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 7u);
  EXPECT_EQ(g_calls.seeks, 1);

  File s = file(kStream);
  EXPECT_EQ(unix::file_seek(s, 0, 0).error(), -ESPIPE);
  File d = file(kDevice);
  auto z = unix::file_seek(d, 123, 1);
  ASSERT_TRUE(z.ok());
  EXPECT_EQ(*z, 0u);
}

TEST_F(FileOpsTest, IoctlIsEnottyUnlessTheKindHasIt) {
  File s = file(kStream);
  EXPECT_EQ(unix::file_ioctl(s, 0x541B, 0).error(), -ENOTTY);
  File p = file(kPositional);
  auto r = unix::file_ioctl(p, 5, 6);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 11);
}

TEST_F(FileOpsTest, ReadinessDefaultsToAlwaysReadyAndAddsNormBits) {
  File p = file(kPositional);
  EXPECT_EQ(unix::file_readiness(p).events,
            unix::kEpollIn | unix::kEpollRdNorm | unix::kEpollOut | unix::kEpollWrNorm);
  File s = file(kStream);
  unix::Readiness r = unix::file_readiness(s);
  EXPECT_EQ(r.events, unix::kEpollIn | unix::kEpollRdNorm);
  EXPECT_EQ(r.in_gen, 7u);
  EXPECT_EQ(r.out_gen, 3u);
}

} // namespace
