#include "resolver/ld_cache.h"

#include "resolver/error_text.h"

#include <algorithm>
#include <cstring>
#include <optional>

namespace mkimage {
namespace {

constexpr llvm::StringLiteral kOldMagic = "ld.so-1.7.0";
constexpr llvm::StringLiteral kNewMagic = "glibc-ld.so.cache1.1";
constexpr int32_t kFlagElfLibc6 = 0x0003;
constexpr int32_t kFlagX8664Lib64 = 0x0300;
constexpr int32_t kDefaultId = kFlagElfLibc6 | kFlagX8664Lib64; // _DL_CACHE_DEFAULT_ID
constexpr uint64_t kHwcapExtension = uint64_t(1) << 62;         // DL_CACHE_HWCAP_EXTENSION
constexpr uint32_t kExtensionMagic = 0xeaa42174;
constexpr uint32_t kExtensionTagGlibcHwcaps = 1;

constexpr size_t kOldHeader = 16, kOldEntry = 12; // magic[11]+pad, nlibs; flags,key,value
constexpr size_t kNewHeader = 48, kNewEntry = 24;

llvm::Error fail(llvm::StringRef name, const llvm::Twine& what) {
  return errorLine(name + ": " + what);
}

template <typename T> T load(llvm::StringRef data, size_t offset) {
  T value;
  memcpy(&value, data.data() + offset, sizeof value);
  return value;
}

// A NUL-terminated string at `offset` of `table`, or nullopt when out of bounds.
std::optional<llvm::StringRef> stringAt(llvm::StringRef table, uint64_t offset) {
  if (offset >= table.size())
    return std::nullopt;
  size_t end = table.find('\0', offset);
  if (end == llvm::StringRef::npos)
    return std::nullopt;
  return table.slice(offset, end);
}

} // namespace

llvm::Expected<LdCache> LdCache::parse(llvm::StringRef name, llvm::StringRef data) {
  size_t start = 0;
  if (data.startswith(kOldMagic)) {
    if (data.size() < kOldHeader)
      return fail(name, "truncated old-format header");
    uint64_t nlibs = load<uint32_t>(data, 12);
    start = kOldHeader + nlibs * kOldEntry;
    start = (start + 7) & ~size_t(7); // the new table follows, aligned like ldconfig does
  }
  if (start > data.size() || data.size() - start < kNewHeader ||
      !data.substr(start).startswith(kNewMagic))
    return fail(name, "not a glibc-ld.so.cache1.1 file");
  // Offsets in the new format are relative to the start of its header.
  llvm::StringRef table = data.substr(start);
  uint64_t nlibs = load<uint32_t>(table, 20);
  uint32_t extensionOffset = load<uint32_t>(table, 32);
  if (nlibs > (table.size() - kNewHeader) / kNewEntry)
    return fail(name, "entry count " + llvm::Twine(nlibs) + " exceeds the file size");

  // glibc-hwcaps subdirectory names: the extension section holds string offsets; an
  // entry's low 32 hwcap bits index that array.
  std::vector<std::string> hwcapsNames;
  if (extensionOffset != 0 && extensionOffset % 4 == 0 && extensionOffset <= table.size() - 8 &&
      load<uint32_t>(table, extensionOffset) == kExtensionMagic) {
    uint64_t sections = load<uint32_t>(table, extensionOffset + 4);
    if (sections > (table.size() - extensionOffset - 8) / 16)
      return fail(name, "corrupt extension directory");
    for (uint64_t i = 0; i < sections; ++i) {
      size_t at = extensionOffset + 8 + i * 16;
      uint32_t tag = load<uint32_t>(table, at), offset = load<uint32_t>(table, at + 8),
               size = load<uint32_t>(table, at + 12);
      if (tag != kExtensionTagGlibcHwcaps)
        continue;
      if (offset > table.size() || size > table.size() - offset || size % 4 != 0)
        return fail(name, "corrupt glibc-hwcaps extension");
      for (uint32_t j = 0; j < size / 4; ++j) {
        auto s = stringAt(table, load<uint32_t>(table, offset + j * 4));
        if (!s)
          return fail(name, "corrupt glibc-hwcaps string");
        hwcapsNames.push_back(s->str());
      }
    }
  }

  LdCache cache;
  for (uint64_t i = 0; i < nlibs; ++i) {
    size_t at = kNewHeader + i * kNewEntry;
    int32_t flags = load<int32_t>(table, at);
    uint32_t key = load<uint32_t>(table, at + 4), value = load<uint32_t>(table, at + 8);
    uint64_t hwcap = load<uint64_t>(table, at + 16);
    auto k = stringAt(table, key), v = stringAt(table, value);
    if (!k || !v) // _dl_cache_verify_ptr: ld.so ignores such entries
      continue;
    Entry e{flags, hwcap, v->str(), ""};
    if (hwcap & kHwcapExtension) {
      uint32_t index = uint32_t(hwcap);
      if (index < hwcapsNames.size())
        e.hwcapsSubdir = hwcapsNames[index];
    }
    cache.entries_[*k].push_back(std::move(e));
    ++cache.count_;
  }
  return cache;
}

std::string LdCache::lookup(llvm::StringRef soname,
                            const std::vector<std::string>& glibcHwcaps) const {
  auto it = entries_.find(soname);
  if (it == entries_.end())
    return "";
  const std::string* best = nullptr;
  size_t bestPriority = 0;
  for (const Entry& e : it->second) {
    if (e.flags != kDefaultId)
      continue;
    bool named = (e.hwcap & kHwcapExtension) != 0;
    if (named) {
      // Usable only when the CPU supports that subdirectory; lower position = better.
      auto pos = std::find(glibcHwcaps.begin(), glibcHwcaps.end(), e.hwcapsSubdir);
      if (e.hwcapsSubdir.empty() || pos == glibcHwcaps.end())
        continue;
      size_t priority = size_t(pos - glibcHwcaps.begin()) + 1;
      if (best && priority >= bestPriority)
        continue;
      bestPriority = priority;
      best = &e.path;
      continue;
    }
    // Named entries precede the others; a plain entry never beats one found already.
    if (best)
      break;
    // Legacy hwcap-subdirectory entries (tls, x86_64, platform dirs): not selected.
    if (e.hwcap != 0)
      continue;
    best = &e.path;
    break;
  }
  return best ? *best : "";
}

int LdCache::compareNames(llvm::StringRef a, llvm::StringRef b) {
  auto digit = [](char c) { return c >= '0' && c <= '9'; };
  size_t i = 0, j = 0;
  while (i < a.size()) {
    if (digit(a[i])) {
      if (j >= b.size() || !digit(b[j]))
        return 1;
      uint64_t x = 0, y = 0;
      while (i < a.size() && digit(a[i]))
        x = x * 10 + uint64_t(a[i++] - '0');
      while (j < b.size() && digit(b[j]))
        y = y * 10 + uint64_t(b[j++] - '0');
      if (x != y)
        return x < y ? -1 : 1;
      continue;
    }
    if (j < b.size() && digit(b[j]))
      return -1;
    if (j >= b.size())
      return 1;
    if (a[i] != b[j])
      return static_cast<unsigned char>(a[i]) < static_cast<unsigned char>(b[j]) ? -1 : 1;
    ++i;
    ++j;
  }
  return j < b.size() ? -1 : 0;
}

std::string LdCache::write(const std::vector<std::pair<std::string, std::string>>& libraries) {
  std::vector<std::pair<std::string, std::string>> list;
  for (const auto& l : libraries)
    if (std::none_of(list.begin(), list.end(), [&](const auto& e) { return e.first == l.first; }))
      list.push_back(l);
  std::stable_sort(list.begin(), list.end(), [](const auto& x, const auto& y) {
    return compareNames(x.first, y.first) > 0; // ld.so searches a descending table
  });
  // Header, entries, then the strings; offsets count from the start of the header.
  std::string strings;
  const size_t stringsAt = kNewHeader + list.size() * kNewEntry;
  auto addString = [&](const std::string& text) {
    auto at = uint32_t(stringsAt + strings.size());
    strings += text;
    strings += '\0';
    return at;
  };
  std::string out(kNewHeader, '\0');
  memcpy(&out[0], kNewMagic.data(), kNewMagic.size());
  auto put32 = [&](size_t at, uint32_t v) { memcpy(&out[at], &v, sizeof v); };
  put32(20, uint32_t(list.size()));
  out[28] = 2; // flags: little endian (cache_file_new_flags_endian_little)
  // extension_offset (32) stays 0: no glibc-hwcaps section.
  for (const auto& [key, path] : list) {
    std::string entry(kNewEntry, '\0');
    int32_t flags = kDefaultId;
    uint32_t k = addString(key), v = addString(path);
    memcpy(&entry[0], &flags, 4);
    memcpy(&entry[4], &k, 4);
    memcpy(&entry[8], &v, 4);
    out += entry; // osversion (12) and hwcap (16) are 0: for every CPU and kernel
  }
  put32(24, uint32_t(strings.size()));
  return out + strings;
}

} // namespace mkimage
