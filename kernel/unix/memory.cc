#include "unix/memory.h"

#include "arch/x86_64/user.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/vm.h"
#include "unix/linux_abi.h"
#include "unix/process.h"

namespace unix {
namespace {

using mm::kPageSize;
using mm::page_round_down;
using mm::page_round_up;

constexpr uint64_t kMmapLowest = 0x10000; // mmap_min_addr (64 KiB as Linux distributions)

unsigned prot_from_linux(int prot) {
  return (prot & linux::PROT_READ ? mm::kProtRead : 0) |
         (prot & linux::PROT_WRITE ? mm::kProtWrite : 0) |
         (prot & linux::PROT_EXEC ? mm::kProtExec : 0);
}

// Fills a fresh page for va from its region's backing.
bool fill_page(const Vma& vma, uint64_t va, uint8_t* page) {
  memset(page, 0, kPageSize);
  if (vma.node < 0 || va >= vma.file_end)
    return true;
  const fs::Node* n = fs::node(vma.node);
  if (!n || !n->inode)
    return true;
  uint64_t len = vma.file_end - va < kPageSize ? vma.file_end - va : kPageSize;
  return fs::read_file(n->inode, vma.file_offset + (va - vma.start), page, len).ok();
}

// Frees the pages of [start, end) that are present.
void free_pages_in(uint64_t start, uint64_t end) {
  mm::AddressSpace* as = process().space;
  for (uint64_t va = as->next_present(start, end); va < end;
       va = as->next_present(va + kPageSize, end)) {
    auto phys = as->unmap(va);
    if (phys.ok())
      mm::free_pages(*phys);
  }
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
        mm::free_pages(*phys);
    } else {
      (void)as->protect(va, prot);
    }
  }
}

// File-backed faults read ahead: one disk request fills the faulting page and the pages
// after it (up to kFaultAround, within the region's file data, stopping at a present page).
// Under emulation a disk request costs far more than copying a few pages.
constexpr size_t kFaultAround = 8;
uint8_t g_fault_buf[kFaultAround * kPageSize];

bool fault_around(const Vma& vma, uint64_t va) {
  mm::AddressSpace* as = process().space;
  uint64_t end = va + kFaultAround * kPageSize;
  if (end > vma.end)
    end = vma.end;
  uint64_t data_end = page_round_up(vma.file_end) < end ? page_round_up(vma.file_end) : end;
  uint64_t stop = va + kPageSize;
  while (stop < data_end && !as->translate(stop).ok())
    stop += kPageSize;
  const fs::Node* n = fs::node(vma.node);
  if (!n || !n->inode)
    return false;
  uint64_t bytes = (vma.file_end < stop ? vma.file_end : stop) - va;
  memset(g_fault_buf, 0, stop - va);
  if (!fs::read_file(n->inode, vma.file_offset + (va - vma.start), g_fault_buf, bytes).ok())
    return false;
  for (uint64_t page = va; page < stop; page += kPageSize) {
    uint64_t phys = mm::alloc_page();
    if (!phys)
      return page > va; // the faulting page is in: the rest can fault later
    memcpy(mm::phys_to_virt(phys), g_fault_buf + (page - va), kPageSize);
    if (!as->map(page, phys, vma.prot).ok()) {
      mm::free_pages(phys);
      return page > va;
    }
  }
  return true;
}

} // namespace

int map_region(const Vma& vma) {
  return process().vm.insert(vma) ? 0 : -ENOMEM;
}

int unmap_range(uint64_t start, uint64_t end) {
  Process& p = process();
  if (!p.vm.remove(start, end))
    return -ENOMEM;
  free_pages_in(start, end);
  return 0;
}

bool fault_in(uint64_t addr, uint64_t error_code) {
  Process& p = process();
  const Vma* vma = p.vm.find(addr);
  if (!vma || vma->prot == mm::kProtNone)
    return false;
  bool present = error_code & 1, write = error_code & 2, fetch = error_code & 16;
  if (present || (write && !(vma->prot & mm::kProtWrite)) ||
      (fetch && !(vma->prot & mm::kProtExec)))
    return false;
  uint64_t va = page_round_down(addr);
  if (vma->node >= 0 && va < vma->file_end && fault_around(*vma, va))
    return true;
  uint64_t phys = mm::alloc_page();
  if (!phys)
    return false; // out of memory: the program dies with SIGSEGV, as a fault it cannot fix
  if (!fill_page(*vma, va, static_cast<uint8_t*>(mm::phys_to_virt(phys))) ||
      !p.space->map(va, phys, vma->prot).ok()) {
    mm::free_pages(phys);
    return false;
  }
  return true;
}

long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, uint64_t offset) {
  Process& p = process();
  if (len == 0 || (offset & (kPageSize - 1)) || (addr & (kPageSize - 1) && flags & linux::MAP_FIXED))
    return -EINVAL;
  int type = flags & 3;
  if (type != linux::MAP_PRIVATE && type != linux::MAP_SHARED && type != 3)
    return -EINVAL;
  uint64_t size = page_round_up(len);
  if (size < len || size > arch::kUserMappableEnd)
    return -ENOMEM;
  Vma vma;
  vma.prot = prot_from_linux(prot);
  if (!(flags & linux::MAP_ANONYMOUS)) {
    File* f = p.files.get(fd);
    if (!f)
      return -EBADF;
    if (f->kind == FileKind::kZero || f->kind == FileKind::kNull) {
      // /dev/zero maps as anonymous memory.
    } else if (f->kind != FileKind::kRegular) {
      return -ENODEV;
    } else {
      if ((f->flags & linux::O_ACCMODE) == linux::O_WRONLY)
        return -EACCES;
      if (type == linux::MAP_SHARED && (prot & linux::PROT_WRITE))
        return -EACCES; // files are read-only in this kernel: no shared writable mappings
      const fs::Node* n = fs::node(f->node);
      uint64_t flen = n && n->inode ? fs::file_length(n->inode) : 0;
      vma.node = f->node;
      vma.file_offset = offset;
      uint64_t data = flen > offset ? flen - offset : 0;
      vma.file_end = data; // relative for now, made absolute below
    }
  }
  uint64_t start;
  if (flags & (linux::MAP_FIXED | linux::MAP_FIXED_NOREPLACE)) {
    start = page_round_down(addr);
    if (start < kMmapLowest || start + size > arch::kUserMappableEnd || start + size < start)
      return -ENOMEM;
    if (!p.vm.is_free(start, start + size)) {
      if (flags & linux::MAP_FIXED_NOREPLACE)
        return -EEXIST;
      int r = unmap_range(start, start + size);
      if (r < 0)
        return r;
    }
  } else {
    start = 0;
    uint64_t hint = page_round_down(addr);
    if (hint >= kMmapLowest && hint + size <= arch::kUserMappableEnd && hint + size > hint &&
        p.vm.is_free(hint, hint + size))
      start = hint;
    if (!start)
      start = p.vm.find_free(size, kMmapLowest, p.mmap_top);
    if (!start)
      return -ENOMEM;
  }
  vma.start = start;
  vma.end = start + size;
  vma.file_end = vma.node >= 0 ? start + (vma.file_end < size ? vma.file_end : size) : start;
  int r = map_region(vma);
  return r < 0 ? r : static_cast<long>(start);
}

long sys_munmap(uint64_t addr, uint64_t len) {
  if ((addr & (kPageSize - 1)) || len == 0)
    return -EINVAL;
  uint64_t end = addr + page_round_up(len);
  if (end < addr || end > mm::kUserEnd)
    return -EINVAL;
  return unmap_range(addr, end);
}

long sys_mprotect(uint64_t addr, uint64_t len, int prot) {
  if (addr & (kPageSize - 1))
    return -EINVAL;
  uint64_t end = addr + page_round_up(len);
  if (end < addr)
    return -ENOMEM;
  if (end == addr)
    return 0;
  unsigned p = prot_from_linux(prot);
  if (!process().vm.protect(addr, end, p))
    return -ENOMEM;
  reprotect_pages(addr, end, p);
  return 0;
}

long sys_mremap(uint64_t old_addr, uint64_t old_len, uint64_t new_len, int flags,
                uint64_t new_addr) {
  Process& p = process();
  if ((old_addr & (kPageSize - 1)) || new_len == 0 || (flags & ~3))
    return -EINVAL;
  if ((flags & linux::MREMAP_FIXED) && !(flags & linux::MREMAP_MAYMOVE))
    return -EINVAL;
  uint64_t old_size = page_round_up(old_len), new_size = page_round_up(new_len);
  const Vma* vma = p.vm.find(old_addr);
  if (!vma || old_addr + old_size > vma->end || old_size == 0)
    return -EFAULT;
  if (new_size <= old_size && !(flags & linux::MREMAP_FIXED)) {
    int r = unmap_range(old_addr + new_size, old_addr + old_size);
    return r < 0 ? r : static_cast<long>(old_addr);
  }
  // Grow in place when the pages above are free.
  if (!(flags & linux::MREMAP_FIXED) && old_addr + new_size <= p.mmap_top &&
      p.vm.is_free(old_addr + old_size, old_addr + new_size) && vma->end == old_addr + old_size) {
    Vma grown = *vma;
    grown.start = old_addr + old_size;
    grown.end = old_addr + new_size;
    if (grown.node >= 0)
      grown.file_offset = vma->file_offset + (grown.start - vma->start);
    grown.file_end = grown.node >= 0 && vma->file_end > grown.start ? vma->file_end : grown.start;
    int r = map_region(grown);
    return r < 0 ? r : static_cast<long>(old_addr);
  }
  if (!(flags & linux::MREMAP_MAYMOVE))
    return -ENOMEM;
  uint64_t dest;
  if (flags & linux::MREMAP_FIXED) {
    dest = new_addr;
    if ((dest & (kPageSize - 1)) || dest < kMmapLowest || dest + new_size > arch::kUserMappableEnd)
      return -EINVAL;
    if (dest < old_addr + old_size && old_addr < dest + new_size)
      return -EINVAL;
    int r = unmap_range(dest, dest + new_size);
    if (r < 0)
      return r;
  } else {
    dest = p.vm.find_free(new_size, kMmapLowest, p.mmap_top);
    if (!dest)
      return -ENOMEM;
  }
  // Move the region: same backing, pages carried over by remapping their frames.
  Vma moved = *vma;
  moved.file_offset = vma->node >= 0 ? vma->file_offset + (old_addr - vma->start) : 0;
  moved.file_end = vma->node >= 0 && vma->file_end > old_addr ? dest + (vma->file_end - old_addr)
                                                              : dest;
  moved.start = dest;
  moved.end = dest + new_size;
  uint64_t keep = old_size < new_size ? old_size : new_size;
  unsigned prot = vma->prot;
  int r = map_region(moved);
  if (r < 0)
    return r;
  for (uint64_t off = 0; off < keep; off += kPageSize) {
    auto phys = p.space->unmap(old_addr + off);
    if (phys.ok() && !p.space->map(dest + off, *phys, prot).ok())
      mm::free_pages(*phys);
  }
  unmap_range(old_addr, old_addr + old_size);
  return static_cast<long>(dest);
}

long sys_brk(uint64_t addr) {
  Process& p = process();
  if (addr < p.brk_start)
    return static_cast<long>(p.brk);
  uint64_t old_end = page_round_up(p.brk), new_end = page_round_up(addr);
  if (new_end > old_end) {
    if (new_end > p.mmap_top || !p.vm.is_free(old_end, new_end))
      return static_cast<long>(p.brk);
    Vma heap;
    heap.start = old_end;
    heap.end = new_end;
    heap.prot = mm::kProtRead | mm::kProtWrite;
    heap.kind = VmaKind::kHeap;
    const Vma* below = old_end > p.brk_start ? p.vm.find(old_end - 1) : nullptr;
    bool merged = below && below->kind == VmaKind::kHeap && p.vm.grow(old_end, new_end);
    if (!merged && map_region(heap) < 0)
      return static_cast<long>(p.brk);
  } else if (new_end < old_end) {
    unmap_range(new_end, old_end);
  }
  p.brk = addr;
  return static_cast<long>(p.brk);
}

long sys_madvise(uint64_t addr, uint64_t len, int advice) {
  if (addr & (kPageSize - 1))
    return -EINVAL;
  constexpr int kDontNeed = 4;
  if (advice == kDontNeed) {
    // Anonymous private pages read back as zeros afterwards: drop them.
    uint64_t end = addr + page_round_up(len);
    mm::AddressSpace* as = process().space;
    for (uint64_t va = as->next_present(addr, end); va < end;
         va = as->next_present(va + kPageSize, end)) {
      const Vma* vma = process().vm.find(va);
      if (vma) {
        auto phys = process().space->unmap(va);
        if (phys.ok())
          mm::free_pages(*phys);
      }
    }
  }
  return 0;
}

} // namespace unix
