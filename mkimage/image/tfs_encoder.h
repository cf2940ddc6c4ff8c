// TFS v5 log writer (spec §3.2-3.4): encodes one root tuple as a single top-level value
// and splits it into log extensions. It writes exactly the subset of the format the writer
// needs (immediate tuples/vectors, strings, integers, null flags, one inline write per
// symbol then references); varints and value headers come from the shared codec
// (kernel/lib/tfs/tfs_encode.h).
#pragma once

#include "image/tfs_value.h"

#include "llvm/Support/Error.h"

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace mkimage {

constexpr uint64_t kTfsBlock = 512;
constexpr uint64_t kTfsExtensionBlocks = 1024;
constexpr uint64_t kTfsFirstDataBlock = 1 + kTfsExtensionBlocks; // 1025

// Appends tfs::encode_varint / tfs::encode_header bytes to `out`.
void pushVarint(std::string& out, uint64_t value);
void pushHeader(std::string& out, bool immediate, unsigned type, uint64_t length);

// Refuses a tree the decoder would refuse for its depth (tfs::kMaxNesting, the codec's own
// limit), naming the guest path ("/a/b/...") or the manifest key ("a.b.c") that is too deep.
llvm::Error checkTfsNesting(const TfsValue& root);

// Encodes `root` as one immediate value; symbols are interned in encounter order.
std::string encodeTfsValue(const TfsValue& root);

struct TfsLogPiece {
  uint64_t block;    // partition-relative block
  std::string bytes; // the used part; the rest of the extension reads as zero
};

// Lays out the log for `encodedRoot`: the 1-block initial extension at block 0, the first
// 1024-block extension at block 1, and further 1024-block extensions at the blocks
// `allocateExtension()` returns. UUID and label go into block 0.
std::vector<TfsLogPiece> layoutTfsLog(const std::string& encodedRoot,
                                      const std::array<uint8_t, 16>& uuid, const std::string& label,
                                      const std::function<uint64_t()>& allocateExtension);

} // namespace mkimage
