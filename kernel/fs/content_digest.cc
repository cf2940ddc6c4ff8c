#include "fs/content_digest.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "fs/chunk_check.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/tfs/tfs_digest.h"
#include "mm/heap.h"

namespace fs {
namespace {

// File data is read 256 KiB at a time: few enough requests that the device's per-request
// cost stays small next to hashing, little enough memory at boot.
constexpr uint32_t kReadBlocks = 512;

// `image_digest_check: eager` in the manifest: hash all file data at mount (before the
// program starts) instead of each chunk when first read.
constexpr tfs::Key kEagerKey{"image_digest_check"};

bool read_for_digest(void*, uint64_t block, uint32_t count, void* buf) {
  return read_blocks(block, count, buf).ok();
}

void mismatch(const char* part, const char* why, const xxh3::Hash128& want,
              const xxh3::Hash128& got) {
  char w[xxh3::kHexLength + 1], g[xxh3::kHexLength + 1];
  xxh3::to_hex(want, w);
  xxh3::to_hex(got, g);
  kprintf("root filesystem: image_digest mismatch in the %s (%s changed since nanos-mkimage "
          "wrote the image): expected xxh3-128 %s, found %s\n",
          part, why, w, g);
}

void print_time(const tfs::Volume& volume, const char* what, uint64_t t0) {
  if (tfs::get(volume.root, "boot_timing"))
    kprintf(
        "boot_timing: image_digest checked in %lu us (%s)\n",
        static_cast<unsigned long>((ktime::tsc_to_ns(cpu::rdtsc()) - ktime::tsc_to_ns(t0)) / 1000),
        what);
}

// The eager check: the metadata and every file's data, hashed now.
Status check_everything(const tfs::Volume& volume, uint64_t partition_blocks,
                        const tfs::ContentDigest& want, uint64_t t0) {
  void* buffer = kmalloc(kReadBlocks * tfs::kBlockSize);
  if (!buffer) {
    kprintf("root filesystem: out of memory for checking image_digest\n");
    return Err(-ENOMEM);
  }
  tfs::BlockReader reader{read_for_digest, nullptr};
  tfs::ContentDigest got;
  tfs::DigestStatus st =
      tfs::compute_digest(volume, reader, partition_blocks, buffer, kReadBlocks, &got);
  kfree(buffer);
  if (!st.ok()) {
    kprintf("root filesystem: cannot check image_digest: %s\n", st.what);
    return Err(st.error == tfs::DigestError::kIo ? -EIO : -EINVAL);
  }
  bool ok = true;
  if (got.metadata != want.metadata) {
    mismatch("metadata", "file names, attributes, extents or manifest keys", want.metadata,
             got.metadata);
    ok = false;
  }
  if (got.data != want.data) {
    mismatch("file data", "the contents of one or more files", want.data, got.data);
    ok = false;
  }
  if (!ok)
    return Err(-EINVAL);
  print_time(volume, "metadata and all file data", t0);
  return status_ok();
}

} // namespace

Status check_content_digest(const tfs::Volume& volume, uint64_t partition_blocks) {
  const tfs::Value* key = tfs::get(volume.root, tfs::kDigestKey);
  if (!key)
    return status_ok(); // images of other writers, or built with --no-image-digest
  tfs::ContentDigest want;
  if (key->kind != tfs::Kind::kBytes || !tfs::parse_digest(key->bytes, key->len, &want)) {
    kprintf("root filesystem: image_digest is malformed (expected xxh3-128:<32 hex>:<32 hex>)\n");
    return Err(-EINVAL);
  }
  uint64_t t0 = cpu::rdtsc();
  set_chunk_checks(false);
  if (tfs::bytes_equal(tfs::get(volume.root, kEagerKey), "eager"))
    return check_everything(volume, partition_blocks, want, t0);
  // The usual check: the metadata now, each file's data by its chunk digests when it is
  // first read (fs/chunk_check.h). Files without chunk digests (an image of an older
  // nanos-mkimage) leave only the data hash to cover them: then everything is hashed now.
  xxh3::Hash128 metadata;
  uint64_t uncovered = 0;
  tfs::DigestStatus st =
      tfs::compute_metadata_digest(volume, partition_blocks, &metadata, &uncovered);
  if (!st.ok()) {
    kprintf("root filesystem: cannot check image_digest: %s\n", st.what);
    return Err(-EINVAL);
  }
  if (metadata != want.metadata) {
    mismatch("metadata", "file names, attributes, extents or manifest keys", want.metadata,
             metadata);
    return Err(-EINVAL);
  }
  if (uncovered)
    return check_everything(volume, partition_blocks, want, t0);
  set_chunk_checks(true);
  print_time(volume, "metadata; file data per chunk when first read", t0);
  return status_ok();
}

} // namespace fs
