// /dev/shm through the C library: shm_open/shm_unlink (named memory files whose shared
// mappings see write() and each other) and named POSIX semaphores (sem_open: a file made
// under a temporary name, written, mapped shared, linked to its name), waited on across
// threads -- what Python's multiprocessing locks are made of.
#include "abi_check.h"

#include <fcntl.h>
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <time.h>

static void shared_memory(void) {
  shm_unlink("/abi-shm"); // from an earlier, interrupted host run
  int fd = shm_open("/abi-shm", O_CREAT | O_EXCL | O_RDWR, 0600);
  abi_result("shm_open O_CREAT|O_EXCL", fd);
  ABI_ERRNO("shm_open O_CREAT|O_EXCL again", shm_open("/abi-shm", O_CREAT | O_EXCL | O_RDWR, 0600));
  ABI_ERRNO("ftruncate to 8192", ftruncate(fd, 8192));
  struct stat st;
  fstat(fd, &st);
  abi_value("fstat size", st.st_size);
  abi_value("  ...a regular file", S_ISREG(st.st_mode));
  char* p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  abi_value("mmap MAP_SHARED", p != MAP_FAILED);
  if (p == MAP_FAILED)
    return;
  strcpy(p + 4096, "through the mapping");
  int again = shm_open("/abi-shm", O_RDWR, 0);
  abi_result("shm_open existing", again);
  char buf[32] = {0};
  pread(again, buf, 19, 4096);
  abi_text("pread through another description", "%s", buf);
  pwrite(again, "by write", 8, 0);
  abi_text("the mapping sees pwrite", "%.8s", p);
  char* q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, again, 0);
  abi_text("a second mapping sees the first", "%.8s", q);
  ABI_ERRNO("shm_open O_TRUNC", shm_open("/abi-shm", O_RDWR | O_TRUNC, 0));
  fstat(fd, &st);
  abi_value("size after O_TRUNC", st.st_size);
  ABI_ERRNO("shm_unlink", shm_unlink("/abi-shm"));
  ABI_ERRNO("shm_unlink again", shm_unlink("/abi-shm"));
  ABI_ERRNO("shm_open after unlink", shm_open("/abi-shm", O_RDWR, 0));
  ABI_ERRNO("shm_open O_RDONLY|O_CREAT", shm_open("/abi-shm2", O_RDONLY | O_CREAT, 0600));
  ABI_ERRNO("shm_unlink abi-shm2", shm_unlink("/abi-shm2"));
  // The unlinked file lives on while described and mapped.
  abi_value("write after unlink", pwrite(fd, "still", 5, 0));
  munmap(p, 8192);
  munmap(q, 4096);
  close(fd);
  close(again);
}

static sem_t* g_sem;
static void* post_later(void* arg) {
  (void)arg;
  struct timespec ts = {0, 50 * 1000 * 1000};
  nanosleep(&ts, NULL);
  sem_post(g_sem);
  return NULL;
}

static void semaphores(void) {
  sem_unlink("/abi-sem");
  g_sem = sem_open("/abi-sem", O_CREAT | O_EXCL, 0600, 1);
  abi_value("sem_open O_CREAT|O_EXCL", g_sem != SEM_FAILED);
  if (g_sem == SEM_FAILED)
    return;
  ABI_ERRNO("sem_open O_EXCL again", sem_open("/abi-sem", O_CREAT | O_EXCL, 0600, 1) == SEM_FAILED ? -1 : 0);
  sem_t* same = sem_open("/abi-sem", 0);
  abi_value("sem_open existing is the same mapping", same == g_sem);
  ABI_ERRNO("sem_trywait (1 -> 0)", sem_trywait(g_sem));
  ABI_ERRNO("sem_trywait at 0", sem_trywait(g_sem));
  pthread_t t;
  pthread_create(&t, NULL, post_later, NULL);
  ABI_ERRNO("sem_wait ended by another thread's sem_post", sem_wait(g_sem));
  pthread_join(t, NULL);
  int v = -1;
  sem_getvalue(g_sem, &v);
  abi_value("value", v);
  ABI_ERRNO("sem_unlink", sem_unlink("/abi-sem"));
  ABI_ERRNO("sem_unlink again", sem_unlink("/abi-sem"));
  ABI_ERRNO("sem_post after unlink", sem_post(g_sem));
  sem_close(g_sem);
  ABI_ERRNO("sem_open unlinked name without O_CREAT", sem_open("/abi-sem", 0) == SEM_FAILED ? -1 : 0);
}

int main(void) {
  abi_begin("shm");
  shared_memory();
  semaphores();
  return abi_end();
}
