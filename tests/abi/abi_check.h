// Shared helpers of the differential ABI programs (tests/abi/README.md). Each program runs
// the same checks on the host, where Linux is the oracle, and in the unikernel, and prints
// one line per check: "abi: <check> = <result>". abi_compare.py compares the two outputs
// line by line, so a result must never depend on things that legitimately differ between
// the two runs (addresses, descriptor numbers above the standard three, timings): print
// what the check concludes, not raw values.
#pragma once
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

// True in the unikernel (the image's environment sets ABI_UNIKERNEL=1). Used only where a
// unikernel must differ from Linux (one process, no users, no fork/exec) or where a check
// cannot run on the host (filling the host's disk): there the host prints the answer the
// unikernel promises (docs/linux-abi.md lists each), the guest the answer it really gets.
static inline int abi_in_unikernel(void) {
  const char* v = getenv("ABI_UNIKERNEL");
  return v && strcmp(v, "1") == 0;
}

// "ok" for a non-negative result, else the errno's name (E2BIG, EBADF...).
static inline const char* abi_errname(int e) {
  const char* n = strerrorname_np(e);
  return n ? n : "E?";
}

// A syscall-style result: r >= 0 prints as "ok", r < 0 as the errno's name.
static inline void abi_result(const char* check, long r) {
  if (r >= 0)
    printf("abi: %s = ok\n", check);
  else
    printf("abi: %s = %s\n", check, abi_errname(errno));
  fflush(stdout);
}

// A value that both kernels must agree on exactly (a size, a flag set, a count).
static inline void abi_value(const char* check, long long v) {
  printf("abi: %s = %lld\n", check, v);
  fflush(stdout);
}

// A free-form answer (a name, a conclusion such as "monotonic").
static inline void abi_text(const char* check, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  printf("abi: %s = ", check);
  vprintf(fmt, ap);
  printf("\n");
  va_end(ap);
  fflush(stdout);
}

// The errno of a call that is expected to fail ("ok" if it did not fail).
#define ABI_ERRNO(check, expr)                                                            \
  do {                                                                                    \
    errno = 0;                                                                            \
    long abi_r_ = (long)(expr);                                                           \
    abi_result(check, abi_r_ < 0 ? -1 : abi_r_);                                          \
  } while (0)

// Every program works inside a fresh directory "abi-work" of its working directory (the
// host run gets a scratch directory; the guest runs in /).
static inline void abi_begin(const char* area) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  mkdir("abi-work", 0755);
  if (chdir("abi-work") != 0) {
    perror("chdir abi-work");
    exit(2);
  }
  printf("abi: begin %s\n", area);
}

static inline int abi_end(void) {
  printf("abi: end\n");
  fflush(stdout);
  return 0;
}
