#include "artifact/vmdk_writer.h"

#include "llvm/Support/Endian.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/raw_ostream.h"

#include <cstring>

namespace mkimage::artifact {

using llvm::support::endian::write16le;
using llvm::support::endian::write32le;
using llvm::support::endian::write64le;

namespace {
constexpr uint64_t kSector = 512;
constexpr uint64_t kGrainSectors = 128; // 64 KiB grains
constexpr uint64_t kGrainBytes = kGrainSectors * kSector;
constexpr uint64_t kEntriesPerTable = 512;
constexpr uint64_t kTableSectors = kEntriesPerTable * 4 / kSector;
constexpr uint64_t kGrainDirectoryAtEnd = ~0ull;
constexpr int kDeflateLevel = 6;

enum MarkerType : uint32_t { kEndOfStream = 0, kGrainTable = 1, kGrainDirectory = 2, kFooter = 3 };

uint64_t divUp(uint64_t a, uint64_t b) {
  return (a + b - 1) / b;
}

std::string header(const DiskSource& disk, uint64_t descriptorSectors, uint64_t overhead,
                   uint64_t grainDirectory) {
  std::string h(kSector, '\0');
  std::memcpy(&h[0], "KDMV", 4);
  write32le(&h[4], 3); // version 3: stream-optimized
  // flags: valid newline-detection chars (bit 0), compressed grains (16), markers (17).
  write32le(&h[8], (1u << 0) | (1u << 16) | (1u << 17));
  write64le(&h[12], disk.size() / kSector); // capacity
  write64le(&h[20], kGrainSectors);
  write64le(&h[28], 1); // descriptor right after the header
  write64le(&h[36], descriptorSectors);
  write32le(&h[44], kEntriesPerTable);
  write64le(&h[48], 0); // no redundant grain directory
  write64le(&h[56], grainDirectory);
  write64le(&h[64], overhead);
  h[72] = 0; // cleanly closed
  h[73] = '\n';
  h[74] = ' ';
  h[75] = '\r';
  h[76] = '\n';
  write16le(&h[77], 1); // deflate
  return h;
}

std::string marker(uint64_t value, MarkerType type) {
  std::string m(kSector, '\0');
  write64le(&m[0], value);
  write32le(&m[12], type);
  return m;
}

} // namespace

std::string vmdkDescriptor(const DiskSource& disk) {
  uint64_t sectors = disk.size() / kSector;
  std::string id = derivedId16(disk, "vmdk-cid");
  uint32_t cid = llvm::support::endian::read32le(id.data());
  uint64_t cylinders = std::min<uint64_t>(65535, std::max<uint64_t>(1, sectors / (255 * 63)));
  std::string text;
  llvm::raw_string_ostream os(text);
  os << "# Disk DescriptorFile\n"
     << "version=1\n"
     << "CID=" << llvm::format_hex_no_prefix(cid, 8) << "\n"
     << "parentCID=ffffffff\n"
     << "createType=\"streamOptimized\"\n\n"
     << "# Extent description\n"
     << "RW " << sectors << " SPARSE \"disk.vmdk\"\n\n"
     << "# The Disk Data Base\n"
     << "#DDB\n\n"
     << "ddb.virtualHWVersion = \"4\"\n"
     << "ddb.adapterType = \"lsilogic\"\n"
     << "ddb.geometry.cylinders = \"" << cylinders << "\"\n"
     << "ddb.geometry.heads = \"255\"\n"
     << "ddb.geometry.sectors = \"63\"\n";
  return os.str();
}

llvm::Error writeVmdk(const DiskSource& disk, const VmdkOptions& options, Sink& out) {
  if (disk.size() % kSector)
    return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                   "vmdk: the disk size %llu is not a multiple of 512",
                                   static_cast<unsigned long long>(disk.size()));
  auto used = disk.nonZeroChunks(kGrainBytes);
  if (!used)
    return used.takeError();
  std::string descriptor = vmdkDescriptor(disk);
  uint64_t descriptorSectors = divUp(descriptor.size(), kSector);
  // Grains start on a grain boundary, as VMware's own stream files do.
  uint64_t overhead = divUp(1 + descriptorSectors, kGrainSectors) * kGrainSectors;
  descriptor.resize(descriptorSectors * kSector, '\0');
  if (auto e = out.write(header(disk, descriptorSectors, overhead, kGrainDirectoryAtEnd)))
    return e;
  if (auto e = out.write(descriptor))
    return e;
  if (auto e = out.padTo(overhead * kSector))
    return e;

  uint64_t grains = used->size();
  uint64_t tables = divUp(grains, kEntriesPerTable);
  std::vector<uint32_t> directory(tables, 0);
  unsigned threads =
      options.threads ? options.threads : llvm::hardware_concurrency().compute_thread_count();
  llvm::ThreadPool pool(llvm::hardware_concurrency(std::max(1u, threads)));

  for (uint64_t t = 0; t < tables; ++t) {
    uint64_t first = t * kEntriesPerTable;
    uint64_t count = std::min(kEntriesPerTable, grains - first);
    // Compress the table's grains in parallel; write them in order (the bytes do not depend
    // on the number of threads).
    std::vector<std::string> compressed(count);
    std::vector<std::string> failures(count);
    for (uint64_t i = 0; i < count; ++i) {
      if (!(*used)[first + i])
        continue;
      pool.async([&, i] {
        std::string grain(kGrainBytes, '\0');
        if (auto e = disk.read((first + i) * kGrainBytes,
                               llvm::MutableArrayRef<char>(grain.data(), grain.size()))) {
          failures[i] = llvm::toString(std::move(e));
          return;
        }
        auto z = zlibCompress(grain, kDeflateLevel);
        if (!z) {
          failures[i] = llvm::toString(z.takeError());
          return;
        }
        compressed[i] = std::move(*z);
      });
    }
    pool.wait();
    std::string table(kTableSectors * kSector, '\0');
    for (uint64_t i = 0; i < count; ++i) {
      if (!failures[i].empty())
        return llvm::createStringError(llvm::inconvertibleErrorCode(), failures[i]);
      if (!(*used)[first + i])
        continue;
      write32le(&table[i * 4], static_cast<uint32_t>(out.offset() / kSector));
      char lead[12];
      write64le(lead, (first + i) * kGrainSectors);
      write32le(lead + 8, static_cast<uint32_t>(compressed[i].size()));
      if (auto e = out.write(llvm::StringRef(lead, sizeof lead)))
        return e;
      if (auto e = out.write(compressed[i]))
        return e;
      if (auto e = out.padTo(kSector))
        return e;
    }
    if (auto e = out.write(marker(kTableSectors, kGrainTable)))
      return e;
    directory[t] = static_cast<uint32_t>(out.offset() / kSector);
    if (auto e = out.write(table))
      return e;
  }

  uint64_t directorySectors = divUp(tables * 4, kSector);
  std::string dir(directorySectors * kSector, '\0');
  for (uint64_t t = 0; t < tables; ++t)
    write32le(&dir[t * 4], directory[t]);
  if (auto e = out.write(marker(directorySectors, kGrainDirectory)))
    return e;
  uint64_t directoryAt = out.offset() / kSector;
  if (auto e = out.write(dir))
    return e;
  if (auto e = out.write(marker(1, kFooter)))
    return e;
  if (auto e = out.write(header(disk, descriptorSectors, overhead, directoryAt)))
    return e;
  return out.write(marker(0, kEndOfStream));
}

} // namespace mkimage::artifact
