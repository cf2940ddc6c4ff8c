#include "lib/tfs/tfs_digest.h"

namespace tfs {
namespace {

// Walks every reachable value once per path to it. A tree the writer made has no shared
// subtrees, so it visits each tuple and vector once, and each has its own dictionary
// number: more visits than numbers means a hostile log shares subtrees or loops through
// references, and the walk stops there (the work stays linear in the log's size).

struct Walk {
  const BlockReader& reader;
  uint64_t partition_blocks;
  uint8_t* buffer;
  uint32_t buffer_blocks;
  xxh3::Hasher128 metadata;
  xxh3::Hasher128 data;
  uint64_t containers_left; // tuples and vectors the walk may still visit
  bool read_data;           // false: the metadata hash only, counting uncovered files
  uint64_t data_blocks = 0;
  uint64_t uncovered_files = 0;
  DigestStatus status;

  void put_u8(uint8_t v) { metadata.update(&v, 1); }
  void put_u32(uint32_t v) {
    uint8_t b[4] = {static_cast<uint8_t>(v), static_cast<uint8_t>(v >> 8),
                    static_cast<uint8_t>(v >> 16), static_cast<uint8_t>(v >> 24)};
    metadata.update(b, 4);
  }
  void put_u64(uint64_t v) {
    put_u32(static_cast<uint32_t>(v));
    put_u32(static_cast<uint32_t>(v >> 32));
  }
  void put_bytes(const uint8_t* p, uint32_t n) {
    put_u32(n);
    metadata.update(p, n);
  }

  bool fail(DigestError e, const char* what) {
    status.error = e;
    status.what = what;
    return false;
  }

  // Metadata only: a file whose extents hold blocks must have chunk digests, or its data
  // is covered by nothing but the data hash.
  void count_uncovered(const Value* file, const Value* extents) {
    uint64_t length = 0;
    if (!to_u64(get(file, "filelength"), &length))
      length = 0;
    if (chunk_digests_of(file, length))
      return;
    for (uint32_t i = 0; i < extents->count; ++i) {
      Extent e;
      if (extent_at(extents, i, &e) && !e.uninited && e.length > 0) {
        ++uncovered_files;
        return;
      }
    }
  }

  bool file_data(const Value* extents) {
    for (uint32_t i = 0; i < extents->count; ++i) {
      Extent e;
      if (!extent_at(extents, i, &e) || e.uninited)
        continue; // a malformed extent is still covered by the metadata hash
      if (e.length > partition_blocks - data_blocks)
        return fail(DigestError::kTooLarge, "file extents cover more blocks than the partition");
      data_blocks += e.length;
      for (uint64_t done = 0; done < e.length;) {
        uint64_t left = e.length - done;
        uint32_t n = left < buffer_blocks ? static_cast<uint32_t>(left) : buffer_blocks;
        if (!reader.read(reader.ctx, e.disk_block + done, n, buffer))
          return fail(DigestError::kIo, "cannot read a file's blocks");
        data.update(buffer, static_cast<size_t>(n) * kBlockSize);
        done += n;
      }
    }
    return true;
  }

  static bool is_name(const Item& item, Key key) {
    if (item.name_len != key.len)
      return false;
    for (size_t i = 0; i < key.len; ++i)
      if (item.name[i] != static_cast<uint8_t>(key.name[i]))
        return false;
    return true;
  }

  bool value(const Value* v, int depth) {
    if (depth > kMaxNesting + 1)
      return fail(DigestError::kTooLarge, "the tree is too deep");
    if (!v) {
      put_u8('0');
      return true;
    }
    switch (v->kind) {
    case Kind::kBytes:
      put_u8('B');
      put_bytes(v->bytes, v->len);
      return true;
    case Kind::kInteger:
      put_u8('I');
      put_u8(v->negative ? 1 : 0);
      put_u64(v->integer);
      return true;
    case Kind::kVector:
      if (containers_left-- == 0)
        return fail(DigestError::kTooLarge, "the tree shares subtrees or loops");
      put_u8('V');
      put_u32(v->count);
      for (uint32_t i = 0; i < v->count; ++i)
        if (!value(v->items[i].value, depth + 1))
          return false;
      return true;
    case Kind::kTuple:
      if (containers_left-- == 0)
        return fail(DigestError::kTooLarge, "the tree shares subtrees or loops");
      return tuple(v, depth);
    }
    return true;
  }

  bool tuple(const Value* t, int depth) {
    // The root's `image_digest` is what is being computed: left out.
    auto skipped = [&](const Item& item) { return depth == 0 && is_name(item, kDigestKey); };
    uint32_t count = 0;
    for (uint32_t i = 0; i < t->count; ++i)
      count += skipped(t->items[i]) ? 0 : 1;
    put_u8('T');
    put_u32(count);
    for (uint32_t i = 0; i < t->count; ++i) {
      const Item& item = t->items[i];
      if (skipped(item))
        continue;
      put_bytes(item.name, item.name_len);
      if (!value(item.value, depth + 1))
        return false;
      if (!is_name(item, Key("extents")) || !item.value || item.value->kind != Kind::kTuple)
        continue;
      if (!read_data)
        count_uncovered(t, item.value);
      else if (!file_data(item.value))
        return false;
    }
    return true;
  }
};

// Hashes the volume's UUID, label and root tuple into w.metadata (and file data when
// w.read_data).
bool walk_volume(const Volume& volume, Walk& w) {
  static const uint8_t kDomain[] = {'t', 'f', 's', '-', 'd', 'i', 'g', 'e', 's', 't', '/', '1'};
  w.metadata.update(kDomain, sizeof kDomain);
  w.metadata.update(volume.uuid, sizeof volume.uuid);
  uint32_t label_len = 0;
  while (label_len < sizeof volume.label && volume.label[label_len])
    ++label_len;
  w.put_bytes(reinterpret_cast<const uint8_t*>(volume.label), label_len);
  return w.value(volume.root, 0);
}

} // namespace

DigestStatus compute_digest(const Volume& volume, const BlockReader& reader,
                            uint64_t partition_blocks, void* buffer, uint32_t buffer_blocks,
                            ContentDigest* out) {
  Walk w{reader,
         partition_blocks,
         static_cast<uint8_t*>(buffer),
         buffer_blocks ? buffer_blocks : 1,
         {},
         {},
         volume.next_index,
         true,
         0,
         0,
         {}};
  if (!walk_volume(volume, w))
    return w.status;
  out->metadata = w.metadata.digest();
  out->data = w.data.digest();
  return w.status;
}

void format_digest(const ContentDigest& d, char out[kDigestTextLength + 1]) {
  const char prefix[] = "xxh3-128:";
  for (size_t i = 0; i < 9; ++i)
    out[i] = prefix[i];
  xxh3::to_hex(d.metadata, out + 9);
  out[9 + 32] = ':';
  xxh3::to_hex(d.data, out + 9 + 32 + 1);
}

DigestStatus compute_metadata_digest(const Volume& volume, uint64_t partition_blocks,
                                     xxh3::Hash128* metadata, uint64_t* uncovered_files) {
  BlockReader no_reader{nullptr, nullptr}; // never called: no file data is read
  Walk w{no_reader, partition_blocks, nullptr, 1, {}, {}, volume.next_index, false, 0, 0, {}};
  if (!walk_volume(volume, w))
    return w.status;
  *metadata = w.metadata.digest();
  *uncovered_files = w.uncovered_files;
  return w.status;
}

uint64_t chunk_count(uint64_t filelength) {
  uint64_t blocks = filelength / kBlockSize + (filelength % kBlockSize ? 1 : 0);
  return blocks / kChunkBlocks + (blocks % kChunkBlocks ? 1 : 0);
}

uint32_t chunk_blocks(uint64_t filelength, uint64_t index) {
  uint64_t blocks = filelength / kBlockSize + (filelength % kBlockSize ? 1 : 0);
  uint64_t first = index * kChunkBlocks;
  if (index >= chunk_count(filelength))
    return 0;
  uint64_t left = blocks - first;
  return left < kChunkBlocks ? static_cast<uint32_t>(left) : kChunkBlocks;
}

const Value* chunk_digests_of(const Value* file, uint64_t filelength) {
  const Value* v = get(file, kChunkDigestsKey);
  if (!v || v->kind != Kind::kBytes)
    return nullptr;
  uint64_t chunks = chunk_count(filelength);
  if (chunks == 0 || v->len / kChunkDigestText != chunks || v->len % kChunkDigestText != 0)
    return nullptr;
  return v;
}

bool chunk_matches(const Value* digests, uint64_t index, const void* data, size_t bytes) {
  if (!digests || digests->kind != Kind::kBytes || index >= digests->len / kChunkDigestText)
    return false;
  xxh3::Hash128 want;
  const char* text = reinterpret_cast<const char*>(digests->bytes) + index * kChunkDigestText;
  return xxh3::from_hex(text, kChunkDigestText, &want) && xxh3::hash128(data, bytes) == want;
}

bool parse_digest(const uint8_t* text, size_t len, ContentDigest* out) {
  const char prefix[] = "xxh3-128:";
  if (len != kDigestTextLength || text[9 + 32] != ':')
    return false;
  for (size_t i = 0; i < 9; ++i)
    if (text[i] != static_cast<uint8_t>(prefix[i]))
      return false;
  const char* t = reinterpret_cast<const char*>(text);
  return xxh3::from_hex(t + 9, 32, &out->metadata) &&
         xxh3::from_hex(t + 9 + 32 + 1, 32, &out->data);
}

} // namespace tfs
