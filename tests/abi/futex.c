// Futexes: WAKE_OP, REQUEUE/CMP_REQUEUE, WAIT_BITSET with absolute timeouts on both
// clocks, robust mutexes whose owner died (EOWNERDEAD), and error cases.
#include "abi_check.h"

#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>

static long futex(atomic_int* uaddr, int op, int val, const void* timeout, atomic_int* uaddr2,
                  int val3) {
  return syscall(SYS_futex, uaddr, op, val, timeout, uaddr2, val3);
}

static atomic_int word1, word2, woken, started;

static void* waiter_on_1(void* arg) {
  (void)arg;
  atomic_fetch_add(&started, 1);
  while (atomic_load(&word1) == 0)
    futex(&word1, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  atomic_fetch_add(&woken, 1);
  return NULL;
}

static void* waiter_on_2(void* arg) {
  (void)arg;
  atomic_fetch_add(&started, 1);
  while (atomic_load(&word2) == 0)
    futex(&word2, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0);
  atomic_fetch_add(&woken, 1);
  return NULL;
}

static void settle(void) {
  struct timespec t = {0, 50 * 1000 * 1000};
  nanosleep(&t, NULL);
}

// Two waiters on word1 and one on word2; WAKE_OP wakes one on word1 and, since word2 was 0
// (the comparison "old == 0" holds), one on word2 after setting word2 to 1.
static void wake_op(void) {
  atomic_store(&word1, 0);
  atomic_store(&word2, 0);
  atomic_store(&woken, 0);
  atomic_store(&started, 0);
  pthread_t t[3];
  pthread_create(&t[0], NULL, waiter_on_1, NULL);
  pthread_create(&t[1], NULL, waiter_on_1, NULL);
  pthread_create(&t[2], NULL, waiter_on_2, NULL);
  while (atomic_load(&started) < 3)
    settle();
  settle();
  int op = FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0);
  long r = futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, &word2, op);
  abi_value("FUTEX_WAKE_OP woke (word1 + word2)", r);
  abi_value("FUTEX_WAKE_OP set word2", atomic_load(&word2));
  pthread_join(t[2], NULL);
  atomic_store(&word1, 1);
  futex(&word1, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
  pthread_join(t[0], NULL);
  pthread_join(t[1], NULL);
  abi_value("every waiter finished", atomic_load(&woken));
  // The operation is applied even when nobody waits: ADD 5, compare fails -> no wake.
  atomic_store(&word2, 10);
  op = FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_LT, 3);
  r = futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, &word2, op);
  abi_value("WAKE_OP with no waiters", r);
  abi_value("WAKE_OP ADD applied", atomic_load(&word2));
  op = FUTEX_OP(FUTEX_OP_OR, 0x100, FUTEX_OP_CMP_GE, 0);
  futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, &word2, op);
  abi_value("WAKE_OP OR applied", atomic_load(&word2));
  op = FUTEX_OP(FUTEX_OP_ANDN, 0x100, FUTEX_OP_CMP_GE, 0);
  futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, &word2, op);
  abi_value("WAKE_OP ANDN applied", atomic_load(&word2));
  op = FUTEX_OP(FUTEX_OP_XOR, 3, FUTEX_OP_CMP_GE, 0);
  futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, &word2, op);
  abi_value("WAKE_OP XOR applied", atomic_load(&word2));
  op = FUTEX_OP((FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT), 4, FUTEX_OP_CMP_GE, 0);
  futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, &word2, op);
  abi_value("WAKE_OP SET with OPARG_SHIFT", atomic_load(&word2));
  ABI_ERRNO("WAKE_OP with a bad uaddr2",
            futex(&word1, FUTEX_WAKE_OP_PRIVATE, 1, (void*)(uintptr_t)1, (atomic_int*)8, op));
}

// Three waiters on word1: REQUEUE wakes one and moves the others to word2; a wake on
// word2 then reaches them.
static void requeue(void) {
  atomic_store(&word1, 0);
  atomic_store(&word2, 0);
  atomic_store(&woken, 0);
  atomic_store(&started, 0);
  pthread_t t[3];
  for (int i = 0; i < 3; ++i)
    pthread_create(&t[i], NULL, waiter_on_1, NULL);
  while (atomic_load(&started) < 3)
    settle();
  settle();
  ABI_ERRNO("CMP_REQUEUE with a stale value",
            futex(&word1, FUTEX_CMP_REQUEUE_PRIVATE, 1, (void*)(uintptr_t)2, &word2, 7));
  long r = futex(&word1, FUTEX_CMP_REQUEUE_PRIVATE, 0, (void*)(uintptr_t)2, &word2, 0);
  abi_value("CMP_REQUEUE woke + moved", r);
  atomic_store(&word1, 1);
  abi_value("wake on word1 finds the one left", futex(&word1, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
  abi_value("wake on word2 finds the moved two", futex(&word2, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0));
  for (int i = 0; i < 3; ++i)
    pthread_join(t[i], NULL);
  abi_value("every requeued waiter finished", atomic_load(&woken));
  ABI_ERRNO("REQUEUE with a negative count",
            futex(&word1, FUTEX_REQUEUE_PRIVATE, -1, (void*)(uintptr_t)1, &word2, 0));
}

static long long ns_of(struct timespec t) {
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

// WAIT_BITSET takes an absolute deadline: CLOCK_MONOTONIC by default, CLOCK_REALTIME with
// FUTEX_CLOCK_REALTIME. Plain WAIT takes a relative one.
static void timeouts(void) {
  atomic_int w = 0;
  struct timespec start, deadline, end;
  for (int realtime = 0; realtime < 2; ++realtime) {
    clockid_t clock = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;
    clock_gettime(clock, &start);
    deadline = start;
    deadline.tv_nsec += 30 * 1000 * 1000;
    if (deadline.tv_nsec >= 1000000000) {
      deadline.tv_sec++;
      deadline.tv_nsec -= 1000000000;
    }
    int op = FUTEX_WAIT_BITSET_PRIVATE | (realtime ? FUTEX_CLOCK_REALTIME : 0);
    errno = 0;
    long r = futex(&w, op, 0, &deadline, NULL, FUTEX_BITSET_MATCH_ANY);
    clock_gettime(clock, &end);
    abi_text(realtime ? "WAIT_BITSET realtime deadline" : "WAIT_BITSET monotonic deadline",
             "%s", r < 0 ? abi_errname(errno) : "woken");
    long long late = ns_of(end) - ns_of(deadline);
    abi_value(realtime ? "returned after the realtime deadline" : "returned after the monotonic deadline",
              late >= 0);
    abi_value(realtime ? "and not much later (realtime)" : "and not much later (monotonic)",
              late < 2000000000LL);
  }
  // A deadline in the past times out at once.
  struct timespec past = {1, 0};
  ABI_ERRNO("WAIT_BITSET deadline in the past",
            futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, &past, NULL, FUTEX_BITSET_MATCH_ANY));
  struct timespec rel = {0, 20 * 1000 * 1000};
  clock_gettime(CLOCK_MONOTONIC, &start);
  ABI_ERRNO("WAIT relative timeout", futex(&w, FUTEX_WAIT_PRIVATE, 0, &rel, NULL, 0));
  clock_gettime(CLOCK_MONOTONIC, &end);
  abi_value("WAIT waited at least the timeout", ns_of(end) - ns_of(start) >= 20000000LL);
  ABI_ERRNO("WAIT with a changed value", futex(&w, FUTEX_WAIT_PRIVATE, 1, NULL, NULL, 0));
  ABI_ERRNO("WAIT_BITSET with bitset 0", futex(&w, FUTEX_WAIT_BITSET_PRIVATE, 0, NULL, NULL, 0));
  struct timespec bad = {0, 1000000000};
  ABI_ERRNO("WAIT with tv_nsec out of range", futex(&w, FUTEX_WAIT_PRIVATE, 0, &bad, NULL, 0));
  ABI_ERRNO("WAIT at an unaligned address",
            futex((atomic_int*)((char*)&w + 1), FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
  ABI_ERRNO("WAIT at a bad address", futex((atomic_int*)16, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0));
  ABI_ERRNO("unknown futex op", futex(&w, 99, 0, NULL, NULL, 0));
  abi_value("WAKE with nobody waiting", futex(&w, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0));
}

static pthread_mutex_t robust;

static void* lock_and_exit(void* arg) {
  (void)arg;
  pthread_mutex_lock(&robust);
  return NULL; // exits holding the lock
}

static void robust_mutex(void) {
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &attr);
  pthread_t t;
  pthread_create(&t, NULL, lock_and_exit, NULL);
  pthread_join(t, NULL);
  int r = pthread_mutex_lock(&robust);
  abi_text("lock of a robust mutex whose owner exited", "%s", r ? abi_errname(r) : "ok");
  abi_value("pthread_mutex_consistent", pthread_mutex_consistent(&robust));
  pthread_mutex_unlock(&robust);
  abi_value("then it locks normally", pthread_mutex_lock(&robust));
  pthread_mutex_unlock(&robust);
  struct robust_list_head* head;
  size_t len;
  abi_result("get_robust_list of this thread", syscall(SYS_get_robust_list, 0, &head, &len));
  abi_value("robust list head length", len);
  ABI_ERRNO("set_robust_list with a bad length", syscall(SYS_set_robust_list, head, len + 1));
}

int main(void) {
  abi_begin("futex");
  wake_op();
  requeue();
  timeouts();
  robust_mutex();
  return abi_end();
}
