// Memory pressure: the program touches anonymous memory (MAP_NORESERVE, so the mmap itself
// succeeds) until RAM runs out. The kernel must not crash: like Linux's OOM killer it ends
// the program as killed by SIGKILL (status 9), after an "out of memory" report.
#include <stdio.h>
#include <sys/mman.h>

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  size_t size = (size_t)1 << 30;
  char* p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (p == MAP_FAILED) {
    printf("mmap of 1 GiB with MAP_NORESERVE failed\n");
    return 1;
  }
  printf("touching up to 1 GiB\n");
  for (size_t off = 0; off < size; off += 4096) {
    p[off] = 1;
    if (off && off % (4 << 20) == 0)
      printf("%zu MiB\n", off >> 20);
  }
  printf("touched 1 GiB in a small guest: the kernel never ran out?\n");
  return 1;
}
