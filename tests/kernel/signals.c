// Signal delivery from an unmodified glibc program: handlers with siginfo, the mask and
// pending signals, SIG_IGN, synchronous faults (SIGSEGV, SIGFPE) caught and left with
// siglongjmp, sigaltstack, and registers/FPU state surviving a handler.
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "check.h"

static volatile sig_atomic_t usr1_count, usr1_signo;
static void on_usr1(int sig, siginfo_t* info, void* uc) {
  (void)uc;
  usr1_count++;
  usr1_signo = info->si_signo == sig ? sig : -1;
}

static sigjmp_buf escape;
static volatile uintptr_t fault_addr;
static volatile uintptr_t handler_stack;
static void on_fault(int sig, siginfo_t* info, void* uc) {
  (void)uc;
  int local;
  handler_stack = (uintptr_t)&local;
  fault_addr = (uintptr_t)info->si_addr;
  siglongjmp(escape, sig);
}

int main(void) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_sigaction = on_usr1;
  sa.sa_flags = SA_SIGINFO;
  check(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction SIGUSR1");

  volatile double x = 1.5;
  raise(SIGUSR1);
  check(usr1_count == 1 && usr1_signo == SIGUSR1, "handler ran once with siginfo");
  check(x * 2 == 3.0, "FPU state survives the handler");

  // Blocked: pending until unblocked.
  sigset_t set, pending;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR1);
  sigprocmask(SIG_BLOCK, &set, NULL);
  raise(SIGUSR1);
  check(usr1_count == 1, "blocked signal not delivered");
  sigpending(&pending);
  check(sigismember(&pending, SIGUSR1), "blocked signal is pending");
  sigprocmask(SIG_UNBLOCK, &set, NULL);
  check(usr1_count == 2, "delivered when unblocked");

  // Ignored.
  signal(SIGUSR1, SIG_IGN);
  raise(SIGUSR1);
  check(usr1_count == 2, "SIG_IGN discards");

  // Synchronous faults, on an alternate stack.
  static char alt[64 * 1024];
  stack_t ss = {.ss_sp = alt, .ss_size = sizeof alt, .ss_flags = 0};
  check(sigaltstack(&ss, NULL) == 0, "sigaltstack");
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigaction(SIGSEGV, &sa, NULL);
  sigaction(SIGFPE, &sa, NULL);
  int sig = sigsetjmp(escape, 1);
  if (sig == 0) {
    *(volatile int*)0x40 = 1;
    check(0, "write to 0x40 returned");
  }
  check(sig == SIGSEGV && fault_addr == 0x40, "SIGSEGV caught with si_addr");
  check(handler_stack >= (uintptr_t)alt && handler_stack < (uintptr_t)alt + sizeof alt,
        "handler ran on the alternate stack");
  volatile int zero = 0;
  sig = sigsetjmp(escape, 1);
  if (sig == 0) {
    volatile int q = 7 / zero;
    (void)q;
    check(0, "division by zero returned");
  }
  check(sig == SIGFPE, "SIGFPE caught");
  // siglongjmp restored the mask: SIGSEGV can be caught again.
  sig = sigsetjmp(escape, 1);
  if (sig == 0)
    *(volatile int*)0x80 = 1;
  check(sig == SIGSEGV && fault_addr == 0x80, "second SIGSEGV caught");

  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures;
}
