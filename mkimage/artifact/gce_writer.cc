#include "artifact/gce_writer.h"

#include "artifact/tar_writer.h"
#include "artifact/vhd_writer.h"

namespace mkimage::artifact {

llvm::Error writeGceTarball(const DiskSource& disk, Sink& out) {
  if (disk.size() % kGceSizeUnit)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "gce: the disk size %llu is not a multiple of 1 GiB",
                                   static_cast<unsigned long long>(disk.size()));
  GzipSink gzip(out, 6);
  TarEntry entry{"disk.raw", '0', 0644, 0, 0, "root", "root", disk.size()};
  if (auto e = beginTarFile(gzip, entry, TarFormat::Gnu))
    return e;
  if (auto e = copyDisk(disk, gzip))
    return e;
  if (auto e = endTarFile(gzip))
    return e;
  if (auto e = endTarArchive(gzip))
    return e;
  return gzip.finish();
}

} // namespace mkimage::artifact
