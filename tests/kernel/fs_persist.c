// Persistence across boots of one image (run with nanos-run --persist by
// fs_persist_test.cmake). The program finds out which boot it is from the disk:
//   boot 1 (no /p): creates files, directories, links; renames and deletes some; leaves part
//                   of it to the flush at exit (no fsync for the last writes)
//   boot 2 (/p, no /p/boot2): checks everything boot 1 left, then changes a little more
//   boot 3 (/p/boot2):        checks boot 2's changes on top of boot 1's
// Each boot prints "persist boot N: all passed: K of K checks passed" and exits with the
// number of failed checks. The driver then reads the image with nanos-mkimage ls/cat.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"

static char buf[300000];

static int put(const char* path, const char* text, int do_fsync) {
  int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
  if (fd < 0)
    return -1;
  int ok = write(fd, text, strlen(text)) == (ssize_t)strlen(text);
  if (do_fsync)
    ok &= fsync(fd) == 0;
  return close(fd) == 0 && ok ? 0 : -1;
}
static int has(const char* path, const char* text) {
  int fd = open(path, O_RDONLY);
  if (fd < 0)
    return 0;
  ssize_t n = read(fd, buf, sizeof buf);
  close(fd);
  return n == (ssize_t)strlen(text) && memcmp(buf, text, (size_t)n) == 0;
}
static int exists(const char* path) {
  struct stat st;
  return lstat(path, &st) == 0;
}
static void pattern(size_t n) {
  for (size_t i = 0; i < n; ++i)
    buf[i] = (char)('a' + (i * 7 + i / 511) % 26);
}

static void boot1(void) {
  check(mkdir("/p", 0755) == 0 && mkdir("/p/dir", 0755) == 0 && mkdir("/p/empty", 0755) == 0,
        "mkdir /p /p/dir /p/empty");
  check(put("/p/dir/a.txt", "alpha\n", 1) == 0, "write /p/dir/a.txt");
  check(put("/p/old-name", "renamed file\n", 0) == 0 && rename("/p/old-name", "/p/new-name") == 0,
        "rename");
  check(put("/p/gone", "deleted\n", 1) == 0 && unlink("/p/gone") == 0, "create and delete");
  check(mkdir("/p/removed", 0755) == 0 && rmdir("/p/removed") == 0, "mkdir and rmdir");
  check(symlink("dir/a.txt", "/p/link") == 0, "symlink");
  check(put("/p/replaced", "old\n", 1) == 0 && put("/p/tmp", "new content\n", 0) == 0 &&
            rename("/p/tmp", "/p/replaced") == 0, "rename over a file");
  check(put("/p/trunc", "0123456789", 1) == 0 && truncate("/p/trunc", 4) == 0, "truncate");
  check(mkdir("/p/moved-dir", 0755) == 0 && put("/p/moved-dir/inner", "inner\n", 0) == 0 &&
            rename("/p/moved-dir", "/p/dir/sub") == 0, "move a directory");
  // 250000 bytes: several extents' worth of appends, the last ones only flushed at exit.
  pattern(250000);
  int fd = open("/p/big.bin", O_CREAT | O_WRONLY, 0644);
  int ok = fd >= 0;
  for (size_t off = 0; ok && off < 250000; off += 10000)
    ok = write(fd, buf + off, 10000) == 10000;
  check(ok && close(fd) == 0, "write /p/big.bin");
  check(link("/p/dir/a.txt", "/p/hard") == 0, "hard link");
  // Still open at exit: the exit flush writes it (and gives its reservation back).
  static int left_open = -1;
  left_open = open("/p/open-at-exit", O_CREAT | O_WRONLY, 0644);
  check(left_open >= 0 && write(left_open, "written, never closed\n", 22) == 22, "left open");
}

static void verify1(void) {
  check(has("/p/dir/a.txt", "alpha\n"), "/p/dir/a.txt");
  check(has("/p/new-name", "renamed file\n") && !exists("/p/old-name"), "rename kept");
  check(!exists("/p/gone") && !exists("/p/removed"), "deletions kept");
  struct stat st;
  check(stat("/p/empty", &st) == 0 && S_ISDIR(st.st_mode), "empty directory");
  char target[64];
  ssize_t n = readlink("/p/link", target, sizeof target);
  check(n == 9 && memcmp(target, "dir/a.txt", 9) == 0 && has("/p/link", "alpha\n"), "symlink");
  check(has("/p/replaced", "new content\n") && !exists("/p/tmp"), "rename over a file");
  check(has("/p/trunc", "0123"), "truncate");
  check(has("/p/dir/sub/inner", "inner\n") && !exists("/p/moved-dir"), "moved directory");
  static char want[250000];
  pattern(250000);
  memcpy(want, buf, sizeof want);
  int fd = open("/p/big.bin", O_RDONLY);
  n = fd >= 0 ? read(fd, buf, sizeof buf) : -1;
  close(fd);
  check(n == 250000 && memcmp(buf, want, 250000) == 0, "/p/big.bin");
  struct stat st2;
  check(stat("/p/hard", &st) == 0 && st.st_nlink == 2 && has("/p/hard", "alpha\n") &&
            stat("/p/dir/a.txt", &st2) == 0 && st2.st_ino == st.st_ino, "hard link");
  check(has("/p/open-at-exit", "written, never closed\n"), "file left open at exit");
}

static void boot2(void) {
  check(put("/p/boot2", "second boot\n", 0) == 0, "write /p/boot2");
  int fd = open("/p/dir/a.txt", O_WRONLY | O_APPEND);
  check(fd >= 0 && write(fd, "beta\n", 5) == 5 && close(fd) == 0, "append to a.txt");
  check(unlink("/p/new-name") == 0 && rename("/p/trunc", "/p/empty/trunc") == 0,
        "unlink and move");
}

static void verify2(void) {
  check(has("/p/boot2", "second boot\n"), "/p/boot2");
  check(has("/p/dir/a.txt", "alpha\nbeta\n") && has("/p/hard", "alpha\nbeta\n"), "appended");
  check(!exists("/p/new-name") && has("/p/empty/trunc", "0123") && !exists("/p/trunc"),
        "boot 2's unlink and move");
}

int main(void) {
  int boot;
  if (!exists("/p")) {
    boot = 1;
    boot1();
  } else if (!exists("/p/boot2")) {
    boot = 2;
    verify1();
    boot2();
  } else {
    boot = 3;
    verify2();
    check(has("/p/replaced", "new content\n") && has("/p/dir/sub/inner", "inner\n"),
          "boot 1's files after boot 2");
  }
  printf("persist boot %d: %s: %d of %d checks passed\n", boot, failures ? "FAILED" : "all passed",
         checks - failures, checks);
  return failures;
}
