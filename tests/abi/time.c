// Time: times() and the clocks never go backwards, CPU clocks advance with work,
// getrusage, clock_getres and bad clock ids.
#include "abi_check.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/times.h>
#include <time.h>

static long long ns(clockid_t c) {
  struct timespec t;
  clock_gettime(c, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static volatile unsigned long sink;

static void burn(long long how_long_ns) {
  long long end = ns(CLOCK_MONOTONIC) + how_long_ns;
  while (ns(CLOCK_MONOTONIC) < end)
    for (int i = 0; i < 1000; ++i)
      sink += (unsigned long)i * 7;
}

int main(void) {
  abi_begin("time");
  struct tms buf;
  clock_t prev = times(&buf);
  int backwards = 0, cpu_backwards = 0;
  clock_t prev_cpu = buf.tms_utime + buf.tms_stime;
  for (int i = 0; i < 2000; ++i) {
    clock_t now = times(&buf);
    backwards |= now < prev;
    cpu_backwards |= buf.tms_utime + buf.tms_stime < prev_cpu;
    prev = now;
    prev_cpu = buf.tms_utime + buf.tms_stime;
    if (i % 100 == 0)
      burn(1000000);
  }
  abi_value("times() never goes backwards", !backwards);
  abi_value("tms_utime + tms_stime never go backwards", !cpu_backwards);
  clock_t t0 = times(&buf);
  burn(60 * 1000000LL);
  clock_t t1 = times(&buf);
  abi_value("times() advances by about 6 ticks over 60 ms", t1 - t0 >= 5 && t1 - t0 <= 100);
  abi_value("times() accepts a null buffer", times(NULL) != (clock_t)-1);
  ABI_ERRNO("times() with a bad buffer", syscall(SYS_times, (void*)8));
  abi_value("sysconf(_SC_CLK_TCK)", sysconf(_SC_CLK_TCK));

  clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
                        CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID,
                        CLOCK_MONOTONIC_COARSE, CLOCK_REALTIME_COARSE};
  const char* names[] = {"REALTIME", "MONOTONIC", "MONOTONIC_RAW", "BOOTTIME",
                         "PROCESS_CPUTIME", "THREAD_CPUTIME", "MONOTONIC_COARSE",
                         "REALTIME_COARSE"};
  for (unsigned i = 0; i < sizeof clocks / sizeof *clocks; ++i) {
    char name[80];
    long long a = ns(clocks[i]);
    int back = 0;
    for (int k = 0; k < 200; ++k) {
      long long b = ns(clocks[i]);
      back |= b < a;
      a = b;
    }
    snprintf(name, sizeof name, "CLOCK_%s never goes backwards", names[i]);
    abi_value(name, !back);
    struct timespec res;
    snprintf(name, sizeof name, "clock_getres(CLOCK_%s)", names[i]);
    abi_result(name, clock_getres(clocks[i], &res));
  }
  long long c0 = ns(CLOCK_PROCESS_CPUTIME_ID);
  burn(50 * 1000000LL);
  long long c1 = ns(CLOCK_PROCESS_CPUTIME_ID);
  // Only "it advanced": on a loaded host the share of CPU time is anybody's guess.
  abi_value("CPU time advanced during 50 ms of work", c1 > c0 && c1 - c0 <= 500000000LL);
  struct timespec ts;
  ABI_ERRNO("clock_gettime of an unknown clock", syscall(SYS_clock_gettime, 99, &ts));
  ABI_ERRNO("clock_gettime with a bad pointer", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, 8));
  ABI_ERRNO("clock_settime of MONOTONIC", clock_settime(CLOCK_MONOTONIC, &ts));
  struct timespec bad = {0, 2000000000L};
  ABI_ERRNO("nanosleep with tv_nsec out of range", nanosleep(&bad, NULL));
  struct rusage ru;
  abi_result("getrusage(RUSAGE_SELF)", getrusage(RUSAGE_SELF, &ru));
  abi_value("ru_utime + ru_stime is not zero",
            ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000LL +
                    ru.ru_stime.tv_usec > 0);
  abi_result("getrusage(RUSAGE_THREAD)", getrusage(RUSAGE_THREAD, &ru));
  ABI_ERRNO("getrusage(99)", getrusage(99, &ru));
  return abi_end();
}
