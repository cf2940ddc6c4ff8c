#include "unix/memory/memory.h"

#include "arch/x86_64/page_zero.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "unix/fd/memfd.h"
#include "unix/uring/ring.h"
#include "unix/process/exit.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

using mm::kPageSize;
using mm::page_round_down;
using mm::page_round_up;

constexpr uint64_t kMmapLowest = 0x10000; // mmap_min_addr (64 KiB as Linux distributions)

// MAP_GROWSDOWN regions grow on a fault below them while they stay within the stack limit
// (RLIMIT_STACK's default; the limit itself lives with the other rlimits) and keep Linux's
// stack_guard_gap (256 pages) above the next accessible region below.
constexpr uint64_t kStackLimit = 8ull << 20;
constexpr uint64_t kStackGuardGap = 256 * kPageSize;

// Pages the program cannot take: the kernel's heap and page tables come from the same pool,
// and the kernel must stay able to report the program's death.
constexpr size_t kKernelReservePages = 128; // 512 KiB

// Anonymous regions of at least 128 KiB are filled 128 KiB at a time (aligned; one
// contiguous run zeroed and mapped in one go when the whole block is absent, else the
// absent pages one by one) while memory is plentiful. Under kvm-pvm every kernel entry
// costs hundreds of microseconds and every kernel instruction about one: fewer, larger
// faults are what pays (python3 -c pass: 410 faults at 16/8 pages, 154 at 32/64).
// Smaller regions fault page by page.
constexpr uint64_t kAnonAround = 32 * kPageSize;

uint64_t alloc_user_page() {
  if (mm::free_page_count() <= kKernelReservePages)
    return 0;
  return mm::alloc_page();
}

bool plenty_of_memory() {
  return mm::free_page_count() > kKernelReservePages + mm::total_page_count() / 8;
}

// Linux's heuristic overcommit (overcommit_memory=0): nothing is reserved, but a single
// request for more than all of RAM (there is no swap) is refused.
bool obvious_overcommit(uint64_t bytes) {
  return bytes / kPageSize > mm::total_page_count();
}

// What the program could not get: Linux's OOM killer would send SIGKILL. The report says
// why, then the program ends as killed by signal 9.
[[noreturn]] void out_of_memory(uint64_t addr) {
  kprintf("\nout of memory: no free page for address %#lx (RAM %lu KiB, free %lu KiB, %lu KiB "
          "kept for the kernel)\n",
          static_cast<unsigned long>(addr),
          static_cast<unsigned long>(mm::total_page_count() * 4),
          static_cast<unsigned long>(mm::free_page_count() * 4),
          static_cast<unsigned long>(kKernelReservePages * 4));
  kill_program(9, nullptr, addr);
}

unsigned prot_from_linux(int prot) {
  return (prot & linux::PROT_READ ? mm::kProtRead : 0) |
         (prot & linux::PROT_WRITE ? mm::kProtWrite : 0) |
         (prot & linux::PROT_EXEC ? mm::kProtExec : 0);
}

// Fills a fresh page for va from its region's backing. The device writes file data straight
// into the page; only what lies past the file's data is zeroed.
// A user page that was unmapped: back to the allocator, unless a memfd owns it.
void release_user_page(uint64_t phys) {
  if (!memfd_owns_page(phys))
    mm::free_pages(phys);
}

uint64_t memfd_index(const Vma& vma, uint64_t va) {
  return (vma.file_offset + (va - vma.start)) / kPageSize;
}

bool fill_page(const Vma& vma, uint64_t va, uint8_t* page) {
  if (vma.memfd) { // a private mapping of a memfd: a copy of its page
    uint64_t phys = memfd_page(vma.memfd, memfd_index(vma, va));
    if (!phys)
      return false;
    memcpy(page, mm::phys_to_virt(phys), kPageSize);
    return true;
  }
  const fs::Node* n = vma.node >= 0 && va < vma.file_end ? fs::node(vma.node) : nullptr;
  if (!n || !n->inode) {
    arch::zero_pages(page, 1);
    return true;
  }
  uint64_t len = vma.file_end - va < kPageSize ? vma.file_end - va : kPageSize;
  auto got = fs::read_file(n->inode, vma.file_offset + (va - vma.start), page, len);
  if (!got.ok())
    return false;
  if (*got < kPageSize)
    memset(page + *got, 0, kPageSize - *got);
  return true;
}

// Frees the pages of [start, end) that are present.
void free_pages_in(uint64_t start, uint64_t end) {
  process().space->unmap_range(
      start, end, [](uint64_t phys, void*) { release_user_page(phys); }, nullptr);
}

// Applies a region's protection to its present pages (after mprotect).
void reprotect_pages(uint64_t start, uint64_t end, unsigned prot) {
  mm::AddressSpace* as = process().space;
  for (uint64_t va = as->next_present(start, end); va < end;
       va = as->next_present(va + kPageSize, end)) {
    if (prot == mm::kProtNone) {
      // No "present but inaccessible" state in mm: drop the page. Its contents are lost,
      // which matches what programs do with PROT_NONE (guard pages, reservations).
      auto phys = as->unmap(va);
      if (phys.ok())
        release_user_page(*phys);
    } else {
      (void)as->protect(va, prot);
    }
  }
}

// Maps the fresh contiguous frames [phys, phys + pages) at va and frees those that could
// not be mapped (no page for a page table). Returns how many were mapped.
size_t map_fresh_run(uint64_t va, uint64_t phys, size_t pages, unsigned prot) {
  size_t mapped = 0;
  if (!process().space->map_run(va, phys, pages, prot, &mapped).ok())
    mm::free_pages(phys + mapped * kPageSize, pages - mapped);
  return mapped;
}

// File-backed faults read ahead: one disk request fills the faulting page and the pages
// after it (up to kFaultAround = 256 KiB, within the region's file data, stopping at a
// present page), written by the device straight into physically contiguous fresh pages. Under emulation
// a disk request costs far more than mapping a few more pages, and every 8 bytes copied or
// zeroed cost an emulated iteration: so no bounce buffer, and only the bytes past the
// file's data are zeroed. False when that is not possible (one page, no contiguous run):
// the caller then fills the faulting page alone.
constexpr size_t kFaultAround = 64;

bool fault_around(const Vma& vma, uint64_t va, uint64_t generation) {
  mm::AddressSpace* as = process().space;
  uint64_t end = va + kFaultAround * kPageSize;
  if (end > vma.end)
    end = vma.end;
  uint64_t data_end = page_round_up(vma.file_end) < end ? page_round_up(vma.file_end) : end;
  size_t pages = as->absent_run(va, (data_end - va) / kPageSize);
  const fs::Node* n = fs::node(vma.node);
  if (!n || !n->inode || !plenty_of_memory())
    return false;
  uint64_t phys = 0;
  while (pages >= 2 && !(phys = mm::alloc_pages(pages)))
    pages /= 2; // fragmented memory: a shorter run
  if (!phys)
    return false;
  auto* buf = static_cast<uint8_t*>(mm::phys_to_virt(phys));
  uint64_t stop = va + pages * kPageSize;
  uint64_t bytes = (vma.file_end < stop ? vma.file_end : stop) - va;
  auto got = fs::read_file(n->inode, vma.file_offset + (va - vma.start), buf, bytes);
  if (!got.ok()) {
    mm::free_pages(phys, pages);
    return false;
  }
  // Past the data (end of file, or a file that shrank since the mmap): zeros.
  uint64_t full = page_round_up(*got);
  if (full > *got)
    memset(buf + *got, 0, full - *got);
  if (full < pages * kPageSize)
    arch::zero_pages(buf + full, pages - full / kPageSize);
  // The read may have slept: another thread may have changed the map or faulted some of
  // these pages in meanwhile. Map only onto what is still absent, under an unchanged map.
  size_t still_absent = process().vm.generation() == generation ? as->absent_run(va, pages) : 0;
  if (still_absent < pages)
    mm::free_pages(phys + still_absent * kPageSize, pages - still_absent);
  if (still_absent == 0)
    return true; // the caller's fault is retried against the map as it is now
  // If not all could be mapped but the faulting page is in, the rest can fault later.
  return map_fresh_run(va, phys, still_absent, vma.prot) > 0;
}

enum class Backing { kOk, kNoMemory, kFailed };

// Makes page va of vma present from its backing. `around` allows filling neighbours too
// (file read-ahead, 128 KiB anonymous blocks) -- page faults, not MAP_POPULATE.
Backing back_page(const Vma& region, uint64_t va, bool around) {
  mm::AddressSpace* as = process().space;
  // Reading the file may sleep (interrupt-driven disk) and let other threads change the
  // region table under `region`: work on a copy, and check the generation after a read.
  const Vma vma = region;
  const uint64_t generation = process().vm.generation();
  if (vma.memfd && (vma.flags & kVmaShared)) { // the memfd's own page
    uint64_t phys = memfd_page(vma.memfd, memfd_index(vma, va));
    if (!phys)
      return Backing::kNoMemory;
    return as->map(va, phys, vma.prot).ok() ? Backing::kOk : Backing::kNoMemory;
  }
  if (vma.node >= 0 && va < vma.file_end) {
    if (around && fault_around(vma, va, generation))
      return Backing::kOk;
    if (as->translate(va).ok())
      return Backing::kOk; // fault_around mapped it but ran out of memory later
  } else if (around && !vma.memfd && vma.end - vma.start >= kAnonAround && plenty_of_memory()) {
    uint64_t lo = va & ~(kAnonAround - 1), hi = lo + kAnonAround;
    lo = lo < vma.start ? vma.start : lo;
    hi = hi > vma.end ? vma.end : hi;
    size_t pages = (hi - lo) / kPageSize;
    uint64_t run = as->absent_run(lo, pages) == pages ? mm::alloc_pages(pages) : 0;
    if (run) {
      // The whole block is absent: one contiguous run, zeroed and mapped in one go.
      arch::zero_pages(mm::phys_to_virt(run), pages);
      map_fresh_run(lo, run, pages, vma.prot);
      if (as->translate(va).ok())
        return Backing::kOk;
    } else {
      for (uint64_t page = lo; page < hi; page += kPageSize) {
        if (page == va || as->translate(page).ok())
          continue;
        uint64_t phys = alloc_user_page();
        if (!phys)
          break;
        arch::zero_pages(mm::phys_to_virt(phys), 1);
        if (!as->map(page, phys, vma.prot).ok()) {
          mm::free_pages(phys);
          break;
        }
      }
    }
  }
  uint64_t phys = alloc_user_page();
  if (!phys)
    return Backing::kNoMemory;
  if (!fill_page(vma, va, static_cast<uint8_t*>(mm::phys_to_virt(phys)))) {
    mm::free_pages(phys);
    return Backing::kFailed; // the disk could not be read
  }
  if (process().vm.generation() != generation || as->translate(va).ok()) {
    mm::free_pages(phys); // changed while the read slept: the fault is retried
    return Backing::kOk;
  }
  if (!as->map(va, phys, vma.prot).ok()) {
    mm::free_pages(phys);
    return Backing::kNoMemory; // no page for a page table
  }
  return Backing::kOk;
}

// A fault at addr in the gap below a MAP_GROWSDOWN region: extends the region down to
// addr's page when the stack limit and the guard gap allow it. The region, or nullptr.
const Vma* grow_down_to(uint64_t addr) {
  VmMap& vm = process().vm;
  const Vma* up = vm.above(addr);
  if (!up || !(up->flags & kVmaGrowsDown))
    return nullptr;
  uint64_t new_start = page_round_down(addr);
  if (new_start < kMmapLowest || up->end - new_start > kStackLimit)
    return nullptr;
  const Vma* down = vm.below(new_start);
  if (down && down->prot != mm::kProtNone && !(down->flags & kVmaGrowsDown) &&
      new_start - down->end < kStackGuardGap)
    return nullptr;
  if (!vm.grow_down(up->start, new_start))
    return nullptr;
  return vm.find(addr);
}

// Calls fn(vma, start, end) for each region piece in [start, end); true if some page of
// the range is not mapped. fn returns a negative errno to stop the walk.
// Calls fn(vma, start, end) -> Status for each mapped piece of [start, end), stopping at
// the first error; *hole tells whether some of the range was not mapped.
template <typename Fn> Status for_each_piece(uint64_t start, uint64_t end, bool* hole, Fn fn) {
  VmMap& vm = process().vm;
  *hole = false;
  for (uint64_t at = start; at < end;) {
    const Vma* v = vm.find(at);
    if (!v) {
      *hole = true;
      const Vma* next = vm.above(at);
      if (!next || next->start >= end)
        break;
      at = next->start;
      continue;
    }
    Vma piece = *v; // fn may change the map
    uint64_t stop = piece.end < end ? piece.end : end;
    TRY(fn(piece, at, stop));
    at = stop;
  }
  return status_ok();
}

// Makes every page of [start, end) within vma present (MAP_POPULATE, MADV_POPULATE_*).
Status populate(const Vma& region, uint64_t start, uint64_t end) {
  mm::AddressSpace* as = process().space;
  const Vma vma = region; // `region` may move in the table while a read sleeps
  const uint64_t generation = process().vm.generation();
  for (uint64_t va = start; va < end && process().vm.generation() == generation;
       va += kPageSize) {
    if (as->translate(va).ok())
      continue;
    Backing b = back_page(vma, va, false);
    if (b != Backing::kOk)
      return Err(b == Backing::kNoMemory ? -ENOMEM : -EFAULT);
  }
  return status_ok();
}

} // namespace

Status map_region(const Vma& vma) {
  if (!process().vm.insert(vma))
    return Err(-ENOMEM);
  return status_ok();
}

ErrorOr<uint64_t> map_anonymous(uint64_t len, unsigned prot) {
  Process& p = process();
  uint64_t size = page_round_up(len);
  uint64_t start = p.vm.find_free(size, kMmapLowest, p.mmap_top);
  if (!start || !size)
    return Err(-ENOMEM);
  Vma vma;
  vma.start = start;
  vma.end = start + size;
  vma.prot = prot;
  vma.file_end = start;
  TRY(map_region(vma));
  return start;
}

Status unmap_range(uint64_t start, uint64_t end) {
  Process& p = process();
  if (!p.vm.remove(start, end))
    return Err(-ENOMEM);
  free_pages_in(start, end);
  return status_ok();
}

namespace {

bool past_end_of_file(const Vma& vma, uint64_t addr) {
  if (!(vma.flags & kVmaBusPastEof) || (vma.node < 0 && !vma.memfd))
    return false;
  uint64_t length = 0;
  if (vma.memfd) {
    length = memfd_size(vma.memfd);
  } else if (const fs::Node* n = fs::node(vma.node); n && n->inode) {
    length = fs::file_length(n->inode);
  }
  uint64_t offset = vma.file_offset + (page_round_down(addr) - vma.start);
  return offset >= page_round_up(length);
}

} // namespace

UnresolvedFault classify_unresolved_fault(uint64_t addr) {
  constexpr int kSigSegv = 11, kSigBus = 7, kSegvMapErr = 1, kSegvAccErr = 2, kBusAdrErr = 2;
  const Vma* vma = process().vm.find(addr);
  if (!vma)
    return {kSigSegv, kSegvMapErr};
  if (past_end_of_file(*vma, addr))
    return {kSigBus, kBusAdrErr};
  return {kSigSegv, kSegvAccErr};
}

bool fault_in(uint64_t addr, uint64_t error_code) {
  Process& p = process();
  const Vma* vma = p.vm.find(addr);
  if (!vma)
    vma = grow_down_to(addr);
  if (!vma || vma->prot == mm::kProtNone)
    return false;
  bool present = error_code & 1, write = error_code & 2, fetch = error_code & 16;
  if (present || (write && !(vma->prot & mm::kProtWrite)) ||
      (fetch && !(vma->prot & mm::kProtExec)) || past_end_of_file(*vma, addr))
    return false;
  switch (back_page(*vma, page_round_down(addr), true)) {
  case Backing::kOk: return true;
  case Backing::kNoMemory: out_of_memory(addr);
  case Backing::kFailed: break;
  }
  return false;
}

SyscallResult sys_mmap(const SyscallArgs& args) {
  uint64_t addr = args.u(0);
  uint64_t len = args.u(1);
  int prot = args.i(2);
  int flags = args.i(3);
  int fd = args.i(4);
  uint64_t offset = args.u(5);

  Process& p = process();
  bool fixed = flags & (linux::MAP_FIXED | linux::MAP_FIXED_NOREPLACE);
  if (len == 0 || (offset & (kPageSize - 1)) || ((addr & (kPageSize - 1)) && fixed))
    return Err(-EINVAL);
  int type = flags & 3;
  bool anonymous = flags & linux::MAP_ANONYMOUS;
  if (type == linux::MAP_SHARED_VALIDATE) {
    // Anonymous memory has no validating variant on Linux; files refuse unknown flags
    // (and MAP_SYNC, which needs DAX storage).
    if (anonymous)
      return Err(-EINVAL);
    if (flags & ~linux::kMapKnownFlags)
      return Err(-EOPNOTSUPP);
  } else if (type != linux::MAP_PRIVATE && type != linux::MAP_SHARED) {
    return Err(-EINVAL);
  }
  uint64_t size = page_round_up(len);
  if (size < len || size > arch::kUserMappableEnd)
    return Err(-ENOMEM);
  if (offset + size < offset)
    return Err(-EOVERFLOW);
  Vma vma;
  vma.prot = prot_from_linux(prot);
  if (type != linux::MAP_PRIVATE)
    vma.flags |= kVmaShared;
  if (flags & linux::MAP_GROWSDOWN)
    vma.flags |= kVmaGrowsDown;
  // Commit check: private writable and shared anonymous memory, unless MAP_NORESERVE.
  bool accounted = (type == linux::MAP_PRIVATE ? (prot & linux::PROT_WRITE) : anonymous) &&
                   !(flags & linux::MAP_NORESERVE);
  if (accounted && obvious_overcommit(size))
    return Err(-ENOMEM);
  if (!anonymous) {
    File* f = p.files.get(fd);
    if (!f)
      return Err(-EBADF);
    if (f->kind == FileKind::kZero || f->kind == FileKind::kNull) {
      // /dev/zero maps as anonymous memory.
    } else if (Memfd* m = memfd_of(*f)) {
      bool shared = type != linux::MAP_PRIVATE, writable = prot & linux::PROT_WRITE;
      if (shared && writable && (f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
        return Err(-EACCES);
      TRY(memfd_mapped(m, shared, writable));
      vma.memfd = m;
      vma.file_offset = offset;
      vma.flags |= kVmaBusPastEof;
    } else if (f->kind == FileKind::kIoUring) {
      // The rings and SQEs of an io_uring instance: its memory file's very pages, even for
      // MAP_PRIVATE (Linux maps the ring pages themselves either way).
      vma.flags |= kVmaShared;
      uring::RingMapping ring = TRY(uring::ring_mapping(*f, offset, size));
      TRY(memfd_mapped(ring.memory, true, prot & linux::PROT_WRITE));
      vma.memfd = ring.memory;
      vma.file_offset = ring.memory_offset;
    } else if (f->kind != FileKind::kRegular) {
      return Err(-ENODEV);
    } else {
      if ((f->flags & linux::O_ACCMODE) == linux::O_WRONLY)
        return Err(-EACCES);
      if (type != linux::MAP_PRIVATE && (prot & linux::PROT_WRITE))
        return Err(-EACCES); // no write-back of mapped pages: shared writable file mappings refused
      const fs::Node* n = fs::node(f->node);
      uint64_t flen = n && n->inode ? fs::file_length(n->inode) : 0;
      vma.node = f->node;
      vma.file_offset = offset;
      vma.flags |= kVmaBusPastEof;
      uint64_t data = flen > offset ? flen - offset : 0;
      vma.file_end = data; // relative for now, made absolute below
    }
  }
  uint64_t start;
  if (fixed) {
    start = addr;
    if (start < kMmapLowest)
      return Err(-EPERM); // below mmap_min_addr
    if (start + size > arch::kUserMappableEnd || start + size < start)
      return Err(-ENOMEM);
    if (!p.vm.is_free(start, start + size)) {
      if (flags & linux::MAP_FIXED_NOREPLACE)
        return Err(-EEXIST);
      TRY(unmap_range(start, start + size));
    }
  } else {
    start = 0;
    uint64_t hint = page_round_down(addr);
    if (hint >= kMmapLowest && hint + size <= arch::kUserMappableEnd && hint + size > hint &&
        p.vm.is_free(hint, hint + size))
      start = hint;
    // MAP_32BIT: the first 2 GiB, above 1 GiB as on Linux.
    if (!start && (flags & linux::MAP_32BIT))
      start = p.vm.find_free(size, 0x40000000, 0x80000000);
    else if (!start)
      start = p.vm.find_free(size, kMmapLowest, p.mmap_top);
    if (!start)
      return Err(-ENOMEM);
  }
  vma.start = start;
  vma.end = start + size;
  vma.file_end = vma.node >= 0 ? start + (vma.file_end < size ? vma.file_end : size) : start;
  TRY(map_region(vma));
  // MAP_POPULATE / MAP_LOCKED prefault what they can; like Linux, a shortfall is not an error.
  if (flags & (linux::MAP_POPULATE | linux::MAP_LOCKED))
    (void)populate(vma, vma.start, vma.end);
  return static_cast<long>(start);
}

SyscallResult sys_munmap(const SyscallArgs& args) {
  uint64_t addr = args.u(0);
  uint64_t len = args.u(1);

  if ((addr & (kPageSize - 1)) || len == 0)
    return Err(-EINVAL);
  uint64_t end = addr + page_round_up(len);
  if (end < addr || end > mm::kUserEnd)
    return Err(-EINVAL);
  TRY(unmap_range(addr, end));
  return 0;
}

SyscallResult sys_mprotect(const SyscallArgs& args) {
  uint64_t addr = args.u(0);
  uint64_t len = args.u(1);
  int prot = args.i(2);

  if (addr & (kPageSize - 1))
    return Err(-EINVAL);
  uint64_t end = addr + page_round_up(len);
  if (end < addr)
    return Err(-ENOMEM);
  if (end == addr)
    return 0;
  unsigned p = prot_from_linux(prot);
  if (!process().vm.protect(addr, end, p))
    return Err(-ENOMEM);
  reprotect_pages(addr, end, p);
  return 0;
}

SyscallResult sys_mremap(const SyscallArgs& args) {
  uint64_t old_addr = args.u(0);
  uint64_t old_len = args.u(1);
  uint64_t new_len = args.u(2);
  int flags = args.i(3);
  uint64_t new_addr = args.u(4);

  Process& p = process();
  if ((old_addr & (kPageSize - 1)) || new_len == 0 || (flags & ~3))
    return Err(-EINVAL);
  if ((flags & linux::MREMAP_FIXED) && !(flags & linux::MREMAP_MAYMOVE))
    return Err(-EINVAL);
  uint64_t old_size = page_round_up(old_len), new_size = page_round_up(new_len);
  const Vma* vma = p.vm.find(old_addr);
  if (!vma || old_addr + old_size > vma->end || old_size == 0)
    return Err(-EFAULT);
  bool accounted = (vma->flags & kVmaShared) ? vma->node < 0 : (vma->prot & mm::kProtWrite);
  if (new_size > old_size && accounted && obvious_overcommit(new_size - old_size))
    return Err(-ENOMEM);
  if (new_size <= old_size && !(flags & linux::MREMAP_FIXED)) {
    TRY(unmap_range(old_addr + new_size, old_addr + old_size));
    return static_cast<long>(old_addr);
  }
  // Grow in place when the pages above are free.
  if (!(flags & linux::MREMAP_FIXED) && old_addr + new_size <= p.mmap_top &&
      p.vm.is_free(old_addr + old_size, old_addr + new_size) && vma->end == old_addr + old_size) {
    Vma grown = *vma;
    grown.start = old_addr + old_size;
    grown.end = old_addr + new_size;
    if (grown.node >= 0 || grown.memfd)
      grown.file_offset = vma->file_offset + (grown.start - vma->start);
    grown.file_end = grown.node >= 0 && vma->file_end > grown.start ? vma->file_end : grown.start;
    TRY(map_region(grown));
    return static_cast<long>(old_addr);
  }
  if (!(flags & linux::MREMAP_MAYMOVE))
    return Err(-ENOMEM);
  uint64_t dest;
  if (flags & linux::MREMAP_FIXED) {
    dest = new_addr;
    if ((dest & (kPageSize - 1)) || dest < kMmapLowest || dest + new_size > arch::kUserMappableEnd)
      return Err(-EINVAL);
    if (dest < old_addr + old_size && old_addr < dest + new_size)
      return Err(-EINVAL);
    TRY(unmap_range(dest, dest + new_size));
  } else {
    dest = p.vm.find_free(new_size, kMmapLowest, p.mmap_top);
    if (!dest)
      return Err(-ENOMEM);
  }
  // Move the region: same backing, pages carried over by remapping their frames.
  Vma moved = *vma;
  moved.file_offset = vma->node >= 0 || vma->memfd ? vma->file_offset + (old_addr - vma->start) : 0;
  moved.file_end = vma->node >= 0 && vma->file_end > old_addr ? dest + (vma->file_end - old_addr)
                                                              : dest;
  moved.start = dest;
  moved.end = dest + new_size;
  uint64_t keep = old_size < new_size ? old_size : new_size;
  unsigned prot = vma->prot;
  TRY(map_region(moved));
  for (uint64_t off = 0; off < keep; off += kPageSize) {
    auto phys = p.space->unmap(old_addr + off);
    if (phys.ok() && !p.space->map(dest + off, *phys, prot).ok())
      release_user_page(*phys);
  }
  (void)unmap_range(old_addr, old_addr + old_size); // just moved out: cannot fail
  return static_cast<long>(dest);
}

SyscallResult sys_brk(const SyscallArgs& args) {
  uint64_t addr = args.u(0);

  Process& p = process();
  if (addr < p.brk_start)
    return static_cast<long>(p.brk);
  uint64_t old_end = page_round_up(p.brk), new_end = page_round_up(addr);
  if (new_end > old_end) {
    if (new_end > p.mmap_top || !p.vm.is_free(old_end, new_end) ||
        obvious_overcommit(new_end - old_end))
      return static_cast<long>(p.brk);
    Vma heap;
    heap.start = old_end;
    heap.end = new_end;
    heap.prot = mm::kProtRead | mm::kProtWrite;
    heap.kind = VmaKind::kHeap;
    const Vma* below = old_end > p.brk_start ? p.vm.find(old_end - 1) : nullptr;
    bool merged = below && below->kind == VmaKind::kHeap && p.vm.grow(old_end, new_end);
    if (!merged && !map_region(heap).ok())
      return static_cast<long>(p.brk);
  } else if (new_end < old_end) {
    (void)unmap_range(new_end, old_end); // shrinking: the heap VMA is there
  }
  p.brk = addr;
  return static_cast<long>(p.brk);
}

// madvise: every advice Linux 6.x knows is accepted. Those that change contents follow
// Linux: DONTNEED drops private pages (anonymous ones read back as zeros, file ones are read
// again) but keeps shared anonymous memory, whose pages are the data; FREE drops private
// anonymous pages; REMOVE zeroes shared memory. POPULATE_* fault pages in. Hints (NORMAL,
// RANDOM, SEQUENTIAL, WILLNEED, COLD, PAGEOUT, HUGEPAGE, MERGEABLE, the fork and dump
// flags, COLLAPSE) change nothing here. A range with unmapped pages gives ENOMEM after the
// mapped parts are done.
SyscallResult sys_madvise(const SyscallArgs& args) {
  uint64_t addr = args.u(0);
  uint64_t len = args.u(1);
  int advice = args.i(2);

  enum : int {
    kNormal = 0, kRandom, kSequential, kWillNeed, kDontNeed, kFree = 8, kRemove, kDontFork,
    kDoFork, kMergeable, kUnmergeable, kHugePage, kNoHugePage, kDontDump, kDoDump,
    kWipeOnFork, kKeepOnFork, kCold, kPageOut, kPopulateRead, kPopulateWrite, kCollapse = 25
  };
  if (addr & (kPageSize - 1))
    return Err(-EINVAL);
  bool known = (advice >= kNormal && advice <= kDontNeed) ||
               (advice >= kFree && advice <= kPopulateWrite) || advice == kCollapse;
  uint64_t end = addr + page_round_up(len);
  if (!known || end < addr || page_round_up(len) < len)
    return Err(-EINVAL);
  bool hole;
  TRY(for_each_piece(addr, end, &hole, [advice](const Vma& v, uint64_t s, uint64_t e) -> Status {
    bool shared = v.flags & kVmaShared, anonymous = v.node < 0;
    switch (advice) {
    case kDontNeed:
      if (!(shared && anonymous))
        free_pages_in(s, e);
      return status_ok();
    case kFree:
    case kWipeOnFork:
    case kKeepOnFork:
      if (shared || !anonymous)
        return Err(-EINVAL);
      if (advice == kFree)
        free_pages_in(s, e);
      return status_ok();
    case kRemove:
      if (!shared)
        return Err(-EINVAL);
      if (!(v.prot & mm::kProtWrite))
        return Err(-EACCES);
      free_pages_in(s, e);
      return status_ok();
    case kPopulateRead:
    case kPopulateWrite:
      if (!(v.prot & mm::kProtRead) || (advice == kPopulateWrite && !(v.prot & mm::kProtWrite)))
        return Err(-EFAULT);
      return populate(v, s, e);
    default:
      return status_ok();
    }
  }));
  if (hole)
    return Err(-ENOMEM);
  return 0;
}

// mincore: one byte per page, bit 0 = present in the page table. The range must be mapped.
SyscallResult sys_mincore(const SyscallArgs& args) {
  uint64_t addr = args.u(0);
  uint64_t len = args.u(1);
  UserPtr<uint8_t> vec = args.user<uint8_t>(2);

  if (addr & (kPageSize - 1))
    return Err(-EINVAL);
  uint64_t end = addr + page_round_up(len);
  if (end < addr || end > mm::kUserEnd)
    return Err(-ENOMEM);
  uint64_t pages = (end - addr) / kPageSize;
  if (!user_range_ok(vec.address(), pages))
    return Err(-EFAULT);
  bool hole;
  (void)for_each_piece(addr, end, &hole, [](const Vma&, uint64_t, uint64_t) { return status_ok(); });
  if (hole)
    return Err(-ENOMEM);
  mm::AddressSpace* as = process().space;
  uint8_t chunk[256];
  for (uint64_t done = 0; done < pages;) {
    uint64_t n = pages - done < sizeof chunk ? pages - done : sizeof chunk;
    for (uint64_t i = 0; i < n; ++i)
      chunk[i] = as->translate(addr + (done + i) * kPageSize).ok() ? 1 : 0;
    TRY(copy_to_user(vec.offset(done), chunk, n));
    done += n;
  }
  return 0;
}

// msync: flags and range are checked as Linux does. There is nothing to write back: the
// only shared file mappings this kernel makes are read-only.
SyscallResult sys_msync(const SyscallArgs& args) {
  uint64_t addr = args.u(0);
  uint64_t len = args.u(1);
  int flags = args.i(2);

  constexpr int kAsync = 1, kInvalidate = 2, kSync = 4;
  if ((addr & (kPageSize - 1)) || (flags & ~(kAsync | kInvalidate | kSync)) ||
      ((flags & kAsync) && (flags & kSync)))
    return Err(-EINVAL);
  uint64_t end = addr + page_round_up(len);
  if (end < addr)
    return Err(-ENOMEM);
  bool hole;
  (void)for_each_piece(addr, end, &hole, [](const Vma&, uint64_t, uint64_t) { return status_ok(); });
  if (hole)
    return Err(-ENOMEM);
  return 0;
}

} // namespace unix
