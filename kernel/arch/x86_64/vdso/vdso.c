// The vDSO (AT_SYSINFO_EHDR): clock_gettime, gettimeofday, time and getcpu in user mode,
// so glibc's hot time calls do not trap (a trap is expensive, most of all under kvm-pvm).
// Reads the TSC and the kernel's conversion from the data page that follows the code;
// anything it does not know falls back to the real syscall.
#include "../fixed_point.h"
#include "vdso_data.h"

#include <stdint.h>

struct vdso_timespec {
  int64_t tv_sec, tv_nsec;
};
struct vdso_timeval {
  int64_t tv_sec, tv_usec;
};

extern const struct VdsoData vdso_data __attribute__((visibility("hidden")));

static inline uint64_t read_tsc(void) {
  uint32_t lo, hi;
  __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
  return ((uint64_t)hi << 32) | lo;
}

// A consistent copy of the conversion: the kernel may rewrite it (interrupting this code)
// and changes seq when it does.
static void read_params(uint64_t* tsc, struct VdsoData* out) {
  const volatile struct VdsoData* d = &vdso_data;
  uint64_t seq;
  do {
    seq = d->seq;
    __asm__ volatile("" ::: "memory");
    out->base_tsc = d->base_tsc;
    out->base_ns = d->base_ns;
    out->mul = d->mul;
    out->realtime_offset_ns = d->realtime_offset_ns;
    *tsc = read_tsc();
    __asm__ volatile("" ::: "memory");
  } while (seq != d->seq);
}

// Monotonic time now, and in *offset what turns it into wall-clock time.
static uint64_t monotonic_ns_with(uint64_t* offset) {
  struct VdsoData c;
  uint64_t t;
  read_params(&t, &c);
  *offset = c.realtime_offset_ns;
  if (t >= c.base_tsc)
    return c.base_ns + mul_shift32(t - c.base_tsc, c.mul);
  return c.base_ns; // a TSC behind the base: not expected on one CPU
}

static uint64_t monotonic_ns(void) {
  uint64_t offset;
  return monotonic_ns_with(&offset);
}

static uint64_t realtime_ns(void) {
  uint64_t offset;
  uint64_t mono = monotonic_ns_with(&offset);
  return mono + offset;
}

static long fallback_syscall(long nr, long a0, long a1) {
  long ret;
  __asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
  return ret;
}

int __vdso_clock_gettime(int clock, struct vdso_timespec* ts) {
  uint64_t ns;
  switch (clock) {
  case 0:  // CLOCK_REALTIME
  case 5:  // CLOCK_REALTIME_COARSE
    ns = realtime_ns();
    break;
  case 1:  // CLOCK_MONOTONIC
  case 4:  // CLOCK_MONOTONIC_RAW
  case 6:  // CLOCK_MONOTONIC_COARSE
  case 7:  // CLOCK_BOOTTIME
    ns = monotonic_ns();
    break;
  default:
    return (int)fallback_syscall(228, clock, (long)ts);
  }
  ts->tv_sec = (int64_t)(ns / 1000000000);
  ts->tv_nsec = (int64_t)(ns % 1000000000);
  return 0;
}

int __vdso_gettimeofday(struct vdso_timeval* tv, void* tz) {
  if (tz) // the timezone (always zero here) is rare: let the kernel write it
    return (int)fallback_syscall(96, (long)tv, (long)tz);
  if (tv) {
    uint64_t ns = realtime_ns();
    tv->tv_sec = (int64_t)(ns / 1000000000);
    tv->tv_usec = (int64_t)(ns % 1000000000 / 1000);
  }
  return 0;
}

int64_t __vdso_time(int64_t* t) {
  int64_t s = (int64_t)(realtime_ns() / 1000000000);
  if (t)
    *t = s;
  return s;
}

int __vdso_getcpu(unsigned* cpu, unsigned* node, void* cache) {
  (void)cache;
  if (cpu)
    *cpu = 0; // one CPU
  if (node)
    *node = 0;
  return 0;
}

// The unprefixed names Linux's vDSO also exports.
int clock_gettime(int, struct vdso_timespec*) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct vdso_timeval*, void*) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t*) __attribute__((weak, alias("__vdso_time")));
int getcpu(unsigned*, unsigned*, void*) __attribute__((weak, alias("__vdso_getcpu")));
