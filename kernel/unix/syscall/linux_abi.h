// Linux x86-64 user ABI structures and constants the syscalls exchange with programs.
#pragma once

#include <stdint.h>

namespace linux {

struct timespec {
  int64_t tv_sec;
  int64_t tv_nsec;
};
struct timeval {
  int64_t tv_sec;
  int64_t tv_usec;
};

struct stat {
  uint64_t st_dev, st_ino, st_nlink;
  uint32_t st_mode, st_uid, st_gid, pad0;
  uint64_t st_rdev;
  int64_t st_size, st_blksize, st_blocks;
  timespec st_atim, st_mtim, st_ctim;
  int64_t reserved[3];
};
static_assert(sizeof(stat) == 144);

struct statx_timestamp {
  int64_t tv_sec;
  uint32_t tv_nsec;
  int32_t reserved;
};
struct statx {
  uint32_t stx_mask, stx_blksize;
  uint64_t stx_attributes;
  uint32_t stx_nlink, stx_uid, stx_gid;
  uint16_t stx_mode, pad1;
  uint64_t stx_ino, stx_size, stx_blocks, stx_attributes_mask;
  statx_timestamp stx_atime, stx_btime, stx_ctime, stx_mtime;
  uint32_t stx_rdev_major, stx_rdev_minor, stx_dev_major, stx_dev_minor;
  uint64_t spare[14];
};
static_assert(sizeof(statx) == 256);

struct utsname {
  char sysname[65], nodename[65], release[65], version[65], machine[65], domainname[65];
};

struct rlimit {
  uint64_t cur, max;
};

struct iovec {
  uint64_t base;
  uint64_t len;
};

struct termios {
  uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
  uint8_t c_line;
  uint8_t c_cc[19];
};
struct winsize {
  uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

struct sigaction {
  uint64_t handler;
  uint64_t flags;
  uint64_t restorer;
  uint64_t mask;
};
struct stack_t {
  uint64_t sp;
  int32_t flags;
  int32_t pad;
  uint64_t size;
};

// Modes.
constexpr uint32_t S_IFMT = 0170000, S_IFDIR = 0040000, S_IFREG = 0100000, S_IFLNK = 0120000,
                   S_IFCHR = 0020000;
// open flags.
constexpr int O_ACCMODE = 3, O_RDONLY = 0, O_WRONLY = 1, O_RDWR = 2, O_CREAT = 0100,
              O_EXCL = 0200, O_TRUNC = 01000, O_APPEND = 02000, O_NONBLOCK = 04000,
              O_DIRECTORY = 0200000, O_NOFOLLOW = 0400000, O_CLOEXEC = 02000000,
              O_PATH = 010000000;
constexpr int AT_FDCWD = -100, AT_SYMLINK_NOFOLLOW = 0x100, AT_EMPTY_PATH = 0x1000,
              AT_REMOVEDIR = 0x200;
// mmap.
constexpr int PROT_READ = 1, PROT_WRITE = 2, PROT_EXEC = 4;
constexpr int MAP_SHARED = 1, MAP_PRIVATE = 2, MAP_SHARED_VALIDATE = 3, MAP_FIXED = 0x10,
              MAP_ANONYMOUS = 0x20, MAP_32BIT = 0x40, MAP_ABOVE4G = 0x80,
              MAP_GROWSDOWN = 0x100, MAP_DENYWRITE = 0x800, MAP_EXECUTABLE = 0x1000,
              MAP_LOCKED = 0x2000, MAP_NORESERVE = 0x4000, MAP_POPULATE = 0x8000,
              MAP_NONBLOCK = 0x10000, MAP_STACK = 0x20000, MAP_HUGETLB = 0x40000,
              MAP_FIXED_NOREPLACE = 0x100000, MAP_UNINITIALIZED = 0x4000000;
// Flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK plus MAP_FIXED_NOREPLACE and
// the huge page size bits 26-31).
constexpr int kMapKnownFlags = 3 | MAP_FIXED | MAP_ANONYMOUS | MAP_32BIT | MAP_ABOVE4G |
                               MAP_GROWSDOWN | MAP_DENYWRITE | MAP_EXECUTABLE | MAP_LOCKED |
                               MAP_NORESERVE | MAP_POPULATE | MAP_NONBLOCK | MAP_STACK |
                               MAP_HUGETLB | MAP_FIXED_NOREPLACE | MAP_UNINITIALIZED |
                               static_cast<int>(0xFC000000u);
constexpr int MREMAP_MAYMOVE = 1, MREMAP_FIXED = 2;
// Directory entry types.
constexpr uint8_t DT_CHR = 2, DT_DIR = 4, DT_REG = 8, DT_LNK = 10, DT_SOCK = 12;

} // namespace linux
