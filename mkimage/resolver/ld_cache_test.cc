#include "resolver/error_text.h"
#include "resolver/ld_cache.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"

#include "gtest/gtest.h"
#include <cstdio>
#include <cstring>
#include <unistd.h>

namespace mkimage {
namespace {

// Builds a "glibc-ld.so.cache1.1" image like ldconfig does: header, entries, strings, and
// optionally a glibc-hwcaps extension.
class CacheBuilder {
public:
  struct In {
    int32_t flags;
    std::string key, value;
    uint64_t hwcap;
  };
  std::string build(const std::vector<In>& entries, const std::vector<std::string>& hwcaps) {
    size_t stringsAt = 48 + entries.size() * 24;
    std::string strings;
    auto addString = [&](const std::string& s) {
      uint32_t at = uint32_t(stringsAt + strings.size());
      strings += s;
      strings += '\0';
      return at;
    };
    std::string table;
    for (const In& e : entries) {
      uint32_t key = addString(e.key), value = addString(e.value);
      put(table, e.flags), put(table, key), put(table, value), put(table, uint32_t(0)),
          put(table, e.hwcap);
    }
    std::vector<uint32_t> hwcapOffsets;
    for (const std::string& h : hwcaps)
      hwcapOffsets.push_back(addString(h));
    while ((stringsAt + strings.size()) % 4)
      strings += '\0';
    uint32_t extension = 0;
    std::string ext;
    if (!hwcaps.empty()) {
      extension = uint32_t(stringsAt + strings.size());
      uint32_t arrayAt = extension + 8 + 16;
      put(ext, uint32_t(0xeaa42174)), put(ext, uint32_t(1));
      put(ext, uint32_t(1)), put(ext, uint32_t(0)), put(ext, arrayAt),
          put(ext, uint32_t(hwcapOffsets.size() * 4));
      for (uint32_t o : hwcapOffsets)
        put(ext, o);
    }
    std::string header = "glibc-ld.so.cache1.1";
    put(header, uint32_t(entries.size())), put(header, uint32_t(strings.size()));
    header += std::string(4, '\0'); // flags + padding
    put(header, extension);
    header += std::string(12, '\0');
    return header + table + strings + ext;
  }

private:
  template <typename T> static void put(std::string& s, T v) {
    s.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
};

constexpr int32_t kX8664 = 0x0303;
constexpr uint64_t kExt = uint64_t(1) << 62;

TEST(LdCache, PicksTheBestSupportedHwcapsEntryElseThePlainOne) {
  std::string data = CacheBuilder().build(
      {
          {kX8664, "libfoo.so.1", "/usr/lib/glibc-hwcaps/x86-64-v3/libfoo.so.1", kExt | 1},
          {kX8664, "libfoo.so.1", "/usr/lib/glibc-hwcaps/x86-64-v2/libfoo.so.1", kExt | 0},
          {0x0003, "libfoo.so.1", "/usr/lib32/libfoo.so.1", 0}, // wrong flags: i386
          {kX8664, "libfoo.so.1", "/usr/lib/libfoo.so.1", 0},
          {kX8664, "libbar.so", "/usr/lib/libbar.so", 0},
      },
      {"x86-64-v2", "x86-64-v3"});
  auto cache = LdCache::parse("test-cache", data);
  ASSERT_TRUE(bool(cache)) << errorText(cache.takeError());
  EXPECT_EQ(cache->size(), 5u);
  EXPECT_EQ(cache->lookup("libfoo.so.1", {}), "/usr/lib/libfoo.so.1");
  EXPECT_EQ(cache->lookup("libfoo.so.1", {"x86-64-v2"}),
            "/usr/lib/glibc-hwcaps/x86-64-v2/libfoo.so.1");
  EXPECT_EQ(cache->lookup("libfoo.so.1", {"x86-64-v4", "x86-64-v3", "x86-64-v2"}),
            "/usr/lib/glibc-hwcaps/x86-64-v3/libfoo.so.1");
  EXPECT_EQ(cache->lookup("libbar.so", {"x86-64-v3"}), "/usr/lib/libbar.so");
  EXPECT_EQ(cache->lookup("libnone.so", {}), "");
}

TEST(LdCache, OldFormatPrefixIsSkipped) {
  std::string fresh = CacheBuilder().build({{kX8664, "liba.so", "/lib/liba.so", 0}}, {});
  std::string old = "ld.so-1.7.0";
  old += std::string(1, '\0');
  uint32_t one = 1;
  old.append(reinterpret_cast<const char*>(&one), 4);
  old += std::string(12, '\0'); // one old entry
  old += std::string(4, '\0');  // align to 8
  auto cache = LdCache::parse("old", old + fresh);
  // Offsets of the new table are relative to its own header.
  ASSERT_TRUE(bool(cache)) << errorText(cache.takeError());
  EXPECT_EQ(cache->lookup("liba.so", {}), "/lib/liba.so");
}

TEST(LdCache, CorruptInputIsAnErrorNotACrash) {
  std::string good = CacheBuilder().build({{kX8664, "liba.so", "/lib/liba.so", 0}}, {"x"});
  for (size_t cut : {size_t(0), size_t(10), size_t(47), size_t(60)}) {
    auto cache = LdCache::parse("cut", good.substr(0, cut));
    EXPECT_FALSE(bool(cache)) << cut;
    if (!cache) {
      EXPECT_NE(errorText(cache.takeError()).find("cut: "), std::string::npos);
    }
  }
  std::string huge = good;
  uint32_t many = 0x10000000;
  memcpy(huge.data() + 20, &many, 4);
  auto cache = LdCache::parse("huge", huge);
  ASSERT_FALSE(bool(cache));
  EXPECT_NE(errorText(cache.takeError()).find("exceeds the file size"), std::string::npos);
  // Out-of-range string offsets: the entry is ignored, as ld.so ignores it.
  std::string bad = good;
  uint32_t far = 0xfffffff0;
  memcpy(bad.data() + 48 + 8, &far, 4);
  cache = LdCache::parse("bad", bad);
  ASSERT_TRUE(bool(cache));
  EXPECT_EQ(cache->lookup("liba.so", {}), "");
}

TEST(LdCache, HostCacheFindsLibc) {
  auto buffer = llvm::MemoryBuffer::getFile("/etc/ld.so.cache", false, false);
  if (!buffer)
    GTEST_SKIP() << "no /etc/ld.so.cache";
  auto cache = LdCache::parse("/etc/ld.so.cache", (*buffer)->getBuffer());
  ASSERT_TRUE(bool(cache)) << errorText(cache.takeError());
  EXPECT_GT(cache->size(), 10u);
  std::string libc = cache->lookup("libc.so.6", {});
  EXPECT_NE(libc.find("/libc.so.6"), std::string::npos) << libc;
}

TEST(LdCache, NameOrderComparesDigitRunsAsNumbers) {
  EXPECT_GT(LdCache::compareNames("libc.so.10", "libc.so.9"), 0);
  EXPECT_LT(LdCache::compareNames("libc.so.9", "libc.so.10"), 0);
  EXPECT_GT(LdCache::compareNames("libz3.so.4", "libzstd.so.1"), 0); // a digit sorts last
  EXPECT_GT(LdCache::compareNames("libfoo.so.6", "libfoo.so"), 0);
  EXPECT_LT(LdCache::compareNames("libfoo.so", "libfoo.so.6"), 0);
  EXPECT_EQ(LdCache::compareNames("libm.so.6", "libm.so.6"), 0);
  EXPECT_EQ(LdCache::compareNames("libx.so.06", "libx.so.6"), 0); // the same number
  EXPECT_LT(LdCache::compareNames("liba.so", "libb.so"), 0);
}

// The host's own cache, as its ldconfig sorted it, is in descending compareNames order:
// the order ld.so's binary search relies on.
TEST(LdCache, TheHostLdconfigOrderIsDescendingCompareNames) {
  auto buf = llvm::MemoryBuffer::getFile("/etc/ld.so.cache");
  if (!buf)
    GTEST_SKIP() << "no /etc/ld.so.cache";
  std::string data = (*buf)->getBuffer().str();
  size_t start = data.find("glibc-ld.so.cache1.1");
  ASSERT_NE(start, std::string::npos);
  llvm::StringRef table = llvm::StringRef(data).substr(start);
  uint32_t nlibs;
  memcpy(&nlibs, table.data() + 20, 4);
  ASSERT_GT(nlibs, 10u);
  std::vector<llvm::StringRef> keys;
  for (uint32_t i = 0; i < nlibs; ++i) {
    uint32_t key;
    memcpy(&key, table.data() + 48 + i * 24 + 4, 4);
    keys.push_back(llvm::StringRef(table.data() + key));
  }
  for (size_t i = 1; i < keys.size(); ++i)
    EXPECT_GE(LdCache::compareNames(keys[i - 1], keys[i]), 0)
        << keys[i - 1].str() << " / " << keys[i].str();
}

TEST(LdCache, WrittenCachesReadBackAndKeepTheFirstPathOfAName) {
  std::string data = LdCache::write({{"libm.so.6", "/lib/x86_64-linux-gnu/libm.so.6"},
                                     {"libc.so.6", "/lib/x86_64-linux-gnu/libc.so.6"},
                                     {"libfoo.so.10", "/opt/lib/libfoo.so.10"},
                                     {"libfoo.so.9", "/opt/lib/libfoo.so.9"},
                                     {"libm.so.6", "/elsewhere/libm.so.6"}});
  auto cache = LdCache::parse("written", data);
  ASSERT_TRUE(bool(cache)) << llvm::toString(cache.takeError());
  EXPECT_EQ(cache->size(), 4u);
  EXPECT_EQ(cache->lookup("libm.so.6", {}), "/lib/x86_64-linux-gnu/libm.so.6");
  EXPECT_EQ(cache->lookup("libc.so.6", {"x86-64-v2"}), "/lib/x86_64-linux-gnu/libc.so.6");
  EXPECT_EQ(cache->lookup("libfoo.so.9", {}), "/opt/lib/libfoo.so.9");
  EXPECT_EQ(cache->lookup("libnone.so.1", {}), "");
  // Entries in descending name order; the little-endian flag set; no extension.
  uint32_t first, second;
  memcpy(&first, data.data() + 48 + 4, 4);
  memcpy(&second, data.data() + 48 + 24 + 4, 4);
  EXPECT_STREQ(data.data() + first, "libm.so.6");
  EXPECT_STREQ(data.data() + second, "libfoo.so.10");
  EXPECT_EQ(data[28], 2);
  EXPECT_EQ(LdCache::write({}).size(), 48u);
}

// glibc's own reader agrees: `ldconfig -p -C FILE` lists what was written.
TEST(LdCache, HostLdconfigListsAWrittenCache) {
  if (::access("/sbin/ldconfig", X_OK) != 0)
    GTEST_SKIP() << "no /sbin/ldconfig";
  std::string data = LdCache::write({{"libdemo.so.3", "/srv/lib/libdemo.so.3"},
                                     {"libother.so.1", "/srv/lib/libother.so.1"}});
  llvm::SmallString<64> path;
  ASSERT_FALSE(llvm::sys::fs::createTemporaryFile("ldcache", "bin", path));
  {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr);
    ASSERT_EQ(std::fwrite(data.data(), 1, data.size(), f), data.size());
    std::fclose(f);
  }
  std::string cmd = "/sbin/ldconfig -p -C '" + std::string(path) + "' 2>&1";
  std::FILE* p = ::popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string out;
  char buf[256];
  while (size_t n = std::fread(buf, 1, sizeof buf, p))
    out.append(buf, n);
  ::pclose(p);
  llvm::sys::fs::remove(path);
  EXPECT_NE(out.find("2 libs found in cache"), std::string::npos) << out;
  EXPECT_NE(out.find("libdemo.so.3 (libc6,x86-64) => /srv/lib/libdemo.so.3"), std::string::npos)
      << out;
  EXPECT_NE(out.find("libother.so.1 (libc6,x86-64) => /srv/lib/libother.so.1"), std::string::npos)
      << out;
}

} // namespace
} // namespace mkimage
