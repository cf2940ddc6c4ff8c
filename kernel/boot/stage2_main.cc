// stage2: finds the boot TFS through the MBR, loads /kernel's PT_LOAD segments, builds page
// tables and enters the kernel in long mode (hand-off: team KERNEL-CONTRACT.md, spec §2.2-2.3).
#include "stage2.h"
#include "tfs_lookup.h"

namespace stage2 {
namespace {

// Region table (spec §2.2): 20-byte records growing down from 0x7DAA, type 0 ends it.
constexpr uint32_t kRegionAnchor = 0x7DAA;
constexpr uint32_t kRecordSize = 20;
constexpr uint32_t kRegionRam = 1;
constexpr uint32_t kRegionInitialPages = 10;
constexpr uint32_t kRegionKernImage = 13;
constexpr uint32_t kRegionReclaim = 14;
// The lowest address a record may occupy: the stage2 stack is below (boot.ld).
extern "C" char __stack_top[], __stack_bottom[];

struct [[gnu::packed]] Region {
  uint64_t base;
  uint64_t length;
  uint32_t type;
};

Region* region(uint32_t i) {
  return reinterpret_cast<Region*>(kRegionAnchor - i * kRecordSize);
}

uint32_t region_count() {
  uint32_t n = 0;
  while (region(n)->type != 0) {
    if (kRegionAnchor - (n + 1) * kRecordSize < reinterpret_cast<uint32_t>(__stack_top))
      fail("region table has no end record");
    ++n;
  }
  return n;
}

void add_region(uint64_t base, uint64_t length, uint32_t type) {
  uint32_t n = region_count();
  if (kRegionAnchor - (n + 1) * kRecordSize < reinterpret_cast<uint32_t>(__stack_top) + 64)
    fail("region table full");
  *region(n) = Region{base, length, type};
  region(n + 1)->type = 0;
}

void check_cpu() {
  uint32_t a, b, c, d;
  asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000000u));
  if (a < 0x80000001u)
    fail("CPU lacks long mode and NX; halting");
  asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(0x80000001u));
  if (!(d & (1u << 29)))
    fail("CPU lacks long mode; halting");
  if (!(d & (1u << 20)))
    fail("CPU lacks NX (no-execute); halting");
}

// The work area: the largest RAM range between 1 MiB and 4 GiB, used from its top down.
Arena make_arena() {
  uint64_t best_base = 0, best_end = 0;
  for (uint32_t i = 1; region(i)->type != 0; ++i) {
    const Region& r = *region(i);
    if (r.type != kRegionRam)
      continue;
    uint64_t base = r.base < 0x100000 ? 0x100000 : r.base;
    uint64_t end = r.base + r.length;
    if (end > 0xFFFFF000ull)
      end = 0xFFFFF000ull;
    if (end > base && end - base > best_end - best_base) {
      best_base = base;
      best_end = end;
    }
  }
  if (best_end - best_base < 0x200000)
    fail("less than 2 MiB of RAM above 1 MiB");
  return Arena(static_cast<uint32_t>(best_base), static_cast<uint32_t>(best_end & ~0xFFFull));
}

bool ram_covers(uint64_t base, uint64_t length) {
  for (uint32_t i = 1; region(i)->type != 0; ++i) {
    const Region& r = *region(i);
    if (r.type == kRegionRam && base >= r.base && base + length <= r.base + r.length)
      return true;
  }
  return false;
}

uint64_t boot_partition(Arena& arena) {
  auto* mbr = static_cast<uint8_t*>(arena.alloc(512));
  if (!disk_read(0, 1, mbr))
    fail("disk read error (MBR)");
  uint64_t lba;
  if (const char* e = boot_load::boot_partition_lba(mbr, &lba))
    fail(e);
  return lba;
}

// The shared /kernel lookup reads through the BIOS and allocates from the arena (which halts
// when exhausted, as every stage2 allocation does).
bool services_read(void*, uint64_t lba, uint32_t count, void* dst) {
  return disk_read(lba, count, dst);
}
void* services_alloc(void* ctx, size_t size, size_t align) {
  return static_cast<Arena*>(ctx)->alloc(static_cast<uint32_t>(size), static_cast<uint32_t>(align));
}

// ---- ELF64 (offsets per the ELF specification) ----
template <typename T> T field(const uint8_t* p, uint32_t offset) {
  T v;
  memcpy(&v, p + offset, sizeof(T));
  return v;
}

struct Segment {
  uint64_t offset, vaddr, paddr, filesz, memsz;
};

class PageTables {
public:
  explicit PageTables(Arena& arena) {
    // Reserved in one block so the kernel gets one INITIAL_PAGES region.
    base_ = reinterpret_cast<uint32_t>(arena.alloc(kPages * 4096, 4096));
    pml4_ = table();
    uint64_t* pdpt = table();
    pml4_[0] = reinterpret_cast<uint32_t>(pdpt) | 3;
    for (uint32_t g = 0; g < 4; ++g) { // identity: first 4 GiB in 2 MiB pages
      uint64_t* pd = table();
      pdpt[g] = reinterpret_cast<uint32_t>(pd) | 3;
      for (uint32_t i = 0; i < 512; ++i)
        pd[i] = ((static_cast<uint64_t>(g) << 30) + (static_cast<uint64_t>(i) << 21)) | 0x83;
    }
  }

  void map_page(uint64_t vaddr, uint64_t paddr) {
    uint64_t* t = pml4_;
    for (int shift = 39; shift > 12; shift -= 9) {
      uint64_t& e = t[(vaddr >> shift) & 511];
      if (e & 0x80) { // a 2 MiB identity page is in the way
        if ((vaddr & ~0x1FFFFFull) == (e & ~0x1FFFFFull) && vaddr == paddr)
          return;
        fail("a kernel segment overlaps the low 4 GiB identity map at another address");
      }
      if (!(e & 1))
        e = reinterpret_cast<uint32_t>(table()) | 3;
      t = reinterpret_cast<uint64_t*>(static_cast<uint32_t>(e & ~0xFFFull));
    }
    t[(vaddr >> 12) & 511] = (paddr & ~0xFFFull) | 3;
  }

  uint32_t pml4() const { return reinterpret_cast<uint32_t>(pml4_); }
  uint32_t base() const { return base_; }
  static constexpr uint32_t kPages = 32;

private:
  uint64_t* table() {
    if (used_ == kPages)
      fail("kernel segments need more page tables than reserved");
    return reinterpret_cast<uint64_t*>(base_ + 4096 * used_++);
  }
  uint32_t base_;
  uint32_t used_ = 0;
  uint64_t* pml4_;
};

uint64_t load_elf(const uint8_t* image, uint32_t size, PageTables& tables, uint32_t arena_low,
                  uint32_t arena_top) {
  boot_load::ProgramHeaders headers;
  if (const char* e = boot_load::kernel_program_headers(image, size, &headers))
    fail(e);
  uint64_t phoff = headers.offset;
  uint16_t phentsize = headers.entry_size;
  uint16_t phnum = headers.count;
  uint32_t loads = 0;
  for (uint16_t i = 0; i < phnum; ++i) {
    const uint8_t* ph = image + phoff + static_cast<uint32_t>(i) * phentsize;
    if (field<uint32_t>(ph, 0) != 1) // PT_LOAD
      continue;
    Segment s{field<uint64_t>(ph, 8), field<uint64_t>(ph, 16), field<uint64_t>(ph, 24),
              field<uint64_t>(ph, 32), field<uint64_t>(ph, 40)};
    if (s.filesz > s.memsz || s.offset > size || s.filesz > size - s.offset)
      fail("/kernel has a PT_LOAD segment outside the file");
    if (s.paddr < 0x100000 || s.memsz > 0x40000000 || s.paddr + s.memsz > 0xFFFFF000ull ||
        (s.vaddr & 0xFFF) != (s.paddr & 0xFFF))
      fail("/kernel has a PT_LOAD segment at an unusable physical address");
    if (!ram_covers(s.paddr, s.memsz))
      fail("/kernel's segments do not fit in RAM");
    if (s.paddr < arena_top && s.paddr + s.memsz > arena_low)
      fail("/kernel's segments overlap the boot loader's work area");
    auto* dst = reinterpret_cast<uint8_t*>(static_cast<uint32_t>(s.paddr));
    memcpy(dst, image + s.offset, static_cast<uint32_t>(s.filesz));
    memset(dst + s.filesz, 0, static_cast<uint32_t>(s.memsz - s.filesz));
    for (uint64_t off = 0; off < s.memsz + (s.vaddr & 0xFFF); off += 4096)
      tables.map_page((s.vaddr & ~0xFFFull) + off, (s.paddr & ~0xFFFull) + off);
    ++loads;
  }
  if (!loads)
    fail("/kernel has no PT_LOAD segment");
  return field<uint64_t>(image, 24);
}

} // namespace

extern "C" [[noreturn]] void stage2_main(uint32_t drive) {
  serial_init();
  // Progress lines only on request (nanos-run --verbose); errors always (fail()).
  const bool verbose = fw_cfg_verbose();
  if (verbose)
    print("stage2: started\n");
  check_cpu();
  region_count(); // validates the table stage1 wrote
  disk_init(drive);

  Arena arena = make_arena();
  uint32_t top = arena.low();
  PageTables tables(arena);
  uint32_t tables_low = arena.low();

  uint64_t part = boot_partition(arena);
  uint8_t* image;
  uint32_t size;
  boot_load::LoaderServices services{services_read, services_alloc, &arena};
  if (const char* e = boot_load::tfs_load_kernel(services, part, &image, &size))
    fail(e);
  uint32_t work_low = arena.low();
  // The file buffer is the last allocation: everything between it and the page tables is
  // the decoder's metadata, free once the kernel runs.
  uint32_t image_base = reinterpret_cast<uint32_t>(image);
  if (verbose) {
    print("stage2: loading /kernel (");
    print_dec(size);
    print(" bytes)\n");
  }
  static uint64_t entry;
  entry = load_elf(image, size, tables, work_low, top);

  add_region(tables.base(), top - tables_low, kRegionInitialPages);
  add_region(image_base, (size + 4095) & ~4095u, kRegionKernImage);
  uint32_t reclaim_low = (image_base + ((size + 4095) & ~4095u));
  add_region(reclaim_low, tables_low - reclaim_low, kRegionReclaim);
  add_region(reinterpret_cast<uint32_t>(__stack_bottom),
             reinterpret_cast<uint32_t>(__stack_top) - reinterpret_cast<uint32_t>(__stack_bottom),
             kRegionReclaim);
  enter_long_mode(tables.pml4(), &entry);
}

} // namespace stage2
