#include "artifact/gce_writer.h"

#include "artifact/tar_writer.h"

#include <vector>

namespace mkimage::artifact {

// The map's granularity: a page, as the image's file system allocates.
static constexpr uint64_t kSparseChunk = 4096;

std::vector<SparseRegion> dataRegions(const std::vector<bool>& nonZero, uint64_t chunk,
                                      uint64_t size) {
  std::vector<SparseRegion> regions;
  for (uint64_t i = 0; i < nonZero.size(); ++i) {
    if (!nonZero[i])
      continue;
    uint64_t offset = i * chunk, length = std::min(chunk, size - offset);
    if (!regions.empty() && regions.back().offset + regions.back().length == offset)
      regions.back().length += length;
    else
      regions.push_back({offset, length});
  }
  // A file that ends in a hole: an empty region at its end, as GNU tar writes.
  if (regions.empty() || regions.back().offset + regions.back().length < size)
    regions.push_back({size, 0});
  return regions;
}

static llvm::Error copyRegions(const DiskSource& disk, const std::vector<SparseRegion>& regions,
                               Sink& out) {
  std::vector<char> buffer(1 << 20);
  for (const SparseRegion& r : regions) {
    for (uint64_t done = 0; done < r.length;) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(buffer.size(), r.length - done));
      if (auto e = disk.read(r.offset + done, llvm::MutableArrayRef<char>(buffer.data(), n)))
        return e;
      if (auto e = out.write(llvm::StringRef(buffer.data(), n)))
        return e;
      done += n;
    }
  }
  return llvm::Error::success();
}

llvm::Error writeGceTarball(const DiskSource& disk, Sink& out) {
  if (disk.size() % kGceSizeUnit)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "gce: the disk size %llu is not a multiple of 1 GiB",
                                   static_cast<unsigned long long>(disk.size()));
  auto nonZero = disk.nonZeroChunks(kSparseChunk);
  if (!nonZero)
    return nonZero.takeError();
  std::vector<SparseRegion> regions = dataRegions(*nonZero, kSparseChunk, disk.size());
  TarEntry entry{"disk.raw", '0', 0644, 0, 0, "root", "root", disk.size()};
  auto headers = gnuSparseHeaders(entry, regions);
  if (!headers)
    return headers.takeError();
  GzipSink gzip(out, 6);
  if (auto e = gzip.write(*headers))
    return e;
  if (auto e = copyRegions(disk, regions, gzip))
    return e;
  if (auto e = endTarFile(gzip))
    return e;
  if (auto e = endTarArchive(gzip))
    return e;
  return gzip.finish();
}

} // namespace mkimage::artifact
