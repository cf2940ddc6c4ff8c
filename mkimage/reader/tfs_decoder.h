// Images as C++ values for nanos-mkimage ls/cat/manifest/inspect and the image tests. The
// TFS decoding itself is the shared codec (kernel/lib/tfs), the one the kernel runs.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace mkimage::reader {

struct Value {
  enum class Kind { Symbol, Tuple, Vector, Integer, String } kind = Kind::Tuple;
  std::string str;
  uint64_t num = 0;
  std::map<std::string, Value> entries;
  std::vector<Value> elems;

  const Value& at(const std::string& name) const {
    auto it = entries.find(name);
    if (it == entries.end())
      throw std::runtime_error("no attribute '" + name + "'");
    return it->second;
  }
  bool has(const std::string& name) const { return entries.count(name) != 0; }
  uint64_t number() const { return kind == Kind::Integer ? num : std::stoull(str); }
};

struct DecodedFs {
  Value root;
  int extensions = 0; // log extensions read, the 1-block initial one included
  uint32_t version = 0;
  std::string uuid, label;
};

struct DecodedImage {
  uint64_t bootOffset = 0, rootOffset = 0, rootSize = 0;
  DecodedFs boot, root;
};

// Reads `image` (a raw disk image) from the file at `path`; throws on malformed input.
DecodedImage decodeImage(const std::string& path);

// Looks up a guest path ("/a/b") in a root tuple; nullptr if missing.
const Value* lookup(const Value& root, const std::string& path);

// Reads a regular file's bytes (filelength + extents) from the partition at `partOffset`.
std::string readFile(const std::string& imagePath, uint64_t partOffset, const Value& file);

} // namespace mkimage::reader
