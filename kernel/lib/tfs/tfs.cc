// TFS log decoder (spec §3). Reads every log extension in order, reassembles values split
// over TUPLE_AVAILABLE/TUPLE_EXTENDED frames, and decodes them with one dictionary shared
// by the whole log. All memory of the result lives in an arena released by release().
#include "lib/tfs/tfs.h"

#include "lib/tfs/tfs_bytes.h"

namespace tfs {
namespace {

using bytes::copy;
using bytes::same;
using bytes::zero;
constexpr auto hash_bytes = bytes::hash;

// ---- arena: small allocations are carved from 64 KiB chunks, big ones stand alone ----
struct Chunk {
  Chunk* next;
  size_t used, size;
};
constexpr size_t kChunkSize = 64 * 1024;

struct Arena {
  const Allocator* alloc;
  Chunk* chunks = nullptr; // current chunk first
  void* allocate(size_t n) {
    n = (n + 7) & ~static_cast<size_t>(7);
    size_t header = (sizeof(Chunk) + 7) & ~static_cast<size_t>(7);
    if (n > kChunkSize / 4) {
      // Its own chunk, linked behind the current one so bump allocation continues there.
      auto* c = static_cast<Chunk*>(alloc->alloc(alloc->ctx, header + n));
      if (!c)
        return nullptr;
      c->used = c->size = n;
      if (chunks) {
        c->next = chunks->next;
        chunks->next = c;
      } else {
        c->next = nullptr;
        chunks = c;
        c->used = c->size; // full: the next small allocation opens a fresh chunk
      }
      return reinterpret_cast<uint8_t*>(c) + header;
    }
    if (!chunks || chunks->size - chunks->used < n) {
      auto* c = static_cast<Chunk*>(alloc->alloc(alloc->ctx, header + kChunkSize));
      if (!c)
        return nullptr;
      c->next = chunks;
      c->used = 0;
      c->size = kChunkSize;
      chunks = c;
    }
    void* p = reinterpret_cast<uint8_t*>(chunks) + header + chunks->used;
    chunks->used += n;
    return p;
  }
  void release() {
    while (chunks) {
      Chunk* next = chunks->next;
      alloc->free(alloc->ctx, chunks);
      chunks = next;
    }
  }
};

// ---- dictionary and indexes (decode-time only) ----
struct DictEntry {
  Value* value;       // tuples and vectors
  const uint8_t* sym; // symbols (interned bytes)
  uint32_t sym_len;
  uint32_t sym_id; // symbols: interned id
};

struct Symbol {
  const uint8_t* bytes;
  uint32_t len;
  uint32_t id;
  uint32_t dict_index; // of the first inline copy
};

struct Slot { // (tuple dictionary index, symbol id) -> item index + 1 (0 = empty)
  uint32_t tuple, sym, item;
};

// One extension is read into memory whole; the writers use 1024 blocks (512 KiB).
constexpr uint64_t kMaxExtensionBlocks = 1u << 20;
// 16384 extensions of 512 KiB = 8 GiB of metadata, far beyond what the kernel lets a log
// grow to before it compacts; the limit bounds the overlap bookkeeping.
constexpr size_t kMaxExtensions = 16384;

const char* const kMessages[] = {
    "ok",
    "read error",
    "out of memory",
    "bad magic: not a TFS log extension",
    "unsupported TFS version",
    "record or value runs past the end of its extension",
    "malformed log record",
    "malformed value",
    "dictionary reference out of range or of the wrong kind",
    "dictionary entry 1 is not the root tuple",
    "values nested too deeply",
    "log extension link loops back or overlaps an earlier extension",
};

class Decoder {
public:
  Decoder(const BlockReader& reader, const Allocator& alloc, uint64_t blocks,
          const LogObserver* observer)
      : reader_(reader), alloc_(alloc), blocks_(blocks), observer_(observer) {
    arena_.alloc = &alloc;
  }
  DecodeStatus run(Volume* out);

private:
  // Errors: the first one wins.
  bool fail(Error e, uint64_t offset) {
    if (status_.error == Error::kNone) {
      status_.error = e;
      status_.offset = offset;
      status_.what = kMessages[static_cast<int>(e)];
    }
    return false;
  }
  void* raw_alloc(size_t n) { return alloc_.alloc(alloc_.ctx, n); }
  void raw_free(void* p) { alloc_.free(alloc_.ctx, p); }

  // Log walking.
  bool read_log();
  bool claim_extension(uint64_t block, uint64_t nblocks);
  bool extension_header(const uint8_t* ext, size_t size, uint64_t offset, bool first,
                        size_t* pos_out);
  bool frames(const uint8_t* ext, size_t size, uint64_t base, size_t pos, uint64_t* link_block,
              uint64_t* link_blocks, bool* end);
  bool append_piece(const uint8_t* p, size_t n, uint64_t offset);

  // Values.
  bool varint(uint64_t* out);
  bool header(bool* imm, unsigned* type, uint64_t* len);
  bool decode_top();
  Value* value(int depth, bool* deleted);
  bool entries(Value* tuple, uint32_t dict_index, uint64_t n, int depth);
  bool name(const uint8_t** bytes, uint32_t* len, uint32_t* sym_id);
  Value* new_value(Kind kind);
  bool record(Value* v, const uint8_t* sym, uint32_t sym_len, uint32_t sym_id);
  bool set(Value* tuple, uint32_t dict_index, const uint8_t* name, uint32_t len, uint32_t sym_id,
           Value* v, bool deleted);
  bool push(Value* seq, const uint8_t* name, uint32_t len, Value* v);
  const Symbol* intern(const uint8_t* bytes, uint32_t len);
  bool grow_slots();
  void compact_tuples();
  bool export_symbols(Volume* out);
  uint64_t here() const { return value_offset_ + vpos_; }

  const BlockReader& reader_;
  const Allocator& alloc_;
  uint64_t blocks_;
  const LogObserver* observer_;
  Arena arena_;
  DecodeStatus status_;
  Volume* out_ = nullptr;
  uint32_t version_ = 0;

  // Extensions read so far, sorted by block (loop and overlap detection).
  struct Range {
    uint64_t block, nblocks;
  };
  Range* visited_ = nullptr;
  size_t visited_count_ = 0, visited_cap_ = 0;

  // The value being reassembled.
  uint8_t* pending_ = nullptr;
  uint64_t pending_total_ = 0, pending_have_ = 0;
  uint64_t value_offset_ = 0; // partition offset of the first piece
  const uint8_t* vbuf_ = nullptr;
  size_t vlen_ = 0, vpos_ = 0;

  DictEntry* dict_ = nullptr; // index 0 unused
  size_t dict_count_ = 1, dict_cap_ = 0;
  Symbol* syms_ = nullptr; // open addressing by bytes
  size_t sym_cap_ = 0, sym_count_ = 0;
  Slot* slots_ = nullptr; // open addressing by (tuple, symbol)
  size_t slot_cap_ = 0, slot_count_ = 0;
  bool tombstones_ = false;
};

// ---- log ----

bool read_varint_at(const uint8_t* p, size_t size, size_t* pos, uint64_t* out) {
  uint64_t v = 0;
  for (int i = 0; i < 10; ++i) {
    if (*pos >= size)
      return false;
    uint8_t b = p[(*pos)++];
    if (v >> 57)
      return false; // would overflow
    v = (v << 7) | (b & 0x7F);
    if (!(b & 0x80)) {
      *out = v;
      return true;
    }
  }
  return false;
}

// Extensions may not overlap each other or block 0. Checking ranges (not just start blocks)
// also bounds the work: the chain can read each partition block at most once.
bool Decoder::claim_extension(uint64_t block, uint64_t nblocks) {
  uint64_t offset = block * kBlockSize;
  size_t lo = 0, hi = visited_count_; // first range starting after `block`
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (visited_[mid].block <= block)
      lo = mid + 1;
    else
      hi = mid;
  }
  if (lo > 0 && visited_[lo - 1].block + visited_[lo - 1].nblocks > block)
    return fail(Error::kLoop, offset);
  if (lo < visited_count_ && block + nblocks > visited_[lo].block)
    return fail(Error::kLoop, offset);
  if (visited_count_ >= kMaxExtensions)
    return fail(Error::kBadRecord, offset);
  if (visited_count_ == visited_cap_) {
    size_t cap = visited_cap_ ? visited_cap_ * 2 : 16;
    auto* v = static_cast<Range*>(raw_alloc(cap * sizeof(Range)));
    if (!v)
      return fail(Error::kNoMemory, offset);
    copy(v, visited_, visited_count_ * sizeof(Range));
    raw_free(visited_);
    visited_ = v;
    visited_cap_ = cap;
  }
  for (size_t i = visited_count_; i > lo; --i)
    visited_[i] = visited_[i - 1];
  visited_[lo] = Range{block, nblocks};
  ++visited_count_;
  return true;
}

// Reads the chain of extensions starting with the 1-block initial one at block 0. A loop,
// not recursion: the kernel's stack stays flat however long the chain is.
bool Decoder::read_log() {
  uint64_t block = 0, nblocks = 1;
  for (bool first = true;; first = false) {
    uint64_t offset = block * kBlockSize;
    if (block >= blocks_ || nblocks > blocks_ - block || nblocks == 0 ||
        nblocks > kMaxExtensionBlocks)
      return fail(Error::kBadRecord, offset);
    if (!claim_extension(block, nblocks))
      return false;
    size_t size = static_cast<size_t>(nblocks) * kBlockSize;
    auto* ext = static_cast<uint8_t*>(raw_alloc(size));
    if (!ext)
      return fail(Error::kNoMemory, offset);
    bool ok = reader_.read(reader_.ctx, block, static_cast<uint32_t>(nblocks), ext) ||
              fail(Error::kIo, offset);
    if (ok) {
      ++out_->extensions;
      if (observer_ && observer_->extension)
        observer_->extension(observer_->ctx, block, nblocks);
    }
    size_t pos = 0;
    ok = ok && extension_header(ext, size, offset, first, &pos);
    uint64_t next = 0, next_blocks = 0;
    bool end = false;
    ok = ok && frames(ext, size, offset, pos, &next, &next_blocks, &end);
    raw_free(ext);
    if (!ok)
      return false;
    if (end)
      return true;
    block = next;
    nblocks = next_blocks;
  }
}

bool Decoder::extension_header(const uint8_t* ext, size_t size, uint64_t offset, bool first,
                               size_t* pos_out) {
  static const uint8_t kMagic[6] = {'N', 'V', 'M', 'T', 'F', 'S'};
  if (!same(ext, 6, kMagic, 6))
    return fail(Error::kBadMagic, offset);
  size_t pos = 6;
  uint64_t version = 0, ext_size = 0;
  if (!read_varint_at(ext, size, &pos, &version) || !read_varint_at(ext, size, &pos, &ext_size))
    return fail(Error::kTruncated, offset + pos);
  if ((version != 4 && version != 5) || (version_ && version != version_))
    return fail(Error::kBadVersion, offset + 6);
  version_ = static_cast<uint32_t>(version);
  if (first) {
    if (pos + 16 > size)
      return fail(Error::kTruncated, offset + pos);
    copy(out_->uuid, ext + pos, 16);
    pos += 16;
    size_t n = 0;
    while (pos + n < size && ext[pos + n] != 0)
      ++n;
    if (pos + n >= size || n >= sizeof out_->label)
      return fail(Error::kBadRecord, offset + pos);
    copy(out_->label, ext + pos, n);
    out_->label[n] = 0;
    pos += n + 1;
  }
  *pos_out = pos;
  return true;
}

bool Decoder::frames(const uint8_t* ext, size_t size, uint64_t base, size_t pos,
                     uint64_t* link_block, uint64_t* link_blocks, bool* end) {
  while (true) {
    if (pos >= size)
      return fail(Error::kTruncated, base + pos);
    size_t frame = pos;
    uint8_t type = ext[pos++];
    switch (type) {
    case 1: // END_OF_LOG
      if (pending_total_ != pending_have_)
        return fail(Error::kTruncated, base + frame);
      out_->log_end = base + frame;
      out_->tail_block = base / kBlockSize;
      out_->tail_blocks = size / kBlockSize;
      *end = true;
      return true;
    case 2: { // TUPLE_AVAILABLE
      uint64_t total, seg;
      if (!read_varint_at(ext, size, &pos, &total) || !read_varint_at(ext, size, &pos, &seg))
        return fail(Error::kTruncated, base + frame);
      if (pending_have_ != pending_total_ || seg > total || total == 0 ||
          total > blocks_ * kBlockSize)
        return fail(Error::kBadRecord, base + frame);
      if (seg >= size - pos) // the segment and at least one more byte must fit
        return fail(Error::kTruncated, base + frame);
      pending_ = static_cast<uint8_t*>(arena_.allocate(static_cast<size_t>(total)));
      if (!pending_)
        return fail(Error::kNoMemory, base + frame);
      pending_total_ = total;
      pending_have_ = 0;
      value_offset_ = base + pos;
      if (!append_piece(ext + pos, static_cast<size_t>(seg), base + frame))
        return false;
      pos += static_cast<size_t>(seg);
      break;
    }
    case 3: { // TUPLE_EXTENDED
      uint64_t seg;
      if (!read_varint_at(ext, size, &pos, &seg))
        return fail(Error::kTruncated, base + frame);
      if (pending_have_ == pending_total_ || seg > pending_total_ - pending_have_)
        return fail(Error::kBadRecord, base + frame);
      if (seg >= size - pos)
        return fail(Error::kTruncated, base + frame);
      if (!append_piece(ext + pos, static_cast<size_t>(seg), base + frame))
        return false;
      pos += static_cast<size_t>(seg);
      break;
    }
    case 4: // END_OF_SEGMENT
      break;
    case 5: // LOG_EXTENSION_LINK
      if (!read_varint_at(ext, size, &pos, link_block) ||
          !read_varint_at(ext, size, &pos, link_blocks))
        return fail(Error::kTruncated, base + frame);
      if (*link_blocks == 0)
        return fail(Error::kBadRecord, base + frame);
      *end = false;
      return true;
    default:
      return fail(Error::kBadRecord, base + frame);
    }
  }
}

bool Decoder::append_piece(const uint8_t* p, size_t n, uint64_t offset) {
  copy(pending_ + pending_have_, p, n);
  pending_have_ += n;
  if (pending_have_ < pending_total_)
    return true;
  (void)offset;
  return decode_top();
}

// ---- values ----

bool Decoder::varint(uint64_t* out) {
  if (!read_varint_at(vbuf_, vlen_, &vpos_, out))
    return fail(Error::kBadValue, here());
  return true;
}

bool Decoder::header(bool* imm, unsigned* type, uint64_t* len) {
  if (vpos_ >= vlen_)
    return fail(Error::kTruncated, here());
  uint8_t b = vbuf_[vpos_++];
  bool more;
  *imm = b & 0x80;
  if (version_ == 5) {
    *type = (b >> 4) & 7;
    more = b & 0x08;
    *len = b & 7;
  } else {
    *type = (b >> 6) & 1;
    more = b & 0x20;
    *len = b & 0x1F;
  }
  while (more) {
    if (vpos_ >= vlen_)
      return fail(Error::kTruncated, here());
    uint8_t c = vbuf_[vpos_++];
    if (*len >> 56)
      return fail(Error::kBadValue, here());
    *len = (*len << 7) | (c & 0x7F);
    more = c & 0x80;
  }
  return true;
}

Value* Decoder::new_value(Kind kind) {
  auto* v = static_cast<Value*>(arena_.allocate(sizeof(Value)));
  if (!v) {
    fail(Error::kNoMemory, here());
    return nullptr;
  }
  zero(v, sizeof *v);
  v->kind = kind;
  return v;
}

bool Decoder::record(Value* v, const uint8_t* sym, uint32_t sym_len, uint32_t sym_id) {
  if (dict_count_ >= dict_cap_) {
    size_t cap = dict_cap_ ? dict_cap_ * 2 : 256;
    auto* d = static_cast<DictEntry*>(raw_alloc(cap * sizeof(DictEntry)));
    if (!d)
      return fail(Error::kNoMemory, here());
    if (dict_)
      copy(d, dict_, dict_count_ * sizeof(DictEntry));
    else
      zero(d, sizeof(DictEntry)); // entry 0 is never used
    raw_free(dict_);
    dict_ = d;
    dict_cap_ = cap;
  }
  dict_[dict_count_++] = DictEntry{v, sym, sym_len, sym_id};
  return true;
}

const Symbol* Decoder::intern(const uint8_t* bytes, uint32_t len) {
  if ((sym_count_ + 1) * 2 > sym_cap_) {
    size_t cap = sym_cap_ ? sym_cap_ * 2 : 256;
    auto* t = static_cast<Symbol*>(raw_alloc(cap * sizeof(Symbol)));
    if (!t) {
      fail(Error::kNoMemory, here());
      return nullptr;
    }
    zero(t, cap * sizeof(Symbol));
    for (size_t i = 0; i < sym_cap_; ++i) {
      if (!syms_[i].bytes)
        continue;
      size_t j = hash_bytes(syms_[i].bytes, syms_[i].len) & (cap - 1);
      while (t[j].bytes)
        j = (j + 1) & (cap - 1);
      t[j] = syms_[i];
    }
    raw_free(syms_);
    syms_ = t;
    sym_cap_ = cap;
  }
  size_t j = hash_bytes(bytes, len) & (sym_cap_ - 1);
  while (syms_[j].bytes) {
    if (same(syms_[j].bytes, syms_[j].len, bytes, len))
      return &syms_[j];
    j = (j + 1) & (sym_cap_ - 1);
  }
  // Symbols need a non-null pointer even when empty.
  static const uint8_t kEmpty[1] = {0};
  syms_[j] = Symbol{len ? bytes : kEmpty, len, static_cast<uint32_t>(sym_count_++),
                    static_cast<uint32_t>(dict_count_)};
  return &syms_[j];
}

// An attribute name: an immediate symbol (recorded) or a symbol reference.
bool Decoder::name(const uint8_t** bytes, uint32_t* len, uint32_t* sym_id) {
  uint64_t at = here();
  bool imm;
  unsigned type;
  uint64_t n;
  if (!header(&imm, &type, &n))
    return false;
  if (imm) {
    if (n > vlen_ - vpos_ || n > 0xFFFFFFFFu)
      return fail(Error::kTruncated, at);
    const Symbol* s = intern(vbuf_ + vpos_, static_cast<uint32_t>(n));
    if (!s)
      return false;
    vpos_ += static_cast<size_t>(n);
    *bytes = s->bytes;
    *len = s->len;
    *sym_id = s->id;
    return record(nullptr, s->bytes, s->len, s->id);
  }
  if (n == 0 || n >= dict_count_ || !dict_[n].sym)
    return fail(Error::kBadReference, at);
  *bytes = dict_[n].sym;
  *len = dict_[n].sym_len;
  *sym_id = dict_[n].sym_id;
  return true;
}

bool Decoder::grow_slots() {
  size_t cap = slot_cap_ ? slot_cap_ * 2 : 1024;
  auto* t = static_cast<Slot*>(raw_alloc(cap * sizeof(Slot)));
  if (!t)
    return fail(Error::kNoMemory, here());
  zero(t, cap * sizeof(Slot));
  for (size_t i = 0; i < slot_cap_; ++i) {
    if (!slots_[i].item)
      continue;
    size_t j = (slots_[i].tuple * 2654435761u ^ slots_[i].sym * 40503u) & (cap - 1);
    while (t[j].item)
      j = (j + 1) & (cap - 1);
    t[j] = slots_[i];
  }
  raw_free(slots_);
  slots_ = t;
  slot_cap_ = cap;
  return true;
}

bool Decoder::push(Value* seq, const uint8_t* nm, uint32_t len, Value* v) {
  if (seq->count == seq->capacity) {
    uint32_t cap = seq->capacity ? seq->capacity * 2 : 4;
    auto* items = static_cast<Item*>(arena_.allocate(cap * sizeof(Item)));
    if (!items)
      return fail(Error::kNoMemory, here());
    copy(items, seq->items, seq->count * sizeof(Item));
    seq->items = items;
    seq->capacity = cap;
  }
  seq->items[seq->count++] = Item{nm, len, v};
  return true;
}

bool Decoder::set(Value* tuple, uint32_t dict_index, const uint8_t* nm, uint32_t len,
                  uint32_t sym_id, Value* v, bool deleted) {
  if ((slot_count_ + 1) * 2 > slot_cap_ && !grow_slots())
    return false;
  size_t j = (dict_index * 2654435761u ^ sym_id * 40503u) & (slot_cap_ - 1);
  while (slots_[j].item) {
    if (slots_[j].tuple == dict_index && slots_[j].sym == sym_id) {
      Item& it = tuple->items[slots_[j].item - 1];
      it.value = deleted ? nullptr : v;
      if (deleted)
        tombstones_ = true;
      return true;
    }
    j = (j + 1) & (slot_cap_ - 1);
  }
  if (deleted)
    return true; // deleting an absent attribute
  if (!push(tuple, nm, len, v))
    return false;
  slots_[j] = Slot{dict_index, sym_id, tuple->count};
  ++slot_count_;
  return true;
}

bool Decoder::entries(Value* tuple, uint32_t dict_index, uint64_t n, int depth) {
  for (uint64_t i = 0; i < n; ++i) {
    const uint8_t* nm;
    uint32_t len, sym_id;
    if (!name(&nm, &len, &sym_id))
      return false;
    bool deleted = false;
    Value* v = value(depth + 1, &deleted);
    if (!v && !deleted)
      return false;
    if (!set(tuple, dict_index, nm, len, sym_id, v, deleted))
      return false;
  }
  return true;
}

Value* Decoder::value(int depth, bool* deleted) {
  *deleted = false;
  if (depth > kMaxNesting) {
    fail(Error::kTooDeep, here());
    return nullptr;
  }
  uint64_t at = here();
  bool imm;
  unsigned type;
  uint64_t len;
  if (!header(&imm, &type, &len))
    return nullptr;
  // A count can never exceed the bytes left (each element takes at least one).
  switch (type) {
  case 1:   // tuple
  case 2: { // vector
    Value* v;
    uint32_t index;
    if (imm) {
      v = new_value(type == 1 ? Kind::kTuple : Kind::kVector);
      if (!v || !record(v, nullptr, 0, 0))
        return nullptr;
      index = static_cast<uint32_t>(dict_count_ - 1);
      v->index = index;
    } else {
      uint64_t ref;
      if (!varint(&ref))
        return nullptr;
      if (ref == 0 || ref >= dict_count_ || !dict_[ref].value ||
          dict_[ref].value->kind != (type == 1 ? Kind::kTuple : Kind::kVector)) {
        fail(Error::kBadReference, at);
        return nullptr;
      }
      v = dict_[ref].value;
      index = static_cast<uint32_t>(ref);
    }
    if (len > vlen_ - vpos_) {
      fail(Error::kTruncated, at);
      return nullptr;
    }
    if (type == 1)
      return entries(v, index, len, depth) ? v : nullptr;
    for (uint64_t i = 0; i < len; ++i) {
      bool del;
      Value* e = value(depth + 1, &del);
      if (!e) {
        if (del)
          fail(Error::kBadValue, at);
        return nullptr;
      }
      if (!push(v, nullptr, 0, e))
        return nullptr;
    }
    return v;
  }
  case 3: { // integer
    uint64_t mag;
    if (!imm || len > 1) {
      fail(Error::kBadValue, at);
      return nullptr;
    }
    if (!varint(&mag))
      return nullptr;
    Value* v = new_value(Kind::kInteger);
    if (v) {
      v->negative = len == 1;
      v->integer = mag;
    }
    return v;
  }
  case 0:   // buffer / symbol
  case 4: { // string
    if (!imm) {
      if (type != 0 || len == 0 || len >= dict_count_ || !dict_[len].sym) {
        fail(Error::kBadReference, at);
        return nullptr;
      }
      Value* v = new_value(Kind::kBytes);
      if (v) {
        v->bytes = dict_[len].sym;
        v->len = dict_[len].sym_len;
      }
      return v;
    }
    if (type == 0 && len == 0) {
      *deleted = true; // "no value": the attribute is removed
      return nullptr;
    }
    if (len > vlen_ - vpos_) {
      fail(Error::kTruncated, at);
      return nullptr;
    }
    Value* v = new_value(Kind::kBytes);
    if (v) {
      v->bytes = vbuf_ + vpos_; // the reassembled value lives in the arena
      v->len = static_cast<uint32_t>(len);
      vpos_ += static_cast<size_t>(len);
    }
    return v;
  }
  default:
    fail(Error::kBadValue, at);
    return nullptr;
  }
}

bool Decoder::decode_top() {
  vbuf_ = pending_;
  vlen_ = static_cast<size_t>(pending_total_);
  vpos_ = 0;
  bool deleted;
  Value* v = value(0, &deleted);
  if (!v)
    return deleted ? fail(Error::kBadValue, value_offset_) : false;
  if (vpos_ != vlen_)
    return fail(Error::kBadValue, here());
  return true;
}

void Decoder::compact_tuples() {
  for (size_t i = 1; i < dict_count_; ++i) {
    Value* v = dict_[i].value;
    if (!v || v->kind != Kind::kTuple)
      continue;
    uint32_t kept = 0;
    for (uint32_t j = 0; j < v->count; ++j)
      if (v->items[j].value)
        v->items[kept++] = v->items[j];
    v->count = kept;
  }
}

// The symbol table, kept for writers: a new record must name a known symbol by reference.
bool Decoder::export_symbols(Volume* out) {
  auto* list = static_cast<Volume::Symbol*>(arena_.allocate((sym_count_ + 1) * sizeof(Volume::Symbol)));
  if (!list)
    return fail(Error::kNoMemory, 0);
  uint32_t n = 0;
  for (size_t i = 0; i < sym_cap_; ++i)
    if (syms_[i].bytes)
      list[n++] = Volume::Symbol{syms_[i].bytes, syms_[i].len, syms_[i].dict_index};
  out->symbols = list;
  out->symbol_count = n;
  return true;
}

DecodeStatus Decoder::run(Volume* out) {
  out_ = out;
  *out = Volume{};
  bool ok = read_log();
  if (ok && (dict_count_ < 2 || !dict_[1].value || dict_[1].value->kind != Kind::kTuple))
    ok = fail(Error::kNoRoot, kBlockSize);
  if (ok) {
    if (tombstones_)
      compact_tuples();
    out->root = dict_[1].value;
    out->version = version_;
    out->next_index = static_cast<uint32_t>(dict_count_);
    ok = export_symbols(out);
  }
  if (ok) {
    out->storage = arena_.chunks;
  } else {
    arena_.release();
    *out = Volume{};
  }
  raw_free(visited_);
  raw_free(dict_);
  raw_free(syms_);
  raw_free(slots_);
  return status_;
}

} // namespace

DecodeStatus decode(const BlockReader& reader, const Allocator& alloc, uint64_t partition_blocks,
                    Volume* out) {
  return decode(reader, alloc, partition_blocks, out, nullptr);
}

DecodeStatus decode(const BlockReader& reader, const Allocator& alloc, uint64_t partition_blocks,
                    Volume* out, const LogObserver* observer) {
  Decoder d(reader, alloc, partition_blocks, observer);
  return d.run(out);
}

void release(Volume* volume, const Allocator& alloc) {
  Arena a;
  a.alloc = &alloc;
  a.chunks = static_cast<Chunk*>(volume->storage);
  a.release();
  *volume = Volume{};
}

// ---- reading decoded values ----

const Value* get(const Value* tuple, const uint8_t* nm, size_t len) {
  if (!tuple || tuple->kind != Kind::kTuple)
    return nullptr;
  // The last assignment wins (a decoded tuple has no duplicates, but be safe).
  for (uint32_t i = tuple->count; i-- > 0;)
    if (tuple->items[i].value && same(tuple->items[i].name, tuple->items[i].name_len, nm, len))
      return tuple->items[i].value;
  return nullptr;
}

bool to_u64(const Value* v, uint64_t* out) {
  if (!v)
    return false;
  if (v->kind == Kind::kInteger) {
    if (v->negative && v->integer != 0)
      return false;
    *out = v->integer;
    return true;
  }
  if (v->kind != Kind::kBytes || v->len == 0 || v->len > 20)
    return false;
  uint64_t n = 0;
  for (uint32_t i = 0; i < v->len; ++i) {
    uint8_t c = v->bytes[i];
    if (c < '0' || c > '9')
      return false;
    uint64_t d = c - '0';
    // n * 10 + d <= 2^64 - 1, without a 64-bit division (stage2 is 32-bit, no libgcc).
    constexpr uint64_t kTenth = UINT64_MAX / 10; // 1844674407370955161, remainder 5
    if (n > kTenth || (n == kTenth && d > UINT64_MAX % 10))
      return false;
    n = n * 10 + d;
  }
  *out = n;
  return true;
}

bool bytes_equal(const Value* v, const char* text) {
  if (!v || v->kind != Kind::kBytes)
    return false;
  size_t len = 0;
  while (text[len])
    ++len;
  return same(v->bytes, v->len, reinterpret_cast<const uint8_t*>(text), len);
}

bool extent_at(const Value* extents, uint32_t index, Extent* out) {
  if (!extents || extents->kind != Kind::kTuple || index >= extents->count)
    return false;
  const Item& it = extents->items[index];
  Value key{Kind::kBytes, false, 0, it.name, it.name_len, nullptr, 0, 0, 0};
  Extent e{};
  if (!to_u64(&key, &e.file_block) || !to_u64(get(it.value, "offset"), &e.disk_block) ||
      !to_u64(get(it.value, "length"), &e.length))
    return false;
  if (!to_u64(get(it.value, "allocated"), &e.allocated))
    e.allocated = e.length;
  e.uninited = get(it.value, "uninited") != nullptr;
  *out = e;
  return true;
}

} // namespace tfs
