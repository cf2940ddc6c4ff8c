// memfd_create and file seals (F_ADD_SEALS/F_GET_SEALS): what each seal forbids.
#include "abi_check.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/syscall.h>

int main(void) {
  abi_begin("memfd");
  int fd = memfd_create("abi", MFD_ALLOW_SEALING | MFD_CLOEXEC);
  abi_result("memfd_create with sealing", fd);
  abi_value("it is close-on-exec", fcntl(fd, F_GETFD) == FD_CLOEXEC);
  struct stat st;
  fstat(fd, &st);
  abi_value("it is a regular file", S_ISREG(st.st_mode));
  abi_value("it starts empty", st.st_size);
  abi_value("write", write(fd, "hello world", 11));
  fstat(fd, &st);
  abi_value("size after the write", st.st_size);
  char buf[16] = {0};
  abi_value("pread", pread(fd, buf, sizeof buf - 1, 6));
  abi_text("pread data", "%s", buf);
  abi_result("ftruncate to 8192", ftruncate(fd, 8192));
  char* m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
  abi_value("mmap shared", m != MAP_FAILED);
  m[0] = 'H';
  pread(fd, buf, 5, 0);
  buf[5] = 0;
  abi_text("a store through the mapping is in the file", "%s", buf);
  abi_value("F_GET_SEALS starts at 0", fcntl(fd, F_GET_SEALS));
  ABI_ERRNO("F_SEAL_WRITE while a writable mapping exists", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  munmap(m, 8192);
  abi_result("F_ADD_SEALS SHRINK|GROW", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW));
  abi_value("F_GET_SEALS", fcntl(fd, F_GET_SEALS));
  ABI_ERRNO("shrink under F_SEAL_SHRINK", ftruncate(fd, 10));
  ABI_ERRNO("grow under F_SEAL_GROW", ftruncate(fd, 16384));
  ABI_ERRNO("write past the end under F_SEAL_GROW", pwrite(fd, "x", 1, 8192));
  abi_value("write inside under F_SEAL_GROW", pwrite(fd, "x", 1, 100));
  abi_result("same-size ftruncate", ftruncate(fd, 8192));
  abi_result("F_ADD_SEALS WRITE", fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
  ABI_ERRNO("write under F_SEAL_WRITE", pwrite(fd, "x", 1, 0));
  ABI_ERRNO("mmap shared writable under F_SEAL_WRITE",
            mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED ? -1 : 0);
  void* ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
  abi_value("mmap private read-only under F_SEAL_WRITE", ro != MAP_FAILED);
  munmap(ro, 4096);
  abi_result("F_ADD_SEALS SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL));
  ABI_ERRNO("F_ADD_SEALS after F_SEAL_SEAL", fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK));
  abi_value("F_GET_SEALS at the end", fcntl(fd, F_GET_SEALS));
  ABI_ERRNO("F_ADD_SEALS unknown bit", fcntl(fd, F_ADD_SEALS, 0x4000));
  close(fd);

  int plain = memfd_create("abi-plain", 0);
  abi_value("without MFD_ALLOW_SEALING it is sealed with F_SEAL_SEAL", fcntl(plain, F_GET_SEALS));
  ABI_ERRNO("F_ADD_SEALS without MFD_ALLOW_SEALING", fcntl(plain, F_ADD_SEALS, F_SEAL_WRITE));
  abi_value("not close-on-exec without MFD_CLOEXEC", fcntl(plain, F_GETFD));
  close(plain);
  ABI_ERRNO("memfd_create unknown flag", memfd_create("x", 0x100));
  char longname[300];
  memset(longname, 'n', sizeof longname - 1);
  longname[sizeof longname - 1] = 0;
  ABI_ERRNO("memfd_create with a name over 249 bytes", memfd_create(longname, 0));
  ABI_ERRNO("memfd_create bad name pointer", syscall(SYS_memfd_create, 8, 0));
  int f = open("regular", O_CREAT | O_RDWR, 0644);
  ABI_ERRNO("F_GET_SEALS on a regular file", fcntl(f, F_GET_SEALS));
  ABI_ERRNO("F_ADD_SEALS on a regular file", fcntl(f, F_ADD_SEALS, F_SEAL_WRITE));
  close(f);
  return abi_end();
}
