// The TFS codec (spec: nanos-image-format.md §3), shared by nanos-mkimage (host), the kernel
// and stage2 (32-bit). Freestanding-portable: only <stddef.h>/<stdint.h>, no exceptions, no
// RTTI, no STL, no libc; memory comes from a caller-supplied allocator.
//
// Decoding reads the whole metadata log (all extensions, TUPLE_EXTENDED pieces across links,
// tuple/vector/symbol references, EAV updates, deletions, v4 and v5 encodings) into a tree of
// Values. The tree stays valid while the allocator's memory does.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace tfs {

constexpr uint32_t kBlockSize = 512;
// The deepest value the decoder accepts: the root tuple is at depth 0, each tuple entry or
// vector element one deeper. The image writer refuses a tree that goes deeper (a file's
// extent fields sit 2 * (directory levels) + 3 deep), so that every image it writes decodes.
constexpr int kMaxNesting = 64;

struct Allocator {
  // Returns 8-byte aligned memory or nullptr when out of memory.
  void* (*alloc)(void* ctx, size_t size);
  void (*free)(void* ctx, void* p); // p may be nullptr
  void* ctx;
};

// Reads `count` 512-byte blocks at partition-relative block `block` into `buf`.
// Returns false on an I/O error or a range past the end of the partition.
struct BlockReader {
  bool (*read)(void* ctx, uint64_t block, uint32_t count, void* buf);
  void* ctx;
};

enum class Kind : uint8_t {
  kBytes,   // string, inline buffer, or the null flag value (len 1, byte 0)
  kTuple,   // attributes: name -> value
  kVector,  // elements in order (items[i].name == nullptr)
  kInteger, // magnitude in `integer`, sign in `negative`
};

struct Value;

struct Item {
  const uint8_t* name; // attribute name bytes (not NUL-terminated); nullptr in vectors
  uint32_t name_len;
  Value* value;
};

struct Value {
  Kind kind;
  bool negative;        // kInteger
  uint64_t integer;     // kInteger
  const uint8_t* bytes; // kBytes (not NUL-terminated)
  uint32_t len;         // kBytes
  Item* items;          // kTuple / kVector
  uint32_t count;       // number of items in use
  uint32_t capacity;
  uint32_t index;       // kTuple / kVector: dictionary number (what a reference to it names)
};

// ---- reading decoded values ----
// Attribute `name` of a tuple; nullptr if absent or `tuple` is not a tuple.
const Value* get(const Value* tuple, const uint8_t* name, size_t name_len);
// An attribute name written in the source: its length is counted at compile time (the
// kernel is built with -fno-builtin, so strlen("...") would be a call; under emulation
// every instruction counts). Names known only at run time use the overload above.
struct Key {
  template <size_t N> consteval Key(const char (&s)[N]) : name(s), len(0) {
    while (len < N && s[len])
      ++len;
  }
  const char* name;
  size_t len;
};
inline const Value* get(const Value* tuple, Key key) {
  return get(tuple, reinterpret_cast<const uint8_t*>(key.name), key.len);
}
// A number stored as an integer value or a decimal string (spec §3.4). False otherwise
// (negative, not a number, overflow).
bool to_u64(const Value* v, uint64_t* out);
// True if v is kBytes with exactly these bytes.
bool bytes_equal(const Value* v, const char* text);

// One extent of a regular file (spec §3.5), all in 512-byte blocks.
struct Extent {
  uint64_t file_block; // key of the extents tuple
  uint64_t disk_block; // `offset`, partition-relative
  uint64_t length;     // `length`
  uint64_t allocated;  // `allocated` (= length when absent)
  bool uninited;       // reads as zeros
};
// Parses item `index` of a file's `extents` tuple. False if it is malformed.
bool extent_at(const Value* extents, uint32_t index, Extent* out);

// ---- decoding a volume ----
enum class Error : uint8_t {
  kNone,
  kIo,           // BlockReader failed
  kNoMemory,     // Allocator failed
  kBadMagic,     // no "NVMTFS" at an extension start
  kBadVersion,   // version other than 4 or 5
  kTruncated,    // a record or value runs past its extension / the log
  kBadRecord,    // unknown frame type, bad link, TUPLE_EXTENDED without a pending value...
  kBadValue,     // malformed header/varint, wrong type where a tuple/vector/symbol is needed
  kBadReference, // dictionary index out of range or of the wrong kind
  kNoRoot,       // dictionary entry 1 is missing or not a tuple
  kTooDeep,      // nesting beyond the decoder's limit
  kLoop,         // an extension link loops back to / overlaps an earlier extension
};

struct Volume {
  Value* root = nullptr;   // dictionary entry #1: the root directory + manifest keys
  uint32_t version = 0;    // 4 or 5
  uint32_t extensions = 0; // log extensions read, the initial 1-block one included
  uint8_t uuid[16] = {};
  char label[32] = {};     // NUL-terminated
  uint64_t log_end = 0;    // partition byte offset of the END_OF_LOG byte
  // For writers that append to the log (spec §3.9): the extension holding END_OF_LOG, the
  // next dictionary number, and every symbol with the number of its first inline copy.
  uint64_t tail_block = 0, tail_blocks = 0;
  uint32_t next_index = 0;
  struct Symbol {
    const uint8_t* bytes;
    uint32_t len;
    uint32_t index;
  };
  Symbol* symbols = nullptr; // in the decoded tree's storage
  uint32_t symbol_count = 0;
  void* storage = nullptr; // owned memory of the decoded tree (see release())
};

struct DecodeStatus {
  Error error = Error::kNone;
  uint64_t offset = 0;        // partition byte offset where the problem was found
  const char* what = nullptr; // one-line English description (static string)
  bool ok() const { return error == Error::kNone; }
};

// Decodes the log of the TFS volume read through `reader` (partition-relative blocks;
// `partition_blocks` bounds every read). On failure *out is left empty and nothing leaks.
DecodeStatus decode(const BlockReader& reader, const Allocator& alloc, uint64_t partition_blocks,
                    Volume* out);

// Optional hook for tools (nanos-mkimage inspect): told about every log extension read, in
// chain order, the 1-block initial one first.
struct LogObserver {
  void (*extension)(void* ctx, uint64_t block, uint64_t nblocks);
  void* ctx;
};
DecodeStatus decode(const BlockReader& reader, const Allocator& alloc, uint64_t partition_blocks,
                    Volume* out, const LogObserver* observer);

// Frees every Value of a decoded volume.
void release(Volume* volume, const Allocator& alloc);

} // namespace tfs
