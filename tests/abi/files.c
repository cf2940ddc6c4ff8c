// Files and directories: the legacy getdents, preadv/pwritev and their v2 forms (offset -1
// means the file offset), sendfile between files and into pipes, statfs accounting, reads
// into a buffer that runs into an unmapped page.
#include "abi_check.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>

// The legacy struct linux_dirent: d_type is the last byte of the record.
struct old_dirent {
  unsigned long d_ino;
  unsigned long d_off;
  unsigned short d_reclen;
  char d_name[];
};

static void legacy_getdents(void) {
  mkdir("d", 0755);
  close(open("d/file-a", O_CREAT | O_WRONLY, 0644));
  mkdir("d/sub", 0755);
  int d = open("d", O_RDONLY | O_DIRECTORY);
  char buf[4096];
  long n = syscall(SYS_getdents, d, buf, sizeof buf);
  abi_result("getdents on a directory", n);
  int seen = 0, types_ok = 1;
  for (long at = 0; n > 0 && at < n;) {
    struct old_dirent* e = (struct old_dirent*)(buf + at);
    char type = buf[at + e->d_reclen - 1];
    if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
        strcmp(e->d_name, "sub") == 0) {
      seen |= strcmp(e->d_name, "sub") == 0 ? 4 : e->d_name[1] ? 2 : 1;
      types_ok &= type == DT_DIR;
    } else if (strcmp(e->d_name, "file-a") == 0) {
      seen |= 8;
      types_ok &= type == DT_REG;
    }
    at += e->d_reclen;
  }
  abi_value("getdents lists . .. sub file-a", seen);
  abi_value("getdents d_type in the last byte", types_ok);
  abi_value("getdents at the end returns 0", syscall(SYS_getdents, d, buf, sizeof buf));
  ABI_ERRNO("getdents with a tiny buffer", (lseek(d, 0, SEEK_SET), syscall(SYS_getdents, d, buf, 8)));
  close(d);
  int f = open("d/file-a", O_RDONLY);
  ABI_ERRNO("getdents on a file", syscall(SYS_getdents, f, buf, sizeof buf));
  close(f);
}

static void vectored(void) {
  int f = open("v", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char a[] = "hello ", b[] = "world";
  struct iovec w[2] = {{a, 6}, {b, 5}};
  abi_value("pwritev at 4", pwritev(f, w, 2, 4));
  abi_value("pwritev leaves the offset", lseek(f, 0, SEEK_CUR));
  char r1[6] = {0}, r2[6] = {0};
  struct iovec r[2] = {{r1, 5}, {r2, 5}};
  abi_value("preadv at 5", preadv(f, r, 2, 5));
  abi_text("preadv data", "%s|%s", r1, r2);
  ABI_ERRNO("preadv offset -1", syscall(SYS_preadv, f, r, 2, -1L, 0L));
  ABI_ERRNO("pwritev offset -1", syscall(SYS_pwritev, f, w, 2, -1L, 0L));
  ABI_ERRNO("preadv offset -2", syscall(SYS_preadv, f, r, 2, -2L, 0L));
  lseek(f, 10, SEEK_SET);
  memset(r1, 0, sizeof r1);
  struct iovec one = {r1, 3};
  abi_value("preadv2 -1 reads at the file offset", preadv2(f, &one, 1, -1, 0));
  abi_text("preadv2 -1 data", "%s", r1);
  abi_value("preadv2 -1 advances the offset", lseek(f, 0, SEEK_CUR));
  struct iovec wx = {"XY", 2};
  abi_value("pwritev2 -1 writes at the file offset", pwritev2(f, &wx, 1, -1, 0));
  abi_value("pwritev2 -1 advances the offset", lseek(f, 0, SEEK_CUR));
  abi_value("pwritev2 at 0", pwritev2(f, &wx, 1, 0, 0));
  abi_value("pwritev2 at 0 leaves the offset", lseek(f, 0, SEEK_CUR));
  char all[32] = {0};
  long len = pread(f, all, sizeof all - 1, 0);
  for (long i = 0; i < len; ++i)
    all[i] = all[i] ? all[i] : '.';
  abi_text("file after the writes", "%s", all);
  ABI_ERRNO("preadv2 unknown flag", preadv2(f, &one, 1, 0, 0x1000));
  int p[2];
  pipe(p);
  ABI_ERRNO("preadv on a pipe", preadv(p[0], &one, 1, 0));
  write(p[1], "abc", 3);
  abi_value("preadv2 -1 on a pipe", preadv2(p[0], &one, 1, -1, 0));
  close(p[0]);
  close(p[1]);
  close(f);
}

static void sendfile_checks(void) {
  int src = open("src", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char data[10000];
  for (int i = 0; i < (int)sizeof data; ++i)
    data[i] = (char)('a' + i % 26);
  write(src, data, sizeof data);
  lseek(src, 0, SEEK_SET);
  int dst = open("dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
  abi_value("sendfile file to file", sendfile(dst, src, NULL, 6000));
  abi_value("sendfile moved the source offset", lseek(src, 0, SEEK_CUR));
  abi_value("sendfile short at EOF", sendfile(dst, src, NULL, 6000));
  abi_value("sendfile at EOF", sendfile(dst, src, NULL, 6000));
  char back[10000];
  pread(dst, back, sizeof back, 0);
  abi_value("sendfile copy equals the source", memcmp(back, data, sizeof data) == 0);
  off_t off = 100;
  abi_value("sendfile with an offset", sendfile(dst, src, &off, 50));
  abi_value("sendfile advanced *offset", off);
  abi_value("sendfile with an offset keeps the file offset", lseek(src, 0, SEEK_CUR));
  int p[2];
  pipe(p);
  off = 0;
  abi_value("sendfile file to pipe", sendfile(p[1], src, &off, 26));
  char got[27] = {0};
  read(p[0], got, 26);
  abi_text("pipe received", "%s", got);
  int ro = open("src", O_RDONLY);
  ABI_ERRNO("sendfile into a read-only fd", sendfile(ro, dst, &off, 1));
  ABI_ERRNO("sendfile bad in fd", sendfile(dst, 999, NULL, 1));
  off = -1;
  ABI_ERRNO("sendfile negative offset", sendfile(dst, src, &off, 1));
  ABI_ERRNO("sendfile from a pipe to a file",
            (write(p[1], "z", 1), sendfile(dst, p[0], NULL, 1)));
  close(ro);
  close(p[0]);
  close(p[1]);
  close(src);
  close(dst);
}

static void statfs_accounting(void) {
  struct statfs before, after, freed;
  abi_result("statfs .", statfs(".", &before));
  abi_value("statfs f_bavail <= f_bfree", before.f_bavail <= before.f_bfree);
  abi_value("statfs f_bfree <= f_blocks", before.f_bfree <= before.f_blocks);
  int f = open("big", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  static char chunk[1 << 20];
  memset(chunk, 'x', sizeof chunk);
  for (int i = 0; i < 4; ++i)
    write(f, chunk, sizeof chunk);
  fsync(f);
  close(f);
  statfs(".", &after);
  long long used = (long long)(before.f_bfree - after.f_bfree) * before.f_bsize;
  abi_value("4 MiB written lowers f_bfree by about 4 MiB",
            used >= (3LL << 20) && used <= (6LL << 20));
  unlink("big");
  sync();
  statfs(".", &freed);
  long long back = (long long)(freed.f_bfree - after.f_bfree) * before.f_bsize;
  abi_value("unlink gives it back", back >= (3LL << 20));
  ABI_ERRNO("statfs of a missing path", statfs("no-such", &freed));
}

// The disk filled up: statfs must say so (a program checking free space before writing
// relies on it). The host's disk is not to be filled: there the host prints what Linux's
// file systems answer, and only the guest really fills its disk (the image has 8 MiB free).
static void disk_full(void) {
  if (!abi_in_unikernel()) {
    abi_value("writing until the disk is full ends in ENOSPC", 1);
    abi_value("then f_bavail is under 256 KiB", 1);
    abi_value("a new file cannot take a block", 1);
    abi_value("unlink makes room again", 1);
    return;
  }
  int f = open("fill", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  static char chunk[64 << 10];
  memset(chunk, 'y', sizeof chunk);
  long total = 0, n;
  while ((n = write(f, chunk, sizeof chunk)) > 0 && total < (256L << 20))
    total += n;
  abi_value("writing until the disk is full ends in ENOSPC", n < 0 && errno == ENOSPC);
  close(f);
  struct statfs s;
  statfs(".", &s);
  abi_value("then f_bavail is under 256 KiB", (long long)s.f_bavail * s.f_bsize < (256 << 10));
  int g = open("more", O_CREAT | O_WRONLY | O_TRUNC, 0644);
  long w = write(g, chunk, sizeof chunk);
  abi_value("a new file cannot take a block", w < 0 || (long long)s.f_bavail * s.f_bsize >= w);
  close(g);
  unlink("more");
  unlink("fill");
  statfs(".", &s);
  abi_value("unlink makes room again", (long long)s.f_bavail * s.f_bsize >= (1 << 20));
}

// A buffer whose last 192 bytes lie on an unmapped page (issue 15): Linux copies up to the
// hole and returns that short count from read, pread, readv and memfd and /dev/urandom
// reads; EFAULT only when not one byte fits. A pipe read fails the whole piece instead.
static void reads_up_to_a_hole(void) {
  long page = sysconf(_SC_PAGESIZE);
  char* two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(two + page, page);
  char* buf = two + page - 64;
  char data[4096];
  for (size_t i = 0; i < sizeof data; ++i)
    data[i] = (char)('a' + i % 26);
  int f = open("hole-source", O_CREAT | O_RDWR | O_TRUNC, 0644);
  abi_value("hole: write the source file", write(f, data, sizeof data));
  lseek(f, 0, SEEK_SET);
  abi_value("hole: read of 256 bytes returns", read(f, buf, 256));
  abi_value("hole: the read bytes are the file's", memcmp(buf, data, 64) == 0);
  abi_value("hole: the offset moved by", lseek(f, 0, SEEK_CUR));
  memset(buf, 0, 64);
  abi_value("hole: pread of 256 bytes at 100 returns", pread(f, buf, 256, 100));
  abi_value("hole: the pread bytes are the file's", memcmp(buf, data + 100, 64) == 0);
  char head[10];
  struct iovec iov[2] = {{head, sizeof head}, {buf, 256}};
  lseek(f, 0, SEEK_SET);
  abi_value("hole: readv of 10 + 256 bytes returns", readv(f, iov, 2));
  ABI_ERRNO("hole: read starting on the unmapped page", read(f, two + page, 16));
  // A large read: the hole is found after many whole pages.
  long big = 64 * page;
  char* area = mmap(NULL, big + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(area + big, page);
  for (int i = 0; i < 20; ++i)
    write(f, data, sizeof data);
  lseek(f, 0, SEEK_SET);
  abi_value("hole: read of 84 KiB into 64 KiB before the hole returns",
            read(f, area + big - (64 << 10), 84 << 10));
  close(f);
  unlink("hole-source");

  int m = memfd_create("hole", 0);
  write(m, data, sizeof data);
  abi_value("hole: memfd pread returns", pread(m, buf, 256, 0));
  close(m);
  int r = open("/dev/urandom", O_RDONLY);
  abi_value("hole: /dev/urandom read returns", read(r, buf, 256));
  close(r);
  int p[2];
  pipe(p);
  write(p[1], data, 200);
  ABI_ERRNO("hole: pipe read", read(p[0], buf, 256));
  abi_value("hole: the pipe keeps its bytes", read(p[0], data, sizeof data));
  close(p[0]);
  close(p[1]);
  munmap(two, page);
  munmap(area, big);
}

int main(void) {
  abi_begin("files");
  reads_up_to_a_hole();
  legacy_getdents();
  vectored();
  sendfile_checks();
  statfs_accounting();
  disk_full();
  return abi_end();
}
