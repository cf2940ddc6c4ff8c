// The main thread leaves with pthread_exit while a worker still runs: the program goes on
// and ends with status 0 when that last thread exits.
#include <pthread.h>
#include <stdio.h>
#include <time.h>

static void* worker(void* arg) {
  (void)arg;
  struct timespec ts = {0, 30 * 1000000};
  nanosleep(&ts, NULL);
  printf("worker done after main exited\n");
  fflush(stdout);
  return NULL; // the last thread: exit(0) of the whole program
}

int main(void) {
  pthread_t t;
  if (pthread_create(&t, NULL, worker, NULL) != 0)
    return 1;
  printf("main exits first\n");
  fflush(stdout);
  pthread_exit(NULL);
}
