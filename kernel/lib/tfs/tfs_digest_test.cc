// The content digest: what it covers (metadata vs file data), what it leaves out (the root's
// image_digest key), its text form, and hostile trees.
#include "lib/tfs/tfs_append.h"
#include "lib/tfs/tfs_digest.h"
#include "lib/tfs/tfs_encode.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <string.h>
#include <string>
#include <vector>

namespace {

void* host_alloc(void*, size_t n) {
  return malloc(n);
}
void host_free(void*, void* p) {
  free(p);
}
const tfs::Allocator kAlloc{host_alloc, host_free, nullptr};

struct Disk {
  std::vector<uint8_t> bytes;
};
bool disk_read(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* d = static_cast<Disk*>(ctx);
  if ((block + count) * 512 > d->bytes.size())
    return false;
  memcpy(buf, d->bytes.data() + block * 512, count * 512);
  return true;
}

struct Shape {
  std::string program = "/a";
  const char* digest_at_root = nullptr; // value of a root image_digest key
  bool digest_in_child = false;         // an image_digest key one level down (hashed)
  bool hard_link = false;               // children also has b: a reference to a's tuple
  bool self_loop = false;               // a has `self`: a reference to a itself
  uint64_t extent_blocks = 3;
  uint64_t extent_offset = 2000;
  std::string chunk_digests; // a's `chunk_digests` value ("": no key)
};

// The root (children: (a: file with one extent)), program, optionally image_digest, laid out
// as the image writer does: block 0 links to a 1024-block extension at block 1.
Disk make_volume(const Shape& s) {
  Disk d;
  d.bytes.assign(4096 * 512, 0);
  const uint8_t head0[] = {'N', 'V', 'M', 'T', 'F', 'S', 5, 1};
  memcpy(d.bytes.data(), head0, sizeof head0);
  const uint8_t link[] = {0, 5, 1, 0x88, 0}; // empty label, link to block 1
  memcpy(d.bytes.data() + sizeof head0 + 16, link, sizeof link);
  tfs::Dictionary dict;
  tfs::Volume empty;
  EXPECT_TRUE(dict.init(kAlloc, empty));
  uint8_t value[512];
  tfs::RecordBuilder rb(dict, value, sizeof value);
  rb.tuple(s.digest_at_root ? 3 : 2);
  rb.name("children");
  rb.tuple(s.hard_link ? 2 : 1);
  rb.name("a");
  uint32_t file = rb.tuple(2 + (s.digest_in_child ? 1 : 0) + (s.self_loop ? 1 : 0) +
                           (s.chunk_digests.empty() ? 0 : 1));
  if (!s.chunk_digests.empty()) {
    rb.name("chunk_digests");
    rb.string(s.chunk_digests.data(), s.chunk_digests.size());
  }
  if (s.self_loop) {
    rb.name("self");
    rb.tuple_ref(file, 0);
  }
  rb.name("extents");
  rb.tuple(1);
  rb.decimal_name(0);
  rb.tuple(3);
  rb.name("offset");
  rb.integer(s.extent_offset);
  rb.name("length");
  rb.integer(s.extent_blocks);
  rb.name("allocated");
  rb.integer(s.extent_blocks);
  rb.name("filelength");
  rb.integer(s.extent_blocks * 512);
  if (s.digest_in_child) {
    rb.name("image_digest");
    rb.string("x", 1);
  }
  if (s.hard_link) {
    rb.name("b");
    rb.tuple_ref(file, 0);
  }
  rb.name("program");
  rb.string(s.program.data(), s.program.size());
  if (s.digest_at_root) {
    rb.name("image_digest");
    rb.string(s.digest_at_root, strlen(s.digest_at_root));
  }
  EXPECT_TRUE(rb.ok());
  uint8_t* ext = d.bytes.data() + 512;
  const uint8_t head[] = {'N', 'V', 'M', 'T', 'F', 'S', 5, 0x88, 0};
  memcpy(ext, head, sizeof head);
  size_t pos = sizeof head;
  // TUPLE_AVAILABLE, then the value's total and segment lengths as varints.
  EXPECT_LT(rb.size(), 16384u);
  ext[pos++] = 2;
  for (int twice = 0; twice < 2; ++twice)
    pos += tfs::encode_varint(rb.size(), ext + pos);
  memcpy(ext + pos, value, rb.size());
  ext[pos + rb.size()] = 1;
  dict.release();
  for (uint64_t i = 0; i < 3 * 512; ++i) // file data at block 2000
    d.bytes[2000 * 512 + i] = static_cast<uint8_t>(i * 7 + 1);
  return d;
}

tfs::DigestStatus digest_of(Disk& d, tfs::ContentDigest* out, uint32_t buffer_blocks = 2) {
  tfs::Volume v;
  tfs::BlockReader r{disk_read, &d};
  tfs::DecodeStatus st = tfs::decode(r, kAlloc, d.bytes.size() / 512, &v);
  EXPECT_TRUE(st.ok()) << (st.what ? st.what : "");
  std::vector<uint8_t> buffer(buffer_blocks * 512);
  tfs::DigestStatus ds =
      tfs::compute_digest(v, r, d.bytes.size() / 512, buffer.data(), buffer_blocks, out);
  tfs::release(&v, kAlloc);
  return ds;
}

tfs::ContentDigest digest_of(const Shape& s) {
  Disk d = make_volume(s);
  tfs::ContentDigest c;
  EXPECT_TRUE(digest_of(d, &c).ok());
  return c;
}

TEST(TfsDigest, SameVolumeSameDigestWhateverTheReadSize) {
  Disk d = make_volume(Shape{});
  tfs::ContentDigest a, b, c;
  ASSERT_TRUE(digest_of(d, &a, 1).ok());
  ASSERT_TRUE(digest_of(d, &b, 2).ok());
  ASSERT_TRUE(digest_of(d, &c, 64).ok());
  EXPECT_EQ(a.metadata, b.metadata);
  EXPECT_EQ(a.data, b.data);
  EXPECT_EQ(a.metadata, c.metadata);
  EXPECT_EQ(a.data, c.data);
}

TEST(TfsDigest, DataIsTheExtentBlocks) {
  Disk d = make_volume(Shape{});
  tfs::ContentDigest c;
  ASSERT_TRUE(digest_of(d, &c).ok());
  EXPECT_EQ(c.data, xxh3::hash128(d.bytes.data() + 2000 * 512, 3 * 512));
}

TEST(TfsDigest, AFlippedDataByteChangesOnlyTheDataHash) {
  Disk d = make_volume(Shape{});
  tfs::ContentDigest before, after;
  ASSERT_TRUE(digest_of(d, &before).ok());
  d.bytes[2001 * 512 + 17] ^= 0x01;
  ASSERT_TRUE(digest_of(d, &after).ok());
  EXPECT_EQ(before.metadata, after.metadata);
  EXPECT_NE(before.data, after.data);
  // a byte outside every extent is not content
  d.bytes[2001 * 512 + 17] ^= 0x01;
  d.bytes[3000 * 512] ^= 0xFF;
  ASSERT_TRUE(digest_of(d, &after).ok());
  EXPECT_EQ(before.data, after.data);
}

TEST(TfsDigest, MetadataChangesChangeTheMetadataHash) {
  tfs::ContentDigest base = digest_of(Shape{});
  Shape other_program;
  other_program.program = "/b";
  EXPECT_NE(digest_of(other_program).metadata, base.metadata);
  Shape shorter;
  shorter.extent_blocks = 2;
  tfs::ContentDigest s = digest_of(shorter);
  EXPECT_NE(s.metadata, base.metadata);
  EXPECT_NE(s.data, base.data);
}

TEST(TfsDigest, TheRootImageDigestKeyIsLeftOutButNotOneElsewhere) {
  tfs::ContentDigest base = digest_of(Shape{});
  Shape with_key;
  with_key.digest_at_root = "anything";
  tfs::ContentDigest k = digest_of(with_key);
  EXPECT_EQ(k.metadata, base.metadata);
  EXPECT_EQ(k.data, base.data);
  Shape nested;
  nested.digest_in_child = true;
  EXPECT_NE(digest_of(nested).metadata, base.metadata);
}

TEST(TfsDigest, ExtentsPastThePartitionAreAnError) {
  Shape s;
  s.extent_offset = 4095; // 3 blocks from 4095 run past the 4096-block partition
  Disk d = make_volume(s);
  tfs::ContentDigest c;
  tfs::DigestStatus st = digest_of(d, &c);
  EXPECT_EQ(st.error, tfs::DigestError::kIo);
  Shape huge;
  huge.extent_blocks = 5000; // more blocks than the partition has
  Disk h = make_volume(huge);
  EXPECT_EQ(digest_of(h, &c).error, tfs::DigestError::kTooLarge);
}

TEST(TfsDigest, ASharedSubtreeIsHashedOnEachPathALoopIsRefused) {
  // The writer never shares a tuple (the kernel's hard links come after it removed the key),
  // but a log may: the walk's work is bounded by the log's dictionary, so a loop stops.
  Shape shared;
  shared.hard_link = true;
  Disk d = make_volume(shared);
  tfs::ContentDigest c;
  ASSERT_TRUE(digest_of(d, &c).ok());
  EXPECT_NE(c.metadata, digest_of(Shape{}).metadata);
  std::vector<uint8_t> once(d.bytes.begin() + 2000 * 512, d.bytes.begin() + 2003 * 512);
  std::vector<uint8_t> twice = once;
  twice.insert(twice.end(), once.begin(), once.end());
  EXPECT_EQ(c.data, xxh3::hash128(twice.data(), twice.size())); // a's blocks on both paths
  Shape loop;
  loop.self_loop = true;
  Disk l = make_volume(loop);
  tfs::DigestStatus st = digest_of(l, &c);
  EXPECT_EQ(st.error, tfs::DigestError::kTooLarge);
  EXPECT_NE(st.what, nullptr);
}

TEST(TfsDigest, TextFormRoundTripsAndRejectsOthers) {
  tfs::ContentDigest c{{1, 2}, {0xFEDCBA9876543210ull, 0x0123456789ABCDEFull}};
  char text[tfs::kDigestTextLength + 1];
  tfs::format_digest(c, text);
  EXPECT_STREQ(text, "xxh3-128:00000000000000020000000000000001:"
                     "0123456789abcdeffedcba9876543210");
  tfs::ContentDigest back;
  auto bytes = reinterpret_cast<const uint8_t*>(text);
  ASSERT_TRUE(tfs::parse_digest(bytes, strlen(text), &back));
  EXPECT_EQ(back.metadata, c.metadata);
  EXPECT_EQ(back.data, c.data);
  EXPECT_FALSE(tfs::parse_digest(bytes, strlen(text) - 1, &back));
  std::string bad = text;
  bad[41] = '-';
  EXPECT_FALSE(tfs::parse_digest(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), &back));
  bad = text;
  bad[0] = 'X';
  EXPECT_FALSE(tfs::parse_digest(reinterpret_cast<const uint8_t*>(bad.data()), bad.size(), &back));
}

} // namespace

// ---- the metadata-only check and chunk digests ----
namespace {

struct MetadataOnly {
  tfs::DigestStatus status;
  xxh3::Hash128 metadata;
  uint64_t uncovered = 0;
};
MetadataOnly metadata_only(Disk& d) {
  tfs::Volume v;
  tfs::BlockReader r{disk_read, &d};
  EXPECT_TRUE(tfs::decode(r, kAlloc, d.bytes.size() / 512, &v).ok());
  MetadataOnly m;
  m.status = tfs::compute_metadata_digest(v, d.bytes.size() / 512, &m.metadata, &m.uncovered);
  tfs::release(&v, kAlloc);
  return m;
}

std::string hex_of(const void* data, size_t len) {
  char text[xxh3::kHexLength + 1];
  xxh3::to_hex(xxh3::hash128(data, len), text);
  return text;
}

TEST(TfsDigest, ChunkCountsAndSizes) {
  EXPECT_EQ(tfs::chunk_count(0), 0u);
  EXPECT_EQ(tfs::chunk_count(1), 1u);
  EXPECT_EQ(tfs::chunk_blocks(1, 0), 1u);
  EXPECT_EQ(tfs::chunk_count(65536), 1u);
  EXPECT_EQ(tfs::chunk_blocks(65536, 0), 128u);
  EXPECT_EQ(tfs::chunk_count(65537), 2u);
  EXPECT_EQ(tfs::chunk_blocks(65537, 0), 128u);
  EXPECT_EQ(tfs::chunk_blocks(65537, 1), 1u);
  EXPECT_EQ(tfs::chunk_blocks(65537, 2), 0u);
  EXPECT_EQ(tfs::chunk_count(3 * 65536 + 513), 4u);
  EXPECT_EQ(tfs::chunk_blocks(3 * 65536 + 513, 3), 2u);
}

TEST(TfsDigest, MetadataOnlyHashesWhatTheFullDigestHashesAndReadsNoData) {
  Shape s;
  Disk d = make_volume(s);
  s.chunk_digests = hex_of(d.bytes.data() + 2000 * 512, 3 * 512); // one chunk of 3 blocks
  d = make_volume(s);
  tfs::ContentDigest full;
  ASSERT_TRUE(digest_of(d, &full).ok());
  MetadataOnly m = metadata_only(d);
  ASSERT_TRUE(m.status.ok());
  EXPECT_EQ(m.metadata, full.metadata);
  EXPECT_EQ(m.uncovered, 0u);
  // The chunk digests are metadata: another value changes the metadata hash.
  Shape other = s;
  other.chunk_digests[0] = other.chunk_digests[0] == '0' ? '1' : '0';
  Disk o = make_volume(other);
  EXPECT_NE(metadata_only(o).metadata, m.metadata);
  // No data is read: damage to the file's blocks leaves the metadata-only check unchanged.
  d.bytes[2000 * 512] ^= 1;
  EXPECT_EQ(metadata_only(d).metadata, m.metadata);
}

TEST(TfsDigest, FilesWithDataButNoUsableChunkDigestsAreCounted) {
  Disk none = make_volume(Shape{});
  EXPECT_EQ(metadata_only(none).uncovered, 1u);
  Shape wrong_length;
  wrong_length.chunk_digests = std::string(64, '0'); // two digests for a one-chunk file
  Disk w = make_volume(wrong_length);
  EXPECT_EQ(metadata_only(w).uncovered, 1u);
}

TEST(TfsDigest, ChunkDigestsOfAndChunkMatches) {
  Shape s;
  Disk d = make_volume(s);
  s.chunk_digests = hex_of(d.bytes.data() + 2000 * 512, 3 * 512);
  d = make_volume(s);
  const uint8_t* data = d.bytes.data() + 2000 * 512; // the same bytes in the new volume
  tfs::Volume v;
  tfs::BlockReader r{disk_read, &d};
  ASSERT_TRUE(tfs::decode(r, kAlloc, d.bytes.size() / 512, &v).ok());
  const tfs::Value* a = tfs::get(tfs::get(v.root, "children"), "a");
  const tfs::Value* digests = tfs::chunk_digests_of(a, 3 * 512);
  ASSERT_NE(digests, nullptr);
  EXPECT_EQ(tfs::chunk_digests_of(a, 3 * 512 + 65536), nullptr); // two chunks: wrong length
  EXPECT_EQ(tfs::chunk_digests_of(a, 0), nullptr);               // an empty file has none
  std::vector<uint8_t> chunk(data, data + 3 * 512);
  EXPECT_TRUE(tfs::chunk_matches(digests, 0, chunk.data(), chunk.size()));
  EXPECT_FALSE(tfs::chunk_matches(digests, 1, chunk.data(), chunk.size())); // no such chunk
  chunk[700] ^= 0x40;
  EXPECT_FALSE(tfs::chunk_matches(digests, 0, chunk.data(), chunk.size()));
  tfs::release(&v, kAlloc);
}

} // namespace
