#include "artifact/qcow2_writer.h"

#include "llvm/Support/Endian.h"

#include <cstring>
#include <tuple>

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
std::string header(uint64_t size, uint64_t l1Entries, uint64_t l1Offset, uint64_t refTableOffset,
                   uint64_t refTableClusters) {
  std::string cluster(Qcow2Writer::kClusterSize, '\0');
  char* h = cluster.data();
  std::memcpy(h, "QFI\xfb", 4);
  write32be(h + 4, 3);                          // version
  write32be(h + 20, Qcow2Writer::kClusterBits); // cluster_bits
  write64be(h + 24, size);
  write32be(h + 36, static_cast<uint32_t>(l1Entries));
  write64be(h + 40, l1Offset);
  write64be(h + 48, refTableOffset);
  write32be(h + 56, static_cast<uint32_t>(refTableClusters));
  write32be(h + 96, 4);    // refcount_order: 2^4 = 16-bit refcounts
  write32be(h + 100, 104); // header_length; the end-of-extensions marker (8 zero bytes) follows
  return cluster;
}

// Refcount table and block clusters for a file of `clusters` other clusters: grown until they
// cover themselves too.
std::pair<uint64_t, uint64_t> refcountSizes(uint64_t clusters) {
  uint64_t table = 1, blocks = 1;
  for (;;) {
    uint64_t total = clusters + table + blocks;
    uint64_t needBlocks = divUp(total, kRefcountsPerBlock);
    uint64_t needTable = divUp(needBlocks * 8, Qcow2Writer::kClusterSize);
    if (needBlocks <= blocks && needTable <= table)
      return {table, blocks};
    blocks = std::max(blocks, needBlocks);
    table = std::max(table, needTable);
  }
}

} // namespace

llvm::Error Qcow2Writer::writeFile(const DiskSource& disk, FileSink& out) {
  const uint64_t guestClusters = divUp(disk.size(), kClusterSize);
  const uint64_t l1Entries = std::max<uint64_t>(1, divUp(guestClusters, kEntriesPerL2));
  std::vector<uint64_t> host(guestClusters, 0); // host offset per guest cluster, 0 = none
  if (auto e = out.writeZeros(kClusterSize))    // the header's cluster, filled in at the end
    return e;
  auto place = [&](uint64_t index, llvm::ArrayRef<char> bytes) {
    host[index] = out.offset();
    return out.write(llvm::StringRef(bytes.data(), bytes.size()));
  };
  if (auto e = disk.forEachNonZeroChunk(kClusterSize, place))
    return e;

  std::vector<uint64_t> l2At(l1Entries, 0);
  for (uint64_t i = 0; i < l1Entries; ++i) {
    std::string l2(kClusterSize, '\0');
    bool any = false;
    for (uint64_t e = 0; e < kEntriesPerL2 && i * kEntriesPerL2 + e < guestClusters; ++e)
      if (uint64_t at = host[i * kEntriesPerL2 + e]) {
        write64be(&l2[e * 8], at | kCopied);
        any = true;
      }
    if (!any)
      continue;
    l2At[i] = out.offset();
    if (auto err = out.write(l2))
      return err;
  }
  const uint64_t l1Offset = out.offset();
  std::string table(divUp(l1Entries * 8, kClusterSize) * kClusterSize, '\0');
  for (uint64_t i = 0; i < l1Entries; ++i)
    if (l2At[i])
      write64be(&table[i * 8], l2At[i] | kCopied);
  if (auto e = out.write(table))
    return e;

  const uint64_t refTableOffset = out.offset();
  auto [tableClusters, blocks] = refcountSizes(refTableOffset / kClusterSize);
  const uint64_t total = refTableOffset / kClusterSize + tableClusters + blocks;
  table.assign(tableClusters * kClusterSize, '\0');
  for (uint64_t b = 0; b < blocks; ++b)
    write64be(&table[b * 8], refTableOffset + (tableClusters + b) * kClusterSize);
  if (auto e = out.write(table))
    return e;
  table.assign(blocks * kClusterSize, '\0');
  for (uint64_t c = 0; c < total; ++c)
    write16be(&table[c * 2], 1);
  if (auto e = out.write(table))
    return e;
  if (auto e = out.finish())
    return e;
  return out.patch(0, header(disk.size(), l1Entries, l1Offset, refTableOffset, tableClusters));
}

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
  // The refcount blocks cover every cluster of the file, themselves included.
  std::tie(w.refTableClusters_, w.refBlocks_) =
      refcountSizes(1 + w.l1Clusters_ + w.l2Tables_ + w.dataClusters_);
  w.totalClusters_ =
      1 + w.l1Clusters_ + w.refTableClusters_ + w.refBlocks_ + w.l2Tables_ + w.dataClusters_;
  return w;
}

llvm::Error Qcow2Writer::writeMetadata(Sink& out) const {
  std::string cluster =
      header(disk_->size(), l1Entries_, l1Offset(), refTableOffset(), refTableClusters_);
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
