// Appending to a decoded TFS log (spec §3.4, §3.9): records that add, change or delete
// attributes of tuples already in the log, framed after the old END_OF_LOG, with new log
// extensions linked in when one fills. Freestanding like tfs.h (no libc, caller's allocator);
// unlike the decoder it divides 64-bit numbers (decimal names), so it is not meant for the
// 32-bit stage2, which only reads.
#pragma once

#include "lib/tfs/tfs.h"

#include <stddef.h>
#include <stdint.h>

namespace tfs {

// The log's dictionary as a writer needs it: symbol bytes -> number of their inline copy, and
// the number the next immediate tuple, vector or symbol takes. Every symbol is written inline
// once in the whole log; later uses are references (spec §3.4).
class Dictionary {
public:
  // Takes the symbols and next number of a decoded volume. False when out of memory.
  bool init(const Allocator& alloc, const Volume& volume);
  void release();
  uint32_t next() const { return next_; }
  // The symbol's number, or 0 if it was never written.
  uint32_t find(const uint8_t* bytes, size_t len) const;
  // Numbers the next immediate tuple or vector.
  uint32_t take_tuple() { return next_++; }
  // Numbers the next inline symbol and remembers a copy of its bytes. False when out of
  // memory (nothing changes then).
  bool add_symbol(const uint8_t* bytes, size_t len);
  // Undo point: a record that cannot be built or appended gives its numbers back.
  struct Mark {
    uint32_t next;
    uint32_t symbols;
  };
  Mark mark() const { return Mark{next_, count_}; }
  void rollback(Mark m);

private:
  struct Entry {
    const uint8_t* bytes;
    uint32_t len;
    uint32_t index;
  };
  void rehash();
  Allocator alloc_{};
  Entry* entries_ = nullptr; // insertion order
  uint32_t count_ = 0, cap_ = 0;
  uint32_t* table_ = nullptr; // open addressing: entry + 1 (0 = empty)
  uint32_t table_cap_ = 0;
  uint32_t next_ = 1;
};

// Builds one top-level value in a caller buffer. When ok() is false afterwards (buffer too
// small, out of memory) the caller rolls the dictionary back to its mark.
class RecordBuilder {
public:
  RecordBuilder(Dictionary& dict, uint8_t* buf, size_t cap) : dict_(dict), buf_(buf), cap_(cap) {}
  // A reference to tuple `index` followed by `entries` name/value pairs: the EAV update.
  void tuple_ref(uint32_t index, uint32_t entries);
  // An immediate tuple of `entries` pairs; returns its dictionary number.
  uint32_t tuple(uint32_t entries);
  void name(const char* text);                     // an attribute name (NUL-terminated)
  void name(const uint8_t* bytes, size_t len);
  void string(const void* bytes, size_t len);      // a string value
  void integer(uint64_t value);                    // a non-negative integer value
  void decimal_name(uint64_t value);               // a number as a name ("2048")
  void flag();                                     // the null flag value
  void remove();                                   // "no value": deletes the attribute
  bool ok() const { return ok_; }
  size_t size() const { return len_; }

private:
  void put(const void* p, size_t n);
  void header(bool immediate, unsigned type, uint64_t len);
  Dictionary& dict_;
  uint8_t* buf_;
  size_t cap_, len_ = 0;
  bool ok_ = true;
};

struct BlockWriter {
  bool (*write)(void* ctx, uint64_t block, uint32_t count, const void* buf);
  void* ctx;
};

// A new extension of `nblocks` contiguous free blocks; false when the volume is full.
struct ExtensionSource {
  bool (*allocate)(void* ctx, uint64_t nblocks, uint64_t* block);
  void* ctx;
};

constexpr uint64_t kExtensionBlocks = 1024; // 512 KiB, as both writers use (spec §3.2)

enum class AppendResult : uint8_t { kOk, kNoSpace, kIo, kNoMemory, kTooLarge };

// The end of the log, held in memory: the extension that ends with END_OF_LOG.
class LogTail {
public:
  // Reads the tail extension of a decoded volume. Returns kOk, kIo or kNoMemory.
  AppendResult open(const Allocator& alloc, const BlockReader& reader, const Volume& volume);
  void release();
  // Frames `value` as one TUPLE_AVAILABLE after the last record. When the current extension
  // would be too full (spec §3.2: room for a link, a frame header and the END_OF_LOG), it
  // writes it out ending in a link to a fresh extension from `source`, and continues there.
  AppendResult append(const uint8_t* value, size_t len, const BlockWriter& writer,
                      const ExtensionSource& source);
  // Writes the blocks changed since the last flush.
  AppendResult flush(const BlockWriter& writer);
  bool dirty() const { return dirty_from_ != kClean; }
  uint64_t extension_block() const { return block_; }
  uint64_t extension_blocks() const { return nblocks_; }
  size_t used() const { return pos_; } // offset of END_OF_LOG in the extension

private:
  static constexpr size_t kClean = ~static_cast<size_t>(0);
  AppendResult write_range(const BlockWriter& writer, size_t from, size_t to);
  Allocator alloc_{};
  uint8_t* ext_ = nullptr;
  uint64_t block_ = 0, nblocks_ = 0;
  size_t size_ = 0;
  size_t pos_ = 0; // where END_OF_LOG is
  size_t dirty_from_ = kClean;
};

} // namespace tfs
