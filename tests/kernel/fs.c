// The writable root filesystem from an unmodified glibc program: every file syscall with its
// results and errno values. argv[1] picks the image it runs on:
//   main      a roomy image: create, write, truncate, rename, unlink, directories, links,
//             times, statfs, synthetic /proc /sys /dev files, a 6 MiB file with a checksum
//   small     an image with ~2 MiB free: writing fails with ENOSPC, nothing crashes, the
//             file system still works afterwards
//   readonly  readonly_rootfs in the manifest: every change gives EROFS
// Prints one line per failed check and a summary; exits with the number of failures.
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <unistd.h>

#include "check.h"

#define EXPECT_ERR(err, call)                                                                    \
  do {                                                                                           \
    errno = 0;                                                                                   \
    long r_ = (long)(call);                                                                      \
    check(r_ == -1 && errno == (err), #call " -> " #err, r_);                                    \
  } while (0)

static char buf[65536];

static long file_size(const char* path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static int read_all(const char* path, char* out, size_t cap) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return -1;
  int n = (int)read(fd, out, cap);
  close(fd);
  return n;
}

static int all_zero(const char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    if (p[i])
      return 0;
  return 1;
}

static uint32_t fnv(uint32_t h, const unsigned char* p, size_t n) {
  for (size_t i = 0; i < n; ++i)
    h = (h ^ p[i]) * 16777619u;
  return h;
}

static void test_create_write_read(void) {
  int fd = open("/new.txt", O_CREAT | O_WRONLY | O_EXCL, 0644);
  check(fd >= 0, "open O_CREAT|O_EXCL a new file", fd);
  check(write(fd, "hello ", 6) == 6 && write(fd, "world\n", 6) == 6, "write twice", 0);
  check(close(fd) == 0, "close", 0);
  EXPECT_ERR(EEXIST, open("/new.txt", O_CREAT | O_WRONLY | O_EXCL, 0644));
  check(file_size("/new.txt") == 12, "size after two writes", file_size("/new.txt"));
  check(read_all("/new.txt", buf, sizeof buf) == 12 && memcmp(buf, "hello world\n", 12) == 0,
        "read back", 0);
  // O_APPEND: every write goes to the end, whatever the offset.
  fd = open("/new.txt", O_WRONLY | O_APPEND);
  check(fd >= 0 && lseek(fd, 0, SEEK_SET) == 0 && write(fd, "more\n", 5) == 5, "append", fd);
  check(pwrite(fd, "X", 1, 0) == 1, "pwrite on O_APPEND appends", 0);
  close(fd);
  check(read_all("/new.txt", buf, sizeof buf) == 18 && memcmp(buf, "hello world\nmore\nX", 18) == 0,
        "append wrote at the end", 0);
  // O_TRUNC, writev, O_RDWR reading what was written.
  fd = open("/new.txt", O_RDWR | O_TRUNC);
  check(fd >= 0 && file_size("/new.txt") == 0, "O_TRUNC empties", file_size("/new.txt"));
  struct iovec iov[2] = {{"abc", 3}, {"defgh", 5}};
  check(writev(fd, iov, 2) == 8, "writev", 0);
  check(lseek(fd, 2, SEEK_SET) == 2 && read(fd, buf, 10) == 6 && memcmp(buf, "cdefgh", 6) == 0,
        "read after writev", 0);
  check(pwrite(fd, "ZZ", 2, 1) == 2 && pread(fd, buf, 8, 0) == 8 && memcmp(buf, "aZZdefgh", 8) == 0,
        "pwrite in the middle", 0);
  close(fd);
  EXPECT_ERR(EBADF, write(open("/new.txt", O_RDONLY), "x", 1));
  fd = open("/new.txt", O_WRONLY);
  EXPECT_ERR(EBADF, read(fd, buf, 1));
  close(fd);
  // creat(), O_DIRECTORY, O_CREAT on a directory, a path through a file.
  fd = creat("/created", 0600);
  check(fd >= 0 && close(fd) == 0 && file_size("/created") == 0, "creat", fd);
  EXPECT_ERR(ENOTDIR, open("/new.txt", O_RDONLY | O_DIRECTORY));
  EXPECT_ERR(EISDIR, open("/etc", O_WRONLY));
  EXPECT_ERR(ENOTDIR, open("/new.txt/x", O_CREAT | O_WRONLY, 0644));
  EXPECT_ERR(ENOENT, open("/no-dir/x", O_CREAT | O_WRONLY, 0644));
  EXPECT_ERR(EOPNOTSUPP, open("/tmp", O_TMPFILE | O_RDWR, 0600));
  fd = open("/new.txt", O_RDONLY);
  check(sync_file_range(fd, 0, 0, 0) == 0, "sync_file_range", 0);
  close(fd);
}

static void test_truncate_and_holes(void) {
  int fd = open("/sparse", O_CREAT | O_RDWR, 0644);
  memset(buf, 'a', 1000);
  check(write(fd, buf, 1000) == 1000, "write 1000", 0);
  check(ftruncate(fd, 300) == 0 && file_size("/sparse") == 300, "ftruncate down", 0);
  check(ftruncate(fd, 5000) == 0 && file_size("/sparse") == 5000, "ftruncate up", 0);
  memset(buf, 1, 5000);
  check(pread(fd, buf, 5000, 0) == 5000 && buf[299] == 'a' && all_zero(buf + 300, 4700),
        "truncate down then up reads zeros", 0);
  // A write far beyond the end leaves a hole of zeros.
  check(pwrite(fd, "end", 3, 3 * 1024 * 1024) == 3, "sparse pwrite at 3 MiB", 0);
  check(file_size("/sparse") == 3 * 1024 * 1024 + 3, "size after sparse write",
        file_size("/sparse"));
  memset(buf, 1, sizeof buf);
  check(pread(fd, buf, sizeof buf, 1024 * 1024) == (long)sizeof buf && all_zero(buf, sizeof buf),
        "the hole reads as zeros", 0);
  check(pread(fd, buf, 10, 3 * 1024 * 1024 - 2) == 5 && all_zero(buf, 2) &&
            memcmp(buf + 2, "end", 3) == 0, "data after the hole", 0);
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_blocks < 64, "a hole takes no blocks", (long)st.st_blocks);
  check(lseek(fd, 0, SEEK_HOLE) == 512 && lseek(fd, 1000, SEEK_DATA) == 3 * 1024 * 1024 &&
            lseek(fd, 3 * 1024 * 1024 + 1, SEEK_HOLE) == 3 * 1024 * 1024 + 3,
        "SEEK_HOLE / SEEK_DATA find the hole", (long)lseek(fd, 0, SEEK_HOLE));
  EXPECT_ERR(ENXIO, lseek(fd, 4 * 1024 * 1024, SEEK_DATA));
  check(truncate("/sparse", 10) == 0 && file_size("/sparse") == 10, "truncate by path", 0);
  EXPECT_ERR(EINVAL, ftruncate(fd, -1));
  EXPECT_ERR(EISDIR, truncate("/etc", 0));
  // fallocate: mode 0 grows the size, KEEP_SIZE only reserves.
  check(fallocate(fd, 0, 0, 8192) == 0 && file_size("/sparse") == 8192, "fallocate mode 0",
        file_size("/sparse"));
  check(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192) == 0 && file_size("/sparse") == 8192,
        "fallocate KEEP_SIZE", file_size("/sparse"));
  check(fstat(fd, &st) == 0 && st.st_blocks >= 32, "fallocate reserved blocks", (long)st.st_blocks);
  check(pread(fd, buf, 8192, 0) == 8192 && buf[0] == 'a' && all_zero(buf + 10, 8182),
        "fallocated space reads as zeros", 0);
  EXPECT_ERR(EOPNOTSUPP, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 512));
  EXPECT_ERR(EINVAL, fallocate(fd, 0, 0, 0));
  close(fd);
}

static void test_names(void) {
  // rename over an existing file replaces it.
  int fd = open("/r1", O_CREAT | O_WRONLY, 0644);
  write(fd, "one", 3);
  close(fd);
  fd = open("/r2", O_CREAT | O_WRONLY, 0644);
  write(fd, "two!", 4);
  close(fd);
  check(rename("/r1", "/r2") == 0, "rename over an existing file", 0);
  EXPECT_ERR(ENOENT, open("/r1", O_RDONLY));
  check(read_all("/r2", buf, sizeof buf) == 3 && memcmp(buf, "one", 3) == 0, "renamed content", 0);
  fd = open("/r3", O_CREAT | O_WRONLY, 0644);
  close(fd);
  EXPECT_ERR(EEXIST, syscall(SYS_renameat2, AT_FDCWD, "/r2", AT_FDCWD, "/r3", 1 /* NOREPLACE */));
  check(syscall(SYS_renameat2, AT_FDCWD, "/r3", AT_FDCWD, "/r4", 1) == 0 && file_size("/r4") == 0,
        "renameat2 RENAME_NOREPLACE to a free name", 0);
  EXPECT_ERR(ENOENT, rename("/nothing", "/r5"));
  // unlink of an open file: still readable through its descriptor.
  fd = open("/r2", O_RDONLY);
  check(unlink("/r2") == 0, "unlink an open file", 0);
  EXPECT_ERR(ENOENT, stat("/r2", &(struct stat){0}));
  check(read(fd, buf, 10) == 3 && memcmp(buf, "one", 3) == 0, "unlinked file read via its fd", 0);
  struct stat st;
  check(fstat(fd, &st) == 0 && st.st_nlink == 0, "fstat of an unlinked file: nlink 0",
        (long)st.st_nlink);
  close(fd);
  EXPECT_ERR(ENOENT, unlink("/r2"));
  EXPECT_ERR(EISDIR, unlink("/etc"));
  // Directories.
  check(mkdir("/d", 0755) == 0, "mkdir", 0);
  EXPECT_ERR(EEXIST, mkdir("/d", 0755));
  check(mkdir("/d/sub", 0755) == 0 && mkdirat(AT_FDCWD, "/d/sub/deeper", 0755) == 0, "mkdir nested",
        0);
  fd = open("/d/sub/f", O_CREAT | O_WRONLY, 0644);
  close(fd);
  EXPECT_ERR(ENOTEMPTY, rmdir("/d/sub"));
  EXPECT_ERR(ENOTDIR, rmdir("/d/sub/f"));
  EXPECT_ERR(EINVAL, rename("/d", "/d/sub/deeper/x"));
  check(unlinkat(AT_FDCWD, "/d/sub/f", 0) == 0, "unlinkat a file", 0);
  check(unlinkat(AT_FDCWD, "/d/sub/deeper", AT_REMOVEDIR) == 0, "unlinkat AT_REMOVEDIR", 0);
  check(rmdir("/d/sub") == 0, "rmdir an empty directory", 0);
  check(stat("/d", &st) == 0 && S_ISDIR(st.st_mode), "stat a new directory", 0);
  check(mkdir("/d/a", 0755) == 0 && rename("/d/a", "/d/b") == 0 && stat("/d/b", &st) == 0 &&
            S_ISDIR(st.st_mode), "rename a directory", 0);
  int dfd = open("/d", O_RDONLY | O_DIRECTORY);
  fd = openat(dfd, "rel", O_CREAT | O_WRONLY, 0644);
  check(fd >= 0 && write(fd, "r", 1) == 1 && close(fd) == 0 && file_size("/d/rel") == 1,
        "openat O_CREAT relative to a directory fd", fd);
  DIR* d = opendir("/d");
  int saw_b = 0, saw_rel = 0, entries = 0;
  struct dirent* e;
  while (d && (e = readdir(d))) {
    ++entries;
    saw_b |= strcmp(e->d_name, "b") == 0 && e->d_type == DT_DIR;
    saw_rel |= strcmp(e->d_name, "rel") == 0 && e->d_type == DT_REG;
  }
  if (d)
    closedir(d);
  check(entries == 4 && saw_b && saw_rel, "readdir of a new directory", entries);
  close(dfd);
  // Symlinks.
  check(symlink("/d/rel", "/link") == 0, "symlink", 0);
  check(symlinkat("rel", AT_FDCWD, "/d/rlink") == 0, "symlinkat (relative target)", 0);
  check(read_all("/link", buf, sizeof buf) == 1 && buf[0] == 'r', "read through a symlink", 0);
  check(read_all("/d/rlink", buf, sizeof buf) == 1, "read through a relative symlink", 0);
  ssize_t n = readlink("/link", buf, sizeof buf);
  check(n == 6 && memcmp(buf, "/d/rel", 6) == 0, "readlink of a new symlink", n);
  EXPECT_ERR(ELOOP, open("/link", O_RDONLY | O_NOFOLLOW));
  EXPECT_ERR(EEXIST, symlink("/x", "/link"));
  check(lstat("/link", &st) == 0 && S_ISLNK(st.st_mode), "lstat of a symlink", 0);
  check(unlink("/link") == 0 && lstat("/link", &st) == -1, "unlink a symlink", 0);
  // Hard links share one file.
  check(link("/d/rel", "/hard") == 0, "link", 0);
  check(stat("/hard", &st) == 0 && st.st_nlink == 2, "nlink 2 after link", (long)st.st_nlink);
  struct stat st2;
  check(stat("/d/rel", &st2) == 0 && st2.st_ino == st.st_ino, "hard links share st_ino",
        (long)st2.st_ino);
  fd = open("/hard", O_WRONLY | O_APPEND);
  write(fd, "+", 1);
  close(fd);
  check(read_all("/d/rel", buf, sizeof buf) == 2 && memcmp(buf, "r+", 2) == 0,
        "write through one link, read through the other", 0);
  EXPECT_ERR(EPERM, link("/d", "/dirlink"));
  EXPECT_ERR(EEXIST, link("/d/rel", "/hard"));
}

static void test_metadata(void) {
  struct stat st;
  struct timespec ts[2] = {{1000000000, 0}, {1234567890, 500000000}};
  check(utimensat(AT_FDCWD, "/new.txt", ts, 0) == 0, "utimensat", 0);
  check(stat("/new.txt", &st) == 0 && st.st_mtim.tv_sec == 1234567890 &&
            st.st_mtim.tv_nsec / 1000000 == 500 && st.st_atim.tv_sec == 1000000000,
        "times kept", (long)st.st_mtim.tv_sec);
  struct timeval tv[2] = {{1500000000, 0}, {1600000000, 0}};
  check(syscall(SYS_futimesat, AT_FDCWD, "/new.txt", tv) == 0 && stat("/new.txt", &st) == 0 &&
            st.st_mtim.tv_sec == 1600000000, "futimesat", (long)st.st_mtim.tv_sec);
  check(chmod("/new.txt", 0600) == 0 && chown("/new.txt", 0, 0) == 0, "chmod/chown accepted", 0);
  int fd = open("/new.txt", O_RDWR);
  check(fchmod(fd, 0644) == 0 && fsync(fd) == 0 && fdatasync(fd) == 0 && syncfs(fd) == 0,
        "fchmod, fsync, fdatasync, syncfs", 0);
  sync();
  struct statfs sf;
  check(fstatfs(fd, &sf) == 0 && sf.f_bsize == 4096 && sf.f_blocks > 0 &&
            sf.f_bfree <= sf.f_blocks && sf.f_bavail <= sf.f_bfree && sf.f_bavail > 0 &&
            sf.f_namelen == 255,
        "fstatfs", (long)sf.f_blocks);
  close(fd);
  // Writing 1 MiB takes about 256 of its 4 KiB blocks from f_bfree.
  struct statfs before, after;
  statfs("/", &before);
  fd = open("/mib", O_CREAT | O_WRONLY, 0644);
  memset(buf, 'm', sizeof buf);
  for (int i = 0; i < 16; ++i)
    write(fd, buf, sizeof buf);
  close(fd);
  statfs("/", &after);
  long used = (long)(before.f_bfree - after.f_bfree);
  check(used >= 256 && used <= 256 + 300, "statfs f_bfree drops by what a file takes", used);
  check(unlink("/mib") == 0 && statfs("/", &after) == 0 && after.f_bfree == before.f_bfree,
        "unlink gives the blocks back", (long)(before.f_bfree - after.f_bfree));
  check(access("/new.txt", W_OK) == 0, "access W_OK on a writable root", 0);
}

static void test_large_file(void) {
  // 6 MiB in 64 KiB writes, then read back in odd-sized pieces; checksums must match.
  int fd = open("/large.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
  uint32_t wsum = 2166136261u, rsum = 2166136261u;
  unsigned seed = 12345;
  long total = 0;
  for (int i = 0; i < 96; ++i) {
    for (size_t j = 0; j < sizeof buf; ++j) {
      seed = seed * 1103515245u + 12345u;
      buf[j] = (char)(seed >> 16);
    }
    wsum = fnv(wsum, (unsigned char*)buf, sizeof buf);
    total += write(fd, buf, sizeof buf);
  }
  check(total == 96L * 65536, "write 6 MiB", total);
  check(lseek(fd, 0, SEEK_SET) == 0, "rewind", 0);
  long got = 0;
  for (;;) {
    ssize_t n = read(fd, buf, 40000);
    if (n <= 0)
      break;
    rsum = fnv(rsum, (unsigned char*)buf, (size_t)n);
    got += n;
  }
  check(got == total && rsum == wsum, "6 MiB read back with the same checksum", got);
  close(fd);
}

// A directory with many entries (the name index grows and drops deleted entries).
static void test_big_directory(void) {
  char path[64];
  int created = 0, found = 0, gone = 0, renamed = 0;
  check(mkdir("/many", 0755) == 0, "mkdir /many", 0);
  for (int i = 0; i < 600; ++i) {
    snprintf(path, sizeof path, "/many/entry-%d", i);
    int fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
    created += fd >= 0;
    close(fd);
  }
  for (int i = 0; i < 600; i += 2) {
    snprintf(path, sizeof path, "/many/entry-%d", i);
    gone += unlink(path) == 0;
  }
  for (int i = 1; i < 600; i += 10) {
    char to[64];
    snprintf(path, sizeof path, "/many/entry-%d", i);
    snprintf(to, sizeof to, "/many/renamed-%d", i);
    renamed += rename(path, to) == 0;
  }
  struct stat st;
  for (int i = 0; i < 600; ++i) {
    snprintf(path, sizeof path, "/many/entry-%d", i);
    int expect = i % 2 == 1 && i % 10 != 1;
    found += (stat(path, &st) == 0) == expect;
  }
  check(created == 600 && gone == 300 && renamed == 60, "create, unlink, rename 600 entries",
        created + gone + renamed);
  check(found == 600, "each name found or not found as it should", found);
  DIR* d = opendir("/many");
  int entries = 0;
  while (d && readdir(d))
    ++entries;
  if (d)
    closedir(d);
  check(entries == 2 + 300, "readdir lists the 300 left", entries);
}

// Bad user pointers give EFAULT from every new call, never a kernel fault.
#define BAD ((void*)0x10) // never mapped: the first 64 KiB stay unmapped
static void test_bad_pointers(void) {
  EXPECT_ERR(EFAULT, mkdir(BAD, 0755));
  EXPECT_ERR(EFAULT, rename(BAD, "/x"));
  EXPECT_ERR(EFAULT, rename("/new.txt", BAD));
  EXPECT_ERR(EFAULT, unlink(BAD));
  EXPECT_ERR(EFAULT, symlink(BAD, "/bad-link"));
  EXPECT_ERR(EFAULT, link("/new.txt", BAD));
  EXPECT_ERR(EFAULT, truncate(BAD, 0));
  EXPECT_ERR(EFAULT, statfs("/", BAD));
  EXPECT_ERR(EFAULT, syscall(SYS_utimensat, AT_FDCWD, "/new.txt", BAD, 0));
  EXPECT_ERR(EFAULT, open(BAD, O_CREAT | O_WRONLY, 0644));
  int fd = open("/efault", O_CREAT | O_RDWR, 0644);
  EXPECT_ERR(EFAULT, syscall(SYS_write, fd, BAD, 100)); // raw: the compiler knows BAD is bad
  EXPECT_ERR(EFAULT, syscall(SYS_pwrite64, fd, BAD, 100, 0));
  check(file_size("/efault") == 0, "a faulting write writes nothing", file_size("/efault"));
  close(fd);
}

static void test_synthetic(void) {
  char path[64];
  int fd = open("/new.txt", O_RDONLY);
  snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(path, buf, sizeof buf);
  check(n == 8 && memcmp(buf, "/new.txt", 8) == 0, "/proc/self/fd/N names the file", n);
  DIR* d = opendir("/proc/self/fd");
  int saw = 0;
  struct dirent* e;
  while (d && (e = readdir(d)))
    saw |= atoi(e->d_name) == fd && e->d_type == DT_LNK;
  if (d)
    closedir(d);
  check(saw, "/proc/self/fd lists the descriptor", 0);
  close(fd);
  n = read_all("/proc/meminfo", buf, sizeof buf);
  check(n > 0 && strncmp(buf, "MemTotal:", 9) == 0 && strstr(buf, "MemFree:"), "/proc/meminfo", n);
  n = read_all("/proc/cpuinfo", buf, sizeof buf - 1);
  buf[n > 0 ? n : 0] = 0;
  check(n > 0 && strstr(buf, "processor\t: 0") && strstr(buf, "flags\t\t:") && strstr(buf, " sse2"),
        "/proc/cpuinfo with flags", n);
  check(read_all("/sys/devices/system/cpu/online", buf, sizeof buf) == 2 && memcmp(buf, "0\n", 2) == 0,
        "/sys/devices/system/cpu/online", 0);
  EXPECT_ERR(ENXIO, open("/dev/tty", O_RDWR));
  n = read_all("/etc/hostname", buf, sizeof buf);
  check(n > 1 && buf[n - 1] == '\n', "/etc/hostname", n);
  EXPECT_ERR(EACCES, open("/proc/meminfo", O_WRONLY));
  EXPECT_ERR(EACCES, open("/dev/newfile", O_CREAT | O_WRONLY, 0644));
  // The kernel's own nodes stay put (they have nothing in the log to rename or delete).
  EXPECT_ERR(EACCES, unlink("/dev/null"));
  EXPECT_ERR(EACCES, unlink("/etc/hostname")); // synthesized: the test image has none
  EXPECT_ERR(EACCES, rename("/proc", "/proc2"));
  EXPECT_ERR(EACCES, rename("/new.txt", "/dev/zero"));
  EXPECT_ERR(EACCES, rmdir("/tmp"));
  // /tmp (not in the image): works for the run.
  fd = open("/tmp/scratch", O_CREAT | O_RDWR, 0600);
  check(fd >= 0 && write(fd, "tmp", 3) == 3 && pread(fd, buf, 3, 0) == 3 && memcmp(buf, "tmp", 3) == 0,
        "a file in /tmp", fd);
  close(fd);
  check(unlink("/tmp/scratch") == 0, "unlink in /tmp", 0);
}

static void test_small_disk(void) {
  int fd = open("/fill", O_CREAT | O_WRONLY, 0644);
  memset(buf, 'f', sizeof buf);
  long total = 0;
  ssize_t n;
  errno = 0;
  while ((n = write(fd, buf, sizeof buf)) > 0)
    total += n;
  check(n == -1 && errno == ENOSPC, "writing until the disk is full gives ENOSPC", n);
  check(total > 512 * 1024 && total < 8 * 1024 * 1024, "some MiB fit first", total);
  check(file_size("/fill") == total, "the size is what was written", file_size("/fill"));
  struct statfs sf;
  check(statfs("/", &sf) == 0 && sf.f_bavail == 0 && sf.f_bfree < 512, "statfs: nothing available",
        (long)sf.f_bavail);
  EXPECT_ERR(ENOSPC, fallocate(fd, 0, total, 1024 * 1024));
  close(fd);
  // Metadata still works, and freeing the file gives the space back.
  check(unlink("/fill") == 0, "unlink the big file", 0);
  fd = open("/after", O_CREAT | O_WRONLY, 0644);
  check(fd >= 0 && write(fd, buf, 4096) == 4096 && fsync(fd) == 0, "write after freeing", fd);
  close(fd);
}

static void test_readonly(void) {
  EXPECT_ERR(EROFS, open("/new", O_CREAT | O_WRONLY, 0644));
  EXPECT_ERR(EROFS, open("/etc/test-data.txt", O_WRONLY));
  EXPECT_ERR(EROFS, open("/etc/test-data.txt", O_RDONLY | O_TRUNC));
  EXPECT_ERR(EROFS, mkdir("/dir", 0755));
  EXPECT_ERR(EROFS, unlink("/etc/test-data.txt"));
  EXPECT_ERR(EROFS, rmdir("/etc"));
  EXPECT_ERR(EROFS, rename("/etc/test-data.txt", "/x"));
  EXPECT_ERR(EROFS, symlink("/x", "/y"));
  EXPECT_ERR(EROFS, link("/etc/test-data.txt", "/z"));
  EXPECT_ERR(EROFS, truncate("/etc/test-data.txt", 0));
  EXPECT_ERR(EROFS, chmod("/etc/test-data.txt", 0600));
  EXPECT_ERR(EROFS, utimensat(AT_FDCWD, "/etc/test-data.txt", NULL, 0));
  EXPECT_ERR(EROFS, access("/etc/test-data.txt", W_OK));
  EXPECT_ERR(EROFS, open("/tmp/x", O_CREAT | O_WRONLY, 0644));
  struct statfs sf;
  check(statfs("/", &sf) == 0 && (sf.f_flags & ST_RDONLY), "statfs says read-only",
        (long)sf.f_flags);
  check(read_all("/etc/test-data.txt", buf, sizeof buf) == 15, "reading still works", 0);
  int fd = open("/etc/test-data.txt", O_RDONLY);
  check(fd >= 0 && fsync(fd) == 0, "fsync on a read-only volume", fd);
  close(fd);
}

int main(int argc, char** argv) {
  const char* mode = argc > 1 ? argv[1] : "main";
  if (strcmp(mode, "main") == 0) {
    test_create_write_read();
    test_truncate_and_holes();
    test_names();
    test_metadata();
    test_large_file();
    test_big_directory();
    test_bad_pointers();
    test_synthetic();
  } else if (strcmp(mode, "small") == 0) {
    test_small_disk();
  } else if (strcmp(mode, "readonly") == 0) {
    test_readonly();
  } else {
    printf("unknown mode %s\n", mode);
    return 99;
  }
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
