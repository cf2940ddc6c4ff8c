// Appending to a log: records built with RecordBuilder, framed by LogTail into an in-memory
// partition, read back by the decoder (the same one the kernel, stage2 and the reader use).
#include "lib/tfs/tfs_append.h"

#include <gtest/gtest.h>

#include <cstring>
#include <stdlib.h>
#include <string.h>

#include <string>
#include <vector>

namespace {

void* host_alloc(void*, size_t n) { return malloc(n); }
void host_free(void*, void* p) { free(p); }
const tfs::Allocator kAlloc{host_alloc, host_free, nullptr};

struct Disk {
  std::vector<uint8_t> bytes;
  uint64_t next_free = 0; // bump allocator for new extensions
  int writes = 0;
};
bool disk_read(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* d = static_cast<Disk*>(ctx);
  if ((block + count) * 512 > d->bytes.size())
    return false;
  memcpy(buf, d->bytes.data() + block * 512, count * 512);
  return true;
}
bool disk_write(void* ctx, uint64_t block, uint32_t count, const void* buf) {
  auto* d = static_cast<Disk*>(ctx);
  if ((block + count) * 512 > d->bytes.size())
    return false;
  memcpy(d->bytes.data() + block * 512, buf, count * 512);
  ++d->writes;
  return true;
}
bool disk_extension(void* ctx, uint64_t nblocks, uint64_t* block) {
  auto* d = static_cast<Disk*>(ctx);
  if ((d->next_free + nblocks) * 512 > d->bytes.size())
    return false;
  *block = d->next_free;
  d->next_free += nblocks;
  return true;
}

// A volume as the image writer lays it out: block 0 links to a 1024-block extension at 1
// holding the root (children: (a: file), program: "/a").
Disk make_volume(uint64_t blocks) {
  Disk d;
  d.bytes.assign(blocks * 512, 0);
  d.next_free = 1025;
  const uint8_t head0[] = {'N', 'V', 'M', 'T', 'F', 'S', 5, 1};
  memcpy(d.bytes.data(), head0, sizeof head0);
  // UUID (16 zero bytes) and an empty label, then the link to block 1.
  const uint8_t link[] = {0, 5, 1, 0x88, 0};
  memcpy(d.bytes.data() + sizeof head0 + 16, link, sizeof link);
  tfs::Dictionary dict;
  tfs::Volume empty;
  EXPECT_TRUE(dict.init(kAlloc, empty));
  uint8_t value[256];
  tfs::RecordBuilder rb(dict, value, sizeof value);
  EXPECT_EQ(rb.tuple(2), 1u); // the root must be dictionary entry 1
  rb.name("children");
  rb.tuple(1);
  rb.name("a");
  rb.tuple(2);
  rb.name("extents");
  rb.tuple(0);
  rb.name("filelength");
  rb.integer(0);
  rb.name("program");
  rb.string("/a", 2);
  EXPECT_TRUE(rb.ok());
  uint8_t* ext = d.bytes.data() + 512;
  const uint8_t head[] = {'N', 'V', 'M', 'T', 'F', 'S', 5, 0x88, 0};
  memcpy(ext, head, sizeof head);
  size_t pos = sizeof head;
  ext[pos++] = 2;
  ext[pos++] = static_cast<uint8_t>(rb.size()); // < 128: one varint byte
  ext[pos++] = static_cast<uint8_t>(rb.size());
  memcpy(ext + pos, value, rb.size());
  ext[pos + rb.size()] = 1;
  dict.release();
  return d;
}

tfs::Volume decode(Disk& d) {
  tfs::Volume v;
  tfs::BlockReader r{disk_read, &d};
  tfs::DecodeStatus st = tfs::decode(r, kAlloc, d.bytes.size() / 512, &v);
  EXPECT_TRUE(st.ok()) << (st.what ? st.what : "") << " at " << st.offset;
  return v;
}

const tfs::Value* child(const tfs::Value* dir, const char* name) {
  return tfs::get(tfs::get(dir, "children"), reinterpret_cast<const uint8_t*>(name),
                  std::strlen(name));
}

size_t count_inline(const Disk& d, const char* sym) {
  std::string needle(1, static_cast<char>(0x80 | (strlen(sym) < 8 ? strlen(sym) : 0)));
  if (strlen(sym) >= 8)
    needle = std::string{static_cast<char>(0x88), static_cast<char>(strlen(sym))};
  needle += sym;
  std::string hay(d.bytes.begin(), d.bytes.end());
  size_t n = 0;
  for (size_t at = hay.find(needle); at != std::string::npos; at = hay.find(needle, at + 1))
    ++n;
  return n;
}

struct Appender {
  Disk& disk;
  tfs::Volume vol;
  tfs::Dictionary dict;
  tfs::LogTail tail;
  tfs::BlockWriter writer{disk_write, &disk};
  tfs::ExtensionSource source{disk_extension, &disk};
  uint8_t buf[1024];
  explicit Appender(Disk& d) : disk(d), vol(decode(d)) {
    EXPECT_TRUE(dict.init(kAlloc, vol));
    tfs::BlockReader r{disk_read, &d};
    EXPECT_EQ(tail.open(kAlloc, r, vol), tfs::AppendResult::kOk);
  }
  ~Appender() {
    tail.release();
    dict.release();
    tfs::release(&vol, kAlloc);
  }
  template <typename F> tfs::AppendResult add(F build) {
    tfs::Dictionary::Mark m = dict.mark();
    tfs::RecordBuilder rb(dict, buf, sizeof buf);
    build(rb);
    EXPECT_TRUE(rb.ok());
    tfs::AppendResult r = tail.append(buf, rb.size(), writer, source);
    if (r != tfs::AppendResult::kOk)
      dict.rollback(m);
    return r;
  }
};

TEST(TfsAppend, DictionaryComesFromTheDecodedLog) {
  Disk d = make_volume(4096);
  tfs::Volume v = decode(d);
  // root 1, children 2, its tuple 3, a 4, a's tuple 5, extents 6, its tuple 7, filelength 8,
  // program 9.
  EXPECT_EQ(v.next_index, 10u);
  EXPECT_EQ(v.tail_block, 1u);
  EXPECT_EQ(v.tail_blocks, 1024u);
  tfs::Dictionary dict;
  ASSERT_TRUE(dict.init(kAlloc, v));
  EXPECT_EQ(dict.find(reinterpret_cast<const uint8_t*>("children"), 8), 2u);
  EXPECT_EQ(dict.find(reinterpret_cast<const uint8_t*>("a"), 1), 4u);
  EXPECT_EQ(dict.find(reinterpret_cast<const uint8_t*>("nope"), 4), 0u);
  EXPECT_EQ(child(v.root, "a")->index, 5u);
  dict.release();
  tfs::release(&v, kAlloc);
}

TEST(TfsAppend, RecordsAfterEndOfLogAreReadBack) {
  Disk d = make_volume(4096);
  uint32_t b_tuple = 0, b_extents = 0, ext_tuple = 0;
  {
    Appender a(d);
    const tfs::Value* children = tfs::get(a.vol.root, "children");
    uint32_t children_index = children->index;
    uint32_t a_index = child(a.vol.root, "a")->index;
    // New file b with an extent, a's length changed, then a removed and b renamed to c.
    ASSERT_EQ(a.add([&](tfs::RecordBuilder& rb) {
      rb.tuple_ref(children_index, 1);
      rb.name("b");
      b_tuple = rb.tuple(2);
      rb.name("extents");
      b_extents = rb.tuple(0);
      rb.name("filelength");
      rb.integer(0);
    }), tfs::AppendResult::kOk);
    ASSERT_EQ(a.add([&](tfs::RecordBuilder& rb) {
      rb.tuple_ref(b_extents, 1);
      rb.decimal_name(0);
      ext_tuple = rb.tuple(3);
      rb.name("offset");
      rb.integer(3000);
      rb.name("length");
      rb.integer(2);
      rb.name("allocated");
      rb.integer(64);
    }), tfs::AppendResult::kOk);
    ASSERT_EQ(a.add([&](tfs::RecordBuilder& rb) {
      rb.tuple_ref(b_tuple, 1);
      rb.name("filelength");
      rb.integer(1000);
    }), tfs::AppendResult::kOk);
    ASSERT_EQ(a.add([&](tfs::RecordBuilder& rb) {
      rb.tuple_ref(a_index, 1);
      rb.name("filelength");
      rb.integer(7);
    }), tfs::AppendResult::kOk);
    ASSERT_EQ(a.add([&](tfs::RecordBuilder& rb) {
      rb.tuple_ref(children_index, 3);
      rb.name("a");
      rb.remove();
      rb.name("c");
      rb.tuple_ref(b_tuple, 0);
      rb.name("b");
      rb.remove();
    }), tfs::AppendResult::kOk);
    EXPECT_TRUE(a.tail.dirty());
    ASSERT_EQ(a.tail.flush(a.writer), tfs::AppendResult::kOk);
    EXPECT_FALSE(a.tail.dirty());
  }
  tfs::Volume v = decode(d);
  EXPECT_EQ(child(v.root, "a"), nullptr);
  EXPECT_EQ(child(v.root, "b"), nullptr);
  const tfs::Value* c = child(v.root, "c");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->index, b_tuple);
  uint64_t n = 0;
  ASSERT_TRUE(tfs::to_u64(tfs::get(c, "filelength"), &n));
  EXPECT_EQ(n, 1000u);
  tfs::Extent e;
  ASSERT_TRUE(tfs::extent_at(tfs::get(c, "extents"), 0, &e));
  EXPECT_EQ(e.file_block, 0u);
  EXPECT_EQ(e.disk_block, 3000u);
  EXPECT_EQ(e.length, 2u);
  EXPECT_EQ(e.allocated, 64u);
  EXPECT_EQ(tfs::get(c, "extents")->items[0].value->index, ext_tuple);
  // Symbols are written inline once in the whole log (spec §3.4).
  EXPECT_EQ(count_inline(d, "filelength"), 1u);
  EXPECT_EQ(count_inline(d, "extents"), 1u);
  EXPECT_EQ(count_inline(d, "offset"), 1u);
  // The old END_OF_LOG became END_OF_SEGMENT; the first appended frame follows it.
  size_t old_end = 512 + 9 + 3 + d.bytes[512 + 10];
  EXPECT_EQ(d.bytes[old_end], 4);
  EXPECT_EQ(d.bytes[old_end + 1], 2);
  tfs::release(&v, kAlloc);
}

TEST(TfsAppend, FullExtensionLinksANewOne) {
  Disk d = make_volume(8192);
  int added = 0;
  {
    Appender a(d);
    uint32_t children_index = tfs::get(a.vol.root, "children")->index;
    std::string name;
    // ~200 bytes a record: 512 KiB holds about 2600; 4000 need a second extension.
    for (int i = 0; i < 4000; ++i) {
      name = "file-with-a-long-name-" + std::to_string(i) + std::string(160, 'x');
      ASSERT_EQ(a.add([&](tfs::RecordBuilder& rb) {
        rb.tuple_ref(children_index, 1);
        rb.name(name.c_str());
        rb.tuple(1);
        rb.name("extents");
        rb.tuple(0);
      }), tfs::AppendResult::kOk) << i;
      ++added;
    }
    EXPECT_EQ(a.tail.extension_block(), 1025u);
    ASSERT_EQ(a.tail.flush(a.writer), tfs::AppendResult::kOk);
  }
  tfs::Volume v = decode(d);
  EXPECT_EQ(v.extensions, 3u); // block 0, block 1, the new one
  EXPECT_EQ(v.tail_block, 1025u);
  EXPECT_EQ(tfs::get(v.root, "children")->count, 1u + added);
  std::string last = "file-with-a-long-name-3999" + std::string(160, 'x');
  EXPECT_NE(tfs::get(tfs::get(v.root, "children"), reinterpret_cast<const uint8_t*>(last.data()),
                     last.size()),
            nullptr);
  // The link sits in the first extension, with room to spare (spec §3.2).
  tfs::release(&v, kAlloc);
}

TEST(TfsAppend, NoSpaceForAnExtensionLeavesTheLogIntact) {
  Disk d = make_volume(1100); // room for no second 1024-block extension
  {
    Appender a(d);
    uint32_t children_index = tfs::get(a.vol.root, "children")->index;
    std::string name;
    tfs::AppendResult r = tfs::AppendResult::kOk;
    int i = 0;
    for (; i < 5000 && r == tfs::AppendResult::kOk; ++i) {
      name = "n" + std::to_string(i) + std::string(180, 'y');
      r = a.add([&](tfs::RecordBuilder& rb) {
        rb.tuple_ref(children_index, 1);
        rb.name(name.c_str());
        rb.tuple(0);
      });
    }
    EXPECT_EQ(r, tfs::AppendResult::kNoSpace);
    ASSERT_EQ(a.tail.flush(a.writer), tfs::AppendResult::kOk);
  }
  tfs::Volume v = decode(d); // still a valid log ending in the first extension
  EXPECT_EQ(v.tail_block, 1u);
  EXPECT_GT(tfs::get(v.root, "children")->count, 2000u);
  tfs::release(&v, kAlloc);
}

TEST(TfsAppend, RollbackGivesNumbersBack) {
  tfs::Dictionary dict;
  tfs::Volume empty;
  ASSERT_TRUE(dict.init(kAlloc, empty));
  uint8_t small[4];
  tfs::Dictionary::Mark m = dict.mark();
  tfs::RecordBuilder rb(dict, small, sizeof small);
  rb.tuple(1);
  rb.name("too-long-for-the-buffer");
  EXPECT_FALSE(rb.ok());
  dict.rollback(m);
  EXPECT_EQ(dict.next(), 1u);
  EXPECT_EQ(dict.find(reinterpret_cast<const uint8_t*>("too-long-for-the-buffer"), 23), 0u);
  dict.release();
}

} // namespace
