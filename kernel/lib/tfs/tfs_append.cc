#include "lib/tfs/tfs_append.h"

#include "lib/tfs/tfs_bytes.h"
#include "lib/tfs/tfs_encode.h"

namespace tfs {
namespace {

constexpr auto copy_bytes = bytes::copy;
constexpr auto zero_bytes = bytes::zero;
constexpr auto same_bytes = bytes::same;
constexpr auto hash = bytes::hash;

constexpr uint8_t kEndOfLog = 1;
constexpr uint8_t kTupleAvailable = 2;
constexpr uint8_t kEndOfSegment = 4;
constexpr uint8_t kExtensionLink = 5;
// Room the kernel keeps free at the end of an extension (spec §3.2): a link, one frame
// header and the END_OF_LOG, with its margin.
constexpr size_t kTailReserve = 74;

} // namespace

// ---- Dictionary ----

bool Dictionary::init(const Allocator& alloc, const Volume& volume) {
  alloc_ = alloc;
  next_ = volume.next_index ? volume.next_index : 1;
  for (uint32_t i = 0; i < volume.symbol_count; ++i) {
    const Volume::Symbol& s = volume.symbols[i];
    uint32_t keep = next_;
    next_ = s.index; // add_symbol numbers it with next_
    bool ok = add_symbol(s.bytes, s.len);
    next_ = keep;
    if (!ok) {
      release();
      return false;
    }
  }
  return true;
}

void Dictionary::release() {
  for (uint32_t i = 0; i < count_; ++i)
    alloc_.free(alloc_.ctx, const_cast<uint8_t*>(entries_[i].bytes));
  if (alloc_.free) {
    alloc_.free(alloc_.ctx, entries_);
    alloc_.free(alloc_.ctx, table_);
  }
  entries_ = nullptr;
  table_ = nullptr;
  count_ = cap_ = table_cap_ = 0;
}

uint32_t Dictionary::find(const uint8_t* bytes, size_t len) const {
  if (!table_cap_)
    return 0;
  for (uint32_t j = hash(bytes, len) & (table_cap_ - 1); table_[j]; j = (j + 1) & (table_cap_ - 1)) {
    const Entry& e = entries_[table_[j] - 1];
    if (same_bytes(e.bytes, e.len, bytes, len))
      return e.index;
  }
  return 0;
}

void Dictionary::rehash() {
  for (uint32_t j = 0; j < table_cap_; ++j)
    table_[j] = 0;
  for (uint32_t i = 0; i < count_; ++i) {
    uint32_t j = hash(entries_[i].bytes, entries_[i].len) & (table_cap_ - 1);
    while (table_[j])
      j = (j + 1) & (table_cap_ - 1);
    table_[j] = i + 1;
  }
}

bool Dictionary::add_symbol(const uint8_t* bytes, size_t len) {
  if (count_ == cap_) {
    uint32_t cap = cap_ ? cap_ * 2 : 256;
    auto* e = static_cast<Entry*>(alloc_.alloc(alloc_.ctx, cap * sizeof(Entry)));
    if (!e)
      return false;
    copy_bytes(e, entries_, count_ * sizeof(Entry));
    alloc_.free(alloc_.ctx, entries_);
    entries_ = e;
    cap_ = cap;
  }
  if ((count_ + 1) * 2 > table_cap_) {
    uint32_t cap = table_cap_ ? table_cap_ * 2 : 512;
    auto* t = static_cast<uint32_t*>(alloc_.alloc(alloc_.ctx, cap * sizeof(uint32_t)));
    if (!t)
      return false;
    alloc_.free(alloc_.ctx, table_);
    table_ = t;
    table_cap_ = cap;
    rehash();
  }
  auto* copy = static_cast<uint8_t*>(alloc_.alloc(alloc_.ctx, len + 1));
  if (!copy)
    return false;
  copy_bytes(copy, bytes, len);
  entries_[count_] = Entry{copy, static_cast<uint32_t>(len), next_++};
  uint32_t j = hash(copy, len) & (table_cap_ - 1);
  while (table_[j])
    j = (j + 1) & (table_cap_ - 1);
  table_[j] = ++count_;
  return true;
}

void Dictionary::rollback(Mark m) {
  if (m.symbols < count_) {
    for (uint32_t i = m.symbols; i < count_; ++i)
      alloc_.free(alloc_.ctx, const_cast<uint8_t*>(entries_[i].bytes));
    count_ = m.symbols;
    rehash();
  }
  next_ = m.next;
}

// ---- RecordBuilder ----

void RecordBuilder::put(const void* p, size_t n) {
  if (!ok_ || n > cap_ - len_) {
    ok_ = false;
    return;
  }
  copy_bytes(buf_ + len_, p, n);
  len_ += n;
}

void RecordBuilder::header(bool immediate, unsigned type, uint64_t len) {
  uint8_t h[kMaxHeaderBytes];
  put(h, encode_header(immediate, type, len, h));
}

void RecordBuilder::tuple_ref(uint32_t index, uint32_t entries) {
  header(false, kTypeTuple, entries);
  uint8_t v[kMaxVarintBytes];
  put(v, encode_varint(index, v));
}

uint32_t RecordBuilder::tuple(uint32_t entries) {
  header(true, kTypeTuple, entries);
  return dict_.take_tuple(); // numbered at its header, before its entries (spec §3.4)
}

void RecordBuilder::name(const char* text) {
  size_t n = 0;
  while (text[n])
    ++n;
  name(reinterpret_cast<const uint8_t*>(text), n);
}

void RecordBuilder::name(const uint8_t* bytes, size_t len) {
  if (!ok_)
    return;
  if (uint32_t index = dict_.find(bytes, len)) {
    header(false, kTypeBuffer, index); // a symbol reference carries its number in the header
    return;
  }
  header(true, kTypeBuffer, len);
  put(bytes, len);
  if (ok_ && !dict_.add_symbol(bytes, len))
    ok_ = false;
}

void RecordBuilder::string(const void* bytes, size_t len) {
  header(true, kTypeString, len);
  put(bytes, len);
}

void RecordBuilder::integer(uint64_t value) {
  header(true, kTypeInteger, 0);
  uint8_t v[kMaxVarintBytes];
  put(v, encode_varint(value, v));
}

void RecordBuilder::decimal_name(uint64_t value) {
  char digits[24];
  size_t n = 0;
  do {
    digits[sizeof digits - 1 - n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  name(reinterpret_cast<const uint8_t*>(digits + sizeof digits - n), n);
}

void RecordBuilder::flag() {
  const uint8_t bytes[2] = {0x81, 0x00}; // immediate buffer of one zero byte
  put(bytes, 2);
}

void RecordBuilder::remove() {
  const uint8_t del = 0x80; // immediate buffer of length 0
  put(&del, 1);
}

// ---- LogTail ----

AppendResult LogTail::open(const Allocator& alloc, const BlockReader& reader, const Volume& volume) {
  alloc_ = alloc;
  block_ = volume.tail_block;
  nblocks_ = volume.tail_blocks;
  size_ = static_cast<size_t>(nblocks_) * kBlockSize;
  uint64_t end = volume.log_end;
  if (!nblocks_ || end < block_ * kBlockSize || end >= block_ * kBlockSize + size_)
    return AppendResult::kIo;
  ext_ = static_cast<uint8_t*>(alloc.alloc(alloc.ctx, size_));
  if (!ext_)
    return AppendResult::kNoMemory;
  if (!reader.read(reader.ctx, block_, static_cast<uint32_t>(nblocks_), ext_)) {
    release();
    return AppendResult::kIo;
  }
  pos_ = static_cast<size_t>(end - block_ * kBlockSize);
  dirty_from_ = kClean;
  return AppendResult::kOk;
}

void LogTail::release() {
  if (ext_)
    alloc_.free(alloc_.ctx, ext_);
  ext_ = nullptr;
}

AppendResult LogTail::write_range(const BlockWriter& writer, size_t from, size_t to) {
  uint64_t first = from / kBlockSize;
  uint64_t last = (to + kBlockSize - 1) / kBlockSize;
  if (last > nblocks_)
    last = nblocks_;
  // Block devices take bounded requests; 128 blocks (64 KiB) at a time.
  for (uint64_t b = first; b < last;) {
    uint64_t n = last - b < 128 ? last - b : 128;
    if (!writer.write(writer.ctx, block_ + b, static_cast<uint32_t>(n), ext_ + b * kBlockSize))
      return AppendResult::kIo;
    b += n;
  }
  return AppendResult::kOk;
}

AppendResult LogTail::flush(const BlockWriter& writer) {
  if (dirty_from_ == kClean)
    return AppendResult::kOk;
  AppendResult r = write_range(writer, dirty_from_, pos_ + 1);
  if (r == AppendResult::kOk)
    dirty_from_ = kClean;
  return r;
}

AppendResult LogTail::append(const uint8_t* value, size_t len, const BlockWriter& writer,
                             const ExtensionSource& source) {
  if (!ext_)
    return AppendResult::kIo;
  uint8_t frame[1 + 2 * kMaxVarintBytes];
  size_t fh = 0;
  frame[fh++] = kTupleAvailable;
  fh += encode_varint(len, frame + fh);
  fh += encode_varint(len, frame + fh);
  // A fresh extension: header "NVMTFS" 05 88 00 (9 bytes), the frame, the reserve.
  if (9 + fh + len + kTailReserve >= kExtensionBlocks * kBlockSize)
    return AppendResult::kTooLarge;
  // The old END_OF_LOG becomes END_OF_SEGMENT, as the kernel does (spec §3.1); frames
  // follow it. Then position pos_ holds the new END_OF_LOG.
  size_t start = pos_ + 1;
  if (start + fh + len + kTailReserve >= size_) {
    if (pos_ + 1 + 2 * kMaxVarintBytes > size_)
      return AppendResult::kNoSpace; // no room left even for a link (another writer's log)
    uint64_t block = 0;
    if (!source.allocate(source.ctx, kExtensionBlocks, &block))
      return AppendResult::kNoSpace;
    size_t new_size = static_cast<size_t>(kExtensionBlocks) * kBlockSize;
    auto* fresh = static_cast<uint8_t*>(alloc_.alloc(alloc_.ctx, new_size));
    if (!fresh)
      return AppendResult::kNoMemory;
    zero_bytes(fresh, new_size);
    const uint8_t head[9] = {'N', 'V', 'M', 'T', 'F', 'S', 5, 0x88, 0x00};
    copy_bytes(fresh, head, sizeof head);
    fresh[sizeof head] = kEndOfLog;
    // The new extension goes to disk whole (zero-filled), then the old one's link.
    uint8_t* old = ext_;
    uint64_t old_block = block_, old_blocks = nblocks_;
    ext_ = fresh;
    block_ = block;
    nblocks_ = kExtensionBlocks;
    AppendResult r = write_range(writer, 0, new_size);
    ext_ = old;
    block_ = old_block;
    nblocks_ = old_blocks;
    if (r != AppendResult::kOk) {
      alloc_.free(alloc_.ctx, fresh);
      return r;
    }
    size_t end_of_log = pos_;
    if (dirty_from_ == kClean || end_of_log < dirty_from_)
      dirty_from_ = end_of_log;
    size_t at = end_of_log;
    ext_[at++] = kExtensionLink;
    at += encode_varint(block, ext_ + at);
    at += encode_varint(kExtensionBlocks, ext_ + at);
    r = write_range(writer, dirty_from_, at);
    if (r != AppendResult::kOk) {
      // The log still ends here in memory; the new extension's blocks stay unused.
      ext_[end_of_log] = kEndOfLog;
      alloc_.free(alloc_.ctx, fresh);
      return r;
    }
    alloc_.free(alloc_.ctx, ext_);
    ext_ = fresh;
    block_ = block;
    nblocks_ = kExtensionBlocks;
    size_ = new_size;
    pos_ = sizeof head;
    dirty_from_ = kClean;
    start = pos_;
  } else {
    ext_[pos_] = kEndOfSegment;
  }
  if (dirty_from_ == kClean || pos_ < dirty_from_)
    dirty_from_ = pos_;
  copy_bytes(ext_ + start, frame, fh);
  copy_bytes(ext_ + start + fh, value, len);
  pos_ = start + fh + len;
  ext_[pos_] = kEndOfLog;
  return AppendResult::kOk;
}

} // namespace tfs
