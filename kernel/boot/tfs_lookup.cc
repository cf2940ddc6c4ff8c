// Read-only TFS (spec §3) just far enough to load /kernel from the boot filesystem: the log is
// replayed into a small in-memory tuple tree, then root → children → kernel → extents is read.
//
// STOPGAP: the shared TFS codec (kernel/lib/tfs/, owned by tfs-codec) did not exist when this
// was written. When it lands, tfs_load_kernel() should be re-implemented on top of it and this
// file deleted: the interface in stage2.h stays the same.
#include "stage2.h"

namespace stage2 {
namespace {

enum class Kind : uint8_t { kBuffer, kTuple, kVector, kInteger, kString };

struct Value;
struct Attr {
  const Value* name;
  Value* value;
  Attr* next;
};

struct Value {
  Kind kind;
  bool negative;
  uint32_t len; // byte length of kBuffer / kString
  const uint8_t* bytes;
  uint64_t number;
  Attr* attrs; // kTuple
};

bool same_bytes(const Value* v, const char* s) {
  uint32_t n = 0;
  while (s[n])
    ++n;
  return v && v->len == n && memcmp(v->bytes, s, n) == 0;
}

bool same_name(const Value* a, const Value* b) {
  return a == b || (a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0);
}

const Value* get(const Value* tuple, const char* name) {
  if (!tuple || tuple->kind != Kind::kTuple)
    return nullptr;
  for (const Attr* a = tuple->attrs; a; a = a->next)
    if (same_bytes(a->name, name))
      return a->value;
  return nullptr;
}

const Value* get(const Value* tuple, const Value* name) {
  for (const Attr* a = tuple->attrs; a; a = a->next)
    if (same_name(a->name, name))
      return a->value;
  return nullptr;
}

// Numbers are integers or decimal strings (spec §3.4).
bool number_of(const Value* v, uint64_t& out) {
  if (!v)
    return false;
  if (v->kind == Kind::kInteger) {
    out = v->number;
    return !v->negative;
  }
  if (v->kind != Kind::kString && v->kind != Kind::kBuffer)
    return false;
  if (v->len == 0 || v->len > 19)
    return false;
  out = 0;
  for (uint32_t i = 0; i < v->len; ++i) {
    if (v->bytes[i] < '0' || v->bytes[i] > '9')
      return false;
    out = out * 10 + (v->bytes[i] - '0');
  }
  return true;
}

class LogDecoder {
public:
  explicit LogDecoder(Arena& arena) : arena_(arena) {}

  const char* error() const { return error_; }
  const Value* root() const { return count_ >= 1 ? dict_[1] : nullptr; }

  // Decodes one complete top-level value (a TUPLE_AVAILABLE record's payload).
  bool decode(const uint8_t* data, uint32_t size) {
    p_ = data;
    end_ = data + size;
    Value* v;
    return value(v, 0);
  }

private:
  static constexpr int kMaxDepth = 64;

  bool fail_with(const char* e) {
    error_ = e;
    return false;
  }
  bool byte(uint8_t& b) {
    if (p_ >= end_)
      return fail_with("bad TFS: truncated value");
    b = *p_++;
    return true;
  }
  bool varint(uint64_t& v) {
    v = 0;
    for (int i = 0; i < 10; ++i) {
      uint8_t b;
      if (!byte(b))
        return false;
      v = (v << 7) | (b & 0x7F);
      if (!(b & 0x80))
        return true;
    }
    return fail_with("bad TFS: varint longer than 10 bytes");
  }
  bool header(bool& immediate, uint8_t& type, uint64_t& len) {
    uint8_t h;
    if (!byte(h))
      return false;
    immediate = h & 0x80;
    type = (h >> 4) & 7;
    len = h & 7;
    if (h & 8) {
      for (int i = 0;; ++i) {
        uint8_t b;
        if (i == 10)
          return fail_with("bad TFS: value header too long");
        if (!byte(b))
          return false;
        len = (len << 7) | (b & 0x7F);
        if (!(b & 0x80))
          break;
      }
    }
    return true;
  }
  void record(Value* v) {
    if (count_ + 1 >= capacity_) {
      uint32_t capacity = capacity_ ? capacity_ * 2 : 256;
      auto** grown = static_cast<Value**>(arena_.alloc(capacity * sizeof(Value*)));
      if (count_)
        memcpy(grown, dict_, (count_ + 1) * sizeof(Value*));
      dict_ = grown;
      capacity_ = capacity;
    }
    dict_[++count_] = v;
  }
  bool lookup(uint64_t index, Value*& out) {
    if (index == 0 || index > count_)
      return fail_with("bad TFS: reference to an unknown dictionary entry");
    out = dict_[index];
    return true;
  }
  bool bytes(uint64_t len, Kind kind, Value*& out) {
    if (len > static_cast<uint64_t>(end_ - p_))
      return fail_with("bad TFS: value runs past its record");
    out = static_cast<Value*>(arena_.alloc(sizeof(Value)));
    out->kind = kind;
    out->len = static_cast<uint32_t>(len);
    out->bytes = p_;
    p_ += len;
    return true;
  }
  bool name(Value*& out) {
    bool immediate;
    uint8_t type;
    uint64_t len;
    if (!header(immediate, type, len))
      return false;
    if (!immediate)
      return lookup(len, out);
    if (!bytes(len, Kind::kBuffer, out))
      return false;
    record(out);
    return true;
  }
  // Newest assignment first: get() finds it without a search on insert (a root directory
  // may have tens of thousands of entries). A delete removes every assignment of the name.
  void assign(Value* tuple, const Value* key, Value* v) {
    if (!v) {
      for (Attr** link = &tuple->attrs; *link;) {
        if (same_name((*link)->name, key))
          *link = (*link)->next;
        else
          link = &(*link)->next;
      }
      return;
    }
    auto* a = static_cast<Attr*>(arena_.alloc(sizeof(Attr)));
    a->name = key;
    a->value = v;
    a->next = tuple->attrs;
    tuple->attrs = a;
  }
  // `out` = nullptr for the "delete attribute" value.
  bool value(Value*& out, int depth) {
    if (depth > kMaxDepth)
      return fail_with("bad TFS: values nested too deeply");
    bool immediate;
    uint8_t type;
    uint64_t len;
    if (!header(immediate, type, len))
      return false;
    switch (type) {
    case 0: // symbol / buffer
      if (!immediate)
        return lookup(len, out);
      if (len == 0) {
        out = nullptr;
        return true;
      }
      return bytes(len, Kind::kBuffer, out);
    case 4:
      return bytes(len, Kind::kString, out);
    case 3:
      out = static_cast<Value*>(arena_.alloc(sizeof(Value)));
      out->kind = Kind::kInteger;
      out->negative = len == 1;
      return varint(out->number);
    case 1:
    case 2: {
      Kind kind = type == 1 ? Kind::kTuple : Kind::kVector;
      if (immediate) {
        out = static_cast<Value*>(arena_.alloc(sizeof(Value)));
        out->kind = kind;
        record(out);
      } else {
        uint64_t index;
        if (!varint(index) || !lookup(index, out))
          return false;
        if (out->kind != kind)
          return fail_with("bad TFS: reference to an entry of another type");
      }
      for (uint64_t i = 0; i < len; ++i) {
        Value* key = nullptr;
        Value* v;
        if (kind == Kind::kTuple && !name(key))
          return false;
        if (!value(v, depth + 1))
          return false;
        if (kind == Kind::kTuple)
          assign(out, key, v); // vector elements are not needed to find the kernel
      }
      return true;
    }
    default:
      return fail_with("bad TFS: unknown value type");
    }
  }

  Arena& arena_;
  Value** dict_ = nullptr;
  uint32_t count_ = 0;
  uint32_t capacity_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  const char* error_ = "bad TFS";
};

// Walks the log extension chain, feeding complete values to the decoder.
class LogReader {
public:
  LogReader(uint64_t part_lba, Arena& arena, LogDecoder& decoder)
      : part_lba_(part_lba), arena_(arena), decoder_(decoder) {}

  const char* run() {
    if (const char* e = load(0, 1))
      return e;
    if (const char* e = parse_header(true))
      return e;
    for (;;) {
      uint8_t type;
      if (!byte(type))
        return "bad TFS: log extension ends without a link or end record";
      uint64_t a, b;
      switch (type) {
      case 1: // END_OF_LOG
        if (pending_)
          return "bad TFS: log ends inside a value";
        return nullptr;
      case 4: // END_OF_SEGMENT
        break;
      case 5: // LOG_EXTENSION_LINK
        if (!varint(a) || !varint(b))
          return error_;
        if (b == 0 || b > 65536)
          return "bad TFS: log extension link with a bad size";
        if (++links_ > kMaxLinks)
          return "bad TFS: too many log extensions (a link loop?)";
        if (const char* e = load(a, static_cast<uint32_t>(b)))
          return e;
        if (const char* e = parse_header(false))
          return e;
        break;
      case 2: // TUPLE_AVAILABLE total seg bytes
        if (!varint(a) || !varint(b))
          return error_;
        if (pending_)
          return "bad TFS: new value while another is incomplete";
        if (b > a || a > 64 * 1024 * 1024)
          return "bad TFS: bad record lengths";
        total_ = static_cast<uint32_t>(a);
        filled_ = 0;
        pending_ = static_cast<uint8_t*>(arena_.alloc(total_ ? total_ : 1));
        if (const char* e = append(b))
          return e;
        break;
      case 3: // TUPLE_EXTENDED seg bytes
        if (!varint(b))
          return error_;
        if (!pending_)
          return "bad TFS: continuation without a value";
        if (const char* e = append(b))
          return e;
        break;
      default:
        return "bad TFS: unknown log record type";
      }
    }
  }

private:
  const char* load(uint64_t block, uint32_t nblocks) {
    if (nblocks > capacity_) {
      buffer_ = static_cast<uint8_t*>(arena_.alloc(nblocks * 512));
      capacity_ = nblocks;
    }
    if (!disk_read(part_lba_ + block, nblocks, buffer_))
      return "disk read error in the boot TFS log";
    p_ = buffer_;
    end_ = buffer_ + nblocks * 512;
    return nullptr;
  }
  bool byte(uint8_t& b) {
    if (p_ >= end_) {
      error_ = "bad TFS: record runs past its log extension";
      return false;
    }
    b = *p_++;
    return true;
  }
  bool varint(uint64_t& v) {
    v = 0;
    for (int i = 0; i < 10; ++i) {
      uint8_t b;
      if (!byte(b))
        return false;
      v = (v << 7) | (b & 0x7F);
      if (!(b & 0x80))
        return true;
    }
    error_ = "bad TFS: varint longer than 10 bytes";
    return false;
  }
  const char* parse_header(bool first) {
    if (end_ - p_ < 6 || memcmp(p_, "NVMTFS", 6) != 0)
      return "bad TFS: no NVMTFS magic (is partition entry the boot TFS?)";
    p_ += 6;
    uint64_t version, size;
    if (!varint(version) || !varint(size))
      return error_;
    if (version != 5)
      return "bad TFS: unsupported version (stage2 reads version 5)";
    if (first) {
      p_ += 16; // UUID
      uint8_t c;
      do {
        if (!byte(c))
          return error_;
      } while (c);
    }
    return nullptr;
  }
  const char* append(uint64_t seg) {
    if (seg > total_ - filled_)
      return "bad TFS: record segment longer than its value";
    if (seg > static_cast<uint64_t>(end_ - p_))
      return "bad TFS: record runs past its log extension";
    memcpy(pending_ + filled_, p_, static_cast<uint32_t>(seg));
    p_ += seg;
    filled_ += static_cast<uint32_t>(seg);
    if (filled_ == total_) {
      uint8_t* value = pending_;
      pending_ = nullptr;
      if (!decoder_.decode(value, total_))
        return decoder_.error();
    }
    return nullptr;
  }

  // A boot TFS has one or two extensions; this only stops a link cycle from hanging the boot.
  static constexpr uint32_t kMaxLinks = 4096;
  uint32_t links_ = 0;
  uint64_t part_lba_;
  Arena& arena_;
  LogDecoder& decoder_;
  uint8_t* buffer_ = nullptr;
  uint32_t capacity_ = 0;
  const uint8_t* p_ = nullptr;
  const uint8_t* end_ = nullptr;
  uint8_t* pending_ = nullptr;
  uint32_t total_ = 0;
  uint32_t filled_ = 0;
  const char* error_ = "bad TFS";
};

} // namespace

const char* tfs_load_kernel(uint64_t part_lba, Arena& arena, uint8_t** data, uint32_t* size) {
  LogDecoder decoder(arena);
  LogReader reader(part_lba, arena, decoder);
  if (const char* e = reader.run())
    return e;
  const Value* root = decoder.root();
  if (!root || root->kind != Kind::kTuple)
    return "bad TFS: dictionary entry 1 is not the root tuple";
  const Value* children = get(root, "children");
  if (!children)
    return "bad TFS: root has no children";
  const Value* file = get(children, "kernel");
  if (!file || file->kind != Kind::kTuple)
    return "no /kernel in the boot TFS";
  uint64_t length = 0;
  if (get(file, "filelength") && !number_of(get(file, "filelength"), length))
    return "bad TFS: /kernel has a bad filelength";
  const Value* extents = get(file, "extents");
  if (!extents || extents->kind != Kind::kTuple)
    return "bad TFS: /kernel has no extents";
  if (length == 0 || length > 256 * 1024 * 1024)
    return "/kernel is empty or larger than 256 MiB";

  uint32_t padded = (static_cast<uint32_t>(length) + 511) & ~511u;
  auto* buffer = static_cast<uint8_t*>(arena.alloc(padded, 4096)); // zeroed: holes read as 0
  uint32_t buffer_blocks = padded / 512;
  for (const Attr* a = extents->attrs; a; a = a->next) {
    if (get(extents, a->name) != a->value)
      continue; // replaced by a later assignment
    uint64_t file_block, offset, blocks;
    if (!number_of(a->name, file_block) || !number_of(get(a->value, "offset"), offset) ||
        !number_of(get(a->value, "length"), blocks))
      return "bad TFS: /kernel has a malformed extent";
    if (get(a->value, "uninited") || file_block >= buffer_blocks)
      continue; // reads as zeros / lies beyond filelength
    uint64_t room = buffer_blocks - file_block;
    uint32_t n = static_cast<uint32_t>(blocks < room ? blocks : room);
    if (!disk_read(part_lba + offset, n, buffer + file_block * 512))
      return "disk read error while reading /kernel";
  }
  *data = buffer;
  *size = static_cast<uint32_t>(length);
  return nullptr;
}

} // namespace stage2
