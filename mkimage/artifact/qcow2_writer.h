// qcow2 version 3 (QEMU's docs/interop/qcow2.txt), written front to back: header, L1 table,
// refcount table and blocks, L2 tables, then the data clusters in guest order. Only clusters
// holding a non-zero byte are allocated; all-zero clusters stay unallocated (read as zeros, no
// backing file). 64 KiB clusters, 16-bit refcounts, every used cluster referenced once.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"

namespace mkimage::artifact {

class Qcow2Writer {
public:
  // Scans the disk once for non-zero clusters and lays the file out.
  static llvm::Expected<Qcow2Writer> plan(const DiskSource& disk);
  uint64_t fileSize() const { return totalClusters_ * kClusterSize; }
  llvm::Error write(Sink& out) const;

  static constexpr uint64_t kClusterBits = 16, kClusterSize = 1ull << kClusterBits;

  // The same format in one pass over the disk, for a file (what `export --format qcow2` does):
  // the data clusters first, from cluster 1 in guest order, then the L2 tables, the L1 table
  // and the refcounts; the header, known last, is written into cluster 0 at the end. The
  // layout above needs a scan before writing because a tar stream (containerdisk) must know
  // the file size first; this one reads the data once.
  static llvm::Error writeFile(const DiskSource& disk, FileSink& out);

private:
  const DiskSource* disk_ = nullptr;
  std::vector<bool> used_;       // per guest cluster
  std::vector<uint64_t> l2Slot_; // per L1 entry: index of its L2 table, or ~0 for none
  uint64_t l1Entries_ = 0, l1Clusters_ = 0, refTableClusters_ = 0, refBlocks_ = 0;
  uint64_t l2Tables_ = 0, dataClusters_ = 0, totalClusters_ = 0;

  uint64_t l1Offset() const { return kClusterSize; }
  uint64_t refTableOffset() const { return (1 + l1Clusters_) * kClusterSize; }
  uint64_t refBlocksOffset() const { return refTableOffset() + refTableClusters_ * kClusterSize; }
  uint64_t l2Offset() const { return refBlocksOffset() + refBlocks_ * kClusterSize; }
  uint64_t dataOffset() const { return l2Offset() + l2Tables_ * kClusterSize; }
  llvm::Error writeMetadata(Sink& out) const;
  llvm::Error writeData(Sink& out) const;
};

} // namespace mkimage::artifact
