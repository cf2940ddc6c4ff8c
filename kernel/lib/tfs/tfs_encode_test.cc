// Encoding primitives: the spec's examples byte for byte, and round trips through the
// decoder (every length 0-4100 and the 64-bit extremes as string lengths and integers).
#include "lib/tfs/tfs.h"
#include "lib/tfs/tfs_encode.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

using Bytes = std::vector<uint8_t>;

Bytes varint(uint64_t v) {
  uint8_t b[tfs::kMaxVarintBytes];
  size_t n = tfs::encode_varint(v, b);
  return Bytes(b, b + n);
}
Bytes header(bool imm, unsigned type, uint64_t len) {
  uint8_t b[tfs::kMaxHeaderBytes];
  size_t n = tfs::encode_header(imm, type, len, b);
  return Bytes(b, b + n);
}

TEST(TfsEncode, VarintsOfTheSpec) {
  EXPECT_EQ(varint(0), Bytes({0x00}));
  EXPECT_EQ(varint(127), Bytes({0x7F}));
  EXPECT_EQ(varint(128), Bytes({0x81, 0x00}));
  EXPECT_EQ(varint(300), Bytes({0x82, 0x2C}));
  EXPECT_EQ(varint(1024), Bytes({0x88, 0x00}));
  EXPECT_EQ(varint(3073), Bytes({0x98, 0x01}));
  EXPECT_EQ(varint(~0ull), Bytes({0x81, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F}));
}

TEST(TfsEncode, HeadersOfTheSpec) {
  EXPECT_EQ(header(true, tfs::kTypeBuffer, 8), Bytes({0x88, 0x08}));
  EXPECT_EQ(header(true, tfs::kTypeBuffer, 10), Bytes({0x88, 0x0A}));
  EXPECT_EQ(header(false, tfs::kTypeBuffer, 24), Bytes({0x08, 0x18}));
  EXPECT_EQ(header(true, tfs::kTypeTuple, 5), Bytes({0x95}));
  EXPECT_EQ(header(false, tfs::kTypeTuple, 1), Bytes({0x11}));
  EXPECT_EQ(header(true, tfs::kTypeVector, 3), Bytes({0xA3}));
  EXPECT_EQ(header(true, tfs::kTypeInteger, 0), Bytes({0xB0}));
  EXPECT_EQ(header(true, tfs::kTypeString, 6), Bytes({0xC6}));
  EXPECT_EQ(header(true, tfs::kTypeBuffer, 0), Bytes({0x80})); // "delete"
  // Fewest bytes: 8..1023 take one continuation byte, 1024.. two.
  EXPECT_EQ(header(true, tfs::kTypeString, 1023), Bytes({0xCF, 0x7F}));
  EXPECT_EQ(header(true, tfs::kTypeString, 1024), Bytes({0xC8, 0x88, 0x00}));
  EXPECT_EQ(header(true, tfs::kTypeString, ~0ull).size(), tfs::kMaxHeaderBytes);
}

// ---- round trips through tfs::decode ----
struct Image {
  Bytes data;
};
bool read_blocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* img = static_cast<Image*>(ctx);
  if ((block + count) * 512 > img->data.size())
    return false;
  std::memcpy(buf, img->data.data() + block * 512, count * 512ull);
  return true;
}
void* heap_alloc(void*, size_t n) {
  return std::malloc(n);
}
void heap_free(void*, void* p) {
  std::free(p);
}

// A log whose root is (children:() v:<value>), the value given encoded.
Image log_with(const Bytes& value) {
  Bytes root = header(true, tfs::kTypeTuple, 2);
  Bytes name = header(true, tfs::kTypeBuffer, 8);
  root.insert(root.end(), name.begin(), name.end());
  for (char c : std::string("children"))
    root.push_back(static_cast<uint8_t>(c));
  Bytes empty = header(true, tfs::kTypeTuple, 0);
  root.insert(root.end(), empty.begin(), empty.end());
  Bytes v = header(true, tfs::kTypeBuffer, 1);
  v.push_back('v');
  root.insert(root.end(), v.begin(), v.end());
  root.insert(root.end(), value.begin(), value.end());

  uint64_t blocks = 2 + (root.size() + 64) / 512;
  Image img;
  img.data.assign((blocks + 1) * 512, 0);
  Bytes b0 = {'N', 'V', 'M', 'T', 'F', 'S', 5, 1};
  b0.resize(b0.size() + 16 + 1, 0); // UUID, empty label
  b0.push_back(5);
  Bytes x = varint(1);
  b0.insert(b0.end(), x.begin(), x.end());
  x = varint(blocks);
  b0.insert(b0.end(), x.begin(), x.end());
  std::memcpy(img.data.data(), b0.data(), b0.size());
  Bytes e = {'N', 'V', 'M', 'T', 'F', 'S'};
  x = varint(5);
  e.insert(e.end(), x.begin(), x.end());
  x = varint(blocks);
  e.insert(e.end(), x.begin(), x.end());
  e.push_back(2);
  x = varint(root.size());
  e.insert(e.end(), x.begin(), x.end());
  e.insert(e.end(), x.begin(), x.end());
  e.insert(e.end(), root.begin(), root.end());
  e.push_back(1);
  std::memcpy(img.data.data() + 512, e.data(), e.size());
  return img;
}

struct Decoded {
  tfs::Allocator alloc{heap_alloc, heap_free, nullptr};
  tfs::Volume volume;
  tfs::DecodeStatus status;
  explicit Decoded(Image& img) {
    tfs::BlockReader reader{read_blocks, &img};
    status = tfs::decode(reader, alloc, img.data.size() / 512, &volume);
  }
  ~Decoded() { tfs::release(&volume, alloc); }
};

TEST(TfsEncode, StringsOfEveryLengthRoundTrip) {
  for (uint64_t len = 0; len <= 4100; ++len) {
    Bytes value = header(true, tfs::kTypeString, len);
    for (uint64_t i = 0; i < len; ++i)
      value.push_back(static_cast<uint8_t>('a' + i % 26));
    Image img = log_with(value);
    Decoded d(img);
    ASSERT_TRUE(d.status.ok()) << "length " << len << ": " << d.status.what;
    const tfs::Value* v = tfs::get(d.volume.root, "v");
    ASSERT_NE(v, nullptr);
    ASSERT_EQ(v->kind, tfs::Kind::kBytes);
    ASSERT_EQ(v->len, len);
  }
}

TEST(TfsEncode, IntegersRoundTrip) {
  const uint64_t cases[] = {0, 1, 127, 128, 300, 16383, 16384, 1ull << 32, (1ull << 63) - 1,
                            1ull << 63, ~0ull};
  for (uint64_t n : cases) {
    for (bool negative : {false, true}) {
      Bytes value = header(true, tfs::kTypeInteger, negative ? 1 : 0);
      Bytes x = varint(n);
      value.insert(value.end(), x.begin(), x.end());
      Image img = log_with(value);
      Decoded d(img);
      ASSERT_TRUE(d.status.ok()) << n << ": " << d.status.what;
      const tfs::Value* v = tfs::get(d.volume.root, "v");
      ASSERT_NE(v, nullptr);
      ASSERT_EQ(v->kind, tfs::Kind::kInteger);
      EXPECT_EQ(v->integer, n);
      EXPECT_EQ(v->negative, negative);
      uint64_t out = 12345;
      EXPECT_EQ(tfs::to_u64(v, &out), !negative || n == 0) << n;
      if (!negative) {
        EXPECT_EQ(out, n);
      }
    }
  }
}

TEST(TfsEncode, VectorOfManyElementsRoundTrips) {
  const uint64_t count = 3000; // a two-byte length
  Bytes value = header(true, tfs::kTypeVector, count);
  for (uint64_t i = 0; i < count; ++i) {
    Bytes x = header(true, tfs::kTypeInteger, 0);
    value.insert(value.end(), x.begin(), x.end());
    x = varint(i * 1000);
    value.insert(value.end(), x.begin(), x.end());
  }
  Image img = log_with(value);
  Decoded d(img);
  ASSERT_TRUE(d.status.ok()) << d.status.what;
  const tfs::Value* v = tfs::get(d.volume.root, "v");
  ASSERT_NE(v, nullptr);
  ASSERT_EQ(v->count, count);
  for (uint64_t i = 0; i < count; ++i)
    ASSERT_EQ(v->items[i].value->integer, i * 1000);
}

} // namespace
