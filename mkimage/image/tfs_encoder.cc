#include "image/tfs_encoder.h"

#include "lib/tfs/tfs.h"
#include "lib/tfs/tfs_encode.h"

#include <map>

namespace mkimage {

TfsValue& TfsValue::set(const std::string& name, TfsValue value) {
  if (TfsValue* existing = find(name)) {
    *existing = std::move(value);
    return *existing;
  }
  entries.emplace_back(name, std::move(value));
  return entries.back().second;
}

TfsValue* TfsValue::find(const std::string& name) {
  for (auto& [key, value] : entries)
    if (key == name)
      return &value;
  return nullptr;
}

// The byte-level encodings are the shared ones (kernel/lib/tfs/tfs_encode.h), so the writer
// and the codec the kernel runs cannot disagree about them.
void pushVarint(std::string& out, uint64_t value) {
  uint8_t bytes[tfs::kMaxVarintBytes];
  size_t n = tfs::encode_varint(value, bytes);
  out.append(reinterpret_cast<const char*>(bytes), n);
}

void pushHeader(std::string& out, bool immediate, unsigned type, uint64_t length) {
  uint8_t bytes[tfs::kMaxHeaderBytes];
  size_t n = tfs::encode_header(immediate, type, length, bytes);
  out.append(reinterpret_cast<const char*>(bytes), n);
}

namespace {

constexpr unsigned kTypeSymbol = tfs::kTypeBuffer; // attribute names and the null flag
using tfs::kTypeInteger;
using tfs::kTypeString;
using tfs::kTypeTuple;
using tfs::kTypeVector;

class Encoder {
public:
  std::string out;

  void value(const TfsValue& v) {
    switch (v.kind) {
    case TfsValue::Kind::String:
      pushHeader(out, true, kTypeString, v.str.size());
      out += v.str;
      break;
    case TfsValue::Kind::Integer:
      pushHeader(out, true, kTypeInteger, 0);
      pushVarint(out, v.num);
      break;
    case TfsValue::Kind::Null:
      pushHeader(out, true, kTypeSymbol, 1);
      out.push_back('\0');
      break;
    case TfsValue::Kind::Tuple:
      pushHeader(out, true, kTypeTuple, v.entries.size());
      ++nextIndex_;
      for (const auto& [name, child] : v.entries) {
        symbol(name);
        value(child);
      }
      break;
    case TfsValue::Kind::Vector:
      pushHeader(out, true, kTypeVector, v.elems.size());
      ++nextIndex_;
      for (const TfsValue& child : v.elems)
        value(child);
      break;
    }
  }

private:
  // Every distinct symbol inline exactly once, references afterwards (spec §3.4: the
  // kernel corrupts logs that repeat a symbol inline).
  void symbol(const std::string& name) {
    auto it = symbols_.find(name);
    if (it != symbols_.end()) {
      pushHeader(out, false, kTypeSymbol, it->second);
      return;
    }
    pushHeader(out, true, kTypeSymbol, name.size());
    out += name;
    symbols_.emplace(name, nextIndex_++);
  }

  std::map<std::string, uint64_t> symbols_;
  uint64_t nextIndex_ = 1;
};

void pushExtensionHeader(std::string& out, uint64_t blocks) {
  out += "NVMTFS";
  pushVarint(out, 5);
  pushVarint(out, blocks);
}

} // namespace

namespace {

// The value at the end of `keys` is too deep: name it as the user wrote it.
std::string describeNesting(const std::vector<const std::string*>& keys) {
  std::string out;
  if (!keys.empty() && *keys[0] == "children") {
    for (size_t i = 0; i + 1 < keys.size() && *keys[i] == "children"; i += 2)
      out += "/" + *keys[i + 1];
    return "guest path " + out;
  }
  for (const std::string* k : keys)
    out += (out.empty() ? "" : ".") + *k;
  return "manifest key " + out;
}

const TfsValue* tooDeep(const TfsValue& v, int depth, std::vector<const std::string*>& keys) {
  if (depth > tfs::kMaxNesting)
    return &v;
  static const std::string kElement = "[]";
  if (v.kind == TfsValue::Kind::Tuple) {
    for (const auto& [name, child] : v.entries) {
      keys.push_back(&name);
      if (const TfsValue* bad = tooDeep(child, depth + 1, keys))
        return bad;
      keys.pop_back();
    }
  } else if (v.kind == TfsValue::Kind::Vector) {
    for (const TfsValue& child : v.elems) {
      keys.push_back(&kElement);
      if (const TfsValue* bad = tooDeep(child, depth + 1, keys))
        return bad;
      keys.pop_back();
    }
  }
  return nullptr;
}

} // namespace

llvm::Error checkTfsNesting(const TfsValue& root) {
  std::vector<const std::string*> keys;
  if (!tooDeep(root, 0, keys))
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::inconvertibleErrorCode(),
      "%s: nested too deeply for the TFS decoder (values deeper than %d levels do not decode; "
      "a non-empty file's path may have at most %d components)",
      describeNesting(keys).c_str(), tfs::kMaxNesting, (tfs::kMaxNesting - 3) / 2);
}

std::string encodeTfsValue(const TfsValue& root) {
  Encoder e;
  e.value(root);
  return std::move(e.out);
}

std::vector<TfsLogPiece> layoutTfsLog(const std::string& encodedRoot,
                                      const std::array<uint8_t, 16>& uuid, const std::string& label,
                                      const std::function<uint64_t()>& allocateExtension) {
  std::vector<TfsLogPiece> pieces;
  std::string initial;
  pushExtensionHeader(initial, 1);
  initial.append(reinterpret_cast<const char*>(uuid.data()), uuid.size());
  initial += label;
  initial.push_back('\0');
  initial.push_back(5); // LOG_EXTENSION_LINK to the first full extension
  pushVarint(initial, 1);
  pushVarint(initial, kTfsExtensionBlocks);
  pieces.push_back({0, std::move(initial)});

  const uint64_t extensionBytes = kTfsExtensionBlocks * kTfsBlock;
  // Room kept free at the end of every extension: a link frame, a frame header, END_OF_LOG
  // and the kernel's own threshold for opening a new extension (used + 74 >= size).
  const uint64_t reserve = 80;
  uint64_t block = 1;
  std::string ext;
  pushExtensionHeader(ext, kTfsExtensionBlocks);
  size_t done = 0;
  bool first = true;
  for (;;) {
    uint64_t room = extensionBytes - reserve - ext.size();
    std::string frameHeader;
    size_t left = encodedRoot.size() - done;
    if (first) {
      frameHeader.push_back(2);
      pushVarint(frameHeader, encodedRoot.size());
    } else {
      frameHeader.push_back(3);
    }
    size_t seg = left;
    if (seg + frameHeader.size() + 10 > room)
      seg = room - frameHeader.size() - 10;
    pushVarint(frameHeader, seg);
    ext += frameHeader;
    ext.append(encodedRoot, done, seg);
    done += seg;
    first = false;
    if (done == encodedRoot.size()) {
      ext.push_back(1); // END_OF_LOG
      pieces.push_back({block, std::move(ext)});
      break;
    }
    uint64_t next = allocateExtension();
    ext.push_back(5);
    pushVarint(ext, next);
    pushVarint(ext, kTfsExtensionBlocks);
    pieces.push_back({block, std::move(ext)});
    block = next;
    ext.clear();
    pushExtensionHeader(ext, kTfsExtensionBlocks);
  }
  return pieces;
}

} // namespace mkimage
