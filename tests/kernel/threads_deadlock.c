// Two threads that can never be woken (main joins a thread that waits for a mutex main
// holds): the kernel must report the deadlock and exit 127 instead of hanging.
#include <pthread.h>
#include <stdio.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void* take_lock(void* arg) {
  (void)arg;
  pthread_mutex_lock(&lock);
  return NULL;
}

int main(void) {
  pthread_t t;
  pthread_mutex_lock(&lock);
  if (pthread_create(&t, NULL, take_lock, NULL) != 0)
    return 1;
  printf("both threads wait now\n");
  fflush(stdout);
  pthread_join(t, NULL);
  printf("FAIL: join returned\n");
  return 2;
}
