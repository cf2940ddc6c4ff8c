// Host test of the boot loaders' /kernel lookup (tfs_lookup.cc: the MBR's boot partition, the
// shared codec kernel/lib/tfs plus the /kernel walk; messages name the partition byte offset
// in hex). The logs are written by the image writer's own encoder (mkimage/image/tfs_encoder.h)
// into a simulated disk; update records (references, deletes) are appended with the encoder's
// varint/header primitives.
#include "image/tfs_encoder.h"
#include "tfs_lookup.h"

#include <cstring>
#include <gtest/gtest.h>
#include <stdexcept>
#include <string>
#include <vector>

namespace {
std::vector<uint8_t> g_disk;
std::vector<uint8_t> g_memory;
size_t g_memory_top = 0;
int g_reads = 0;

// Host stand-ins for a loader's disk reads and top-down bump allocator.
bool host_read(void*, uint64_t lba, uint32_t count, void* dst) {
  ++g_reads;
  if ((lba + count) * 512 > g_disk.size())
    return false;
  memcpy(dst, g_disk.data() + lba * 512, count * 512);
  return true;
}
void* host_alloc(void*, size_t size, size_t align) {
  if (size > g_memory_top)
    throw std::runtime_error("arena exhausted");
  size_t start = (g_memory_top - size) & ~(align - 1);
  if (start < 4096)
    throw std::runtime_error("arena exhausted");
  g_memory_top = start;
  return memset(g_memory.data() + start, 0, size);
}

using mkimage::TfsValue;
constexpr uint64_t kPartLba = 64;

struct Result {
  const char* error;
  std::string data;
};

Result load() {
  g_memory.resize(32 << 20); // the allocator zeroes what it hands out
  g_memory_top = g_memory.size();
  uint8_t* data = nullptr;
  uint32_t size = 0;
  boot_load::LoaderServices services{host_read, host_alloc, nullptr};
  const char* e = boot_load::tfs_load_kernel(services, kPartLba, &data, &size);
  if (e)
    return {e, {}};
  return {nullptr, std::string(reinterpret_cast<char*>(data), size)};
}

// An MBR whose entries 0..2 have the given types and first sectors (count 8 each).
std::vector<uint8_t> mbr(std::initializer_list<std::pair<uint8_t, uint32_t>> entries) {
  std::vector<uint8_t> sector(512, 0);
  size_t i = 0;
  for (auto [type, lba] : entries) {
    uint8_t* e = sector.data() + 0x1BE + 16 * i++;
    e[4] = type;
    memcpy(e + 8, &lba, 4);
    uint32_t count = lba ? 8 : 0;
    memcpy(e + 12, &count, 4);
  }
  sector[0x1FE] = 0x55;
  sector[0x1FF] = 0xAA;
  return sector;
}

TEST(BootPartition, BiosLayoutUsesEntryZero) {
  uint64_t lba = 0;
  EXPECT_EQ(boot_load::boot_partition_lba(mbr({{0x83, 103}, {0x83, 24679}}).data(), &lba), nullptr);
  EXPECT_EQ(lba, 103u);
}

TEST(BootPartition, EspFirstUsesEntryOne) {
  uint64_t lba = 0;
  auto sector = mbr({{0xEF, 2048}, {0x83, 69632}, {0x83, 94208}});
  EXPECT_EQ(boot_load::boot_partition_lba(sector.data(), &lba), nullptr);
  EXPECT_EQ(lba, 69632u);
}

TEST(BootPartition, MissingSignatureOrEmptyEntry) {
  uint64_t lba = 7;
  auto sector = mbr({{0x83, 103}});
  sector[0x1FF] = 0;
  EXPECT_STREQ(boot_load::boot_partition_lba(sector.data(), &lba),
               "no partition table on the boot disk");
  EXPECT_STREQ(boot_load::boot_partition_lba(mbr({{0xEF, 2048}, {0x83, 0}}).data(), &lba),
               "boot partition entry is empty");
  EXPECT_EQ(lba, 7u);
}

class TfsDisk {
public:
  // Places file data on the partition from block 1025 on; returns its first block.
  uint64_t add_data(const std::string& bytes) {
    uint64_t block = next_block_;
    data_.push_back({block, bytes});
    next_block_ += (bytes.size() + 511) / 512;
    return block;
  }
  // Writes the log of `root` (plus `extra` frames before END_OF_LOG) and the data.
  void write(const TfsValue& root, const std::string& extra = {}) {
    std::array<uint8_t, 16> uuid{};
    auto pieces = mkimage::layoutTfsLog(mkimage::encodeTfsValue(root), uuid, "boot", [&] {
      uint64_t b = next_block_;
      next_block_ += mkimage::kTfsExtensionBlocks;
      return b;
    });
    log_pieces_ = pieces.size();
    std::string& last = pieces.back().bytes;
    ASSERT_EQ(last.back(), '\x01');
    last.pop_back();
    last += extra;
    last += '\x01';
    g_disk.assign((kPartLba + next_block_ + 1) * 512, 0);
    for (const auto& p : pieces)
      memcpy(g_disk.data() + (kPartLba + p.block) * 512, p.bytes.data(), p.bytes.size());
    for (const auto& d : data_)
      memcpy(g_disk.data() + (kPartLba + d.first) * 512, d.second.data(), d.second.size());
  }

  size_t log_pieces() const { return log_pieces_; }

private:
  size_t log_pieces_ = 0;
  uint64_t next_block_ = mkimage::kTfsFirstDataBlock;
  std::vector<std::pair<uint64_t, std::string>> data_;
};

TfsValue extent(uint64_t offset, uint64_t length, bool strings) {
  TfsValue e = TfsValue::tuple();
  auto num = [&](uint64_t n) {
    return strings ? TfsValue::string(std::to_string(n)) : TfsValue::integer(n);
  };
  e.append("offset", num(offset));
  e.append("length", num(length));
  e.append("allocated", num(length));
  return e;
}

std::string pattern(size_t n, char seed) {
  std::string s(n, 0);
  for (size_t i = 0; i < n; ++i)
    s[i] = static_cast<char>(seed + i * 7 + (i >> 9));
  return s;
}

// root{children{kernel{filelength, extents{"0": ...}}}}: dictionary numbers in encoding order:
// 1 root, 2 "children", 3 children, 4 "kernel", 5 kernel, 6 "filelength", 7 "extents",
// 8 extents, 9 "0", 10 extent, 11 "offset", 12 "length", 13 "allocated".
TfsValue one_file_root(TfsDisk& disk, const std::string& content, bool strings = false) {
  TfsValue extents = TfsValue::tuple();
  extents.append("0", extent(disk.add_data(content), (content.size() + 511) / 512, strings));
  TfsValue kernel = TfsValue::tuple();
  kernel.append("filelength", strings ? TfsValue::string(std::to_string(content.size()))
                                      : TfsValue::integer(content.size()));
  kernel.append("extents", extents);
  TfsValue children = TfsValue::tuple();
  children.append("kernel", kernel);
  TfsValue root = TfsValue::tuple();
  root.append("children", children);
  return root;
}

std::string frame(const std::string& value) {
  std::string f(1, '\x02');
  mkimage::pushVarint(f, value.size());
  mkimage::pushVarint(f, value.size());
  return f + value;
}

TEST(Stage2TfsLookup, ReadsKernelWithIntegerNumbers) {
  TfsDisk disk;
  std::string content = pattern(5000, 'a');
  disk.write(one_file_root(disk, content));
  Result r = load();
  ASSERT_EQ(r.error, nullptr) << r.error;
  EXPECT_EQ(r.data, content);
}

TEST(Stage2TfsLookup, ReadsKernelWithDecimalStringNumbers) {
  TfsDisk disk;
  std::string content = pattern(512 * 3, 'q');
  disk.write(one_file_root(disk, content, /*strings=*/true));
  Result r = load();
  ASSERT_EQ(r.error, nullptr) << r.error;
  EXPECT_EQ(r.data, content);
}

TEST(Stage2TfsLookup, SeveralExtentsWithAHoleAndAManyExtensionLog) {
  TfsDisk disk;
  std::string a = pattern(1024, 'x'), c = pattern(700, 'm');
  TfsValue extents = TfsValue::tuple();
  extents.append("0", extent(disk.add_data(a), 2, false));
  extents.append("4", extent(disk.add_data(c), 2, true)); // blocks 2-3: a hole
  TfsValue kernel = TfsValue::tuple();
  kernel.append("filelength", TfsValue::integer(4 * 512 + c.size()));
  kernel.append("extents", extents);
  TfsValue children = TfsValue::tuple();
  // Enough other entries that the root spans several log extensions (TUPLE_EXTENDED + links).
  for (int i = 0; i < 40000; ++i) {
    TfsValue f = TfsValue::tuple();
    f.append("extents", TfsValue::tuple());
    children.append("file" + std::to_string(i), f);
  }
  children.append("kernel", kernel);
  TfsValue root = TfsValue::tuple();
  root.append("children", children);
  root.append("program", TfsValue::string("/x"));
  disk.write(root);
  EXPECT_GE(disk.log_pieces(), 3u); // block 0 + at least two 1024-block extensions
  Result r = load();
  ASSERT_EQ(r.error, nullptr) << r.error;
  EXPECT_EQ(r.data, a + std::string(1024, '\0') + c);
}

TEST(Stage2TfsLookup, LaterRecordsUpdateTuplesByReference) {
  TfsDisk disk;
  std::string content = pattern(3000, 'k');
  TfsValue root = one_file_root(disk, content);
  // kernel (#5).filelength (#6) := 1000
  std::string update;
  mkimage::pushHeader(update, false, 1, 1);
  mkimage::pushVarint(update, 5);
  mkimage::pushHeader(update, false, 0, 6);
  mkimage::pushHeader(update, true, 3, 0);
  mkimage::pushVarint(update, 1000);
  disk.write(root, frame(update));
  Result r = load();
  ASSERT_EQ(r.error, nullptr) << r.error;
  EXPECT_EQ(r.data, content.substr(0, 1000));
}

TEST(Stage2TfsLookup, DeletedKernelIsMissing) {
  TfsDisk disk;
  TfsValue root = one_file_root(disk, pattern(100, 'z'));
  // children (#3).kernel (#4) := delete
  std::string update;
  mkimage::pushHeader(update, false, 1, 1);
  mkimage::pushVarint(update, 3);
  mkimage::pushHeader(update, false, 0, 4);
  update += '\x80';
  disk.write(root, frame(update));
  Result r = load();
  EXPECT_STREQ(r.error, "no /kernel in the boot TFS");
}

TEST(Stage2TfsLookup, NoKernelEntry) {
  TfsDisk disk;
  TfsValue children = TfsValue::tuple();
  children.append("kernel.old", TfsValue::tuple());
  TfsValue root = TfsValue::tuple();
  root.append("children", children);
  disk.write(root);
  EXPECT_STREQ(load().error, "no /kernel in the boot TFS");
}

TEST(Stage2TfsLookup, ExtentReplacedByAReferenceUpdate) {
  TfsDisk disk;
  std::string old_data = pattern(512, 'o'), new_data = pattern(512, 'n');
  TfsValue root = one_file_root(disk, old_data);
  uint64_t block = disk.add_data(new_data);
  // extents (#8)."0" (#9) := {offset (#11): block, length (#12): 1}
  std::string update;
  mkimage::pushHeader(update, false, 1, 1);
  mkimage::pushVarint(update, 8);
  mkimage::pushHeader(update, false, 0, 9);
  mkimage::pushHeader(update, true, 1, 2);
  mkimage::pushHeader(update, false, 0, 11);
  mkimage::pushHeader(update, true, 3, 0);
  mkimage::pushVarint(update, block);
  mkimage::pushHeader(update, false, 0, 12);
  mkimage::pushHeader(update, true, 3, 0);
  mkimage::pushVarint(update, 1);
  disk.write(root, frame(update));
  Result r = load();
  ASSERT_EQ(r.error, nullptr) << r.error;
  EXPECT_EQ(r.data, new_data);
}

TEST(Stage2TfsLookup, RejectsBadLogs) {
  TfsDisk disk;
  disk.write(one_file_root(disk, pattern(600, 'b')));
  std::vector<uint8_t> good = g_disk;

  g_disk[kPartLba * 512] = 'X';
  EXPECT_STREQ(load().error, "bad TFS: no NVMTFS magic (is partition entry the boot TFS?)");

  g_disk = good;
  g_disk[kPartLba * 512 + 6] = 4; // version 4 here, 5 in the next extension
  EXPECT_STREQ(load().error, "bad TFS: unsupported TFS version at byte 0x206");

  g_disk = good;
  g_disk[kPartLba * 512 + 6] = 7; // version 7
  EXPECT_STREQ(load().error, "bad TFS: unsupported TFS version at byte 0x6");

  g_disk = good;
  g_disk.resize((kPartLba + 100) * 512); // the first extension is cut off: a read error
  EXPECT_STREQ(load().error, "disk read error in the boot TFS log");

  // A reference to a dictionary entry that does not exist.
  TfsDisk disk2;
  TfsValue root = one_file_root(disk2, pattern(10, 'r'));
  std::string update;
  mkimage::pushHeader(update, false, 1, 0);
  mkimage::pushVarint(update, 999);
  disk2.write(root, frame(update));
  EXPECT_STREQ(load().error,
               "bad TFS: dictionary reference out of range or of the wrong kind at byte 0x25d");

  // A link back to the first extension: a cycle.
  TfsDisk disk4;
  std::string link = "\x05";
  mkimage::pushVarint(link, 1);
  mkimage::pushVarint(link, 1024);
  disk4.write(one_file_root(disk4, pattern(10, 'l')), link);
  EXPECT_STREQ(load().error,
               "bad TFS: log extension link loops back or overlaps an earlier extension at byte "
               "0x200");

  // Every byte of the first real extension's used part corrupted in turn: never a crash.
  TfsDisk disk3;
  disk3.write(one_file_root(disk3, pattern(100, 'c')));
  std::vector<uint8_t> base = g_disk;
  for (size_t i = 0; i < 160; ++i) {
    for (uint8_t v : {0x00, 0x01, 0x05, 0x7F, 0x80, 0xFF}) {
      g_disk = base;
      g_disk[(kPartLba + 1) * 512 + i] = v;
      try {
        (void)load();
      } catch (const std::runtime_error&) {
        // arena exhausted (a huge length): stage2 halts with a message there
      }
    }
  }
}

} // namespace

namespace {
TEST(KernelProgramHeaders, ChecksTheElfHeader) {
  std::vector<uint8_t> elf(256, 0);
  memcpy(elf.data(),
         "\x7F"
         "ELF\x02\x01",
         6);
  elf[18] = 0x3E;
  elf[32] = 64; // e_phoff
  elf[54] = 56; // e_phentsize
  elf[56] = 3;  // e_phnum: 64 + 3 * 56 = 232 <= 256
  boot_load::ProgramHeaders h{};
  EXPECT_EQ(boot_load::kernel_program_headers(elf.data(), 256, &h), nullptr);
  EXPECT_EQ(h.offset, 64u);
  EXPECT_EQ(h.entry_size, 56u);
  EXPECT_EQ(h.count, 3u);
  EXPECT_STREQ(boot_load::kernel_program_headers(elf.data(), 200, &h),
               "/kernel has a bad program header table");
  elf[18] = 0x28;
  EXPECT_STREQ(boot_load::kernel_program_headers(elf.data(), 256, &h),
               "/kernel is not an x86-64 ELF file");
  elf[4] = 1;
  EXPECT_STREQ(boot_load::kernel_program_headers(elf.data(), 256, &h),
               "/kernel is not a little-endian ELF64 file");
}
} // namespace
