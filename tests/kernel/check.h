// The counting check of the kernel's C test programs (tests/kernel/*.c): a program calls
// check() once per assertion, prints its summary from `checks` and `failures`, and exits
// non-zero when any check failed. A failed check prints "FAIL <what>" with errno and, in the
// three-argument form check(ok, what, got), the value the call returned. Programs that list
// every check (their output is compared with Linux's) define CHECK_PRINT_PASSES before
// including this, so passes print "ok   <what>" too.
#pragma once
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int checks, failures;

static inline void check_report(int ok, const char* what, int has_got, long got) {
  int saved = errno;
  ++checks;
#ifdef CHECK_PRINT_PASSES
  if (ok) {
    printf("ok   %s\n", what);
    return;
  }
#endif
  if (ok)
    return;
  ++failures;
  printf("FAIL %s (", what);
  if (has_got)
    printf("got %ld, ", got);
  printf("errno %d %s)\n", saved, strerror(saved));
}

static inline void check_plain(int ok, const char* what) { check_report(ok, what, 0, 0); }
static inline void check_got(int ok, const char* what, long got) { check_report(ok, what, 1, got); }

// check(ok, what) or check(ok, what, got).
#define CHECK_PICK_(a, b, c, name, ...) name
#define check(...) CHECK_PICK_(__VA_ARGS__, check_got, check_plain, )(__VA_ARGS__)
