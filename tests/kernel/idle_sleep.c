// An idle program: sleeps 5 s and checks it slept that long. Its boot test
// (idle_cpu_test.py) measures how much host CPU QEMU burned meanwhile: a kernel that halts
// while idle leaves the host nearly idle, one that spins costs a whole core.
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int main(void) {
  printf("idle: sleeping 5 s\n");
  fflush(stdout);
  long long start = now_ms();
  sleep(5);
  long long slept = now_ms() - start;
  printf("idle: awake after %lld ms\n", slept);
  return slept >= 5000 && slept < 8000 ? 0 : 1;
}
