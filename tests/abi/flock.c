// flock(2) between the open file descriptions of one process: shared and exclusive locks,
// LOCK_NB's EWOULDBLOCK, dup'ed descriptors sharing one lock, conversion, release on the
// last close, bad arguments, and a blocked LOCK_EX that a second thread's LOCK_UN ends.
#include "abi_check.h"

#include <fcntl.h>
#include <pthread.h>
#include <sys/file.h>
#include <time.h>

static int open_file(void) {
  return open("locked.txt", O_RDWR | O_CREAT, 0644);
}

static void shared_and_exclusive(void) {
  int a = open_file(), b = open_file(), c = open("locked.txt", O_RDONLY);
  ABI_ERRNO("LOCK_SH on a", flock(a, LOCK_SH));
  ABI_ERRNO("LOCK_SH on b (shares)", flock(b, LOCK_SH | LOCK_NB));
  ABI_ERRNO("LOCK_EX|LOCK_NB on c", flock(c, LOCK_EX | LOCK_NB));
  abi_value("  ...errno is EWOULDBLOCK", errno == EWOULDBLOCK);
  ABI_ERRNO("LOCK_UN on a", flock(a, LOCK_UN));
  ABI_ERRNO("LOCK_EX|LOCK_NB on c, b still shares", flock(c, LOCK_EX | LOCK_NB));
  ABI_ERRNO("LOCK_UN on b", flock(b, LOCK_UN));
  ABI_ERRNO("LOCK_EX|LOCK_NB on a read-only c", flock(c, LOCK_EX | LOCK_NB));
  ABI_ERRNO("LOCK_SH|LOCK_NB on a while c is exclusive", flock(a, LOCK_SH | LOCK_NB));
  ABI_ERRNO("LOCK_EX again on c (no-op)", flock(c, LOCK_EX | LOCK_NB));
  ABI_ERRNO("LOCK_UN twice on c", flock(c, LOCK_UN) | flock(c, LOCK_UN));
  ABI_ERRNO("LOCK_UN without a lock", flock(a, LOCK_UN));
  close(a), close(b), close(c);
}

static void dups_share_the_lock(void) {
  int a = open_file(), other = open_file();
  int d = dup(a);
  ABI_ERRNO("LOCK_EX on a", flock(a, LOCK_EX));
  ABI_ERRNO("LOCK_EX|LOCK_NB on dup(a) (same description)", flock(d, LOCK_EX | LOCK_NB));
  close(a); // the description lives on through d: the lock stays
  ABI_ERRNO("other after closing a, dup open", flock(other, LOCK_EX | LOCK_NB));
  close(d); // the last reference: the lock goes
  ABI_ERRNO("other after the last close", flock(other, LOCK_EX | LOCK_NB));
  close(other);
  // F_DUPFD and dup2 too.
  a = open_file(), other = open_file();
  int e = fcntl(a, F_DUPFD, 20);
  ABI_ERRNO("LOCK_SH on F_DUPFD copy", flock(e, LOCK_SH));
  ABI_ERRNO("LOCK_UN through the original", flock(a, LOCK_UN));
  ABI_ERRNO("other exclusive after LOCK_UN through the original", flock(other, LOCK_EX | LOCK_NB));
  close(a), close(e), close(other);
}

static void conversions(void) {
  int a = open_file(), b = open_file();
  ABI_ERRNO("a LOCK_SH", flock(a, LOCK_SH));
  ABI_ERRNO("a upgrades to LOCK_EX alone", flock(a, LOCK_EX | LOCK_NB));
  ABI_ERRNO("b LOCK_SH|LOCK_NB against a's exclusive", flock(b, LOCK_SH | LOCK_NB));
  ABI_ERRNO("a downgrades to LOCK_SH", flock(a, LOCK_SH | LOCK_NB));
  ABI_ERRNO("b LOCK_SH now shares", flock(b, LOCK_SH | LOCK_NB));
  ABI_ERRNO("a upgrade while b shares", flock(a, LOCK_EX | LOCK_NB));
  // Linux drops a's shared lock before trying the upgrade: b can upgrade now.
  ABI_ERRNO("b upgrades after a's failed upgrade", flock(b, LOCK_EX | LOCK_NB));
  close(a), close(b);
}

static void bad_arguments(void) {
  int a = open_file();
  ABI_ERRNO("flock(a, 0)", flock(a, 0));
  ABI_ERRNO("flock(a, LOCK_SH|LOCK_EX)", flock(a, LOCK_SH | LOCK_EX));
  ABI_ERRNO("flock(a, LOCK_NB)", flock(a, LOCK_NB));
  ABI_ERRNO("flock(-1, LOCK_SH)", flock(-1, LOCK_SH));
  ABI_ERRNO("flock(closed, LOCK_SH)", flock(999, LOCK_SH));
  close(a);
  // Descriptors of other kinds lock too.
  int p[2];
  pipe(p);
  ABI_ERRNO("LOCK_EX on a pipe's read end", flock(p[0], LOCK_EX | LOCK_NB));
  ABI_ERRNO("LOCK_EX on the write end of the same pipe", flock(p[1], LOCK_EX | LOCK_NB));
  close(p[0]), close(p[1]);
}

static int g_holder;
static void* unlock_later(void* arg) {
  (void)arg;
  struct timespec ts = {0, 100 * 1000 * 1000};
  nanosleep(&ts, NULL);
  flock(g_holder, LOCK_UN);
  return NULL;
}

static void blocking_wait(void) {
  int waiter = open_file();
  g_holder = open_file();
  flock(g_holder, LOCK_EX);
  pthread_t t;
  pthread_create(&t, NULL, unlock_later, NULL);
  ABI_ERRNO("blocking LOCK_EX, ended by the other thread's LOCK_UN", flock(waiter, LOCK_EX));
  pthread_join(t, NULL);
  ABI_ERRNO("holder now blocked out", flock(g_holder, LOCK_SH | LOCK_NB));
  close(waiter), close(g_holder);
}

int main(void) {
  abi_begin("flock");
  shared_and_exclusive();
  dups_share_the_lock();
  conversions();
  bad_arguments();
  blocking_wait();
  unlink("locked.txt");
  return abi_end();
}
