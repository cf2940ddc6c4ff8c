#include "unix/fd/memfd.h"

#include "arch/x86_64/page_zero.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "unix/fd/file_ops.h"
#include "unix/memory/vm_map.h"
#include "unix/process/process.h"
#include "unix/syscall/linux_abi.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {

struct Memfd {
  uint64_t* pages = nullptr; // physical page per index, 0: not yet allocated (reads as zeros)
  uint64_t capacity = 0;     // entries in `pages`
  uint64_t size = 0;
  uint32_t seals = 0;
  bool mapped = false;          // ever mapped: its pages may be in page tables
  Memfd* next_mapped = nullptr; // list of mapped memfds, for memfd_owns_page
  int open_files = 0;           // descriptions (Files) on it
  int names = 0;                // /dev/shm names (shm_files.cc) that keep it alive
};

namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t kMaxMemfdSize = 1ull << 40;
Memfd* g_mapped = nullptr;

Memfd* of(const File& f) {
  return static_cast<Memfd*>(f.object);
}

bool ensure_capacity(Memfd* m, uint64_t pages) {
  if (pages <= m->capacity)
    return true;
  uint64_t cap = m->capacity ? m->capacity : 16;
  while (cap < pages)
    cap *= 2;
  auto* bigger = static_cast<uint64_t*>(krealloc(m->pages, cap * sizeof(uint64_t)));
  if (!bigger)
    return false;
  memset(bigger + m->capacity, 0, (cap - m->capacity) * sizeof(uint64_t));
  m->pages = bigger;
  m->capacity = cap;
  return true;
}

// Whether some region of the program maps m (writable and shared only, if asked). The
// region table is the truth: mappings are split and moved without telling their memfd.
bool mapped_by_a_region(const Memfd* m, bool writable_shared_only) {
  const VmMap& vm = process().vm;
  for (size_t i = 0; i < vm.size(); ++i) {
    const Vma& v = vm.at(i);
    if (v.memfd == m &&
        (!writable_shared_only || ((v.flags & kVmaShared) && (v.prot & mm::kProtWrite))))
      return true;
  }
  return false;
}

void forget_mapped(Memfd* m) {
  for (Memfd** link = &g_mapped; *link; link = &(*link)->next_mapped)
    if (*link == m) {
      *link = m->next_mapped;
      return;
    }
}

// Frees pages from index `first` on (a shrink, or the last close of an unmapped memfd).
void drop_pages_from(Memfd* m, uint64_t first) {
  if (m->mapped)
    return; // a mapping may still show them
  for (uint64_t i = first; i < m->capacity; ++i)
    if (m->pages[i]) {
      mm::free_pages(m->pages[i]);
      m->pages[i] = 0;
    }
}

// Moves len bytes between user memory and the file at pos (pos + len within the size).
template <bool kWrite>
ErrorOr<size_t> transfer(Memfd* m, UserPtr<uint8_t> ubuf, size_t len, uint64_t pos) {
  size_t done = 0;
  while (done < len) {
    uint64_t at = pos + done, index = at / kPage, in_page = at % kPage;
    size_t n = kPage - in_page < len - done ? kPage - in_page : len - done;
    uint64_t phys = index < m->capacity ? m->pages[index] : 0;
    if (kWrite && !phys && !(phys = memfd_page(m, index)))
      return done ? ErrorOr<size_t>(done) : Err(-ENOSPC);
    // Reads stop exactly where the user buffer runs into an unmapped page: a short read
    // (Linux). A write either takes the piece or fails it.
    UserPtr<void> user = ubuf.byte_offset(done).as<void>();
    auto* data = phys ? static_cast<uint8_t*>(mm::phys_to_virt(phys)) + in_page : nullptr;
    size_t moved;
    if (kWrite)
      moved = copy_from_user(data, user, n).ok() ? n : 0;
    else if (data)
      moved = copy_to_user_prefix(user, data, n);
    else // a page never written reads as zeros
      moved = clear_user_prefix(user, n);
    done += moved;
    if (moved < n)
      return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
  }
  return done;
}

ErrorOr<size_t> memfd_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t* pos) {
  Memfd* m = of(f);
  if (*pos >= m->size)
    return size_t{0};
  size_t n = m->size - *pos < len ? m->size - *pos : len;
  size_t done = TRY(transfer<false>(m, ubuf, n, *pos));
  *pos += done;
  return done;
}

ErrorOr<size_t> memfd_write(File& f, UserPtr<const uint8_t> ubuf, size_t len, uint64_t* pos) {
  Memfd* m = of(f);
  if (m->seals & (kSealWrite | kSealFutureWrite))
    return Err(-EPERM);
  if (f.flags & linux::O_APPEND)
    *pos = m->size;
  if (len == 0)
    return size_t{0};
  if (*pos + len < *pos || *pos + len > kMaxMemfdSize)
    return Err(-EFBIG);
  if (*pos + len > m->size && (m->seals & kSealGrow))
    return Err(-EPERM);
  size_t done = TRY(transfer<true>(m, UserPtr<uint8_t>(ubuf.address()), len, *pos));
  *pos += done;
  if (*pos > m->size)
    m->size = *pos;
  return done;
}

ErrorOr<uint64_t> memfd_seek(File& f, int64_t off, int whence) {
  constexpr int kSeekSet = 0, kSeekCur = 1, kSeekEnd = 2, kSeekData = 3, kSeekHole = 4;
  auto size = static_cast<int64_t>(of(f)->size);
  int64_t base = 0;
  switch (whence) {
  case kSeekSet:
    break;
  case kSeekCur:
    base = static_cast<int64_t>(f.offset);
    break;
  case kSeekEnd:
    base = size;
    break;
  case kSeekData:
  case kSeekHole:
    if (off < 0 || off >= size)
      return Err(-ENXIO);
    f.offset = static_cast<uint64_t>(whence == kSeekData ? off : size);
    return f.offset;
  default:
    return Err(-EINVAL);
  }
  if (base + off < 0)
    return Err(-EINVAL);
  f.offset = static_cast<uint64_t>(base + off);
  return f.offset;
}

// Frees m once nothing holds it: no description, no name, no region mapping it.
void free_if_unused(Memfd* m) {
  if (m->open_files > 0 || m->names > 0)
    return;
  if (m->mapped && mapped_by_a_region(m, false))
    return;        // kept: see memfd.h
  if (m->mapped) { // no region shows its pages any more
    forget_mapped(m);
    m->mapped = false;
  }
  drop_pages_from(m, 0);
  kfree(m->pages);
  delete m;
}

void memfd_release(File& f) {
  Memfd* m = of(f);
  --m->open_files;
  free_if_unused(m);
}

const FileOps kMemfdOps{
    .kind = FileKind::kMemfd,
    .mode = 0100000 | 0777, // S_IFREG, as Linux's tmpfs-backed memfd
    .positional = true,
    .read = memfd_read,
    .write = memfd_write,
    .seek = memfd_seek,
    .release = memfd_release,
};

} // namespace

Memfd* memfd_new_named() {
  auto* m = new Memfd;
  if (m) {
    m->seals = kSealSeal; // a file of a memory file system, not memfd_create's: no sealing
    m->names = 1;
  }
  return m;
}

File* memfd_new_file(Memfd* m, int flags) {
  File* f = new_file(kMemfdOps, -1, flags);
  if (f) {
    f->object = m;
    ++m->open_files;
  }
  return f;
}

void memfd_add_name(Memfd* m) {
  ++m->names;
}

void memfd_drop_name(Memfd* m) {
  --m->names;
  free_if_unused(m);
}

bool is_memfd(const File& f) {
  return f.ops == &kMemfdOps;
}

Memfd* memfd_of(const File& f) {
  return is_memfd(f) ? of(f) : nullptr;
}

uint64_t memfd_size(const Memfd* m) {
  return m->size;
}

Status memfd_truncate(Memfd* m, uint64_t size) {
  if (size > kMaxMemfdSize)
    return Err(-EFBIG);
  if ((size < m->size && (m->seals & kSealShrink)) || (size > m->size && (m->seals & kSealGrow)))
    return Err(-EPERM);
  if (size < m->size) {
    // The tail of the last page reads as zeros again if the file grows later.
    uint64_t index = size / kPage;
    if (size % kPage && index < m->capacity && m->pages[index])
      memset(static_cast<uint8_t*>(mm::phys_to_virt(m->pages[index])) + size % kPage, 0,
             kPage - size % kPage);
    drop_pages_from(m, (size + kPage - 1) / kPage);
  }
  m->size = size;
  return status_ok();
}

ErrorOr<long> memfd_get_seals(const File& f) {
  if (!is_memfd(f))
    return Err(-EINVAL);
  return static_cast<long>(of(f)->seals);
}

ErrorOr<long> memfd_add_seals(File& f, uint32_t seals) {
  if (!is_memfd(f))
    return Err(-EINVAL);
  Memfd* m = of(f);
  if (seals & ~(kSealSeal | kSealShrink | kSealGrow | kSealWrite | kSealFutureWrite))
    return Err(-EINVAL);
  if ((f.flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return Err(-EPERM);
  if (m->seals & kSealSeal)
    return Err(-EPERM);
  if ((seals & kSealWrite) && mapped_by_a_region(m, true))
    return Err(-EBUSY);
  m->seals |= seals;
  return 0L;
}

Status memfd_mapped(Memfd* m, bool shared, bool writable) {
  if (shared && writable && (m->seals & (kSealWrite | kSealFutureWrite)))
    return Err(-EPERM);
  if (!m->mapped) {
    m->mapped = true;
    m->next_mapped = g_mapped;
    g_mapped = m;
  }
  return status_ok();
}

uint64_t memfd_page(Memfd* m, uint64_t index) {
  if (!ensure_capacity(m, index + 1))
    return 0;
  if (!m->pages[index]) {
    uint64_t phys = mm::alloc_page();
    if (!phys)
      return 0;
    arch::zero_pages(mm::phys_to_virt(phys), 1);
    m->pages[index] = phys;
  }
  return m->pages[index];
}

bool memfd_owns_page(uint64_t phys) {
  for (const Memfd* m = g_mapped; m; m = m->next_mapped)
    for (uint64_t i = 0; i < m->capacity; ++i)
      if (m->pages[i] == phys)
        return true;
  return false;
}

// memfd_create(name, flags): the name only shows in /proc (not kept here); at most 249
// bytes, as Linux.
SyscallResult sys_memfd_create(const SyscallArgs& a) {
  constexpr unsigned kCloexec = 1, kAllowSealing = 2, kHugetlb = 4, kNoexecSeal = 8, kExec = 16;
  unsigned flags = static_cast<unsigned>(a.u(1));
  if (flags & ~(kCloexec | kAllowSealing | kHugetlb | kNoexecSeal | kExec))
    return Err(-EINVAL);
  if (flags & kHugetlb)
    return Err(-EINVAL); // no huge pages
  char name[250];
  auto n = strncpy_from_user(name, a.user<const char>(0), sizeof name);
  if (!n.ok())
    return Err(n.error() == -ENAMETOOLONG ? -EINVAL : n.error());
  auto* m = new Memfd;
  if (!m)
    return Err(-ENOMEM);
  if (!(flags & kAllowSealing))
    m->seals = kSealSeal;
  File* f = memfd_new_file(m, linux::O_RDWR);
  if (!f) {
    delete m;
    return Err(-ENOMEM);
  }
  int fd = process().files.install(f, flags & kCloexec);
  if (fd < 0) {
    release_file(f);
    return Err(fd);
  }
  return fd;
}

} // namespace unix
