#include "artifact/qcow2_writer.h"

#include "llvm/Support/Endian.h"

#include <cstring>

namespace mkimage::artifact {

using llvm::support::endian::write16be;
using llvm::support::endian::write32be;
using llvm::support::endian::write64be;

namespace {
constexpr uint64_t kEntriesPerL2 = Qcow2Writer::kClusterSize / 8;
constexpr uint64_t kRefcountsPerBlock = Qcow2Writer::kClusterSize / 2; // 16-bit refcounts
constexpr uint64_t kCopied = 1ull << 63; // "refcount is exactly one": set on every entry
constexpr uint64_t kNoTable = ~0ull;

uint64_t divUp(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}
} // namespace

llvm::Expected<Qcow2Writer> Qcow2Writer::plan(const DiskSource& disk) {
  Qcow2Writer w;
  w.disk_ = &disk;
  auto used = disk.nonZeroChunks(kClusterSize);
  if (!used)
    return used.takeError();
  w.used_ = std::move(*used);
  w.l1Entries_ = std::max<uint64_t>(1, divUp(w.used_.size(), kEntriesPerL2));
  w.l1Clusters_ = divUp(w.l1Entries_ * 8, kClusterSize);
  w.l2Slot_.assign(w.l1Entries_, kNoTable);
  for (uint64_t g = 0; g < w.used_.size(); ++g) {
    if (!w.used_[g])
      continue;
    ++w.dataClusters_;
    uint64_t& slot = w.l2Slot_[g / kEntriesPerL2];
    if (slot == kNoTable)
      slot = w.l2Tables_++;
  }
  // The refcount blocks cover every cluster of the file, themselves included: grow them until
  // they cover the total they are part of.
  w.refTableClusters_ = w.refBlocks_ = 1;
  for (;;) {
    w.totalClusters_ =
        1 + w.l1Clusters_ + w.refTableClusters_ + w.refBlocks_ + w.l2Tables_ + w.dataClusters_;
    uint64_t blocks = divUp(w.totalClusters_, kRefcountsPerBlock);
    uint64_t table = divUp(blocks * 8, kClusterSize);
    if (blocks <= w.refBlocks_ && table <= w.refTableClusters_)
      break;
    w.refBlocks_ = std::max(blocks, w.refBlocks_);
    w.refTableClusters_ = std::max(table, w.refTableClusters_);
  }
  return w;
}

llvm::Error Qcow2Writer::writeMetadata(Sink& out) const {
  std::string cluster(kClusterSize, '\0');
  char* h = cluster.data();
  std::memcpy(h, "QFI\xfb", 4);
  write32be(h + 4, 3);              // version
  write32be(h + 20, kClusterBits);  // cluster_bits
  write64be(h + 24, disk_->size()); // size
  write32be(h + 36, static_cast<uint32_t>(l1Entries_));
  write64be(h + 40, l1Offset());
  write64be(h + 48, refTableOffset());
  write32be(h + 56, static_cast<uint32_t>(refTableClusters_));
  write32be(h + 96, 4);    // refcount_order: 2^4 = 16-bit refcounts
  write32be(h + 100, 104); // header_length; the end-of-extensions marker (8 zero bytes) follows
  if (auto e = out.write(cluster))
    return e;

  std::string table(l1Clusters_ * kClusterSize, '\0');
  for (uint64_t i = 0; i < l1Entries_; ++i)
    if (l2Slot_[i] != kNoTable)
      write64be(&table[i * 8], (l2Offset() + l2Slot_[i] * kClusterSize) | kCopied);
  if (auto e = out.write(table))
    return e;

  table.assign(refTableClusters_ * kClusterSize, '\0');
  for (uint64_t b = 0; b < refBlocks_; ++b)
    write64be(&table[b * 8], refBlocksOffset() + b * kClusterSize);
  if (auto e = out.write(table))
    return e;

  table.assign(refBlocks_ * kClusterSize, '\0');
  for (uint64_t c = 0; c < totalClusters_; ++c)
    write16be(&table[c * 2], 1);
  if (auto e = out.write(table))
    return e;

  // L2 tables, in L1 order (slots were handed out in that order).
  uint64_t nextData = 0;
  for (uint64_t i = 0; i < l1Entries_; ++i) {
    if (l2Slot_[i] == kNoTable)
      continue;
    std::string l2(kClusterSize, '\0');
    for (uint64_t e = 0; e < kEntriesPerL2; ++e) {
      uint64_t g = i * kEntriesPerL2 + e;
      if (g < used_.size() && used_[g])
        write64be(&l2[e * 8], (dataOffset() + nextData++ * kClusterSize) | kCopied);
    }
    if (auto err = out.write(l2))
      return err;
  }
  return llvm::Error::success();
}

llvm::Error Qcow2Writer::writeData(Sink& out) const {
  // Runs of used clusters are read and written in pieces of up to 16 clusters.
  std::vector<char> buffer(16 * kClusterSize);
  uint64_t g = 0;
  while (g < used_.size()) {
    if (!used_[g]) {
      ++g;
      continue;
    }
    uint64_t run = 1;
    while (run < 16 && g + run < used_.size() && used_[g + run])
      ++run;
    llvm::MutableArrayRef<char> piece(buffer.data(), run * kClusterSize);
    if (auto e = disk_->read(g * kClusterSize, piece))
      return e;
    if (auto e = out.write(llvm::StringRef(piece.data(), piece.size())))
      return e;
    g += run;
  }
  return llvm::Error::success();
}

llvm::Error Qcow2Writer::write(Sink& out) const {
  if (auto e = writeMetadata(out))
    return e;
  return writeData(out);
}

} // namespace mkimage::artifact
