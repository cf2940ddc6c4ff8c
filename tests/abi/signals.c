// Synchronous signals: which signal, si_code and si_addr each kind of fault delivers
// (page faults, general-protection faults from non-canonical addresses, bus errors, divide
// errors, invalid opcodes, breakpoints), and the vsyscall page as Linux's default mode
// (execute-only: calls work, reads fault).
#include "abi_check.h"

#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/time.h>
#include <time.h>

static sigjmp_buf recover;
static volatile int got_signal, got_code;
static void* volatile got_addr;

static void on_fault(int sig, siginfo_t* si, void* uc) {
  (void)uc;
  got_signal = sig;
  got_code = si->si_code;
  got_addr = si->si_addr;
  siglongjmp(recover, 1);
}

// Runs fn; reports the signal, its si_code, and whether si_addr equals `addr`.
static void expect_fault(const char* what, void (*fn)(void), void* addr) {
  got_signal = 0;
  got_code = 0;
  got_addr = 0;
  if (sigsetjmp(recover, 1) == 0)
    fn();
  char name[160];
  snprintf(name, sizeof name, "%s: signal", what);
  abi_text(name, "%s", got_signal ? sigabbrev_np(got_signal) : "none");
  snprintf(name, sizeof name, "%s: si_code", what);
  abi_value(name, got_code);
  snprintf(name, sizeof name, "%s: si_addr as expected", what);
  abi_value(name, got_addr == addr);
}

static volatile char* volatile target;

static void read_target(void) {
  (void)*target;
}
static void write_target(void) {
  *target = 1;
}
static void jump_target(void) {
  ((void (*)(void))(uintptr_t)target)();
}

extern char ud2_at[], int3_after[], div_at[];
static void do_ud2(void) {
  __asm__ volatile("ud2_at: ud2");
}
static void do_int3(void) {
  __asm__ volatile("int3\nint3_after: nop");
}
static void do_divide(void) {
  __asm__ volatile("xor %%ecx, %%ecx\nmov $1, %%eax\ncdq\ndiv_at: idivl %%ecx" ::: "eax",
                   "ecx", "edx");
}

static void faults(void) {
  char* page = mmap(NULL, 8192, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  munmap(page + 4096, 4096);
  target = page + 4096 + 8;
  expect_fault("read of an unmapped page", read_target, (void*)target);
  target = page + 16;
  expect_fault("write to a read-only page", write_target, (void*)target);
  expect_fault("jump into a non-executable page", jump_target, (void*)target);
  target = (char*)0x8000000000000000ull;
  expect_fault("read of a non-canonical address", read_target, NULL);
  target = (char*)0x0000900000000000ull;
  expect_fault("jump to a non-canonical address", jump_target, NULL);
  target = (char*)0xffff800000001000ull;
  expect_fault("read of a kernel address", read_target, (void*)target);
  expect_fault("ud2", do_ud2, ud2_at);
  expect_fault("int3", do_int3, NULL);
  expect_fault("integer divide by zero", do_divide, div_at);
  // A mapping of a file past its end: SIGBUS BUS_ADRERR.
  int f = open("short", O_CREAT | O_RDWR | O_TRUNC, 0644);
  write(f, "x", 1);
  char* m = mmap(NULL, 8192, PROT_READ, MAP_SHARED, f, 0);
  target = m + 4096 + 4;
  expect_fault("read past the end of a mapped file", read_target, (void*)target);
  close(f);
  munmap(m, 8192);
  munmap(page, 4096);
}

// The vsyscall page at its fixed address: gettimeofday (0x...000), time (0x...400) and
// getcpu (0x...800) can be called; reading the page faults (vsyscall=xonly, Linux's default).
static void vsyscall(void) {
  typedef int (*gtod_fn)(struct timeval*, void*);
  typedef time_t (*time_fn)(time_t*);
  struct timeval tv = {0, 0};
  int r = ((gtod_fn)0xffffffffff600000ull)(&tv, NULL);
  abi_value("vsyscall gettimeofday returns 0", r);
  abi_value("vsyscall gettimeofday is about now", labs(tv.tv_sec - time(NULL)) <= 2);
  time_t t2 = 0;
  time_t t = ((time_fn)0xffffffffff600400ull)(&t2);
  abi_value("vsyscall time agrees with time()", labs(t - time(NULL)) <= 2 && t == t2);
  target = (char*)0xffffffffff600000ull;
  expect_fault("read of the vsyscall page", read_target, (void*)target);
}

int main(void) {
  abi_begin("signals");
  static char altstack[64 * 1024];
  stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack};
  sigaltstack(&ss, NULL);
  struct sigaction sa = {0};
  sa.sa_sigaction = on_fault;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
  int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP};
  for (unsigned i = 0; i < sizeof sigs / sizeof *sigs; ++i)
    sigaction(sigs[i], &sa, NULL);
  faults();
  vsyscall();
  return abi_end();
}
