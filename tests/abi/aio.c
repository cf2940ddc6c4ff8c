// Linux AIO through the raw syscalls (no libaio): io_setup, io_submit of pwrite, pread,
// preadv and fsync requests, completion events with their data and results, eventfd
// notification (IOCB_FLAG_RESFD), io_cancel of a completed request, io_destroy, errors.
#include "abi_check.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>

static long io_setup(unsigned nr, aio_context_t* ctx) {
  return syscall(SYS_io_setup, nr, ctx);
}
static long io_submit(aio_context_t ctx, long nr, struct iocb** list) {
  return syscall(SYS_io_submit, ctx, nr, list);
}
static long io_getevents(aio_context_t ctx, long min_nr, long nr, struct io_event* ev,
                         struct timespec* timeout) {
  return syscall(SYS_io_getevents, ctx, min_nr, nr, ev, timeout);
}

static struct iocb request(int opcode, int fd, void* buf, size_t len, long long offset,
                           uint64_t data) {
  struct iocb cb;
  memset(&cb, 0, sizeof cb);
  cb.aio_lio_opcode = opcode;
  cb.aio_fildes = fd;
  cb.aio_buf = (uint64_t)(uintptr_t)buf;
  cb.aio_nbytes = len;
  cb.aio_offset = offset;
  cb.aio_data = data;
  return cb;
}

int main(void) {
  abi_begin("aio");
  aio_context_t ctx = 0;
  abi_result("io_setup 8", io_setup(8, &ctx));
  aio_context_t again = ctx;
  ABI_ERRNO("io_setup with *ctx not 0", io_setup(8, &again));
  aio_context_t zero = 0;
  ABI_ERRNO("io_setup 0 events", io_setup(0, &zero));
  ABI_ERRNO("io_setup bad pointer", io_setup(8, (aio_context_t*)8));

  int fd = open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
  int efd = eventfd(0, EFD_NONBLOCK);
  char text[] = "asynchronous but not really";
  struct iocb w = request(IOCB_CMD_PWRITE, fd, text, strlen(text), 10, 111);
  w.aio_flags = IOCB_FLAG_RESFD;
  w.aio_resfd = efd;
  struct iocb* one[1] = {&w};
  abi_value("io_submit a pwrite", io_submit(ctx, 1, one));
  struct io_event ev[8];
  struct timespec wait = {5, 0};
  abi_value("io_getevents gets it", io_getevents(ctx, 1, 8, ev, &wait));
  abi_value("event data", (long long)ev[0].data);
  abi_value("event obj is the iocb", ev[0].obj == (uint64_t)(uintptr_t)&w);
  abi_value("event res", ev[0].res);
  uint64_t count = 0;
  abi_value("eventfd was signalled", read(efd, &count, 8));
  abi_value("eventfd count", (long long)count);

  char back[64] = {0}, part1[5] = {0}, part2[8] = {0};
  struct iovec v[2] = {{part1, 4}, {part2, 7}};
  struct iocb r = request(IOCB_CMD_PREAD, fd, back, sizeof back, 10, 222);
  struct iocb rv = request(IOCB_CMD_PREADV, fd, v, 2, 10, 333);
  struct iocb s = request(IOCB_CMD_FSYNC, fd, NULL, 0, 0, 444);
  struct iocb* three[3] = {&r, &rv, &s};
  abi_value("io_submit three", io_submit(ctx, 3, three));
  long n = io_getevents(ctx, 3, 8, ev, &wait);
  abi_value("three events", n);
  for (long i = 0; i < n; ++i) {
    char name[64];
    snprintf(name, sizeof name, "event %lld res", (long long)ev[i].data);
    abi_value(name, ev[i].res);
  }
  abi_text("pread data", "%s", back);
  abi_text("preadv data", "%s|%s", part1, part2);
  struct timespec none = {0, 0};
  abi_value("no more events", io_getevents(ctx, 0, 8, ev, &none));
  struct timespec short_wait = {0, 20 * 1000 * 1000};
  abi_value("waiting for one more times out with 0", io_getevents(ctx, 1, 8, ev, &short_wait));

  struct iocb bad_fd = request(IOCB_CMD_PREAD, 999, back, 8, 0, 5);
  struct iocb* list_bad_fd[1] = {&bad_fd};
  ABI_ERRNO("io_submit with a bad fd", io_submit(ctx, 1, list_bad_fd));
  struct iocb bad_op = request(99, fd, back, 8, 0, 6);
  struct iocb* list_bad_op[1] = {&bad_op};
  ABI_ERRNO("io_submit with an unknown opcode", io_submit(ctx, 1, list_bad_op));
  struct iocb bad_buf = request(IOCB_CMD_PREAD, fd, (void*)8, 8, 0, 7);
  struct iocb* list_bad_buf[1] = {&bad_buf};
  abi_value("io_submit with a bad buffer is accepted", io_submit(ctx, 1, list_bad_buf));
  io_getevents(ctx, 1, 8, ev, &wait);
  abi_text("and completes with", "%s", ev[0].res < 0 ? abi_errname((int)-ev[0].res) : "ok");
  struct iocb resfd_bad = request(IOCB_CMD_PREAD, fd, back, 8, 0, 8);
  resfd_bad.aio_flags = IOCB_FLAG_RESFD;
  resfd_bad.aio_resfd = fd;
  struct iocb* list_resfd[1] = {&resfd_bad};
  ABI_ERRNO("IOCB_FLAG_RESFD with a file that is no eventfd", io_submit(ctx, 1, list_resfd));
  ABI_ERRNO("io_submit on a bad context", io_submit(12345, 1, one));
  ABI_ERRNO("io_submit with a negative count", io_submit(ctx, -1, one));
  abi_value("io_submit of nothing", io_submit(ctx, 0, one));
  ABI_ERRNO("io_getevents min_nr > nr", io_getevents(ctx, 4, 2, ev, &none));
  struct io_event result;
  ABI_ERRNO("io_cancel of a completed request", syscall(SYS_io_cancel, ctx, &w, &result));
  abi_result("io_destroy", syscall(SYS_io_destroy, ctx));
  ABI_ERRNO("io_destroy again", syscall(SYS_io_destroy, ctx));
  ABI_ERRNO("io_getevents on a destroyed context", io_getevents(ctx, 0, 1, ev, &none));
  close(efd);
  close(fd);
  return abi_end();
}
