#include "image/tfs_encoder.h"
#include "lib/tfs/tfs.h"

#include <cstdlib>
#include <cstring>
#include <gtest/gtest.h>

namespace mkimage {
namespace {

std::string hex(const std::string& s) {
  std::string out;
  char buf[4];
  for (unsigned char c : s) {
    snprintf(buf, sizeof buf, "%02x", c);
    out += buf;
  }
  return out;
}

TEST(TfsEncoder, VarintsMatchTheSpecExamples) {
  for (auto [value, expected] : std::vector<std::pair<uint64_t, std::string>>{
           {0, "00"}, {127, "7f"}, {128, "8100"}, {300, "822c"}, {1024, "8800"}, {3073, "9801"}}) {
    std::string out;
    pushVarint(out, value);
    EXPECT_EQ(hex(out), expected) << value;
  }
}

TEST(TfsEncoder, HeadersMatchTheSpecExamples) {
  std::string out;
  pushHeader(out, true, 0, 8);
  EXPECT_EQ(hex(out), "8808");
  out.clear();
  pushHeader(out, true, 0, 10);
  EXPECT_EQ(hex(out), "880a");
  out.clear();
  pushHeader(out, false, 0, 24);
  EXPECT_EQ(hex(out), "0818");
  out.clear();
  pushHeader(out, true, 1, 3);
  EXPECT_EQ(hex(out), "93");
  out.clear();
  pushHeader(out, true, 4, 1000); // 10 bits: 1 continuation byte holds 7, LLL holds 3
  EXPECT_EQ(hex(out), "cf68");
}

TEST(TfsEncoder, SymbolsAreInlineOnceThenReferences) {
  TfsValue root = TfsValue::tuple();
  TfsValue a = TfsValue::tuple();
  a.set("x", TfsValue::string("1"));
  TfsValue b = TfsValue::tuple();
  b.set("x", TfsValue::integer(2));
  root.set("a", std::move(a));
  root.set("b", std::move(b));
  // root tuple #1; "a" #2; tuple a #3; "x" #4; "b" #5; tuple b #6; x -> ref 4.
  EXPECT_EQ(hex(encodeTfsValue(root)), "92"
                                       "8161"
                                       "91"
                                       "8178"
                                       "c131"
                                       "8162"
                                       "91"
                                       "04"
                                       "b002");
}

TEST(TfsEncoder, LogSpansExtensionsWithLinks) {
  std::string value(1500000, 'v');
  std::array<uint8_t, 16> uuid{};
  uint64_t next = 5000;
  std::vector<uint64_t> allocated;
  auto pieces = layoutTfsLog(value, uuid, "lbl", [&] {
    allocated.push_back(next);
    next += 1024;
    return allocated.back();
  });
  ASSERT_EQ(pieces.size(), 4u); // block 0 + three 512 KiB extensions
  EXPECT_EQ(pieces[0].block, 0u);
  EXPECT_EQ(pieces[0].bytes.substr(0, 6), "NVMTFS");
  EXPECT_EQ(pieces[1].block, 1u);
  EXPECT_EQ(pieces[2].block, 5000u);
  EXPECT_EQ(pieces[3].block, 6024u);
  size_t payload = 0;
  for (size_t i = 1; i < pieces.size(); ++i) {
    EXPECT_LE(pieces[i].bytes.size() + 74, 1024u * 512u);
    payload += pieces[i].bytes.size();
  }
  EXPECT_GT(payload, value.size());
  EXPECT_EQ(pieces.back().bytes.back(), '\x01');
}

} // namespace
} // namespace mkimage

namespace mkimage {
namespace {

// A chain of tuples `depth` levels below the root, laid out as a log and decoded by the codec.
tfs::DecodeStatus decodeChain(int depth, bool* writerAccepts) {
  TfsValue root = TfsValue::tuple();
  TfsValue* v = &root;
  for (int i = 0; i < depth; ++i)
    v = &v->set("k", TfsValue::tuple());
  llvm::Error e = checkTfsNesting(root);
  *writerAccepts = !e;
  llvm::consumeError(std::move(e));
  std::string disk;
  for (const TfsLogPiece& p : layoutTfsLog(encodeTfsValue(root), {}, "", [] { return 2000; })) {
    if (disk.size() < (p.block + kTfsExtensionBlocks) * kTfsBlock)
      disk.resize((p.block + kTfsExtensionBlocks) * kTfsBlock);
    disk.replace(p.block * kTfsBlock, p.bytes.size(), p.bytes);
  }
  tfs::BlockReader reader{[](void* ctx, uint64_t block, uint32_t count, void* buf) {
                            auto* d = static_cast<std::string*>(ctx);
                            if ((block + count) * kTfsBlock > d->size())
                              return false;
                            std::memcpy(buf, d->data() + block * kTfsBlock, count * kTfsBlock);
                            return true;
                          },
                          &disk};
  tfs::Allocator alloc{[](void*, size_t n) { return std::malloc(n); },
                       [](void*, void* p) { std::free(p); }, nullptr};
  tfs::Volume volume;
  tfs::DecodeStatus status = tfs::decode(reader, alloc, disk.size() / kTfsBlock, &volume);
  if (status.ok())
    tfs::release(&volume, alloc);
  return status;
}

// The writer and the decoder agree on the nesting limit: one constant, tfs::kMaxNesting.
TEST(TfsEncoder, NestingLimitIsTheDecoders) {
  bool accepted = false;
  EXPECT_TRUE(decodeChain(tfs::kMaxNesting, &accepted).ok());
  EXPECT_TRUE(accepted);
  EXPECT_EQ(decodeChain(tfs::kMaxNesting + 1, &accepted).error, tfs::Error::kTooDeep);
  EXPECT_FALSE(accepted);
}

TEST(TfsEncoder, NestingErrorNamesTheGuestPathOrKey) {
  TfsValue root = TfsValue::tuple();
  TfsValue* v = &root;
  for (int i = 0; i < 40; ++i)
    v = &v->set("children", TfsValue::tuple()).set("d" + std::to_string(i), TfsValue::tuple());
  std::string msg = llvm::toString(checkTfsNesting(root));
  EXPECT_EQ(msg.rfind("guest path /d0/d1/d2/", 0), 0u) << msg;
  EXPECT_NE(msg.find("/d31: nested too deeply"), std::string::npos) << msg;
}

} // namespace
} // namespace mkimage
