// glibc's /etc/ld.so.cache in the binary format ldconfig writes ("glibc-ld.so.cache1.1",
// optionally behind the old "ld.so-1.7.0" table), and the entry selection of glibc 2.36's
// _dl_load_cache_lookup(): x86-64 libc6 entries only, glibc-hwcaps entries by the CPU's
// priority, otherwise the plain entry.
#pragma once

#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>
#include <vector>

namespace mkimage {

class LdCache {
public:
  struct Entry {
    int32_t flags = 0;
    uint64_t hwcap = 0;
    std::string path;
    std::string hwcapsSubdir; // for glibc-hwcaps entries: e.g. "x86-64-v3"
  };

  // Parses the cache contents; `name` is used in error messages.
  static llvm::Expected<LdCache> parse(llvm::StringRef name, llvm::StringRef data);

  // The path ld.so would take from the cache for `soname`, or "" when none. `glibcHwcaps`
  // lists the glibc-hwcaps subdirectories the CPU supports, best first.
  std::string lookup(llvm::StringRef soname, const std::vector<std::string>& glibcHwcaps) const;

  size_t size() const { return count_; }

private:
  llvm::StringMap<std::vector<Entry>> entries_; // per key, in file order
  size_t count_ = 0;
};

} // namespace mkimage
