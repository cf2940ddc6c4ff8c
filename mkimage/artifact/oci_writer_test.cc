#include "artifact/oci_writer.h"
#include "artifact/test_support.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdlib>

namespace mkimage::artifact {
namespace {

std::string slurp(const std::string& path) {
  auto b = llvm::MemoryBuffer::getFile(path);
  EXPECT_TRUE(static_cast<bool>(b)) << path;
  return b ? (*b)->getBuffer().str() : "";
}

struct Layout {
  std::string dir;
  Layout() {
    char t[] = "/tmp/artifact-oci-XXXXXX";
    dir = ::mkdtemp(t);
  }
  ~Layout() { llvm::sys::fs::remove_directories(dir); }
  // A blob by digest, checked against its digest.
  std::string blob(llvm::StringRef digest) {
    EXPECT_TRUE(digest.startswith("sha256:"));
    std::string bytes = slurp(dir + "/blobs/sha256/" + digest.substr(7).str());
    EXPECT_EQ("sha256:" + sha256Hex(bytes), digest);
    return bytes;
  }
};

// Follows index.json to the single layer; returns the uncompressed layer tar.
std::string layerTar(Layout& l) {
  EXPECT_EQ(slurp(l.dir + "/oci-layout"), R"({"imageLayoutVersion":"1.0.0"})");
  auto index = llvm::json::parse(slurp(l.dir + "/index.json"));
  EXPECT_TRUE(static_cast<bool>(index));
  auto* entry = index->getAsObject()->getArray("manifests")->front().getAsObject();
  EXPECT_EQ(*entry->getObject("annotations")->getString("org.opencontainers.image.ref.name"),
            "latest");
  std::string manifestText = l.blob(*entry->getString("digest"));
  EXPECT_EQ(static_cast<size_t>(*entry->getInteger("size")), manifestText.size());
  auto manifest = llvm::json::parse(manifestText);
  EXPECT_TRUE(static_cast<bool>(manifest));
  auto* m = manifest->getAsObject();
  auto config = llvm::json::parse(l.blob(*m->getObject("config")->getString("digest")));
  auto* layers = m->getArray("layers");
  EXPECT_EQ(layers->size(), 1u);
  auto* layer = layers->front().getAsObject();
  EXPECT_EQ(*layer->getString("mediaType"), "application/vnd.oci.image.layer.v1.tar+gzip");
  std::string tar = testing::inflateAll(l.blob(*layer->getString("digest")), 31);
  auto* c = config->getAsObject();
  EXPECT_EQ(*c->getString("architecture"), "amd64");
  EXPECT_EQ(*c->getObject("rootfs")->getArray("diff_ids")->front().getAsString(),
            "sha256:" + sha256Hex(tar));
  return tar;
}

TEST(OciWriter, RawDiskLayerHoldsDiskRaw) {
  Layout l;
  DiskSource disk = testing::markedDisk(1 << 20, {0, 5000});
  ASSERT_FALSE(static_cast<bool>(writeOciLayout(disk, OciLayer::RawDisk, l.dir)));
  std::string tar = layerTar(l);
  EXPECT_EQ(tar.substr(0, 9), std::string("disk.raw\0", 9));
  EXPECT_EQ(tar.substr(512, 1 << 20), testing::diskBytes(disk));
}

TEST(OciWriter, ContainerDiskHoldsQcow2UnderDiskForUid107) {
  Layout l;
  DiskSource disk = testing::markedDisk(1 << 20, {0});
  ASSERT_FALSE(static_cast<bool>(writeOciLayout(disk, OciLayer::ContainerDisk, l.dir)));
  std::string tar = layerTar(l);
  EXPECT_EQ(tar.substr(0, 6), std::string("disk/\0", 6));
  EXPECT_EQ(tar[156], '5');
  EXPECT_EQ(tar.substr(512, 16), std::string("disk/disk.qcow2\0", 16));
  EXPECT_EQ(tar.substr(512 + 100, 7), "0000440");
  EXPECT_EQ(tar.substr(512 + 108, 7), "0000153") << "uid 107";
  EXPECT_EQ(tar.substr(512 + 116, 7), "0000153") << "gid 107";
  EXPECT_EQ(tar.substr(1024, 4), "QFI\xfb");
}

TEST(OciWriter, SameDiskSameLayoutAndArchive) {
  DiskSource disk = testing::markedDisk(1 << 20, {0, 7000});
  Layout a, b;
  ASSERT_FALSE(static_cast<bool>(writeOciLayout(disk, OciLayer::ContainerDisk, a.dir)));
  ASSERT_FALSE(static_cast<bool>(writeOciLayout(disk, OciLayer::ContainerDisk, b.dir)));
  EXPECT_EQ(slurp(a.dir + "/index.json"), slurp(b.dir + "/index.json"));
  StringSink archiveA, archiveB;
  ASSERT_FALSE(static_cast<bool>(writeOciArchive(a.dir, archiveA)));
  ASSERT_FALSE(static_cast<bool>(writeOciArchive(b.dir, archiveB)));
  EXPECT_EQ(archiveA.data, archiveB.data);
  EXPECT_EQ(archiveA.data.substr(0, 11), std::string("oci-layout\0", 11));
  EXPECT_NE(archiveA.data.find(std::string("blobs/sha256/\0", 14)), std::string::npos);
}

} // namespace
} // namespace mkimage::artifact
