// Calls the language runtimes make at start (issue 14: the JVM, Node, Python, Perl under
// `trace`): capget, pkey_alloc/pkey_free, the per-thread/process CPU-time clocks of
// pthread_getcpuclockid/clock_getcpuclockid, and Ruby's prctl(PR_SET_THP_DISABLE).
#include "abi_check.h"

#include <linux/capability.h>
#include <pthread.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>

static long capget_raw(struct __user_cap_header_struct* h, struct __user_cap_data_struct* d) {
  return syscall(SYS_capget, h, d);
}

static void capabilities(void) {
  struct __user_cap_header_struct h = {0x12345678, 0};
  struct __user_cap_data_struct d[2];
  // A probe: an unknown version with no data pointer succeeds and names the preferred one.
  ABI_ERRNO("capget probe (bad version, no data)", capget_raw(&h, NULL));
  abi_value("  ...preferred version is _3", h.version == _LINUX_CAPABILITY_VERSION_3);
  h.version = 0x12345678;
  ABI_ERRNO("capget bad version with data", capget_raw(&h, d));
  abi_value("  ...version rewritten to _3", h.version == _LINUX_CAPABILITY_VERSION_3);
  h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, 0};
  ABI_ERRNO("capget v3 self", capget_raw(&h, d));
  abi_value("  ...effective within permitted",
            (d[0].effective & ~d[0].permitted) == 0 && (d[1].effective & ~d[1].permitted) == 0);
  h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, getpid()};
  ABI_ERRNO("capget v3 own pid", capget_raw(&h, d));
  h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_1, 0};
  ABI_ERRNO("capget v1 self", capget_raw(&h, d));
  h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, -1};
  ABI_ERRNO("capget pid -1", capget_raw(&h, d));
  h = (struct __user_cap_header_struct){_LINUX_CAPABILITY_VERSION_3, 99999999};
  ABI_ERRNO("capget no such pid", capget_raw(&h, d));
  ABI_ERRNO("capget NULL header", capget_raw(NULL, d));
}

static void protection_keys(void) {
  ABI_ERRNO("pkey_alloc flags 1", syscall(SYS_pkey_alloc, 1, 0));
  ABI_ERRNO("pkey_alloc bad rights", syscall(SYS_pkey_alloc, 0, 8));
  ABI_ERRNO("pkey_free of a key never allocated", syscall(SYS_pkey_free, 15));
  // With PKU enabled a key comes back; without (the unikernel: no CR4.PKE; this project's
  // host) Linux says EINVAL. ENOSYS (the old answer) fails.
  long k = syscall(SYS_pkey_alloc, 0, 0);
  abi_value("pkey_alloc gives a key or EINVAL", k >= 0 || errno == EINVAL);
  if (k >= 0)
    syscall(SYS_pkey_free, k);
}

// A thread that lives until told to end (a byte on the pipe), so that its CPU clock exists
// while it is read.
static int g_release[2];
static void* wait_for_release(void* arg) {
  char c;
  while (read(g_release[0], &c, 1) < 0 && errno == EINTR) {
  }
  return arg;
}

static void cpu_clocks(void) {
  struct timespec ts;
  clockid_t c;
  ABI_ERRNO("pthread_getcpuclockid(self)", -pthread_getcpuclockid(pthread_self(), &c));
  ABI_ERRNO("clock_getres(thread CPU clock)", clock_getres(c, &ts));
  abi_value("  ...resolution 1 ns", ts.tv_sec == 0 && ts.tv_nsec == 1);
  ABI_ERRNO("clock_gettime(thread CPU clock)", clock_gettime(c, &ts));
  ABI_ERRNO("clock_getcpuclockid(0)", -clock_getcpuclockid(0, &c));
  ABI_ERRNO("clock_gettime(process CPU clock)", clock_gettime(c, &ts));
  ABI_ERRNO("clock_getcpuclockid(getpid())", -clock_getcpuclockid(getpid(), &c));
  ABI_ERRNO("clock_getres(own pid's CPU clock)", clock_getres(c, &ts));
  pthread_t t;
  pipe(g_release);
  pthread_create(&t, NULL, wait_for_release, NULL);
  ABI_ERRNO("pthread_getcpuclockid(another thread)", -pthread_getcpuclockid(t, &c));
  ABI_ERRNO("clock_gettime(another thread's clock)", clock_gettime(c, &ts));
  write(g_release[1], "x", 1);
  pthread_join(t, NULL);
  // Made by hand, as the C library does: ~id << 3 | thread bit 4 | SCHED 2.
  clockid_t gone = (clockid_t)((~99999999u << 3) | 4 | 2);
  ABI_ERRNO("clock_gettime(CPU clock of no thread)", clock_gettime(gone, &ts));
  ABI_ERRNO("clock_getres(CPU clock of no thread)", clock_getres(gone, &ts));
  clockid_t bad_type = (clockid_t)((~0u << 3) | 3);
  ABI_ERRNO("clock_gettime(CPU clock type 3)", clock_gettime(bad_type, &ts));
}

// Ruby 3.1 disables transparent huge pages at start (it was EINVAL, which Ruby ignores).
static void thp_disable(void) {
  ABI_ERRNO("prctl PR_SET_THP_DISABLE 1", prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
  abi_value("  ...PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
  ABI_ERRNO("prctl PR_SET_THP_DISABLE 0", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0));
  abi_value("  ...PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
  ABI_ERRNO("prctl PR_SET_THP_DISABLE 7 (any non-zero)", prctl(PR_SET_THP_DISABLE, 7, 0, 0, 0));
  abi_value("  ...PR_GET_THP_DISABLE", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
  ABI_ERRNO("prctl PR_SET_THP_DISABLE unused argument", prctl(PR_SET_THP_DISABLE, 0, 0, 0, 1));
  abi_value("  ...unchanged", prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
  ABI_ERRNO("prctl PR_GET_THP_DISABLE argument", prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0));
  ABI_ERRNO("prctl unknown option", prctl(9999, 0, 0, 0, 0));
  prctl(PR_SET_THP_DISABLE, 0, 0, 0, 0);
}

int main(void) {
  abi_begin("runtime_calls");
  capabilities();
  protection_keys();
  cpu_clocks();
  thp_disable();
  return abi_end();
}
