// The program's memory map: sorted, non-overlapping page-aligned regions (VMAs) with their
// protection and backing (anonymous, or a file's data up to file_end then zeros). Pure
// bookkeeping -- page tables are handled by unix/memory.cc -- so it is unit-tested on the host.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

enum class VmaKind : uint8_t { kOther, kHeap, kStack };

// Vma::flags bits.
constexpr uint8_t kVmaShared = 1;    // MAP_SHARED: pages are the data itself (no copy to drop)
constexpr uint8_t kVmaGrowsDown = 2; // MAP_GROWSDOWN: a fault just below extends the region
// mmap of a file: a page wholly past the file's end is SIGBUS (the ELF loader's mappings,
// whose tails are the program's zeroed data, leave it off).
constexpr uint8_t kVmaBusPastEof = 4;

struct Memfd;

struct Vma {
  uint64_t start = 0, end = 0; // [start, end), page-aligned
  unsigned prot = 0;           // mm::Prot bits (1 R, 2 W, 4 X)
  int32_t node = -1;           // backing file node, -1 for anonymous memory
  uint64_t file_offset = 0;    // file offset of `start`
  uint64_t file_end = 0;       // file data stops at this address (zeros above)
  VmaKind kind = VmaKind::kOther;
  // A memfd behind the region (memfd.h), with file_offset as for files; node is then -1.
  Memfd* memfd = nullptr;
  uint8_t flags = 0;           // kVma* bits
};

class VmMap {
public:
  // The table grows on demand (doubling, memory from `realloc`) up to limit() regions. The
  // limit depends on the guest's RAM (limit_for_memory, set at boot): each thread's stack
  // takes two regions (the stack and its guard), so a fixed 1024 allowed ~500 threads.
  using Realloc = void* (*)(void* p, size_t bytes);
  explicit VmMap(Realloc realloc) : realloc_(realloc) {}
#ifdef KERNEL_HOST_BUILD
  // Host tests free the table. The kernel's one map lives as long as the machine: no
  // destructor there (a global with one would need atexit, which the kernel lacks).
  ~VmMap();
#endif
  VmMap(const VmMap&) = delete;
  VmMap& operator=(const VmMap&) = delete;

  static constexpr size_t kMinVmas = 1024;      // the limit before set_limit, and the least
  static constexpr size_t kCeilingVmas = 65530; // Linux's default vm.max_map_count
  // The table may use up to 1/64 of RAM (48 bytes a region): 16 MiB -> 5461 regions,
  // 64 MiB -> 21845, 190 MiB or more -> 65530.
  static constexpr size_t limit_for_memory(uint64_t ram_bytes) {
    uint64_t n = ram_bytes / 64 / sizeof(Vma);
    return n < kMinVmas ? kMinVmas : n > kCeilingVmas ? kCeilingVmas : static_cast<size_t>(n);
  }
  void set_limit(size_t regions) {
    limit_ = regions < count_ ? count_ : regions;
  }
  size_t limit() const {
    return limit_;
  }

  // The region holding addr, or nullptr.
  const Vma* find(uint64_t addr) const;
  // True if no region intersects [start, end).
  bool is_free(uint64_t start, uint64_t end) const;
  // Adds a region; the range must be free (remove() first). False when the table is full
  // or the range is invalid.
  bool insert(const Vma& vma);
  // Extends the region ending exactly at old_end up to new_end (which must be free).
  bool grow(uint64_t old_end, uint64_t new_end);
  // Extends the region starting exactly at old_start down to new_start (which must be free).
  bool grow_down(uint64_t old_start, uint64_t new_start);
  // The first region above addr (start > addr, addr itself unmapped), or nullptr.
  const Vma* above(uint64_t addr) const;
  // The last region ending at or below addr, or nullptr.
  const Vma* below(uint64_t addr) const;
  // Removes [start, end) from every region it touches, splitting them. False when a split
  // would overflow the table (nothing changes then).
  bool remove(uint64_t start, uint64_t end);
  // Sets prot on [start, end), splitting regions. False (nothing changes) if some page of
  // the range is unmapped or the table would overflow.
  bool protect(uint64_t start, uint64_t end, unsigned prot);
  // Highest page-aligned address a with [a, a+len) free and lo <= a, a+len <= hi; 0 if none.
  uint64_t find_free(uint64_t len, uint64_t lo, uint64_t hi) const;

  size_t size() const { return count_; }
  const Vma& at(size_t i) const { return vmas_[i]; }
  // Changes with every call that may change the table (insert, grow, remove, protect...).
  // Code that sleeps (a page fault reading the disk) while another thread may mmap or
  // munmap compares it before and after: a Vma pointer or copy from before is then stale.
  uint64_t generation() const { return generation_; }

private:
  size_t lower_bound(uint64_t addr) const; // first region with end > addr
  void shift_up(size_t i);                 // opens a slot at i
  // Room for `n` regions in all (n <= limit_); false when at the limit or out of memory.
  bool reserve(size_t n);
  // Splits the region containing addr so that addr is a boundary. False when full.
  bool split_at(uint64_t addr);
  Realloc realloc_;
  Vma* vmas_ = nullptr;
  size_t capacity_ = 0;
  size_t limit_ = kMinVmas;
  size_t count_ = 0;
  uint64_t generation_ = 0;
};

} // namespace unix
