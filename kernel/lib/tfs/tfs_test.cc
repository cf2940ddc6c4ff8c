#include "lib/tfs/tfs.h"

#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

// ---- building test logs ----
void put(Bytes& b, std::initializer_list<int> v) {
  for (int x : v)
    b.push_back(static_cast<uint8_t>(x));
}
void put(Bytes& b, const std::string& s) {
  b.insert(b.end(), s.begin(), s.end());
}
void varint(Bytes& b, uint64_t v) {
  uint8_t tmp[10];
  int n = 0;
  do {
    tmp[n++] = v & 0x7F;
    v >>= 7;
  } while (v);
  while (n--)
    b.push_back(static_cast<uint8_t>(tmp[n] | (n ? 0x80 : 0)));
}
// A TFS partition image: blocks, with extensions written at chosen blocks.
struct Partition {
  Bytes data;
  explicit Partition(size_t blocks) : data(blocks * 512, 0) {}
  void write(size_t block, const Bytes& b) {
    ASSERT_LE(block * 512 + b.size(), data.size());
    std::memcpy(data.data() + block * 512, b.data(), b.size());
  }
};
Bytes header(uint64_t version, uint64_t blocks) {
  Bytes b;
  put(b, "NVMTFS");
  varint(b, version);
  varint(b, blocks);
  return b;
}
// Block 0: header, UUID 00..0f, label, link to block 1 (`blocks` long).
Bytes initial(const std::string& label, uint64_t blocks = 1024, uint64_t version = 5) {
  Bytes b = header(version, 1);
  for (int i = 0; i < 16; ++i)
    b.push_back(static_cast<uint8_t>(i));
  put(b, label);
  b.push_back(0);
  b.push_back(5);
  varint(b, 1);
  varint(b, blocks);
  return b;
}
void available(Bytes& b, const Bytes& value) {
  b.push_back(2);
  varint(b, value.size());
  varint(b, value.size());
  b.insert(b.end(), value.begin(), value.end());
}

// ---- decoding ----
bool read_blocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* p = static_cast<Partition*>(ctx);
  if ((block + count) * 512 > p->data.size())
    return false;
  std::memcpy(buf, p->data.data() + block * 512, count * 512ull);
  return true;
}
void* test_alloc(void* ctx, size_t n) {
  ++*static_cast<int*>(ctx);
  return std::malloc(n);
}
void test_free(void* ctx, void* p) {
  if (p)
    --*static_cast<int*>(ctx);
  std::free(p);
}

struct Decoded {
  int live = 0; // allocations not freed yet
  tfs::Allocator alloc{test_alloc, test_free, &live};
  tfs::Volume volume;
  tfs::DecodeStatus status;
  ~Decoded() {
    tfs::release(&volume, alloc);
    EXPECT_EQ(live, 0) << "the decoder leaked";
  }
};
void decode(Partition& p, Decoded& d) {
  tfs::BlockReader reader{read_blocks, &p};
  d.status = tfs::decode(reader, d.alloc, p.data.size() / 512, &d.volume);
}

std::string str(const tfs::Value* v) {
  if (!v || v->kind != tfs::Kind::kBytes)
    return "<not bytes>";
  return std::string(reinterpret_cast<const char*>(v->bytes), v->len);
}
uint64_t num(const tfs::Value* v) {
  uint64_t n = ~0ull;
  EXPECT_TRUE(tfs::to_u64(v, &n));
  return n;
}
const tfs::Value* path(const tfs::Value* root, std::initializer_list<const char*> names) {
  const tfs::Value* v = root;
  for (const char* n : names)
    v = tfs::get(tfs::get(v, "children"), reinterpret_cast<const uint8_t*>(n), std::strlen(n));
  return v;
}

// ---- spec §3.6: the worked example, byte for byte ----
Partition worked_example() {
  Partition p(4096);
  Bytes b0 = initial("mylabel");
  b0.push_back(1); // END_OF_LOG after the link (harmless)
  p.write(0, b0);
  Bytes e = header(5, 1024);
  Bytes root;
  put(root, {0x95, 0x88, 0x08});
  put(root, "children");
  put(root, {0x93, 0x83});
  put(root, "lnk");
  put(root, {0x91, 0x88, 0x0a});
  put(root, "linktarget");
  put(root, {0xc6});
  put(root, "/hello");
  put(root, {0x85});
  put(root, "hello");
  put(root, {0x90});
  put(root, {0x83});
  put(root, "dir");
  put(root, {0x91});
  put(root, {0x02});
  put(root, {0x92, 0x84});
  put(root, "blob");
  put(root, {0x90, 0x85});
  put(root, "empty");
  put(root, {0x90});
  put(root, {0x88, 0x09});
  put(root, "arguments");
  put(root, {0xa3, 0xc5});
  put(root, "hello");
  put(root, {0xc1});
  put(root, "a");
  put(root, {0xc3});
  put(root, "b c");
  put(root, {0x87});
  put(root, "program");
  put(root, {0xc6});
  put(root, "/hello");
  put(root, {0x88, 0x0b});
  put(root, "environment");
  put(root, {0x92, 0x83});
  put(root, "PWD");
  put(root, {0xc1});
  put(root, "/");
  put(root, {0x84});
  put(root, "USER");
  put(root, {0xc4});
  put(root, "root");
  put(root, {0x88, 0x0a});
  put(root, "debug_exit");
  put(root, {0xc1});
  put(root, "t");
  EXPECT_EQ(root.size(), 146u);
  available(e, root);
  Bytes r;
  put(r, {0x11, 0x08, 0x87});
  put(r, "extents");
  put(r, {0x90}); // #8 += extents (#24) {} (#25)
  available(e, r);
  r.clear();
  put(r, {0x11, 0x19, 0x81});
  put(r, "0");
  put(r, {0x93, 0x86});
  put(r, "offset");
  put(r, {0xb0, 0x98, 0x01, 0x86});
  put(r, "length");
  put(r, {0xb0, 0x01, 0x88, 0x09});
  put(r, "allocated");
  put(r, {0xb0, 0x01});
  EXPECT_EQ(r.size(), 0x25u);
  available(e, r);
  r.clear();
  put(r, {0x11, 0x08, 0x88, 0x0a});
  put(r, "filelength");
  put(r, {0xb0, 0x0c}); // symbol #31
  available(e, r);
  available(e, {0x11, 0x0d, 0x08, 0x18, 0x90}); // blob (#13) += extents: {} (#32)
  // The listing's "...": blob's extent {offset 3074 length 6 allocated 6} (#33),
  // blob.filelength 3000, empty += extents {} (#34), empty.filelength 0.
  available(e, {0x11, 0x20, 0x08, 0x1a, 0x93, 0x08, 0x1c, 0xb0, 0x98, 0x02, 0x08, 0x1d, 0xb0, 0x06,
                0x08, 0x1e, 0xb0, 0x06});
  available(e, {0x11, 0x0d, 0x08, 0x1f, 0xb0, 0x97, 0x38});
  available(e, {0x11, 0x0f, 0x08, 0x18, 0x90});
  available(e, {0x11, 0x0f, 0x08, 0x1f, 0xb0, 0x00});
  e.push_back(1);
  p.write(1, e);
  return p;
}

TEST(TfsDecode, WorkedExampleOfTheSpec) {
  Partition p = worked_example();
  Decoded d;
  decode(p, d);
  ASSERT_TRUE(d.status.ok()) << d.status.what << " at " << d.status.offset;
  const tfs::Volume& v = d.volume;
  EXPECT_EQ(v.version, 5u);
  EXPECT_EQ(v.extensions, 2u);
  EXPECT_STREQ(v.label, "mylabel");
  for (int i = 0; i < 16; ++i)
    EXPECT_EQ(v.uuid[i], i);
  const tfs::Value* root = v.root;
  ASSERT_NE(root, nullptr);
  EXPECT_EQ(root->count, 5u);
  EXPECT_EQ(str(tfs::get(root, "program")), "/hello");
  EXPECT_EQ(str(tfs::get(root, "debug_exit")), "t");
  const tfs::Value* args = tfs::get(root, "arguments");
  ASSERT_NE(args, nullptr);
  ASSERT_EQ(args->kind, tfs::Kind::kVector);
  ASSERT_EQ(args->count, 3u);
  EXPECT_EQ(str(args->items[0].value), "hello");
  EXPECT_EQ(str(args->items[1].value), "a");
  EXPECT_EQ(str(args->items[2].value), "b c");
  const tfs::Value* env = tfs::get(root, "environment");
  EXPECT_EQ(str(tfs::get(env, "PWD")), "/");
  EXPECT_EQ(str(tfs::get(env, "USER")), "root");
  EXPECT_EQ(str(tfs::get(path(root, {"lnk"}), "linktarget")), "/hello");

  const tfs::Value* hello = path(root, {"hello"});
  EXPECT_EQ(num(tfs::get(hello, "filelength")), 12u);
  const tfs::Value* ext = tfs::get(hello, "extents");
  ASSERT_NE(ext, nullptr);
  ASSERT_EQ(ext->count, 1u);
  tfs::Extent x;
  ASSERT_TRUE(tfs::extent_at(ext, 0, &x));
  EXPECT_EQ(x.file_block, 0u);
  EXPECT_EQ(x.disk_block, 3073u);
  EXPECT_EQ(x.length, 1u);
  EXPECT_EQ(x.allocated, 1u);
  EXPECT_FALSE(x.uninited);

  const tfs::Value* blob = path(root, {"dir", "blob"});
  EXPECT_EQ(num(tfs::get(blob, "filelength")), 3000u);
  ASSERT_TRUE(tfs::extent_at(tfs::get(blob, "extents"), 0, &x));
  EXPECT_EQ(x.disk_block, 3074u);
  EXPECT_EQ(x.length, 6u);
  const tfs::Value* empty = path(root, {"dir", "empty"});
  EXPECT_EQ(num(tfs::get(empty, "filelength")), 0u);
  EXPECT_EQ(tfs::get(empty, "extents")->count, 0u);
  // log_end: the final END_OF_LOG byte in block 1.
  EXPECT_EQ(p.data[v.log_end], 1);
  EXPECT_GT(v.log_end, 512u);
  EXPECT_LT(v.log_end, 1024u);
}

// ---- references, EAV updates, deletion ----
TEST(TfsDecode, LaterAssignmentsReplaceAndDeletionRemoves) {
  Partition p(2048);
  p.write(0, initial(""));
  Bytes e = header(5, 1024);
  Bytes root;
  put(root, {0x93, 0x88, 0x08});
  put(root, "children");
  put(root, {0x90}); // #1, #2, #3
  put(root, {0x84});
  put(root, "mode");
  put(root, {0xc3});
  put(root, "old"); // #4
  put(root, {0x84});
  put(root, "gone");
  put(root, {0xb1, 0x05}); // #5 = -5
  available(e, root);
  // #1 += mode:"new", gone:<deleted>, size:"42" (decimal string)
  Bytes upd;
  put(upd, {0x13, 0x01, 0x04, 0xc3});
  put(upd, "new");
  put(upd, {0x05, 0x80});
  put(upd, {0x84});
  put(upd, "size");
  put(upd, {0xc2});
  put(upd, "42");
  available(e, upd);
  e.push_back(1);
  p.write(1, e);
  Decoded d;
  decode(p, d);
  ASSERT_TRUE(d.status.ok()) << d.status.what << " at " << d.status.offset;
  const tfs::Value* root_v = d.volume.root;
  EXPECT_EQ(str(tfs::get(root_v, "mode")), "new");
  EXPECT_EQ(tfs::get(root_v, "gone"), nullptr);
  EXPECT_EQ(num(tfs::get(root_v, "size")), 42u);
  EXPECT_EQ(root_v->count, 3u); // children, mode, size
}

TEST(TfsDecode, NegativeIntegersAreNotSizes) {
  tfs::Value neg{tfs::Kind::kInteger, true, 5, nullptr, 0, nullptr, 0, 0, 0};
  uint64_t n = 0;
  EXPECT_FALSE(tfs::to_u64(&neg, &n));
  const char* cases[] = {"", "12a", "-1", "18446744073709551616"};
  for (const char* c : cases) {
    tfs::Value s{tfs::Kind::kBytes,
                 false,
                 0,
                 reinterpret_cast<const uint8_t*>(c),
                 static_cast<uint32_t>(strlen(c)),
                 nullptr,
                 0,
                 0,
                 0};
    EXPECT_FALSE(tfs::to_u64(&s, &n)) << c;
  }
  const char* max = "18446744073709551615";
  tfs::Value s{tfs::Kind::kBytes, false, 0, reinterpret_cast<const uint8_t*>(max), 20,
               nullptr,           0,     0, 0};
  ASSERT_TRUE(tfs::to_u64(&s, &n));
  EXPECT_EQ(n, ~0ull);
}

// ---- version 4 ----
TEST(TfsDecode, Version4Log) {
  Partition p(2048);
  p.write(0, initial("old", 1024, 4));
  Bytes e = header(4, 1024);
  Bytes root;
  put(root, {0xC2, 0x88});
  put(root, "children");
  put(root, {0xC1, 0x81});
  put(root, "f");
  put(root, {0xC1, 0x8a});
  put(root, "filelength");
  put(root, {0x81});
  put(root, "7");
  put(root, {0x87});
  put(root, "program");
  put(root, {0x82});
  put(root, "/f");
  available(e, root);
  e.push_back(1);
  p.write(1, e);
  Decoded d;
  decode(p, d);
  ASSERT_TRUE(d.status.ok()) << d.status.what;
  EXPECT_EQ(d.volume.version, 4u);
  EXPECT_EQ(str(tfs::get(d.volume.root, "program")), "/f");
  EXPECT_EQ(num(tfs::get(path(d.volume.root, {"f"}), "filelength")), 7u);
}

// ---- a value split across three extensions ----
TEST(TfsDecode, TupleExtendedAcrossLinks) {
  Partition p(64);
  p.write(0, initial("", 2));
  std::string big(1500, 'x');
  Bytes value;
  put(value, {0x92, 0x88, 0x08});
  put(value, "children");
  put(value, {0x90});
  put(value, {0x84});
  put(value, "blob");
  value.push_back(0xc8 | static_cast<uint8_t>(big.size() >> 14));
  value.push_back(static_cast<uint8_t>(0x80 | ((big.size() >> 7) & 0x7F)));
  value.push_back(static_cast<uint8_t>(big.size() & 0x7F));
  put(value, big);
  // Extension A: blocks 1-2 (1024 bytes), extension B: blocks 10-11, extension C: block 20.
  Bytes a = header(5, 2);
  a.push_back(2);
  varint(a, value.size());
  size_t first = 900;
  varint(a, first);
  a.insert(a.end(), value.begin(), value.begin() + first);
  put(a, {5, 10, 2});
  ASSERT_LT(a.size(), 1024u);
  Bytes b = header(5, 2);
  b.push_back(3);
  varint(b, 500);
  b.insert(b.end(), value.begin() + first, value.begin() + first + 500);
  put(b, {5, 20, 1});
  Bytes c = header(5, 1);
  c.push_back(3);
  varint(c, value.size() - first - 500);
  c.insert(c.end(), value.begin() + first + 500, value.end());
  c.push_back(1);
  ASSERT_LT(c.size(), 512u);
  p.write(1, a);
  p.write(10, b);
  p.write(20, c);
  Decoded d;
  decode(p, d);
  ASSERT_TRUE(d.status.ok()) << d.status.what << " at " << d.status.offset;
  EXPECT_EQ(d.volume.extensions, 4u);
  EXPECT_EQ(str(tfs::get(d.volume.root, "blob")), big);
  EXPECT_EQ(d.volume.log_end, 20 * 512 + c.size() - 1);
}

// ---- vector, symbol and tuple references used as values ----
TEST(TfsDecode, ReferencesToVectorsSymbolsAndTuples) {
  Partition p(2048);
  p.write(0, initial("refs"));
  Bytes e = header(5, 1024);
  Bytes root;
  put(root, {0x92, 0x88, 0x08});
  put(root, "children");
  put(root, {0x90}); // #1 #2 #3
  put(root, {0x84});
  put(root, "args");
  put(root, {0xa1, 0xc1});
  put(root, "a"); // #4, vec #5
  available(e, root);
  Bytes upd;
  put(upd, {0x21, 0x05, 0xc1});
  put(upd, "b"); // vector #5 += "b"
  available(e, upd);
  upd.clear();
  put(upd, {0x12, 0x01}); // root += 2 entries:
  put(upd, {0x85});
  put(upd, "alias");
  put(upd, {0x10, 0x03}); // alias: tuple #3 itself
  put(upd, {0x84});
  put(upd, "name");
  put(upd, {0x04}); // name: symbol #4 ("args")
  available(e, upd);
  e.push_back(1);
  p.write(1, e);
  Decoded d;
  decode(p, d);
  ASSERT_TRUE(d.status.ok()) << d.status.what << " at " << d.status.offset;
  const tfs::Value* args = tfs::get(d.volume.root, "args");
  ASSERT_NE(args, nullptr);
  ASSERT_EQ(args->kind, tfs::Kind::kVector);
  ASSERT_EQ(args->count, 2u);
  EXPECT_EQ(str(args->items[0].value), "a");
  EXPECT_EQ(str(args->items[1].value), "b");
  EXPECT_EQ(args->items[1].name, nullptr);
  EXPECT_EQ(tfs::get(d.volume.root, "alias"), tfs::get(d.volume.root, "children"));
  EXPECT_EQ(str(tfs::get(d.volume.root, "name")), "args");
  EXPECT_TRUE(tfs::bytes_equal(tfs::get(d.volume.root, "name"), "args"));
  EXPECT_FALSE(tfs::bytes_equal(tfs::get(d.volume.root, "name"), "arg"));
  EXPECT_STREQ(d.volume.label, "refs");
}

TEST(TfsDecode, ObserverSeesEveryExtensionInChainOrder) {
  Partition p = worked_example();
  Decoded d;
  std::vector<std::pair<uint64_t, uint64_t>> seen;
  tfs::LogObserver obs{[](void* ctx, uint64_t block, uint64_t n) {
                         static_cast<decltype(seen)*>(ctx)->emplace_back(block, n);
                       },
                       &seen};
  tfs::BlockReader reader{read_blocks, &p};
  d.status = tfs::decode(reader, d.alloc, 4096, &d.volume, &obs);
  ASSERT_TRUE(d.status.ok());
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0], std::make_pair(uint64_t(0), uint64_t(1)));
  EXPECT_EQ(seen[1], std::make_pair(uint64_t(1), uint64_t(1024)));
}

// ---- malformed logs: an error with the offset, no crash, no leak ----
struct BadCase {
  const char* name;
  tfs::Error error;
  uint64_t offset; // partition byte offset the decoder must report
  Partition image;
};

Partition with_first_extension(const Bytes& e) {
  Partition p(2048);
  p.write(0, initial(""));
  p.write(1, e);
  return p;
}
Bytes ext_with(std::initializer_list<int> frames) {
  Bytes e = header(5, 1024);
  put(e, frames);
  return e;
}
// Frames of the first extension start after "NVMTFS 05 88 00" at block 1.
constexpr uint64_t kFrames = 512 + 9;

std::vector<BadCase> malformed_cases() {
  std::vector<BadCase> cases;
  cases.push_back({"bad magic (all zero)", tfs::Error::kBadMagic, 0, Partition(2048)});
  {
    Partition p(2048);
    Bytes b0 = initial("");
    b0[6] = 7; // version 7
    p.write(0, b0);
    cases.push_back({"bad version", tfs::Error::kBadVersion, 6, p});
  }
  {
    Partition p(2048);
    p.write(0, initial(""));
    Bytes e = header(4, 1024); // v4 extension in a v5 log
    e.push_back(1);
    p.write(1, e);
    cases.push_back({"version changes between extensions", tfs::Error::kBadVersion, 512 + 6, p});
  }
  {
    Partition p(2048);
    Bytes b0 = initial(std::string(40, 'L'));
    p.write(0, b0);
    cases.push_back({"label longer than 31 bytes", tfs::Error::kBadRecord, 6 + 2 + 16, p});
  }
  {
    Partition p(2048);
    p.write(0, initial(""));
    Bytes e = header(5, 1024);
    put(e, {5, 0x81, 0x01}); // a link to block 129 whose length varint never ends
    e.resize(512 * 1024, 0x80);
    p.write(1, e);
    cases.push_back({"unterminated varint", tfs::Error::kTruncated, kFrames, p});
  }
  {
    Partition p(2048);
    Bytes b0 = header(5, 1);
    b0.resize(6 + 2 + 16, 0x11);
    b0.resize(512, 'x'); // the label never ends inside the block
    p.write(0, b0);
    cases.push_back({"label without NUL", tfs::Error::kBadRecord, 6 + 2 + 16, p});
  }
  {
    Partition p(2048);
    p.write(0, initial("", 1)); // a 1-block first extension
    Bytes e = header(5, 1);
    put(e, {2, 0x84, 0x58, 0x84, 0x58}); // a 600-byte segment cannot fit in 512 bytes
    p.write(1, e);
    cases.push_back({"segment past the extension", tfs::Error::kTruncated, 512 + 8, p});
  }
  cases.push_back({"value cut by END_OF_LOG", tfs::Error::kTruncated, kFrames + 5,
                   with_first_extension(ext_with({2, 5, 2, 0x91, 0x81, 1}))});
  {
    Bytes e = header(5, 1024);
    e.resize(512 * 1024, 4); // END_OF_SEGMENT to the last byte: no link, no END_OF_LOG
    cases.push_back(
        {"extension without an end", tfs::Error::kTruncated, 1025 * 512, with_first_extension(e)});
  }
  cases.push_back({"zero byte where a frame should be", tfs::Error::kBadRecord, kFrames + 3,
                   with_first_extension(ext_with({4, 4, 4}))});
  {
    Partition p(2048);
    p.write(0, initial(""));
    p.write(1, ext_with({5, 0, 1})); // link back to block 0
    cases.push_back({"link loop", tfs::Error::kLoop, 0, p});
  }
  cases.push_back({"link into an earlier extension", tfs::Error::kLoop, 500 * 512,
                   with_first_extension(ext_with({5, 0x83, 0x74, 1}))});
  cases.push_back({"link past the partition end", tfs::Error::kBadRecord, 4000 * 512,
                   with_first_extension(ext_with({5, 0x9f, 0x20, 1}))});
  cases.push_back({"link of 0 blocks", tfs::Error::kBadRecord, kFrames,
                   with_first_extension(ext_with({5, 20, 0}))});
  cases.push_back(
      {"unknown record", tfs::Error::kBadRecord, kFrames, with_first_extension(ext_with({9}))});
  cases.push_back({"TUPLE_EXTENDED without a pending value", tfs::Error::kBadRecord, kFrames,
                   with_first_extension(ext_with({3, 1, 0x90, 1}))});
  cases.push_back({"TUPLE_AVAILABLE while a value is pending", tfs::Error::kBadRecord, kFrames + 4,
                   with_first_extension(ext_with({2, 3, 1, 0x91, 2, 1, 1, 0x90, 1}))});
  // Value bytes start 3 bytes after the frame (02 len len).
  cases.push_back({"tuple reference out of range", tfs::Error::kBadReference, kFrames + 3,
                   with_first_extension(ext_with({2, 2, 2, 0x10, 0x09, 1}))});
  cases.push_back({"symbol reference to a tuple", tfs::Error::kBadReference, kFrames + 4,
                   with_first_extension(ext_with({2, 3, 3, 0x91, 0x01, 0x90, 1}))});
  cases.push_back({"tuple reference to a symbol", tfs::Error::kBadReference, kFrames + 6,
                   with_first_extension(ext_with({2, 5, 5, 0x91, 0x81, 'a', 0x11, 0x02, 1}))});
  cases.push_back({"integer as a reference", tfs::Error::kBadValue, kFrames + 6,
                   with_first_extension(ext_with({2, 5, 5, 0x91, 0x81, 'a', 0x30, 0x00, 1}))});
  cases.push_back({"deletion as a whole value", tfs::Error::kBadValue, kFrames + 3,
                   with_first_extension(ext_with({2, 1, 1, 0x80, 1}))});
  cases.push_back({"bytes after the value", tfs::Error::kBadValue, kFrames + 4,
                   with_first_extension(ext_with({2, 2, 2, 0x90, 0x90, 1}))});
  cases.push_back({"string longer than its value", tfs::Error::kTruncated, kFrames + 6,
                   with_first_extension(ext_with({2, 5, 5, 0x91, 0x81, 'a', 0xc7, 'x', 1}))});
  cases.push_back({"no value at all (missing root)", tfs::Error::kNoRoot, 512,
                   with_first_extension(ext_with({1}))});
  cases.push_back({"root not a tuple", tfs::Error::kNoRoot, 512,
                   with_first_extension(ext_with({2, 2, 2, 0xc1, 0x41, 1}))});
  {
    Bytes deep = header(5, 1024);
    Bytes v;
    for (int i = 0; i < 100; ++i) { // a tuple nested 100 deep: x:(x:(x:(...)))
      put(v, {0x91});
      if (i == 0) {
        put(v, {0x81});
        put(v, "x");
      } else {
        put(v, {0x02});
      }
    }
    put(v, {0x90});
    available(deep, v);
    deep.push_back(1);
    // value(depth 65) fails before reading the 66th header: 3 + 2 * 64 bytes into the value,
    // which starts after the 5-byte frame header (02 81 4a 81 4a).
    cases.push_back({"nesting too deep", tfs::Error::kTooDeep, kFrames + 5 + 3 + 2 * 64,
                     with_first_extension(deep)});
  }
  return cases;
}

TEST(TfsDecode, MalformedLogsReportWhereAndWhat) {
  for (BadCase& c : malformed_cases()) {
    Decoded d;
    decode(c.image, d);
    EXPECT_EQ(d.status.error, c.error) << c.name << ": " << (d.status.what ? d.status.what : "");
    EXPECT_EQ(d.status.offset, c.offset) << c.name;
    EXPECT_NE(d.status.what, nullptr) << c.name;
    EXPECT_EQ(d.volume.root, nullptr) << c.name;
    EXPECT_EQ(d.volume.storage, nullptr) << c.name;
  }
}

// Every prefix of a valid log, read as a whole partition, fails cleanly (no crash, no leak).
TEST(TfsDecode, EveryTruncationOfTheWorkedExampleFails) {
  Partition full = worked_example();
  Decoded whole;
  decode(full, whole);
  ASSERT_TRUE(whole.status.ok());
  for (size_t cut = 0; cut <= whole.volume.log_end; cut += 3) {
    Partition p(4096);
    std::memcpy(p.data.data(), full.data.data(), cut);
    Decoded d;
    decode(p, d);
    EXPECT_FALSE(d.status.ok()) << "cut at " << cut;
    EXPECT_LE(d.status.offset, 1024u) << "cut at " << cut;
  }
}

TEST(TfsDecode, ReadErrorsAreReported) {
  Partition p = worked_example();
  Decoded d;
  tfs::BlockReader failing{[](void*, uint64_t, uint32_t, void*) { return false; }, nullptr};
  d.status = tfs::decode(failing, d.alloc, 4096, &d.volume);
  EXPECT_EQ(d.status.error, tfs::Error::kIo);
}

} // namespace
