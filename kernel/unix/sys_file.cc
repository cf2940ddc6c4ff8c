// File syscalls over the root TFS tree (writable unless readonly_rootfs), the console and the
// synthetic devices and /proc files.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/usercopy.h"
#include "fs/dir_ops.h"
#include "fs/file_data.h"
#include "fs/metadata_log.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "mm/vm.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/linux_abi.h"
#include "unix/process.h"
#include "unix/syscall.h"

namespace unix {
namespace {

// One syscall runs at a time (one CPU, one thread): static scratch buffers are safe.
char g_path[kMaxPathLength];
uint8_t g_io[32 * 1024];

File* file_of(int fd) {
  return process().files.get(fd);
}

// Copies a user path into g_path. -EFAULT, -ENAMETOOLONG, or -ENOENT for "".
long fetch_path(const char* user, bool allow_empty = false) {
  long n = strncpy_from_user(g_path, user, sizeof g_path);
  if (n < 0)
    return n;
  if (n == 0 && !allow_empty)
    return -ENOENT;
  return n;
}

// Resolves (dirfd, path) as the *at() syscalls do. Returns a node or -errno.
NodeId resolve_at(int dirfd, const char* user_path, bool follow, bool empty_path_ok = false) {
  long n = fetch_path(user_path, empty_path_ok);
  if (n < 0)
    return n;
  NodeId base = process().cwd;
  if (n == 0 || g_path[0] != '/') {
    if (dirfd != linux::AT_FDCWD) {
      File* f = file_of(dirfd);
      if (!f)
        return -EBADF;
      if (n == 0)
        return f->node >= 0 ? f->node : -EBADF; // AT_EMPTY_PATH on the descriptor itself
      if (f->kind != FileKind::kDirectory)
        return -ENOTDIR;
      base = f->node;
    }
  }
  return walk_path(fs::tree(), base, g_path, follow);
}

uint64_t node_size(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kFile:
    if (n->special == fs::Special::kText)
      return strlen(n->link_target);
    return fs::file_length(n->inode);
  case fs::NodeType::kSymlink:
    return strlen(n->link_target);
  case fs::NodeType::kDirectory:
    return 4096;
  default:
    return 0;
  }
}

uint32_t node_mode(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kDirectory:
    return linux::S_IFDIR | 0755;
  case fs::NodeType::kSymlink:
    return linux::S_IFLNK | 0777;
  case fs::NodeType::kCharDevice:
    return linux::S_IFCHR | 0666;
  default:
    return linux::S_IFREG | 0644;
  }
}

uint64_t node_rdev(const fs::Node* n) {
  switch (n->special) {
  case fs::Special::kNull:
    return 0x103;
  case fs::Special::kZero:
    return 0x105;
  case fs::Special::kRandom:
    return 0x109;
  default:
    return 0;
  }
}

// TFS timestamps are 32.32 fixed-point seconds.
linux::timespec tfs_time(uint64_t t) {
  return {static_cast<int64_t>(t >> 32), static_cast<int64_t>(((t & 0xFFFFFFFFu) * 1000000000ull) >> 32)};
}
uint64_t to_tfs_time(int64_t sec, int64_t nsec) {
  return (static_cast<uint64_t>(sec) << 32) | ((static_cast<uint64_t>(nsec) << 32) / 1000000000ull);
}
uint64_t tfs_now() {
  uint64_t ns = ktime::realtime_ns();
  return to_tfs_time(static_cast<int64_t>(ns / 1000000000ull), static_cast<int64_t>(ns % 1000000000ull));
}

void fill_stat(NodeId id, linux::stat* st) {
  memset(st, 0, sizeof *st);
  st->st_dev = 1;
  st->st_blksize = 4096;
  if (id < 0) { // the console: a terminal
    st->st_ino = 1;
    st->st_mode = linux::S_IFCHR | 0620;
    st->st_rdev = (136 << 8);
    st->st_nlink = 1;
    return;
  }
  const fs::Node* n = fs::node(id);
  // Hard links share one number (tools such as tar and cp -a go by it).
  st->st_ino = n->inode ? n->inode->number + 2 : static_cast<uint64_t>(id) + 2;
  st->st_mode = node_mode(n);
  st->st_nlink = n->type == fs::NodeType::kDirectory ? 2 : 1;
  if (n->inode)
    st->st_nlink = static_cast<uint64_t>(n->inode->links);
  st->st_rdev = node_rdev(n);
  st->st_size = static_cast<int64_t>(node_size(n));
  st->st_blocks = n->inode ? static_cast<int64_t>(fs::file_blocks(n->inode))
                           : (st->st_size + 511) / 512;
  if (n->inode) {
    st->st_mtim = st->st_ctim = tfs_time(n->inode->mtime);
    st->st_atim = tfs_time(n->inode->atime);
  }
}

long stat_to_user(NodeId id, linux::stat* user) {
  linux::stat st;
  fill_stat(id, &st);
  return copy_to_user(user, &st, sizeof st);
}

NodeId node_of_fd(int fd, long* err) {
  File* f = file_of(fd);
  if (!f) {
    *err = -EBADF;
    return -1;
  }
  *err = 0;
  return f->kind == FileKind::kConsole ? -1 : f->node;
}

// ---- /proc/self/maps ----
char* render_maps(size_t* len) {
  const VmMap& vm = process().vm;
  size_t cap = vm.size() * 160 + 1;
  auto* buf = static_cast<char*>(kmalloc(cap));
  if (!buf)
    return nullptr;
  size_t used = 0;
  char path[256];
  for (size_t i = 0; i < vm.size(); ++i) {
    const Vma& v = vm.at(i);
    const char* name = "";
    if (v.kind == VmaKind::kHeap)
      name = "[heap]";
    else if (v.kind == VmaKind::kStack)
      name = "[stack]";
    else if (v.node >= 0 && fs::node_path(v.node, path, sizeof path) >= 0)
      name = path;
    used += klib::format(buf + used, cap - used, "%08lx-%08lx %c%c%cp %08lx 00:01 %ld%s%s\n",
                         static_cast<unsigned long>(v.start), static_cast<unsigned long>(v.end),
                         v.prot & 1 ? 'r' : '-', v.prot & 2 ? 'w' : '-', v.prot & 4 ? 'x' : '-',
                         static_cast<unsigned long>(v.node >= 0 ? v.file_offset : 0),
                         static_cast<long>(v.node >= 0 ? v.node + 2 : 0), *name ? "    " : "",
                         name);
    if (used >= cap)
      used = cap - 1;
  }
  *len = used;
  return buf;
}

// ---- /proc/meminfo, /proc/cpuinfo ----
char* render_meminfo(size_t* len) {
  auto* buf = static_cast<char*>(kmalloc(512));
  if (!buf)
    return nullptr;
  unsigned long total = static_cast<unsigned long>(mm::total_page_count() * 4);
  unsigned long free = static_cast<unsigned long>(mm::free_page_count() * 4);
  *len = klib::format(buf, 512,
                      "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
                      "Buffers:               0 kB\nCached:                0 kB\n"
                      "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
                      total, free, free);
  return buf;
}

// Linux's names of the CPUID feature bits /proc/cpuinfo lists (nullptr: not shown).
const char* const kLeaf1Edx[32] = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
  nullptr, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", nullptr, "dts", "acpi",
  "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"};
const char* const kLeaf1Ecx[32] = {"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx",
  "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", nullptr, "pcid", "dca",
  "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "osxsave",
  "avx", "f16c", "rdrand", "hypervisor"};
const char* const kLeaf7Ebx[32] = {"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", nullptr,
  "smep", "bmi2", "erms", "invpcid", "rtm", nullptr, nullptr, "mpx", nullptr, "avx512f", "avx512dq",
  "rdseed", "adx", "smap", "avx512ifma", nullptr, "clflushopt", "clwb", nullptr, nullptr, nullptr,
  "avx512cd", "sha_ni", "avx512bw", "avx512vl"};
const char* const kExtEdx[32] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, nullptr, nullptr, "syscall", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, "nx", nullptr, "mmxext", nullptr, nullptr, "fxsr_opt", "pdpe1gb", "rdtscp",
  nullptr, "lm", nullptr, nullptr};
const char* const kExtEcx[32] = {"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm",
  "sse4a", "misalignsse", "3dnowprefetch", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "tbm", nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

size_t append_flags(char* buf, size_t cap, size_t used, const char* const names[32], uint32_t bits) {
  for (int i = 0; i < 32; ++i)
    if ((bits >> i & 1) && names[i] && used < cap)
      used += klib::format(buf + used, cap - used, " %s", names[i]);
  return used < cap ? used : cap - 1;
}

char* render_cpuinfo(size_t* len) {
  constexpr size_t kCap = 4096;
  auto* buf = static_cast<char*>(kmalloc(kCap));
  if (!buf)
    return nullptr;
  cpu::CpuidResult v0 = cpu::cpuid(0);
  char vendor[13];
  memcpy(vendor, &v0.ebx, 4);
  memcpy(vendor + 4, &v0.edx, 4);
  memcpy(vendor + 8, &v0.ecx, 4);
  vendor[12] = 0;
  cpu::CpuidResult l1 = cpu::cpuid(1);
  cpu::CpuidResult l7 = v0.eax >= 7 ? cpu::cpuid(7, 0) : cpu::CpuidResult{};
  cpu::CpuidResult ext = cpu::cpuid(0x80000000u).eax >= 0x80000001u ? cpu::cpuid(0x80000001u)
                                                                    : cpu::CpuidResult{};
  char model[49] = {};
  if (cpu::cpuid(0x80000000u).eax >= 0x80000004u) {
    for (uint32_t i = 0; i < 3; ++i) {
      cpu::CpuidResult r = cpu::cpuid(0x80000002u + i);
      memcpy(model + 16 * i, &r.eax, 4);
      memcpy(model + 16 * i + 4, &r.ebx, 4);
      memcpy(model + 16 * i + 8, &r.ecx, 4);
      memcpy(model + 16 * i + 12, &r.edx, 4);
    }
  }
  uint32_t ecx = l1.ecx, ebx7 = l7.ebx;
  if (!(ecx & (1u << 27))) {
    // Without OSXSAVE the AVX state is not enabled: programs must not see AVX as usable.
    ecx &= ~((1u << 12) | (1u << 26) | (1u << 28) | (1u << 29));
    ebx7 &= ~((1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 28) | (1u << 30) | (1u << 31));
  }
  unsigned family = (l1.eax >> 8) & 0xF, model_id = (l1.eax >> 4) & 0xF;
  if (family == 0xF)
    family += (l1.eax >> 20) & 0xFF;
  if (family >= 6)
    model_id |= ((l1.eax >> 16) & 0xF) << 4;
  size_t used = klib::format(buf, kCap,
                             "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
                             "model name\t: %s\nstepping\t: %u\ncpu cores\t: 1\nflags\t\t:",
                             vendor, family, model_id, model, l1.eax & 0xF);
  used = append_flags(buf, kCap, used, kLeaf1Edx, l1.edx);
  used = append_flags(buf, kCap, used, kLeaf1Ecx, ecx);
  used = append_flags(buf, kCap, used, kLeaf7Ebx, ebx7);
  used = append_flags(buf, kCap, used, kExtEdx, ext.edx);
  used = append_flags(buf, kCap, used, kExtEcx, ext.ecx);
  used += klib::format(buf + used, kCap - used, "\n\n");
  *len = used < kCap ? used : kCap - 1;
  return buf;
}

// /proc/self/fd: one symlink per open descriptor, naming what it refers to.
void refresh_fd_dir() {
  fs::begin_fd_dir();
  static char target[kMaxPathLength];
  for (int fd = 0; fd < kMaxFds; ++fd) {
    File* f = process().files.get(fd);
    if (!f)
      continue;
    switch (f->kind) {
    case FileKind::kConsole:
      klib::format(target, sizeof target, "/dev/console");
      break;
    case FileKind::kPipeRead:
    case FileKind::kPipeWrite:
      klib::format(target, sizeof target, "pipe:[%lu]",
                   static_cast<unsigned long>(reinterpret_cast<uint64_t>(f->object) & 0xFFFFFFFF));
      break;
    case FileKind::kEventfd:
      klib::format(target, sizeof target, "anon_inode:[eventfd]");
      break;
    default:
      if (f->node < 0 || fs::node_path(f->node, target, sizeof target) < 0)
        klib::format(target, sizeof target, "anon_inode:[unknown]");
      else if (fs::node(f->node)->removed)
        klib::format(target + strlen(target), sizeof target - strlen(target), " (deleted)");
      break;
    }
    fs::add_fd_entry(fd, target);
  }
}

// ---- names: splitting a path into its directory and last component ----
char g_name[fs::kMaxNameLength + 2];

// Resolves the directory of (dirfd, path) and copies the last component to g_name. The last
// component may be "." or ".." (callers reject those as they need). -errno on failure.
NodeId resolve_parent(int dirfd, const char* user_path) {
  long n = fetch_path(user_path);
  if (n < 0)
    return n;
  size_t len = static_cast<size_t>(n);
  while (len > 1 && g_path[len - 1] == '/')
    g_path[--len] = 0; // "dir/" names dir
  size_t slash = len;
  while (slash > 0 && g_path[slash - 1] != '/')
    --slash;
  size_t name_len = len - slash;
  if (name_len == 0) // the path was "/"
    return -EEXIST;
  if (name_len > fs::kMaxNameLength)
    return -ENAMETOOLONG;
  memcpy(g_name, g_path + slash, name_len);
  g_name[name_len] = 0;
  NodeId base = process().cwd;
  if (g_path[0] != '/' && dirfd != linux::AT_FDCWD) {
    File* f = file_of(dirfd);
    if (!f)
      return -EBADF;
    if (f->kind != FileKind::kDirectory)
      return -ENOTDIR;
    base = f->node;
  }
  if (slash == 0)
    return base;
  if (slash == 1) {
    g_path[1] = 0;
  } else {
    g_path[slash - 1] = 0; // drop the trailing '/' of the directory part
  }
  NodeId dir = walk_path(fs::tree(), base, g_path, true);
  if (dir < 0)
    return dir;
  if (!fs::tree().is_directory(dir))
    return -ENOTDIR;
  return dir;
}

bool dot_name() {
  return strcmp(g_name, ".") == 0 || strcmp(g_name, "..") == 0;
}

// ---- open/close ----
long do_open(int dirfd, const char* user_path, int flags, uint32_t mode) {
  (void)mode; // the format has no permissions (spec §3.5)
  int acc = flags & linux::O_ACCMODE;
  bool writing = acc != linux::O_RDONLY;
  bool follow = !(flags & linux::O_NOFOLLOW) && !((flags & linux::O_CREAT) && (flags & linux::O_EXCL));
  if (acc == 3)
    return -EINVAL;
  NodeId id = resolve_at(dirfd, user_path, follow);
  if (id == -ENOENT && (flags & linux::O_CREAT)) {
    NodeId dir = resolve_parent(dirfd, user_path);
    if (dir < 0)
      return dir;
    if (dot_name())
      return -EISDIR;
    if (fs::node(dir)->removed && dir != 0)
      return -ENOENT;
    id = fs::create_file(static_cast<int32_t>(dir), g_name);
    if (id < 0)
      return id;
  } else if (id < 0) {
    return id;
  } else if ((flags & linux::O_CREAT) && (flags & linux::O_EXCL)) {
    return -EEXIST;
  }
  fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kSymlink)
    return flags & linux::O_PATH ? -EINVAL : -ELOOP; // O_NOFOLLOW on a link
  if ((flags & linux::O_DIRECTORY) && n->type != fs::NodeType::kDirectory)
    return -ENOTDIR;
  FileKind kind;
  char* data = nullptr;
  size_t data_len = 0;
  switch (n->type) {
  case fs::NodeType::kDirectory:
    if (writing || (flags & linux::O_CREAT))
      return -EISDIR;
    kind = FileKind::kDirectory;
    if (n->special == fs::Special::kProcFd)
      refresh_fd_dir();
    break;
  case fs::NodeType::kCharDevice:
    if (n->special == fs::Special::kTty)
      return -ENXIO; // no controlling terminal
    kind = n->special == fs::Special::kNull   ? FileKind::kNull
           : n->special == fs::Special::kZero ? FileKind::kZero
                                              : FileKind::kRandom;
    break;
  default:
    if (n->special != fs::Special::kNone) {
      if (writing)
        return -EACCES;
      kind = FileKind::kSnapshot;
      if (n->special == fs::Special::kProcMaps)
        data = render_maps(&data_len);
      else if (n->special == fs::Special::kProcMeminfo)
        data = render_meminfo(&data_len);
      else if (n->special == fs::Special::kProcCpuinfo)
        data = render_cpuinfo(&data_len);
      else
        data = kstrndup(n->link_target, data_len = strlen(n->link_target));
      if (!data)
        return -ENOMEM;
    } else {
      if ((writing || (flags & linux::O_TRUNC)) && !fs::writable())
        return -EROFS;
      if (!n->inode)
        return -EIO;
      if ((flags & linux::O_TRUNC) && writing) {
        int r = fs::truncate_file(n->inode, 0);
        if (r < 0)
          return r;
      }
      kind = FileKind::kRegular;
    }
    break;
  }
  File* f = new_file(kind, id, flags & ~(linux::O_CREAT | linux::O_EXCL | linux::O_CLOEXEC |
                                         linux::O_TRUNC | linux::O_NOFOLLOW));
  if (!f) {
    kfree(data);
    return -ENOMEM;
  }
  f->data = data;
  f->data_len = data_len;
  n = fs::node(id);
  if (kind == FileKind::kDirectory)
    f->cursor = n->first_child;
  if (kind == FileKind::kRegular)
    fs::file_opened(n->inode);
  int fd = process().files.install(f, flags & linux::O_CLOEXEC);
  if (fd < 0)
    release_file(f);
  return fd;
}

long sys_open(const SyscallArgs& a) {
  return do_open(linux::AT_FDCWD, a.p<const char>(0), a.i(1), static_cast<uint32_t>(a.u(2)));
}
long sys_openat(const SyscallArgs& a) {
  return do_open(a.i(0), a.p<const char>(1), a.i(2), static_cast<uint32_t>(a.u(3)));
}
long sys_creat(const SyscallArgs& a) {
  return do_open(linux::AT_FDCWD, a.p<const char>(0),
                 linux::O_CREAT | linux::O_WRONLY | linux::O_TRUNC, static_cast<uint32_t>(a.u(1)));
}
long sys_close(const SyscallArgs& a) {
  return process().files.close(a.i(0));
}

// ---- read/write ----
// Reads into user memory from file f at *pos.
long read_at(File* f, uint8_t* ubuf, size_t len, uint64_t* pos) {
  switch (f->kind) {
  case FileKind::kConsole:
  case FileKind::kNull:
    return 0; // no console input: end of file
  case FileKind::kDirectory:
    return -EISDIR;
  case FileKind::kPipeRead:
  case FileKind::kEventfd:
    return special_read(f, ubuf, len);
  case FileKind::kPipeWrite:
    return -EBADF;
  case FileKind::kZero:
    return clear_user(ubuf, len) < 0 ? -EFAULT : static_cast<long>(len);
  case FileKind::kRandom: {
    size_t done = 0;
    while (done < len) {
      size_t n = len - done < sizeof g_io ? len - done : sizeof g_io;
      random_bytes(g_io, n);
      if (copy_to_user(ubuf + done, g_io, n) < 0)
        return done ? static_cast<long>(done) : -EFAULT;
      done += n;
    }
    return static_cast<long>(done);
  }
  case FileKind::kSnapshot: {
    if (*pos >= f->data_len)
      return 0;
    size_t n = f->data_len - *pos < len ? f->data_len - *pos : len;
    if (copy_to_user(ubuf, f->data + *pos, n) < 0)
      return -EFAULT;
    *pos += n;
    return static_cast<long>(n);
  }
  case FileKind::kRegular: {
    if ((f->flags & linux::O_ACCMODE) == linux::O_WRONLY)
      return -EBADF;
    const fs::Inode* t = fs::node(f->node)->inode;
    size_t done = 0;
    while (done < len) {
      size_t want = len - done < sizeof g_io ? len - done : sizeof g_io;
      auto n = fs::read_file(t, *pos, g_io, want);
      if (!n.ok())
        return done ? static_cast<long>(done) : n.error();
      if (*n == 0)
        break;
      if (copy_to_user(ubuf + done, g_io, *n) < 0)
        return done ? static_cast<long>(done) : -EFAULT;
      done += *n;
      *pos += *n;
      if (*n < want)
        break;
    }
    return static_cast<long>(done);
  }
  }
  return -EINVAL;
}

// Writes user memory to a regular file at *pos (at the end with O_APPEND).
long write_regular(File* f, const uint8_t* ubuf, size_t len, uint64_t* pos, bool append) {
  if ((f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return -EBADF;
  fs::Inode* ino = fs::node(f->node)->inode;
  if (append)
    *pos = ino->length;
  if (*pos + len < *pos || *pos + len > (1ull << 44))
    return -EFBIG;
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < sizeof g_io ? len - done : sizeof g_io;
    if (copy_from_user(g_io, ubuf + done, n) < 0)
      return done ? static_cast<long>(done) : -EFAULT;
    auto w = fs::write_file(ino, *pos, g_io, n);
    if (!w.ok())
      return done ? static_cast<long>(done) : w.error();
    done += *w;
    *pos += *w;
    if (*w < n)
      break;
  }
  if (done) {
    ino->mtime = tfs_now();
    ino->times_dirty = true;
  }
  return static_cast<long>(done);
}

long write_to(File* f, const uint8_t* ubuf, size_t len) {
  switch (f->kind) {
  case FileKind::kRegular:
    return write_regular(f, ubuf, len, &f->offset, f->flags & linux::O_APPEND);
  case FileKind::kConsole: {
    size_t done = 0;
    while (done < len) {
      size_t n = len - done < sizeof g_io ? len - done : sizeof g_io;
      if (copy_from_user(g_io, ubuf + done, n) < 0)
        return done ? static_cast<long>(done) : -EFAULT;
      console::write(reinterpret_cast<const char*>(g_io), n);
      done += n;
    }
    return static_cast<long>(done);
  }
  case FileKind::kNull:
  case FileKind::kZero:
  case FileKind::kRandom:
    return static_cast<long>(len);
  case FileKind::kDirectory:
    return -EISDIR;
  case FileKind::kPipeWrite:
  case FileKind::kEventfd:
    return special_write(f, ubuf, len);
  default:
    return -EBADF; // files are opened read-only; the read end of a pipe
  }
}

bool seekable(const File* f) {
  return f->kind == FileKind::kRegular || f->kind == FileKind::kSnapshot;
}

long sys_read(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return read_at(f, a.p<uint8_t>(1), a.u(2), &f->offset);
}
long sys_write(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return write_to(f, a.p<const uint8_t>(1), a.u(2));
}
long sys_pread64(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  if (!seekable(f))
    return -ESPIPE;
  if (a.a[3] < 0)
    return -EINVAL;
  uint64_t pos = a.u(3);
  return read_at(f, a.p<uint8_t>(1), a.u(2), &pos);
}
long sys_pwrite64(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  if (!seekable(f))
    return -ESPIPE;
  if (a.a[3] < 0)
    return -EINVAL;
  if (f->kind != FileKind::kRegular)
    return -EBADF;
  uint64_t pos = a.u(3);
  // Linux: pwrite on an O_APPEND file appends (and leaves the offset alone).
  return write_regular(f, a.p<const uint8_t>(1), a.u(2), &pos, f->flags & linux::O_APPEND);
}

template <bool kWrite> long vector_io(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  long count = a.a[2];
  if (count < 0 || count > 1024)
    return -EINVAL;
  long total = 0;
  for (long i = 0; i < count; ++i) {
    linux::iovec v;
    if (copy_from_user(&v, a.p<linux::iovec>(1) + i, sizeof v) < 0)
      return total ? total : -EFAULT;
    if (v.len == 0)
      continue;
    long r = kWrite ? write_to(f, reinterpret_cast<const uint8_t*>(v.base), v.len)
                    : read_at(f, reinterpret_cast<uint8_t*>(v.base), v.len, &f->offset);
    if (r < 0)
      return total ? total : r;
    total += r;
    if (static_cast<uint64_t>(r) < v.len)
      break;
  }
  return total;
}

long sys_lseek(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  int64_t off = a.a[1];
  int whence = a.i(2);
  if (whence < 0 || whence > 4)
    return -EINVAL;
  if (f->kind == FileKind::kDirectory) {
    if (whence != 0 || off < 0)
      return -EINVAL;
    // Re-walk to entry `off` ("." and ".." are entries 0 and 1).
    f->cursor = fs::node(f->node)->first_child;
    for (int64_t i = 2; i < off && f->cursor >= 0; ++i)
      f->cursor = fs::node(f->cursor)->next_sibling;
    f->offset = static_cast<uint64_t>(off);
    return off;
  }
  if (!seekable(f))
    return f->kind == FileKind::kConsole ? -ESPIPE : 0;
  int64_t size = f->kind == FileKind::kSnapshot ? static_cast<int64_t>(f->data_len)
                                                : static_cast<int64_t>(node_size(fs::node(f->node)));
  int64_t base;
  switch (whence) {
  case 0: base = 0; break;
  case 1: base = static_cast<int64_t>(f->offset); break;
  case 2: base = size; break;
  case 3:   // SEEK_DATA
  case 4: { // SEEK_HOLE: holes are the block ranges no extent covers (end of file is one)
    if (off < 0)
      return -EINVAL;
    if (off >= size)
      return -ENXIO;
    const fs::Inode* ino = f->kind == FileKind::kRegular ? fs::node(f->node)->inode : nullptr;
    uint64_t at = static_cast<uint64_t>(off);
    if (ino)
      at = whence == 3 ? fs::next_data(ino, at) : fs::next_hole(ino, at);
    else if (whence == 4)
      at = static_cast<uint64_t>(size);
    if (at >= static_cast<uint64_t>(size)) {
      if (whence == 3)
        return -ENXIO;
      at = static_cast<uint64_t>(size);
    }
    f->offset = at;
    return static_cast<int64_t>(at);
  }
  default:
    return -EINVAL;
  }
  if (off < 0 && base + off < 0)
    return -EINVAL;
  f->offset = static_cast<uint64_t>(base + off);
  return base + off;
}

// ---- metadata ----
// Pipes and eventfds have no tree node: their stat comes from the file itself.
bool has_no_node(const File* f) {
  return f && (f->kind == FileKind::kPipeRead || f->kind == FileKind::kPipeWrite ||
               f->kind == FileKind::kEventfd);
}
bool stat_of_object(const File* f, linux::stat* st) {
  if (!has_no_node(f))
    return false;
  memset(st, 0, sizeof *st);
  st->st_ino = reinterpret_cast<uint64_t>(f->object) & 0xFFFFFFFF;
  st->st_mode = f->kind == FileKind::kEventfd ? 0600 : (0010000 /* S_IFIFO */ | 0600);
  st->st_nlink = 1;
  st->st_blksize = 4096;
  return true;
}

long sys_fstat(const SyscallArgs& a) {
  linux::stat st;
  if (stat_of_object(file_of(a.i(0)), &st))
    return copy_to_user(a.p<void>(1), &st, sizeof st);
  long err;
  NodeId id = node_of_fd(a.i(0), &err);
  return err ? err : stat_to_user(id, a.p<linux::stat>(1));
}
long sys_stat(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), true);
  return id < 0 ? id : stat_to_user(id, a.p<linux::stat>(1));
}
long sys_lstat(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), false);
  return id < 0 ? id : stat_to_user(id, a.p<linux::stat>(1));
}
// resolve_stat_target's answer for a descriptor with no tree node (pipe, eventfd).
constexpr long kStatOfObject = 1;
// Resolves for newfstatat/statx: AT_EMPTY_PATH allows "" meaning dirfd itself.
NodeId resolve_stat_target(int dirfd, const char* path, int flags, long* err) {
  *err = 0;
  bool empty_ok = flags & linux::AT_EMPTY_PATH;
  if (empty_ok) {
    long n = fetch_path(path, true);
    if (n < 0) {
      *err = n;
      return -1;
    }
    if (n == 0) {
      if (dirfd == linux::AT_FDCWD)
        return process().cwd;
      if (has_no_node(file_of(dirfd))) {
        *err = kStatOfObject;
        return -1;
      }
      return node_of_fd(dirfd, err);
    }
  }
  NodeId id = resolve_at(dirfd, path, !(flags & linux::AT_SYMLINK_NOFOLLOW));
  if (id < 0)
    *err = id;
  return id;
}
long sys_newfstatat(const SyscallArgs& a) {
  long err;
  NodeId id = resolve_stat_target(a.i(0), a.p<const char>(1), a.i(3), &err);
  if (err == kStatOfObject) {
    linux::stat st;
    stat_of_object(file_of(a.i(0)), &st);
    return copy_to_user(a.p<void>(2), &st, sizeof st);
  }
  return err ? err : stat_to_user(id, a.p<linux::stat>(2));
}
long sys_statx(const SyscallArgs& a) {
  long err;
  NodeId id = resolve_stat_target(a.i(0), a.p<const char>(1), a.i(2), &err);
  linux::stat st;
  if (err == kStatOfObject)
    stat_of_object(file_of(a.i(0)), &st);
  else if (err)
    return err;
  else
    fill_stat(id, &st);
  linux::statx sx;
  memset(&sx, 0, sizeof sx);
  sx.stx_mask = 0x7FF; // STATX_BASIC_STATS
  sx.stx_blksize = static_cast<uint32_t>(st.st_blksize);
  sx.stx_nlink = static_cast<uint32_t>(st.st_nlink);
  sx.stx_mode = static_cast<uint16_t>(st.st_mode);
  sx.stx_ino = st.st_ino;
  sx.stx_size = static_cast<uint64_t>(st.st_size);
  sx.stx_blocks = static_cast<uint64_t>(st.st_blocks);
  sx.stx_atime = {st.st_atim.tv_sec, static_cast<uint32_t>(st.st_atim.tv_nsec), 0};
  sx.stx_mtime = {st.st_mtim.tv_sec, static_cast<uint32_t>(st.st_mtim.tv_nsec), 0};
  sx.stx_ctime = sx.stx_mtime;
  sx.stx_rdev_major = static_cast<uint32_t>(st.st_rdev >> 8);
  sx.stx_rdev_minor = static_cast<uint32_t>(st.st_rdev & 0xFF);
  sx.stx_dev_minor = 1;
  return copy_to_user(a.p<void>(4), &sx, sizeof sx);
}

long do_access(int dirfd, const char* path, int mode, int flags) {
  if (mode & ~7)
    return -EINVAL;
  NodeId id = resolve_at(dirfd, path, !(flags & linux::AT_SYMLINK_NOFOLLOW));
  if (id < 0)
    return id;
  const fs::Node* n = fs::node(id);
  if ((mode & 2) && n->type != fs::NodeType::kCharDevice &&
      (!fs::writable() || n->special != fs::Special::kNone))
    return n->special != fs::Special::kNone ? -EACCES : -EROFS;
  return 0;
}
long sys_access(const SyscallArgs& a) {
  return do_access(linux::AT_FDCWD, a.p<const char>(0), a.i(1), 0);
}
long sys_faccessat(const SyscallArgs& a) {
  return do_access(a.i(0), a.p<const char>(1), a.i(2), 0);
}
long sys_faccessat2(const SyscallArgs& a) {
  return do_access(a.i(0), a.p<const char>(1), a.i(2), a.i(3));
}

long do_readlink(int dirfd, const char* path, char* ubuf, long size) {
  if (size <= 0)
    return -EINVAL;
  NodeId id = resolve_at(dirfd, path, false);
  if (id < 0)
    return id;
  const fs::Node* n = fs::node(id);
  if (n->type != fs::NodeType::kSymlink)
    return -EINVAL;
  size_t len = strlen(n->link_target);
  if (len > static_cast<size_t>(size))
    len = static_cast<size_t>(size);
  return copy_to_user(ubuf, n->link_target, len) < 0 ? -EFAULT : static_cast<long>(len);
}
long sys_readlink(const SyscallArgs& a) {
  return do_readlink(linux::AT_FDCWD, a.p<const char>(0), a.p<char>(1), a.a[2]);
}
long sys_readlinkat(const SyscallArgs& a) {
  return do_readlink(a.i(0), a.p<const char>(1), a.p<char>(2), a.a[3]);
}

// ---- directories ----
uint8_t dirent_type(const fs::Node* n) {
  switch (n->type) {
  case fs::NodeType::kDirectory:
    return linux::DT_DIR;
  case fs::NodeType::kSymlink:
    return linux::DT_LNK;
  case fs::NodeType::kCharDevice:
    return linux::DT_CHR;
  default:
    return linux::DT_REG;
  }
}

long sys_getdents64(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  if (f->kind != FileKind::kDirectory)
    return -ENOTDIR;
  uint8_t* ubuf = a.p<uint8_t>(1);
  size_t size = a.u(2);
  size_t used = 0;
  const fs::Node* dir = fs::node(f->node);
  while (true) {
    const char* name;
    NodeId ino;
    uint8_t type = linux::DT_DIR;
    if (f->offset == 0) {
      name = ".";
      ino = f->node;
    } else if (f->offset == 1) {
      name = "..";
      ino = dir->parent;
    } else if (f->cursor >= 0) {
      const fs::Node* c = fs::node(f->cursor);
      name = c->name;
      ino = f->cursor;
      type = dirent_type(c);
    } else {
      break;
    }
    size_t namelen = strlen(name);
    size_t reclen = (19 + namelen + 1 + 7) & ~static_cast<size_t>(7);
    if (used + reclen > size) {
      if (used == 0)
        return -EINVAL;
      break;
    }
    uint8_t rec[19 + 256 + 8];
    if (reclen > sizeof rec)
      reclen = sizeof rec, namelen = sizeof rec - 20;
    memset(rec, 0, reclen);
    uint64_t d_ino = static_cast<uint64_t>(ino) + 2;
    int64_t d_off = static_cast<int64_t>(f->offset + 1);
    auto rl = static_cast<uint16_t>(reclen);
    memcpy(rec, &d_ino, 8);
    memcpy(rec + 8, &d_off, 8);
    memcpy(rec + 16, &rl, 2);
    rec[18] = type;
    memcpy(rec + 19, name, namelen);
    if (copy_to_user(ubuf + used, rec, reclen) < 0)
      return -EFAULT;
    used += reclen;
    if (f->offset >= 2)
      f->cursor = fs::node(f->cursor)->next_sibling;
    ++f->offset;
  }
  return static_cast<long>(used);
}

long sys_getcwd(const SyscallArgs& a) {
  static char buf[kMaxPathLength];
  long n = fs::node_path(process().cwd, buf, sizeof buf);
  if (n < 0)
    return n;
  if (static_cast<uint64_t>(n) + 1 > a.u(1))
    return -ERANGE;
  return copy_to_user(a.p<char>(0), buf, static_cast<size_t>(n) + 1) < 0 ? -EFAULT : n + 1;
}
long change_dir(NodeId id) {
  if (id < 0)
    return id;
  if (fs::node(id)->type != fs::NodeType::kDirectory)
    return -ENOTDIR;
  process().cwd = id;
  return 0;
}
long sys_chdir(const SyscallArgs& a) {
  return change_dir(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true));
}
long sys_fchdir(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return change_dir(f->node);
}

// ---- descriptors ----
long sys_dup(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  ++f->refs;
  int fd = process().files.install(f, false);
  if (fd < 0)
    release_file(f);
  return fd;
}
long sys_dup2(const SyscallArgs& a) {
  if (!file_of(a.i(0)))
    return -EBADF;
  return process().files.dup_to(a.i(0), a.i(1), false);
}
long sys_dup3(const SyscallArgs& a) {
  if (a.i(0) == a.i(1) || (a.i(2) & ~linux::O_CLOEXEC))
    return -EINVAL;
  return process().files.dup_to(a.i(0), a.i(1), a.i(2) & linux::O_CLOEXEC);
}

long sys_fcntl(const SyscallArgs& a) {
  int fd = a.i(0);
  File* f = file_of(fd);
  if (!f)
    return -EBADF;
  FdTable& t = process().files;
  switch (a.i(1)) {
  case 0:    // F_DUPFD
  case 1030: { // F_DUPFD_CLOEXEC
    ++f->refs;
    int r = t.install(f, a.i(1) == 1030, a.i(2));
    if (r < 0)
      release_file(f);
    return r;
  }
  case 1: // F_GETFD
    return t.cloexec(fd) ? 1 : 0;
  case 2: // F_SETFD
    t.set_cloexec(fd, a.i(2) & 1);
    return 0;
  case 3: // F_GETFL
    return f->flags;
  case 4: // F_SETFL: only O_APPEND and O_NONBLOCK change
    f->flags = (f->flags & ~(linux::O_APPEND | linux::O_NONBLOCK)) |
               (a.i(2) & (linux::O_APPEND | linux::O_NONBLOCK));
    return 0;
  case 5: { // F_GETLK: one process, so nothing ever conflicts
    int16_t unlocked = 2; // F_UNLCK
    return copy_to_user(a.p<void>(2), &unlocked, sizeof unlocked);
  }
  case 6: // F_SETLK
  case 7: // F_SETLKW
    return 0;
  default:
    return -EINVAL;
  }
}

long sys_ioctl(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  unsigned long req = a.u(1);
  if (req == 0x5451 || req == 0x5450) { // FIOCLEX, FIONCLEX
    process().files.set_cloexec(a.i(0), req == 0x5451);
    return 0;
  }
  if (req == 0x5421) // FIONBIO
    return 0;
  if (f->kind != FileKind::kConsole)
    return -ENOTTY;
  switch (req) {
  case 0x5401: { // TCGETS: a raw-ish 115200 baud serial terminal
    linux::termios t;
    memset(&t, 0, sizeof t);
    t.c_iflag = 0x500;  // ICRNL | IXON
    t.c_oflag = 0x5;    // OPOST | ONLCR
    t.c_cflag = 0xBF;   // B38400 | CS8 | CREAD
    t.c_lflag = 0x8A3B; // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
    return copy_to_user(a.p<void>(2), &t, sizeof t);
  }
  case 0x5402: // TCSETS
  case 0x5403: // TCSETSW
  case 0x5404: // TCSETSF
    return 0;
  case 0x5413: { // TIOCGWINSZ
    linux::winsize w{24, 80, 0, 0};
    return copy_to_user(a.p<void>(2), &w, sizeof w);
  }
  case 0x540F: { // TIOCGPGRP
    int pgrp = kPid;
    return copy_to_user(a.p<void>(2), &pgrp, sizeof pgrp);
  }
  default:
    return -EINVAL;
  }
}

long sys_fsync(const SyscallArgs& a) {
  if (!file_of(a.i(0)))
    return -EBADF;
  Status s = fs::log::flush();
  return s.ok() ? 0 : s.error();
}
long sys_sync(const SyscallArgs&) {
  (void)fs::log::flush();
  return 0;
}
// Extended attributes: the filesystem has none (after the path or descriptor checks).
long sys_path_xattr(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), true);
  return id < 0 ? id : -EOPNOTSUPP;
}
long sys_lpath_xattr(const SyscallArgs& a) {
  NodeId id = resolve_at(linux::AT_FDCWD, a.p<const char>(0), false);
  return id < 0 ? id : -EOPNOTSUPP;
}
long sys_fd_xattr(const SyscallArgs& a) {
  return file_of(a.i(0)) ? -EOPNOTSUPP : -EBADF;
}
long sys_fadvise64(const SyscallArgs& a) {
  return file_of(a.i(0)) ? 0 : -EBADF;
}
long sys_umask(const SyscallArgs& a) {
  static uint32_t mask = 022;
  uint32_t old = mask;
  mask = static_cast<uint32_t>(a.u(0)) & 0777;
  return old;
}

// ---- changing the tree ----
constexpr int kRenameNoReplace = 1;
constexpr int kFallocKeepSize = 1;
constexpr int kAtSymlinkFollow = 0x400;
constexpr int64_t kUtimeNow = (1l << 30) - 1, kUtimeOmit = (1l << 30) - 2;

long do_mkdir(int dirfd, const char* path) {
  NodeId dir = resolve_parent(dirfd, path);
  if (dir < 0)
    return dir;
  if (dot_name())
    return -EEXIST;
  long r = fs::make_directory(static_cast<int32_t>(dir), g_name);
  return r < 0 ? r : 0;
}
long sys_mkdir(const SyscallArgs& a) {
  return do_mkdir(linux::AT_FDCWD, a.p<const char>(0));
}
long sys_mkdirat(const SyscallArgs& a) {
  return do_mkdir(a.i(0), a.p<const char>(1));
}

long do_unlink(int dirfd, const char* path, bool directory) {
  NodeId dir = resolve_parent(dirfd, path);
  if (dir < 0)
    return dir == -EEXIST ? (directory ? -EBUSY : -EISDIR) : dir; // "/"
  if (strcmp(g_name, ".") == 0)
    return directory ? -EINVAL : -EISDIR;
  if (strcmp(g_name, "..") == 0)
    return directory ? -ENOTEMPTY : -EISDIR;
  return fs::remove_entry(static_cast<int32_t>(dir), g_name, directory);
}
long sys_unlink(const SyscallArgs& a) {
  return do_unlink(linux::AT_FDCWD, a.p<const char>(0), false);
}
long sys_rmdir(const SyscallArgs& a) {
  return do_unlink(linux::AT_FDCWD, a.p<const char>(0), true);
}
long sys_unlinkat(const SyscallArgs& a) {
  if (a.i(2) & ~linux::AT_REMOVEDIR)
    return -EINVAL;
  return do_unlink(a.i(0), a.p<const char>(1), a.i(2) & linux::AT_REMOVEDIR);
}

long do_rename(int olddirfd, const char* oldpath, int newdirfd, const char* newpath, int flags) {
  // RENAME_EXCHANGE and RENAME_WHITEOUT are not done (EINVAL, as filesystems without them).
  if (flags & ~kRenameNoReplace)
    return -EINVAL;
  NodeId odir = resolve_parent(olddirfd, oldpath);
  if (odir < 0)
    return odir == -EEXIST ? -EBUSY : odir;
  if (dot_name())
    return -EBUSY;
  static char old_name[fs::kMaxNameLength + 2];
  memcpy(old_name, g_name, sizeof old_name);
  NodeId ndir = resolve_parent(newdirfd, newpath);
  if (ndir < 0)
    return ndir == -EEXIST ? -EBUSY : ndir;
  if (dot_name())
    return -EBUSY;
  return fs::rename_entry(static_cast<int32_t>(odir), old_name, static_cast<int32_t>(ndir), g_name,
                          flags & kRenameNoReplace);
}
long sys_rename(const SyscallArgs& a) {
  return do_rename(linux::AT_FDCWD, a.p<const char>(0), linux::AT_FDCWD, a.p<const char>(1), 0);
}
long sys_renameat(const SyscallArgs& a) {
  return do_rename(a.i(0), a.p<const char>(1), a.i(2), a.p<const char>(3), 0);
}
long sys_renameat2(const SyscallArgs& a) {
  return do_rename(a.i(0), a.p<const char>(1), a.i(2), a.p<const char>(3), a.i(4));
}

long do_symlink(const char* utarget, int dirfd, const char* path) {
  static char target[kMaxPathLength];
  long n = strncpy_from_user(target, utarget, sizeof target);
  if (n < 0)
    return n;
  if (n == 0)
    return -ENOENT;
  NodeId dir = resolve_parent(dirfd, path);
  if (dir < 0)
    return dir;
  if (dot_name())
    return -EEXIST;
  long r = fs::make_symlink(static_cast<int32_t>(dir), g_name, target);
  return r < 0 ? r : 0;
}
long sys_symlink(const SyscallArgs& a) {
  return do_symlink(a.p<const char>(0), linux::AT_FDCWD, a.p<const char>(1));
}
long sys_symlinkat(const SyscallArgs& a) {
  return do_symlink(a.p<const char>(0), a.i(1), a.p<const char>(2));
}

long do_link(int olddirfd, const char* oldpath, int newdirfd, const char* newpath, int flags) {
  if (flags & ~(kAtSymlinkFollow | linux::AT_EMPTY_PATH))
    return -EINVAL;
  NodeId target = resolve_at(olddirfd, oldpath, flags & kAtSymlinkFollow, flags & linux::AT_EMPTY_PATH);
  if (target < 0)
    return target;
  NodeId dir = resolve_parent(newdirfd, newpath);
  if (dir < 0)
    return dir;
  if (dot_name())
    return -EEXIST;
  long r = fs::make_hard_link(static_cast<int32_t>(dir), g_name, static_cast<int32_t>(target));
  return r < 0 ? r : 0;
}
long sys_link(const SyscallArgs& a) {
  return do_link(linux::AT_FDCWD, a.p<const char>(0), linux::AT_FDCWD, a.p<const char>(1), 0);
}
long sys_linkat(const SyscallArgs& a) {
  return do_link(a.i(0), a.p<const char>(1), a.i(2), a.p<const char>(3), a.i(4));
}

// ---- sizes ----
long truncate_node(NodeId id, int64_t length) {
  if (id < 0)
    return id;
  if (length < 0)
    return -EINVAL;
  fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kDirectory)
    return -EISDIR;
  if (n->type != fs::NodeType::kFile || n->special != fs::Special::kNone || !n->inode)
    return -EINVAL;
  if (!fs::writable())
    return -EROFS;
  if (static_cast<uint64_t>(length) > (1ull << 44))
    return -EFBIG;
  int r = fs::truncate_file(n->inode, static_cast<uint64_t>(length));
  if (r == 0) {
    n->inode->mtime = tfs_now();
    n->inode->times_dirty = true;
  }
  return r;
}
long sys_truncate(const SyscallArgs& a) {
  return truncate_node(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true), a.a[1]);
}
long sys_ftruncate(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  if (f->kind != FileKind::kRegular || (f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return -EINVAL;
  return truncate_node(f->node, a.a[1]);
}
long sys_fallocate(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  int mode = a.i(1);
  int64_t off = a.a[2], len = a.a[3];
  if (off < 0 || len <= 0)
    return -EINVAL;
  if (mode & ~kFallocKeepSize)
    return -EOPNOTSUPP; // punching holes, collapsing, zeroing ranges: not done here
  if (f->kind != FileKind::kRegular)
    return f->kind == FileKind::kDirectory ? -EISDIR : -ENODEV;
  if ((f->flags & linux::O_ACCMODE) == linux::O_RDONLY)
    return -EBADF;
  if (!fs::writable())
    return -EROFS;
  if (static_cast<uint64_t>(off) + static_cast<uint64_t>(len) > (1ull << 44))
    return -EFBIG;
  return fs::allocate_file(fs::node(f->node)->inode, static_cast<uint64_t>(off),
                           static_cast<uint64_t>(len), mode & kFallocKeepSize);
}

// ---- times, permissions, owners ----
// Times are kept for regular files (TFS mtime/atime); directories and links accept the
// call and keep nothing.
long set_times(NodeId id, const linux::timespec* t) {
  if (id < 0)
    return id;
  fs::Node* n = fs::node(id);
  if (!n->inode)
    return fs::writable() || n->special != fs::Special::kNone ? 0 : -EROFS;
  if (!fs::writable())
    return -EROFS;
  uint64_t now = tfs_now();
  for (int i = 0; i < 2; ++i) {
    if (t && t[i].tv_nsec == kUtimeOmit)
      continue;
    if (t && t[i].tv_nsec != kUtimeNow && (t[i].tv_nsec < 0 || t[i].tv_nsec >= 1000000000))
      return -EINVAL;
    uint64_t v = !t || t[i].tv_nsec == kUtimeNow ? now : to_tfs_time(t[i].tv_sec, t[i].tv_nsec);
    (i == 0 ? n->inode->atime : n->inode->mtime) = v;
  }
  n->inode->times_dirty = true;
  fs::log::mark_dirty(n->inode);
  return 0;
}
long sys_utimensat(const SyscallArgs& a) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (a.a[2]) {
    if (copy_from_user(t, a.p<void>(2), sizeof t) < 0)
      return -EFAULT;
    tp = t;
  }
  int flags = a.i(3);
  if (flags & ~(linux::AT_SYMLINK_NOFOLLOW | linux::AT_EMPTY_PATH))
    return -EINVAL;
  NodeId id;
  if (!a.a[1]) { // futimens: the descriptor itself
    File* f = file_of(a.i(0));
    if (!f)
      return -EBADF;
    id = f->node;
  } else {
    id = resolve_at(a.i(0), a.p<const char>(1), !(flags & linux::AT_SYMLINK_NOFOLLOW),
                    flags & linux::AT_EMPTY_PATH);
  }
  return set_times(id, tp);
}
long do_utimes(int dirfd, const char* path, const void* utv) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (utv) {
    int64_t tv[4]; // two struct timeval
    if (copy_from_user(tv, utv, sizeof tv) < 0)
      return -EFAULT;
    if (tv[1] < 0 || tv[1] >= 1000000 || tv[3] < 0 || tv[3] >= 1000000)
      return -EINVAL;
    t[0] = {tv[0], tv[1] * 1000};
    t[1] = {tv[2], tv[3] * 1000};
    tp = t;
  }
  return set_times(resolve_at(dirfd, path, true), tp);
}
long sys_utimes(const SyscallArgs& a) {
  return do_utimes(linux::AT_FDCWD, a.p<const char>(0), a.p<void>(1));
}
long sys_futimesat(const SyscallArgs& a) {
  return do_utimes(a.i(0), a.p<const char>(1), a.p<void>(2));
}
long sys_utime(const SyscallArgs& a) {
  linux::timespec t[2];
  const linux::timespec* tp = nullptr;
  if (a.a[1]) {
    int64_t ut[2]; // struct utimbuf: actime, modtime
    if (copy_from_user(ut, a.p<void>(1), sizeof ut) < 0)
      return -EFAULT;
    t[0] = {ut[0], 0};
    t[1] = {ut[1], 0};
    tp = t;
  }
  return set_times(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true), tp);
}

// TFS has no permissions or owners (spec §3.5): the calls succeed on existing files and
// change nothing, except on a read-only volume.
long accept_attribute(NodeId id) {
  if (id < 0)
    return id;
  if (!fs::writable() && fs::node(id)->special == fs::Special::kNone)
    return -EROFS;
  return 0;
}
long sys_chmod(const SyscallArgs& a) {
  return accept_attribute(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true));
}
long sys_lchown(const SyscallArgs& a) {
  return accept_attribute(resolve_at(linux::AT_FDCWD, a.p<const char>(0), false));
}
long sys_fchmodat(const SyscallArgs& a) {
  return accept_attribute(resolve_at(a.i(0), a.p<const char>(1), true));
}
long sys_fchownat(const SyscallArgs& a) {
  int flags = a.i(4);
  return accept_attribute(resolve_at(a.i(0), a.p<const char>(1),
                                     !(flags & linux::AT_SYMLINK_NOFOLLOW),
                                     flags & linux::AT_EMPTY_PATH));
}
long sys_fchmod(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return f->node < 0 ? 0 : accept_attribute(f->node);
}

// ---- statfs ----
struct LinuxStatfs {
  int64_t f_type, f_bsize, f_blocks, f_bfree, f_bavail, f_files, f_ffree;
  int32_t f_fsid[2];
  int64_t f_namelen, f_frsize, f_flags, f_spare[4];
};
static_assert(sizeof(LinuxStatfs) == 120, "struct statfs of x86-64 Linux");

long statfs_to_user(NodeId id, void* user) {
  if (id < 0)
    return id;
  LinuxStatfs st;
  memset(&st, 0, sizeof st);
  st.f_type = 0x54465331; // "TFS1": TFS has no Linux magic number
  st.f_bsize = st.f_frsize = 4096;
  st.f_blocks = static_cast<int64_t>(fs::partition_blocks() / 8);
  uint64_t free = fs::free_space().free_blocks();
  st.f_bfree = static_cast<int64_t>(free / 8);
  // Writers leave some blocks to the log (fs/file_data.cc): not available to file data.
  st.f_bavail = static_cast<int64_t>((free > fs::kLogReserveBlocks ? free - fs::kLogReserveBlocks : 0) / 8);
  st.f_files = static_cast<int64_t>(fs::node_count());
  st.f_ffree = st.f_bfree;
  st.f_namelen = fs::kMaxNameLength;
  st.f_flags = fs::writable() ? 0 : 1; // ST_RDONLY
  return copy_to_user(user, &st, sizeof st);
}
long sys_statfs(const SyscallArgs& a) {
  return statfs_to_user(resolve_at(linux::AT_FDCWD, a.p<const char>(0), true), a.p<void>(1));
}
long sys_fstatfs(const SyscallArgs& a) {
  File* f = file_of(a.i(0));
  if (!f)
    return -EBADF;
  return statfs_to_user(f->node < 0 ? 0 : f->node, a.p<void>(1));
}

} // namespace

void register_file_syscalls() {
  fs::set_fd_dir_refresh(refresh_fd_dir);
  register_syscall(0, "read", 3, sys_read);
  register_syscall(1, "write", 3, sys_write);
  register_syscall(2, "open", 3, sys_open, 1);
  register_syscall(3, "close", 1, sys_close);
  register_syscall(4, "stat", 2, sys_stat, 1);
  register_syscall(5, "fstat", 2, sys_fstat);
  register_syscall(6, "lstat", 2, sys_lstat, 1);
  register_syscall(8, "lseek", 3, sys_lseek);
  register_syscall(16, "ioctl", 3, sys_ioctl);
  register_syscall(17, "pread64", 4, sys_pread64);
  register_syscall(18, "pwrite64", 4, sys_pwrite64);
  register_syscall(19, "readv", 3, vector_io<false>);
  register_syscall(20, "writev", 3, vector_io<true>);
  register_syscall(21, "access", 2, sys_access, 1);
  register_syscall(32, "dup", 1, sys_dup);
  register_syscall(33, "dup2", 2, sys_dup2);
  register_syscall(72, "fcntl", 3, sys_fcntl);
  register_syscall(74, "fsync", 1, sys_fsync);
  register_syscall(75, "fdatasync", 1, sys_fsync);
  register_syscall(79, "getcwd", 2, sys_getcwd);
  register_syscall(80, "chdir", 1, sys_chdir, 1);
  register_syscall(81, "fchdir", 1, sys_fchdir);
  register_syscall(76, "truncate", 2, sys_truncate, 1);
  register_syscall(77, "ftruncate", 2, sys_ftruncate);
  register_syscall(82, "rename", 2, sys_rename, 3);
  register_syscall(83, "mkdir", 2, sys_mkdir, 1);
  register_syscall(84, "rmdir", 1, sys_rmdir, 1);
  register_syscall(85, "creat", 2, sys_creat, 1);
  register_syscall(86, "link", 2, sys_link, 3);
  register_syscall(87, "unlink", 1, sys_unlink, 1);
  register_syscall(88, "symlink", 2, sys_symlink, 3);
  register_syscall(90, "chmod", 2, sys_chmod, 1);
  register_syscall(91, "fchmod", 2, sys_fchmod);
  register_syscall(92, "chown", 3, sys_chmod, 1);
  register_syscall(93, "fchown", 3, sys_fchmod);
  register_syscall(94, "lchown", 3, sys_lchown, 1);
  register_syscall(132, "utime", 2, sys_utime, 1);
  register_syscall(137, "statfs", 2, sys_statfs, 1);
  register_syscall(138, "fstatfs", 2, sys_fstatfs);
  register_syscall(162, "sync", 0, sys_sync);
  register_syscall(235, "utimes", 2, sys_utimes, 1);
  register_syscall(261, "futimesat", 3, sys_futimesat, 2);
  register_syscall(264, "renameat", 4, sys_renameat, 10);
  register_syscall(265, "linkat", 5, sys_linkat, 10);
  register_syscall(266, "symlinkat", 3, sys_symlinkat, 5);
  register_syscall(268, "fchmodat", 3, sys_fchmodat, 2);
  register_syscall(260, "fchownat", 5, sys_fchownat, 2);
  register_syscall(280, "utimensat", 4, sys_utimensat, 2);
  register_syscall(285, "fallocate", 4, sys_fallocate);
  register_syscall(306, "syncfs", 1, sys_fsync);
  register_syscall(316, "renameat2", 5, sys_renameat2, 10);
  register_syscall(89, "readlink", 3, sys_readlink, 1);
  register_syscall(95, "umask", 1, sys_umask);
  register_syscall(191, "getxattr", 4, sys_path_xattr, 3);
  register_syscall(192, "lgetxattr", 4, sys_lpath_xattr, 3);
  register_syscall(193, "fgetxattr", 4, sys_fd_xattr, 2);
  register_syscall(194, "listxattr", 3, sys_path_xattr, 1);
  register_syscall(195, "llistxattr", 3, sys_lpath_xattr, 1);
  register_syscall(196, "flistxattr", 3, sys_fd_xattr);
  register_syscall(217, "getdents64", 3, sys_getdents64);
  register_syscall(221, "fadvise64", 4, sys_fadvise64);
  register_syscall(257, "openat", 4, sys_openat, 2);
  register_syscall(258, "mkdirat", 3, sys_mkdirat, 2);
  register_syscall(262, "newfstatat", 4, sys_newfstatat, 2);
  register_syscall(263, "unlinkat", 3, sys_unlinkat, 2);
  register_syscall(267, "readlinkat", 4, sys_readlinkat, 2);
  register_syscall(269, "faccessat", 3, sys_faccessat, 2);
  register_syscall(292, "dup3", 3, sys_dup3);
  register_syscall(332, "statx", 5, sys_statx, 2);
  register_syscall(439, "faccessat2", 4, sys_faccessat2, 2);
}

} // namespace unix
