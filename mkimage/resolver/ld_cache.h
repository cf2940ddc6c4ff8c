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

  // A cache listing exactly `libraries` (name ld.so looks up -> path it should open), as
  // x86-64 libc6 entries for every CPU, in the new format alone, ordered as ld.so's binary
  // search expects (compareNames, descending). A name listed twice keeps its first path.
  static std::string write(const std::vector<std::pair<std::string, std::string>>& libraries);

  // glibc's order of library names in the cache: digit runs compare as numbers, a digit
  // sorts after any other character, the rest byte by byte. <0, 0 or >0.
  static int compareNames(llvm::StringRef a, llvm::StringRef b);

private:
  llvm::StringMap<std::vector<Entry>> entries_; // per key, in file order
  size_t count_ = 0;
};

} // namespace mkimage
