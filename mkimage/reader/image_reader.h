// Images as C++ values for nanos-mkimage ls/cat/manifest/inspect and the image tests. The TFS
// decoding itself is the shared codec (kernel/lib/tfs), the one the kernel runs; this file
// only finds the partitions, copies the codec's tree into std containers and reads file data.
// Every failure is an llvm::Error of one line naming the image, the partition and the byte
// offset in the image.
#pragma once

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mkimage::reader {

struct Value {
  enum class Kind { Symbol, Tuple, Vector, Integer, String } kind = Kind::Tuple;
  std::string str;       // String (also strings holding decimal numbers)
  uint64_t num = 0;      // Integer magnitude
  bool negative = false; // Integer sign
  std::map<std::string, Value> entries;
  std::vector<Value> elems;

  const Value* find(const std::string& name) const {
    auto it = entries.find(name);
    return it == entries.end() ? nullptr : &it->second;
  }
  bool has(const std::string& name) const { return entries.count(name) != 0; }
  // Test convenience: the attribute or std::out_of_range. Reader code uses find().
  const Value& at(const std::string& name) const {
    if (const Value* v = find(name))
      return *v;
    throw std::out_of_range("no attribute '" + name + "'");
  }
  // A number stored as an integer or a decimal string (spec §3.4), as the kernel reads it:
  // nothing for negative numbers, non-digits or overflow.
  std::optional<uint64_t> number() const;
};

// One extent of a regular file, in 512-byte blocks (disk blocks are partition-relative).
struct Extent {
  uint64_t fileBlock = 0, diskBlock = 0, length = 0, allocated = 0;
  bool uninited = false;
};

struct LogExtension {
  uint64_t block = 0, blocks = 0; // partition-relative
};

class ImageFile; // the open (or decompressed) image, shared by copies of DecodedImage

struct DecodedFs {
  std::string name;     // "boot" or "root"
  uint64_t offset = 0;  // bytes from the start of the image
  uint64_t blocks = 0;  // partition length in 512-byte blocks
  Value root;           // the root tuple (root directory + configuration)
  uint32_t version = 0; // 4 or 5
  std::string uuid, label;
  int extensions = 0;            // log extensions read, the 1-block initial one included
  std::vector<LogExtension> log; // the same, in chain order
  uint64_t logEnd = 0;           // partition byte offset of END_OF_LOG
};

struct DecodedImage {
  std::string path;
  bool compressed = false; // a .zst image, decompressed into an unnamed temporary file
  uint64_t bootOffset = 0, rootOffset = 0, rootSize = 0; // bytes
  DecodedFs boot, root;
  std::shared_ptr<ImageFile> file;
};

// Reads the image at `path` (raw, or zstd-compressed: recognised by its magic), finds the
// boot and root partitions through the MBR (an EFI system partition in entry 0 is skipped)
// and decodes both TFS logs with the shared codec.
llvm::Expected<DecodedImage> decodeImage(const std::string& path);
// The open image file (the decompressed temporary for a .zst image), valid while `image` or a
// copy of it lives: what `export` reads the disk bytes from.
int imageFileDescriptor(const DecodedImage& image);

// The open image file behind `image` (the decompressed copy of a .zst image), for code that
// reads it through the shared codec (image/image_digest.h).
int imageFd(const DecodedImage& image);

// Looks up a guest path in a root tuple. "." and ".." are handled, symbolic links are
// followed in every component but the last, and in the last too if `followLast`. A link
// chain longer than 40 (a loop) is an error, as is a missing entry or a non-directory.
llvm::Expected<const Value*> resolve(const Value& root, const std::string& path, bool followLast);
// Test convenience: resolve(root, path, false), nullptr on any error.
const Value* lookup(const Value& root, const std::string& path);

// A regular file's extents (its `extents` tuple), checked: decimal keys, numeric fields.
llvm::Expected<std::vector<Extent>> fileExtents(const Value& file);
// filelength (0 when absent); an error if it is not a number.
llvm::Expected<uint64_t> fileLength(const Value& file);

// A regular file's bytes: filelength bytes, extents read from `fs`, holes and uninited
// extents as zeros. Extents must lie inside the partition.
llvm::Expected<std::string> readFile(const DecodedImage& image, const DecodedFs& fs,
                                     const Value& file);

} // namespace mkimage::reader
