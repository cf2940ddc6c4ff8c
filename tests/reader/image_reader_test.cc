// Unit tests of the reader library (mkimage/reader/image_reader.*) on hand-made images:
// partition discovery through the MBR, error lines (image, partition, offset), path
// resolution with symbolic links, file reads with holes, uninited and bad extents.
#include "lib/tfs/tfs_encode.h"
#include "reader/image_reader.h"

#include <cstring>
#include <fstream>
#include <gtest/gtest.h>
#include <string>
#include <unistd.h>

using namespace mkimage::reader;

namespace {

// ---- a tiny TFS value encoder (every name inline: the decoder accepts repeats) ----
struct Enc {
  std::string out;
  Enc& header(bool imm, unsigned type, uint64_t len) {
    uint8_t b[tfs::kMaxHeaderBytes];
    out.append(reinterpret_cast<char*>(b), tfs::encode_header(imm, type, len, b));
    return *this;
  }
  Enc& varint(uint64_t v) {
    uint8_t b[tfs::kMaxVarintBytes];
    out.append(reinterpret_cast<char*>(b), tfs::encode_varint(v, b));
    return *this;
  }
  Enc& name(const std::string& s) {
    header(true, tfs::kTypeBuffer, s.size());
    out += s;
    return *this;
  }
  Enc& tuple(uint64_t entries) { return header(true, tfs::kTypeTuple, entries); }
  Enc& str(const std::string& s) {
    header(true, tfs::kTypeString, s.size());
    out += s;
    return *this;
  }
  Enc& integer(uint64_t n, bool negative = false) {
    header(true, tfs::kTypeInteger, negative ? 1 : 0);
    return varint(n);
  }
  // offset:O length:L [allocated:A] [uninited]
  Enc& extent(uint64_t offset, uint64_t length, bool uninited = false) {
    tuple(uninited ? 3 : 2).name("offset").integer(offset).name("length").integer(length);
    if (uninited)
      name("uninited").header(true, tfs::kTypeBuffer, 1).out.push_back('\0');
    return *this;
  }
};

std::string varint(uint64_t v) {
  Enc e;
  e.varint(v);
  return e.out;
}

// A TFS partition of `blocks` blocks: block 0 links to a 2-block extension at block 1 that
// holds `value` as one TUPLE_AVAILABLE.
std::string partition(const std::string& value, uint64_t blocks, const std::string& label = "") {
  std::string p(blocks * 512, '\0');
  std::string b0 = "NVMTFS" + varint(5) + varint(1) + std::string(16, '\x11') + label;
  b0 += '\0';
  b0 += '\x05' + varint(1) + varint(2);
  p.replace(0, b0.size(), b0);
  std::string e = "NVMTFS" + varint(5) + varint(2);
  e += '\x02' + varint(value.size()) + varint(value.size()) + value + '\x01';
  EXPECT_LE(e.size(), 1024u);
  p.replace(512, e.size(), e);
  return p;
}

// MBR with entries for the boot and root partitions (after an ESP entry if `esp`).
std::string image(const std::string& boot, const std::string& root, bool esp = false) {
  std::string img(512, '\0');
  uint32_t lba = 1;
  int first = esp ? 1 : 0;
  if (esp)
    img[0x1BE + 4] = static_cast<char>(0xEF);
  for (const std::string* part : {&boot, &root}) {
    char* e = &img[0x1BE + 16 * first++];
    e[4] = static_cast<char>(0x83);
    uint32_t count = static_cast<uint32_t>(part->size() / 512);
    std::memcpy(e + 8, &lba, 4);
    std::memcpy(e + 12, &count, 4);
    lba += count;
    img += *part;
  }
  img[510] = '\x55';
  img[511] = '\xAA';
  return img;
}

std::string boot_fs() {
  Enc v;
  v.tuple(1).name("children").tuple(1).name("kernel").tuple(2).name("filelength").integer(3);
  v.name("extents").tuple(1).name("0").extent(3, 1);
  std::string p = partition(v.out, 4);
  p.replace(3 * 512, 3, "KRN");
  return p;
}

class ReaderTest : public ::testing::Test {
protected:
  std::string path = std::string(READER_TEST_DIR) + "/" +
                     ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".img";
  void write(const std::string& bytes) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  }
  void TearDown() override { ::unlink(path.c_str()); }
  std::string error() {
    auto d = decodeImage(path);
    if (d)
      return "<decoded>";
    return llvm::toString(d.takeError());
  }
};

TEST_F(ReaderTest, FindsPartitionsAndReadsBothFileSystems) {
  Enc v;
  v.tuple(2).name("children").tuple(1).name("f").tuple(2).name("filelength").str("1000");
  v.name("extents").tuple(1).name("0").extent(3, 2);
  v.name("program").str("/f");
  std::string root = partition(v.out, 8, "rootlabel");
  std::string data(1000, 'd');
  root.replace(3 * 512, data.size(), data);
  for (bool esp : {false, true}) {
    write(image(boot_fs(), root, esp));
    auto d = decodeImage(path);
    ASSERT_TRUE(static_cast<bool>(d)) << llvm::toString(d.takeError());
    EXPECT_EQ(d->bootOffset, 512u);
    EXPECT_EQ(d->boot.blocks, 4u);
    EXPECT_EQ(d->rootOffset, 5 * 512u);
    EXPECT_EQ(d->root.blocks, 8u);
    EXPECT_EQ(d->root.label, "rootlabel");
    EXPECT_EQ(d->root.version, 5u);
    ASSERT_EQ(d->root.log.size(), 2u);
    EXPECT_EQ(d->root.log[1].block, 1u);
    EXPECT_EQ(d->root.log[1].blocks, 2u);
    EXPECT_EQ(d->root.root.at("program").str, "/f");
    auto kernel = readFile(*d, d->boot, *lookup(d->boot.root, "/kernel"));
    ASSERT_TRUE(static_cast<bool>(kernel)) << llvm::toString(kernel.takeError());
    EXPECT_EQ(*kernel, "KRN");
    auto f = readFile(*d, d->root, *lookup(d->root.root, "/f"));
    ASSERT_TRUE(static_cast<bool>(f)) << llvm::toString(f.takeError());
    EXPECT_EQ(*f, data);
  }
}

TEST_F(ReaderTest, ErrorsNameTheImageThePartitionAndTheOffset) {
  write(std::string(1024, '\0'));
  EXPECT_EQ(error(), path + ": no MBR signature (55 AA) at 510");
  write("short");
  EXPECT_EQ(error(), path + ": shorter than one 512-byte sector");
  std::string img = image(boot_fs(), std::string(4 * 512, '\0'));
  write(img);
  EXPECT_EQ(error(), path + ": root partition: bad magic: not a TFS log extension at 2560 (0xa00)");
  img[0x1BE + 16 + 8] = 100; // root entry's LBA beyond the file
  write(img);
  EXPECT_EQ(error(), path + ": MBR partition entry 1 points outside the image at 470 (0x1d6)");
  auto missing = decodeImage(path + ".missing");
  ASSERT_FALSE(static_cast<bool>(missing));
  EXPECT_EQ(llvm::toString(missing.takeError()),
            path + ".missing: cannot open: No such file or directory");
}

TEST_F(ReaderTest, AReferenceCycleIsAnErrorNotAHang) {
  Enc v; // root (#1) = (children:() x:<root itself>)
  v.tuple(2).name("children").tuple(0).name("x").header(false, tfs::kTypeTuple, 0).varint(1);
  write(image(boot_fs(), partition(v.out, 4)));
  EXPECT_EQ(error(), path + ": root partition: values nested deeper than 256 (a reference cycle?)");
}

TEST_F(ReaderTest, FileReadsHolesUninitedAndBadExtents) {
  Enc v;
  v.tuple(1).name("children").tuple(5);
  // sparse: blocks 0 and 3 written, 1-2 a hole, 4 uninited: 5 blocks of data.
  v.name("sparse").tuple(2).name("filelength").integer(5 * 512).name("extents").tuple(3);
  v.name("0").extent(3, 1).name("3").extent(4, 1).name("4").extent(5, 1, /*uninited=*/true);
  v.name("past").tuple(2).name("filelength").integer(512).name("extents").tuple(1);
  v.name("0").extent(7, 2); // partition has 8 blocks: 7+2 runs past it
  v.name("badkey").tuple(2).name("filelength").integer(1).name("extents").tuple(1);
  v.name("x").extent(3, 1);
  v.name("negative").tuple(2).name("filelength").integer(5, true).name("extents").tuple(0);
  v.name("empty").tuple(1).name("extents").tuple(0);
  std::string root = partition(v.out, 8);
  root.replace(3 * 512, 512, std::string(512, 'a'));
  root.replace(4 * 512, 512, std::string(512, 'b'));
  root.replace(5 * 512, 512, std::string(512, 'c')); // must not be read: uninited
  write(image(boot_fs(), root));
  auto d = decodeImage(path);
  ASSERT_TRUE(static_cast<bool>(d)) << llvm::toString(d.takeError());
  auto read = [&](const std::string& p) {
    const Value* f = lookup(d->root.root, p);
    if (!f)
      return std::string("<missing>");
    auto r = readFile(*d, d->root, *f);
    return r ? *r : "<error: " + llvm::toString(r.takeError()) + ">";
  };
  EXPECT_EQ(read("/sparse"), std::string(512, 'a') + std::string(1024, '\0') +
                                 std::string(512, 'b') + std::string(512, '\0'));
  EXPECT_EQ(read("/past"), "<error: " + path +
                               ": root partition: extent at block 7 (2 blocks) runs past the "
                               "partition end>");
  EXPECT_EQ(read("/badkey"), "<error: " + path +
                                 ": root partition: extent 'x' is malformed (key, offset, "
                                 "length, allocated)>");
  EXPECT_EQ(read("/negative"), "<error: " + path + ": root partition: filelength is not a number>");
  EXPECT_EQ(read("/empty"), "");
  auto extents = fileExtents(*lookup(d->root.root, "/sparse"));
  ASSERT_TRUE(static_cast<bool>(extents));
  ASSERT_EQ(extents->size(), 3u);
  EXPECT_EQ((*extents)[1].fileBlock, 3u);
  EXPECT_EQ((*extents)[1].diskBlock, 4u);
  EXPECT_EQ((*extents)[1].allocated, 1u); // absent: = length
  EXPECT_TRUE((*extents)[2].uninited);
}

// ---- path resolution on a tree built in memory ----
Value dir() {
  Value v;
  v.entries["children"].kind = Value::Kind::Tuple;
  return v;
}
Value link(const std::string& target) {
  Value v;
  v.entries["linktarget"].kind = Value::Kind::String;
  v.entries["linktarget"].str = target;
  return v;
}
Value& child(Value& d, const std::string& name, Value v) {
  return d.entries["children"].entries[name] = std::move(v);
}

class Resolve : public ::testing::Test {
protected:
  Value root = dir();
  const Value* f = nullptr;
  void SetUp() override {
    Value& a = child(root, "a", dir());
    Value file;
    file.entries["extents"].kind = Value::Kind::Tuple;
    f = &child(a, "f", file);
    child(a, "up", link(".."));
    child(root, "abs", link("/a/f"));
    child(root, "rel", link("a/f"));
    child(root, "dirlink", link("a"));
    child(root, "loop1", link("loop2"));
    child(root, "loop2", link("loop1"));
    child(root, "dangling", link("nope"));
    child(root, "empty", link(""));
  }
  std::string err(const std::string& path, bool followLast = true) {
    auto v = resolve(root, path, followLast);
    return v ? "<found>" : llvm::toString(v.takeError());
  }
  const Value* at(const std::string& path, bool followLast = true) {
    auto v = resolve(root, path, followLast);
    if (!v) {
      ADD_FAILURE() << path << ": " << llvm::toString(v.takeError());
      return nullptr;
    }
    return *v;
  }
};

TEST_F(Resolve, PlainPathsDotAndDotDot) {
  EXPECT_EQ(at("/"), &root);
  EXPECT_EQ(at(""), &root);
  EXPECT_EQ(at("/a/f"), f);
  EXPECT_EQ(at("a//f"), f);
  EXPECT_EQ(at("/a/./f"), f);
  EXPECT_EQ(at("/a/../a/f"), f);
  EXPECT_EQ(at("/.."), &root);
  EXPECT_EQ(at("/a/.."), &root);
}

TEST_F(Resolve, SymbolicLinks) {
  EXPECT_EQ(at("/abs"), f);
  EXPECT_EQ(at("/rel"), f);
  EXPECT_EQ(at("/dirlink/f"), f);
  EXPECT_EQ(at("/dirlink/f", false), f);
  EXPECT_EQ(at("/a/up/a/f"), f); // ".." from /a
  EXPECT_EQ(at("/abs", false)->at("linktarget").str, "/a/f");
  EXPECT_EQ(at("/loop1", false)->at("linktarget").str, "loop2");
  EXPECT_EQ(err("/loop1"), "/loop1: too many levels of symbolic links (a link loop?)");
  EXPECT_EQ(err("/loop1/x", false), "/loop1/x: too many levels of symbolic links (a link loop?)");
  EXPECT_EQ(err("/dangling"), "/dangling: no such file or directory (nope)");
  EXPECT_EQ(err("/empty/x"), "/empty/x: empty symbolic link (empty)");
  EXPECT_EQ(err("/a/f/x"), "/a/f/x: not a directory on the way");
  EXPECT_EQ(err("/a/g"), "/a/g: no such file or directory (g)");
  EXPECT_EQ(lookup(root, "/a/g"), nullptr);
  EXPECT_EQ(lookup(root, "/rel")->at("linktarget").str, "a/f");
}

// A trailing '/' names a directory: on a file it is ENOTDIR, a link to a directory is followed.
TEST_F(Resolve, TrailingSlashMustEndOnADirectory) {
  EXPECT_EQ(err("/a/f/"), "/a/f/: not a directory");
  EXPECT_EQ(err("/abs/", false), "/abs/: not a directory");
  EXPECT_EQ(at("/a/"), &root.at("children").at("a"));
  EXPECT_EQ(at("/dirlink/", false), &root.at("children").at("a"));
}

TEST(ReaderValue, NumbersAsTheKernelReadsThem) {
  Value v;
  v.kind = Value::Kind::Integer;
  v.num = 7;
  EXPECT_EQ(v.number(), 7u);
  v.negative = true;
  EXPECT_EQ(v.number(), std::nullopt);
  v = Value();
  v.kind = Value::Kind::String;
  for (const char* bad : {"", "-1", " 1", "1 ", "0x10", "18446744073709551616"}) {
    v.str = bad;
    EXPECT_EQ(v.number(), std::nullopt) << bad;
  }
  v.str = "18446744073709551615";
  EXPECT_EQ(v.number(), ~0ull);
  v.str = "007";
  EXPECT_EQ(v.number(), 7u);
}

} // namespace
