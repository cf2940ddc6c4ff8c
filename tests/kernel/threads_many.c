// Many threads at once (issue 15): 2000 threads, all alive together (each waits at a barrier
// with the main thread), then each exits and is joined. Every thread's stack is two memory
// regions (the stack and its guard page), so this needs over 4000 regions: more than the
// fixed table of 1024 the kernel once had (which stopped programs at ~500 threads). The
// limit now follows the guest's memory (docs/kernel.md, "Memory map").
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define THREADS 2000

static pthread_barrier_t all_started;

static void* worker(void* arg) {
  pthread_barrier_wait(&all_started);
  return arg;
}

static int count_regions(void) {
  FILE* f = fopen("/proc/self/maps", "r");
  if (!f)
    return -1;
  int lines = 0, c;
  while ((c = fgetc(f)) != EOF)
    lines += c == '\n';
  fclose(f);
  return lines;
}

int main(void) {
  static pthread_t threads[THREADS];
  pthread_attr_t attr;
  pthread_attr_init(&attr);
  pthread_attr_setstacksize(&attr, 64 * 1024); // small stacks: the test is about regions
  pthread_barrier_init(&all_started, NULL, THREADS + 1);
  for (int i = 0; i < THREADS; ++i) {
    int r = pthread_create(&threads[i], &attr, worker, (void*)(intptr_t)i);
    if (r != 0) {
      printf("FAIL: pthread_create number %d: %s\n", i + 1, strerror(r));
      return 1;
    }
  }
  int regions = count_regions();
  printf("many threads: %d alive at once, %d memory regions\n", THREADS, regions);
  pthread_barrier_wait(&all_started);
  for (int i = 0; i < THREADS; ++i) {
    void* back = NULL;
    int r = pthread_join(threads[i], &back);
    if (r != 0 || back != (void*)(intptr_t)i) {
      printf("FAIL: join of thread %d: %s\n", i, r ? strerror(r) : "wrong result");
      return 1;
    }
  }
  printf("many threads: all %d exited and joined\n", THREADS);
  return 0;
}
