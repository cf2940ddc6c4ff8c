// Threads from an unmodified glibc program: pthread_create/join, mutex + condition variable
// contention, futex timeouts, thread-local storage, a raw CLONE_CHILD_CLEARTID join, a
// thread exiting while others run, preemption of busy loops, nanosleep beside computation,
// signals to one thread and per-thread masks, fork -> ENOSYS, and exit_group from a thread
// that is not the main one (which ends the program with the summary's status).
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static int checks, failures;
static void check(int ok, const char* what) {
  ++checks;
  if (!ok) {
    ++failures;
    printf("FAIL %s\n", what);
  } else if (getenv("THREADS_VERBOSE")) { // by hand: nanos-mkimage build --env THREADS_VERBOSE=1
    printf("ok %s\n", what);
  }
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pid_t gettid_raw(void) {
  return (pid_t)syscall(SYS_gettid);
}

// ---- create/join, return values, distinct tids ----
static void* square(void* arg) {
  intptr_t n = (intptr_t)arg;
  return (void*)(n * n + (gettid_raw() != getpid() ? 0 : 1000));
}

// ---- mutex + condvar: a bounded queue with 3 producers and 3 consumers ----
enum { kItems = 600, kSlots = 4 };
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER, q_not_empty = PTHREAD_COND_INITIALIZER;
static int q_buf[kSlots], q_count, q_head;
static long q_sum;
static int q_taken;

static void* producer(void* arg) {
  int base = (int)(intptr_t)arg;
  for (int i = 1; i <= kItems / 3; ++i) {
    pthread_mutex_lock(&q_lock);
    while (q_count == kSlots)
      pthread_cond_wait(&q_not_full, &q_lock);
    q_buf[(q_head + q_count++) % kSlots] = base + i;
    pthread_cond_signal(&q_not_empty);
    pthread_mutex_unlock(&q_lock);
  }
  return NULL;
}
static void* consumer(void* arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&q_lock);
    while (q_count == 0 && q_taken < kItems)
      pthread_cond_wait(&q_not_empty, &q_lock);
    if (q_taken == kItems) {
      pthread_cond_broadcast(&q_not_empty);
      pthread_mutex_unlock(&q_lock);
      return NULL;
    }
    q_sum += q_buf[q_head];
    q_head = (q_head + 1) % kSlots;
    --q_count;
    ++q_taken;
    if (q_taken == kItems)
      pthread_cond_broadcast(&q_not_empty);
    pthread_cond_signal(&q_not_full);
    pthread_mutex_unlock(&q_lock);
  }
}

// ---- plain mutex contention: 4 threads x 2000 increments ----
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;
static void* incrementer(void* arg) {
  (void)arg;
  for (int i = 0; i < 2000; ++i) {
    pthread_mutex_lock(&count_lock);
    long v = counter;
    if ((i & 63) == 0)
      sched_yield(); // hand the CPU over while holding the lock: others must block
    counter = v + 1;
    pthread_mutex_unlock(&count_lock);
  }
  return NULL;
}

// ---- thread-local storage ----
static __thread int tls_value = 7;
static void* tls_worker(void* arg) {
  int id = (int)(intptr_t)arg;
  int ok = tls_value == 7; // the initial image, per thread
  tls_value = id;
  for (int i = 0; i < 20; ++i)
    sched_yield();
  ok = ok && tls_value == id;
  return (void*)(intptr_t)(ok ? (intptr_t)&tls_value : 0);
}

// ---- raw clone with CLONE_CHILD_CLEARTID ----
static volatile int raw_child_ran;
static int raw_tid_word;
static char raw_stack[16384] __attribute__((aligned(16)));
static long raw_thread_clone(void) {
  unsigned long flags = CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
                        CLONE_SYSVSEM | CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
  register long r10 __asm__("r10") = (long)&raw_tid_word;
  register long r8 __asm__("r8") = 0;
  long ret;
  // The child runs on raw_stack without touching TLS: it sets the flag and exits.
  __asm__ volatile("syscall\n\t"
                   "test %%rax, %%rax\n\t"
                   "jnz 1f\n\t"
                   "movl $1, raw_child_ran(%%rip)\n\t"
                   "mov $60, %%eax\n\t"
                   "xor %%edi, %%edi\n\t"
                   "syscall\n\t"
                   "ud2\n"
                   "1:"
                   : "=a"(ret)
                   : "0"(SYS_clone), "D"(flags), "S"(raw_stack + sizeof raw_stack),
                     "d"(&raw_tid_word), "r"(r10), "r"(r8)
                   : "rcx", "r11", "memory");
  return ret;
}

// ---- a thread that exits while another computes ----
static void* early_exit(void* arg) {
  (void)arg;
  pthread_exit((void*)42);
}
static void* compute(void* arg) {
  volatile uint64_t x = (uint64_t)(intptr_t)arg;
  for (int i = 0; i < 200000; ++i)
    x = x * 6364136223846793005ull + 1442695040888963407ull;
  return (void*)(intptr_t)(x != 0);
}

// ---- preemption ----
static volatile int spin_stop;
static volatile uint64_t spin_count;
static void* spinner(void* arg) {
  (void)arg;
  while (!spin_stop)
    spin_count++; // no syscalls: only the timer can take the CPU away
  return NULL;
}

// ---- nanosleep beside computation ----
static volatile int sleeper_done;
static volatile uint64_t sleeper_elapsed;
static void* sleeper(void* arg) {
  (void)arg;
  uint64_t t0 = now_ns();
  struct timespec ts = {0, 50 * 1000000};
  int r = nanosleep(&ts, NULL);
  sleeper_elapsed = r == 0 ? now_ns() - t0 : 0;
  sleeper_done = 1;
  return NULL;
}

// ---- signals ----
static volatile pid_t handled_on;
static volatile int handled_sig;
static void on_signal(int sig) {
  handled_on = gettid_raw();
  handled_sig = sig;
}
static volatile pid_t waiter_tid;
static volatile int waiter_ready;
static void* signal_waiter(void* arg) {
  int block = (int)(intptr_t)arg;
  sigset_t none, usr;
  sigemptyset(&none);
  sigemptyset(&usr);
  sigaddset(&usr, SIGUSR1);
  sigaddset(&usr, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &usr, NULL); // no signal between the ready flag and the wait
  waiter_tid = gettid_raw();
  waiter_ready = 1;
  (void)block;
  int r = sigsuspend(&none);
  return (void*)(intptr_t)(r == -1 && errno == EINTR);
}

// ---- more signals: a busy thread, a sleeping thread, sigtimedwait, faults ----
static volatile int busy_got;
static void on_busy(int sig) {
  (void)sig;
  busy_got = 1;
}
static void* busy_until_signal(void* arg) {
  (void)arg;
  while (!busy_got)
    ; // no syscalls: the signal can only arrive on a return from an interrupt
  return (void*)1;
}
static volatile int nap_ready;
static void* long_nap(void* arg) {
  (void)arg;
  struct timespec ts = {10, 0}, rem = {0, 0};
  nap_ready = 1;
  int r = nanosleep(&ts, &rem);
  return (void*)(intptr_t)(r == -1 && errno == EINTR && rem.tv_sec >= 5 && rem.tv_sec <= 10);
}
static void* timed_sigwait(void* arg) {
  (void)arg;
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &set, NULL);
  struct timespec shortwait = {0, 10 * 1000000};
  int ok = sigtimedwait(&set, NULL, &shortwait) == -1 && errno == EAGAIN;
  waiter_ready = 1;
  struct timespec longwait = {20, 0};
  siginfo_t info;
  ok = ok && sigtimedwait(&set, &info, &longwait) == SIGUSR2 && info.si_signo == SIGUSR2;
  return (void*)(intptr_t)ok;
}
static __thread sigjmp_buf fault_escape;
static __thread volatile pid_t fault_seen_on;
static void on_thread_fault(int sig, siginfo_t* info, void* uc) {
  (void)uc;
  (void)info;
  fault_seen_on = gettid_raw();
  siglongjmp(fault_escape, sig);
}
static void* faulting_thread(void* arg) {
  (void)arg;
  stack_t ss;
  int alt_off = sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_DISABLE);
  if (sigsetjmp(fault_escape, 1) == 0)
    *(volatile int*)0x40 = 1;
  return (void*)(intptr_t)(alt_off && fault_seen_on == gettid_raw());
}

// ---- robust mutex: the owner dies holding it ----
static pthread_mutex_t robust;
static volatile int robust_held;
static void* die_holding(void* arg) {
  (void)arg;
  pthread_mutex_lock(&robust);
  robust_held = 1;
  struct timespec ts = {0, 20 * 1000000};
  nanosleep(&ts, NULL); // main blocks on the lock meanwhile
  return NULL;          // exits still owning it
}

// ---- raw futex operations ----
static int fw_a, fw_b, fw_c, fw_d;
static volatile int fw_ready, fw_done;
static long futex_call(int* uaddr, int op, int val, long val2, int* uaddr2, int val3) {
  return syscall(SYS_futex, uaddr, op, val, val2, uaddr2, val3);
}
static void* futex_waiter_a(void* arg) {
  (void)arg;
  __atomic_fetch_add(&fw_ready, 1, __ATOMIC_SEQ_CST);
  long r = futex_call(&fw_a, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
  __atomic_fetch_add(&fw_done, 1, __ATOMIC_SEQ_CST);
  return (void*)(intptr_t)(r == 0);
}
static void* futex_waiter_c(void* arg) {
  (void)arg;
  __atomic_fetch_add(&fw_ready, 1, __ATOMIC_SEQ_CST);
  long r = futex_call(&fw_c, FUTEX_WAIT_PRIVATE, 0, 0, NULL, 0);
  return (void*)(intptr_t)(r == 0);
}
static void* futex_waiter_bitset(void* arg) {
  (void)arg;
  __atomic_fetch_add(&fw_ready, 1, __ATOMIC_SEQ_CST);
  long r = futex_call(&fw_d, FUTEX_WAIT_BITSET_PRIVATE, 0, 0, NULL, 0x2);
  return (void*)(intptr_t)(r == 0);
}
static void wait_ready(int n) {
  while (__atomic_load_n(&fw_ready, __ATOMIC_SEQ_CST) < n)
    sched_yield();
  struct timespec ts = {0, 20 * 1000000}; // the waiters (the only runnable threads) block
  nanosleep(&ts, NULL);
}

// ---- SA_RESTART and a descriptor closed under a blocked reader ----
static volatile int usr1_count;
static void on_usr1(int sig) {
  (void)sig;
  ++usr1_count;
}
struct interrupter {
  pthread_t target;
  int write_fd;
};
// Interrupts the target (blocked in read) with SIGUSR1, then gives it a byte to read.
static void* interrupt_then_write(void* arg) {
  struct interrupter* in = arg;
  struct timespec d = {0, 30 * 1000000};
  nanosleep(&d, NULL);
  pthread_kill(in->target, SIGUSR1);
  nanosleep(&d, NULL);
  if (write(in->write_fd, "x", 1) != 1)
    return (void*)1;
  return NULL;
}
// Reads one byte from a descriptor that main closes meanwhile.
static void* read_one(void* arg) {
  char c = 0;
  long n = read((int)(intptr_t)arg, &c, 1);
  return (void*)(intptr_t)(n == 1 ? c : -1);
}
// Returns read's result on a pipe whose reader is interrupted by a SIGUSR1 handler
// installed with `flags`, and in *got the byte read.
static long read_interrupted(int flags, char* got) {
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_usr1;
  sa.sa_flags = flags;
  sigaction(SIGUSR1, &sa, NULL);
  int p[2];
  if (pipe(p) != 0)
    return -2;
  struct interrupter in = {pthread_self(), p[1]};
  pthread_t t;
  pthread_create(&t, NULL, interrupt_then_write, &in);
  long n = read(p[0], got, 1);
  int saved = errno;
  pthread_join(t, NULL);
  close(p[0]);
  close(p[1]);
  errno = saved;
  return n;
}

// ---- exit_group from a thread that is not main ----
static void* finisher(void* arg) {
  (void)arg;
  printf("all passed: %d of %d checks passed\n", checks - failures, checks);
  fflush(stdout);
  syscall(SYS_exit_group, failures ? 1 : 0);
  return NULL;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  // create/join
  pthread_t t[8];
  int created = 1;
  for (int i = 0; i < 6; ++i)
    created = created && pthread_create(&t[i], NULL, square, (void*)(intptr_t)i) == 0;
  check(created, "pthread_create x6");
  long sum = 0;
  for (int i = 0; i < 6; ++i) {
    void* r = NULL;
    pthread_join(t[i], &r);
    sum += (long)(intptr_t)r;
  }
  check(sum == 0 + 1 + 4 + 9 + 16 + 25, "join returns each thread's value; tids differ from pid");

  // mutex + condvar producer/consumer
  for (int i = 0; i < 3; ++i)
    pthread_create(&t[i], NULL, producer, (void*)(intptr_t)(i * 1000));
  for (int i = 3; i < 6; ++i)
    pthread_create(&t[i], NULL, consumer, NULL);
  for (int i = 0; i < 6; ++i)
    pthread_join(t[i], NULL);
  long expect = 0;
  for (int p = 0; p < 3; ++p)
    for (int i = 1; i <= kItems / 3; ++i)
      expect += p * 1000 + i;
  check(q_taken == kItems && q_sum == expect, "condvar producer/consumer moved every item once");

  for (int i = 0; i < 4; ++i)
    pthread_create(&t[i], NULL, incrementer, NULL);
  for (int i = 0; i < 4; ++i)
    pthread_join(t[i], NULL);
  check(counter == 8000, "mutex contention: 8000 increments");

  // futex timeouts
  pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
  pthread_cond_t c = PTHREAD_COND_INITIALIZER;
  struct timespec abs;
  clock_gettime(CLOCK_REALTIME, &abs);
  abs.tv_nsec += 30 * 1000000;
  if (abs.tv_nsec >= 1000000000) {
    abs.tv_sec++;
    abs.tv_nsec -= 1000000000;
  }
  uint64_t t0 = now_ns();
  pthread_mutex_lock(&m);
  int r = pthread_cond_timedwait(&c, &m, &abs);
  pthread_mutex_unlock(&m);
  uint64_t waited = now_ns() - t0;
  check(r == ETIMEDOUT && waited >= 25 * 1000000ull, "pthread_cond_timedwait times out");
  sem_t sem;
  sem_init(&sem, 0, 0);
  clock_gettime(CLOCK_REALTIME, &abs);
  abs.tv_nsec += 20 * 1000000;
  if (abs.tv_nsec >= 1000000000) {
    abs.tv_sec++;
    abs.tv_nsec -= 1000000000;
  }
  t0 = now_ns();
  r = sem_timedwait(&sem, &abs);
  check(r == -1 && errno == ETIMEDOUT && now_ns() - t0 >= 15 * 1000000ull,
        "sem_timedwait times out");
  int word = 5;
  struct timespec rel = {0, 10 * 1000000};
  t0 = now_ns();
  long fr = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 5, &rel, NULL, 0);
  check(fr == -1 && errno == ETIMEDOUT && now_ns() - t0 >= 9 * 1000000ull,
        "FUTEX_WAIT relative timeout");
  fr = syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, 6, NULL, NULL, 0);
  check(fr == -1 && errno == EAGAIN, "FUTEX_WAIT on a changed value: EAGAIN");
  check(syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0) == 0,
        "FUTEX_WAKE with nobody waiting: 0");

  // TLS
  void* addrs[4];
  for (int i = 0; i < 4; ++i)
    pthread_create(&t[i], NULL, tls_worker, (void*)(intptr_t)(100 + i));
  int tls_ok = 1;
  for (int i = 0; i < 4; ++i) {
    pthread_join(t[i], &addrs[i]);
    tls_ok = tls_ok && addrs[i] != NULL && addrs[i] != (void*)&tls_value;
    for (int j = 0; j < i; ++j)
      tls_ok = tls_ok && addrs[i] != addrs[j];
  }
  check(tls_ok && tls_value == 7, "thread-local storage is distinct per thread");

  // raw CLONE_CHILD_CLEARTID
  long tid = raw_thread_clone();
  check(tid > 0, "raw clone returns the child's tid");
  int v;
  while ((v = __atomic_load_n(&raw_tid_word, __ATOMIC_SEQ_CST)) != 0)
    syscall(SYS_futex, &raw_tid_word, FUTEX_WAIT, v, NULL, NULL, 0);
  check(raw_child_ran == 1 && raw_tid_word == 0, "CLONE_CHILD_CLEARTID: tid word cleared, futex woken");

  // a thread exiting while another computes
  pthread_create(&t[0], NULL, compute, (void*)3);
  pthread_create(&t[1], NULL, early_exit, NULL);
  void* r0 = NULL;
  void* r1 = NULL;
  pthread_join(t[1], &r1);
  pthread_join(t[0], &r0);
  check(r1 == (void*)42 && r0 == (void*)1, "pthread_exit while another thread runs");

  // preemption: main spins until the spinner made progress, then the other way round
  spin_stop = 0;
  spin_count = 0;
  pthread_create(&t[0], NULL, spinner, NULL);
  t0 = now_ns();
  while (spin_count < 1000 && now_ns() - t0 < 10ull * 1000000000)
    ;
  check(spin_count >= 1000, "a busy-looping main thread is preempted for another");
  uint64_t seen = spin_count;
  volatile uint64_t mine = 0;
  t0 = now_ns();
  while (now_ns() - t0 < 50 * 1000000ull)
    mine++;
  check(spin_count > seen && mine > 0, "both busy loops progress");
  spin_stop = 1;
  pthread_join(t[0], NULL);

  // nanosleep in one thread while main computes
  pthread_create(&t[0], NULL, sleeper, NULL);
  volatile uint64_t work = 0;
  while (!sleeper_done)
    work++;
  pthread_join(t[0], NULL);
  check(sleeper_elapsed >= 49 * 1000000ull && work > 0, "nanosleep beside a computing thread");

  // pthread_kill reaches exactly that thread
  signal(SIGUSR1, on_signal);
  signal(SIGUSR2, on_signal);
  waiter_ready = 0;
  pthread_create(&t[0], NULL, signal_waiter, NULL);
  while (!waiter_ready)
    sched_yield();
  handled_on = 0;
  pthread_kill(t[0], SIGUSR1);
  void* interrupted = NULL;
  pthread_join(t[0], &interrupted);
  check(handled_sig == SIGUSR1 && handled_on == waiter_tid && interrupted == (void*)1,
        "pthread_kill runs the handler on the target thread, ends its sigsuspend");

  // a process signal goes to a thread that does not block it
  sigset_t usr2;
  sigemptyset(&usr2);
  sigaddset(&usr2, SIGUSR2);
  pthread_sigmask(SIG_BLOCK, &usr2, NULL);
  waiter_ready = 0;
  handled_on = 0;
  handled_sig = 0;
  pthread_create(&t[0], NULL, signal_waiter, NULL);
  while (!waiter_ready)
    sched_yield();
  kill(getpid(), SIGUSR2);
  pthread_join(t[0], &interrupted);
  check(handled_sig == SIGUSR2 && handled_on == waiter_tid && interrupted == (void*)1,
        "kill() is taken by the thread that does not block the signal");
  sigset_t pending;
  sigpending(&pending);
  check(!sigismember(&pending, SIGUSR2), "nothing left pending after delivery");
  // blocked in main only: pending until main unblocks, then handled on main
  raise(SIGUSR2);
  sigpending(&pending);
  check(sigismember(&pending, SIGUSR2) && handled_on == waiter_tid, "blocked signal stays pending");
  pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
  check(handled_on == gettid_raw(), "delivered to main once unblocked");

  // a signal to a thread that never makes a syscall (delivered after an interrupt)
  signal(SIGUSR1, on_busy);
  busy_got = 0;
  pthread_create(&t[0], NULL, busy_until_signal, NULL);
  pthread_kill(t[0], SIGUSR1);
  void* busy_r = NULL;
  pthread_join(t[0], &busy_r);
  check(busy_r == (void*)1 && busy_got, "signal reaches a busy thread with no syscalls");
  // nanosleep interrupted by pthread_kill: EINTR with the time left
  signal(SIGUSR1, on_signal);
  nap_ready = 0;
  pthread_create(&t[0], NULL, long_nap, NULL);
  while (!nap_ready)
    sched_yield();
  struct timespec settle = {0, 20 * 1000000};
  nanosleep(&settle, NULL);
  pthread_kill(t[0], SIGUSR1);
  void* nap_r = NULL;
  pthread_join(t[0], &nap_r);
  check(nap_r == (void*)1, "nanosleep ends with EINTR and the remaining time");
  // sigtimedwait: timeout, then a process signal taken from the wait
  pthread_sigmask(SIG_BLOCK, &usr2, NULL);
  waiter_ready = 0;
  pthread_create(&t[0], NULL, timed_sigwait, NULL);
  while (!waiter_ready)
    sched_yield();
  nanosleep(&settle, NULL);
  kill(getpid(), SIGUSR2); // blocked by main and by the waiter: its sigtimedwait takes it
  void* tw_r = NULL;
  pthread_join(t[0], &tw_r);
  pthread_sigmask(SIG_UNBLOCK, &usr2, NULL);
  check(tw_r == (void*)1, "sigtimedwait: EAGAIN on timeout, then takes the signal");
  // a synchronous fault is handled on the faulting thread (whose sigaltstack starts off)
  struct sigaction fsa;
  memset(&fsa, 0, sizeof fsa);
  fsa.sa_sigaction = on_thread_fault;
  fsa.sa_flags = SA_SIGINFO;
  sigaction(SIGSEGV, &fsa, NULL);
  static char main_alt[16384];
  stack_t mss = {.ss_sp = main_alt, .ss_size = sizeof main_alt, .ss_flags = 0};
  sigaltstack(&mss, NULL);
  void* fault_r = NULL;
  pthread_create(&t[0], NULL, faulting_thread, NULL);
  pthread_join(t[0], &fault_r);
  check(fault_r == (void*)1, "SIGSEGV handled on the faulting thread; its sigaltstack is its own");
  signal(SIGSEGV, SIG_DFL);

  // clock_nanosleep with TIMER_ABSTIME on both clocks
  struct timespec when;
  clock_gettime(CLOCK_MONOTONIC, &when);
  when.tv_nsec += 20 * 1000000;
  if (when.tv_nsec >= 1000000000) {
    when.tv_sec++;
    when.tv_nsec -= 1000000000;
  }
  t0 = now_ns();
  int cr = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &when, NULL);
  check(cr == 0 && now_ns() - t0 >= 15 * 1000000ull, "clock_nanosleep TIMER_ABSTIME (monotonic)");
  clock_gettime(CLOCK_REALTIME, &when);
  when.tv_nsec += 20 * 1000000;
  if (when.tv_nsec >= 1000000000) {
    when.tv_sec++;
    when.tv_nsec -= 1000000000;
  }
  t0 = now_ns();
  cr = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &when, NULL);
  check(cr == 0 && now_ns() - t0 >= 15 * 1000000ull, "clock_nanosleep TIMER_ABSTIME (realtime)");

  // robust mutex: the waiter gets EOWNERDEAD when the owner exits
  pthread_mutexattr_t ma;
  pthread_mutexattr_init(&ma);
  pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
  pthread_mutex_init(&robust, &ma);
  robust_held = 0;
  pthread_create(&t[0], NULL, die_holding, NULL);
  while (!robust_held)
    sched_yield();
  int lr = pthread_mutex_lock(&robust);
  check(lr == EOWNERDEAD, "robust list: a dead owner's mutex comes back EOWNERDEAD");
  if (lr == EOWNERDEAD)
    pthread_mutex_consistent(&robust);
  pthread_mutex_unlock(&robust);
  pthread_join(t[0], NULL);

  // CMP_REQUEUE: two waiters on a move to b, then are woken there
  fw_ready = fw_done = 0;
  pthread_create(&t[0], NULL, futex_waiter_a, NULL);
  pthread_create(&t[1], NULL, futex_waiter_a, NULL);
  wait_ready(2);
  check(futex_call(&fw_a, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, &fw_b, 1) == -1 && errno == EAGAIN,
        "FUTEX_CMP_REQUEUE with a changed value: EAGAIN");
  long moved = futex_call(&fw_a, FUTEX_CMP_REQUEUE_PRIVATE, 0, 2, &fw_b, 0);
  long wa = futex_call(&fw_a, FUTEX_WAKE_PRIVATE, 10, 0, NULL, 0);
  long wb = futex_call(&fw_b, FUTEX_WAKE_PRIVATE, 10, 0, NULL, 0);
  void* ra = NULL;
  void* rb = NULL;
  pthread_join(t[0], &ra);
  pthread_join(t[1], &rb);
  check(moved == 2 && wa == 0 && wb == 2 && ra == (void*)1 && rb == (void*)1,
        "FUTEX_CMP_REQUEUE moves waiters, FUTEX_WAKE wakes them on the new word");
  // WAKE_OP: set c = 1 and wake c's waiter because the old value was 0
  fw_ready = 0;
  pthread_create(&t[0], NULL, futex_waiter_c, NULL);
  wait_ready(1);
  long wo = futex_call(&fw_d, FUTEX_WAKE_OP_PRIVATE, 1, 1, &fw_c,
                       FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0));
  void* rc = NULL;
  pthread_join(t[0], &rc);
  check(wo == 1 && fw_c == 1 && rc == (void*)1, "FUTEX_WAKE_OP sets the word and wakes");
  // bitsets select waiters
  fw_ready = 0;
  pthread_create(&t[0], NULL, futex_waiter_bitset, NULL);
  wait_ready(1);
  long w1 = futex_call(&fw_d, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0x1);
  long w2 = futex_call(&fw_d, FUTEX_WAKE_BITSET_PRIVATE, 1, 0, NULL, 0x2);
  void* rd = NULL;
  pthread_join(t[0], &rd);
  check(w1 == 0 && w2 == 1 && rd == (void*)1, "FUTEX_WAKE_BITSET wakes only matching waiters");
  check(futex_call((int*)((char*)&fw_d + 1), FUTEX_WAKE, 1, 0, NULL, 0) == -1 && errno == EINVAL,
        "misaligned futex word: EINVAL");

  // the vDSO: mapped, an ELF image, and its clocks agree with the syscalls'
  const unsigned char* vdso = (const unsigned char*)getauxval(AT_SYSINFO_EHDR);
  check(vdso && vdso[0] == 0x7F && vdso[1] == 'E' && vdso[2] == 'L' && vdso[3] == 'F',
        "vDSO mapped (AT_SYSINFO_EHDR)");
  struct timespec vm, sm, vr, sr;
  clock_gettime(CLOCK_MONOTONIC, &vm); // through the vDSO
  syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &sm);
  clock_gettime(CLOCK_REALTIME, &vr);
  syscall(SYS_clock_gettime, CLOCK_REALTIME, &sr);
  int64_t dm = (sm.tv_sec - vm.tv_sec) * 1000000000ll + (sm.tv_nsec - vm.tv_nsec);
  int64_t dr = (sr.tv_sec - vr.tv_sec) * 1000000000ll + (sr.tv_nsec - vr.tv_nsec);
  check(dm >= 0 && dm < 50000000 && dr >= 0 && dr < 50000000 && time(NULL) >= vr.tv_sec,
        "vDSO clocks agree with the syscalls");

  // SA_RESTART: the handler runs and the read goes on; without it the read ends in EINTR
  char got = 0;
  usr1_count = 0;
  long rn = read_interrupted(SA_RESTART, &got);
  check(rn == 1 && got == 'x' && usr1_count == 1, "SA_RESTART: read resumes after the handler");
  usr1_count = 0;
  rn = read_interrupted(0, &got);
  check(rn == -1 && errno == EINTR && usr1_count == 1, "no SA_RESTART: read fails with EINTR");
  signal(SIGUSR1, SIG_DFL);

  // a descriptor closed while another thread reads from it: the read still completes (the
  // open file lives on until the read ends), the descriptor number is free again
  int cp[2];
  check(pipe(cp) == 0, "pipe for the close test");
  pthread_t reader;
  pthread_create(&reader, NULL, read_one, (void*)(intptr_t)cp[0]);
  struct timespec pause30 = {0, 30 * 1000000};
  nanosleep(&pause30, NULL);
  check(close(cp[0]) == 0, "close of a descriptor a thread is reading");
  check(write(cp[1], "y", 1) == 1, "write into the pipe after the close");
  void* rr = NULL;
  pthread_join(reader, &rr);
  check(rr == (void*)(intptr_t)'y', "the blocked read gets the byte");
  check(fcntl(cp[0], F_GETFD) == -1 && errno == EBADF, "the closed descriptor is free");
  close(cp[1]);
  check(lseek(cp[1], 0, SEEK_CUR) == -1 && errno == EBADF, "lseek on a closed pipe: EBADF");
  int sp[2];
  check(pipe(sp) == 0 && lseek(sp[0], 0, SEEK_CUR) == -1 && errno == ESPIPE,
        "lseek on a pipe: ESPIPE");
  close(sp[0]);
  close(sp[1]);

  // one process: no fork
  errno = 0;
  pid_t child = fork();
  check(child == -1 && errno == ENOSYS, "fork() fails with ENOSYS");

  // the end: another thread prints the summary and calls exit_group while main waits
  pthread_create(&t[0], NULL, finisher, NULL);
  pthread_join(t[0], NULL);
  printf("FAIL exit_group from a thread did not end the program\n");
  return 2;
}
