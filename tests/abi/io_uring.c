// io_uring through the raw syscalls (no liburing): io_uring_setup's sizing and errors, the
// rings mapped from the ring fd, every supported opcode with its CQE, IO_LINK chains,
// requests that complete later (POLL_ADD, READ of an empty pipe, RECV, ACCEPT, TIMEOUT),
// the removal of in-flight requests, EFAULT for bad pointers in CQEs, io_uring_register
// (FILES, EVENTFD, PROBE) and io_uring_enter's errors. CQEs are printed by user_data, so
// the order in which Linux posts simultaneous completions does not matter.
//
// If the host refuses io_uring (sysctl kernel.io_uring_disabled), the oracle cannot answer:
// the program says so with an "abi-skip:" line and abi_compare.py reports the test skipped.
#include "abi_check.h"

#include <fcntl.h>
#include <linux/io_uring.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>

static long uring_setup(unsigned entries, struct io_uring_params* p) {
  return syscall(SYS_io_uring_setup, entries, p);
}
static long uring_enter(int fd, unsigned submit, unsigned min, unsigned flags, void* sig,
                        size_t sigsz) {
  return syscall(SYS_io_uring_enter, fd, submit, min, flags, sig, sigsz);
}
static long uring_register(int fd, unsigned op, void* arg, unsigned n) {
  return syscall(SYS_io_uring_register, fd, op, arg, n);
}

struct ring {
  int fd;
  unsigned sq_entries, cq_entries;
  unsigned *sq_head, *sq_tail, *sq_mask, *sq_array;
  unsigned *cq_head, *cq_tail, *cq_mask;
  struct io_uring_cqe* cqes;
  struct io_uring_sqe* sqes;
};

static int ring_open(struct ring* r, unsigned entries) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  r->fd = (int)uring_setup(entries, &p);
  if (r->fd < 0)
    return -1;
  r->sq_entries = p.sq_entries;
  r->cq_entries = p.cq_entries;
  size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
  size_t size = sq_size > cq_size ? sq_size : cq_size;
  char* rings = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, r->fd,
                     IORING_OFF_SQ_RING);
  r->sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_POPULATE, r->fd, IORING_OFF_SQES);
  if (rings == MAP_FAILED || r->sqes == MAP_FAILED)
    return -1;
  r->sq_head = (unsigned*)(rings + p.sq_off.head);
  r->sq_tail = (unsigned*)(rings + p.sq_off.tail);
  r->sq_mask = (unsigned*)(rings + p.sq_off.ring_mask);
  r->sq_array = (unsigned*)(rings + p.sq_off.array);
  r->cq_head = (unsigned*)(rings + p.cq_off.head);
  r->cq_tail = (unsigned*)(rings + p.cq_off.tail);
  r->cq_mask = (unsigned*)(rings + p.cq_off.ring_mask);
  r->cqes = (struct io_uring_cqe*)(rings + p.cq_off.cqes);
  return 0;
}

// A zeroed SQE at the tail (published by the next ring_submit).
static struct io_uring_sqe* sqe_at_tail(struct ring* r, unsigned* pending) {
  unsigned tail = *r->sq_tail + *pending;
  unsigned index = tail & *r->sq_mask;
  struct io_uring_sqe* s = &r->sqes[index];
  memset(s, 0, sizeof *s);
  r->sq_array[index] = index;
  ++*pending;
  return s;
}

static unsigned g_pending;

static struct io_uring_sqe* prep(struct ring* r, int op, int fd, uint64_t addr, unsigned len,
                                 uint64_t off, uint64_t user_data) {
  struct io_uring_sqe* s = sqe_at_tail(r, &g_pending);
  s->opcode = (uint8_t)op;
  s->fd = fd;
  s->addr = addr;
  s->len = len;
  s->off = off;
  s->user_data = user_data;
  return s;
}

// Publishes the prepared SQEs and enters; returns io_uring_enter's result.
static long ring_submit(struct ring* r, unsigned wait_for) {
  unsigned n = g_pending;
  __atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
  g_pending = 0;
  return uring_enter(r->fd, n, wait_for, wait_for ? IORING_ENTER_GETEVENTS : 0, NULL, 0);
}

#define MAX_SEEN 64
static struct io_uring_cqe g_seen[MAX_SEEN];
static int g_seen_count;

// Moves every posted CQE into g_seen.
static int reap(struct ring* r) {
  int got = 0;
  unsigned head = *r->cq_head;
  while (head != __atomic_load_n(r->cq_tail, __ATOMIC_ACQUIRE)) {
    if (g_seen_count < MAX_SEEN)
      g_seen[g_seen_count++] = r->cqes[head & *r->cq_mask];
    ++head;
    ++got;
  }
  __atomic_store_n(r->cq_head, head, __ATOMIC_RELEASE);
  return got;
}

static const char* res_text(int res) {
  static char buf[32];
  if (res < 0)
    return abi_errname(-res);
  snprintf(buf, sizeof buf, "%d", res);
  return buf;
}

// Prints the CQE of user_data ("missing" if it has not been posted) and forgets it.
static void show(const char* check, uint64_t user_data) {
  for (int i = 0; i < g_seen_count; ++i) {
    if (g_seen[i].user_data != user_data)
      continue;
    abi_text(check, "%s", res_text(g_seen[i].res));
    g_seen[i] = g_seen[--g_seen_count];
    return;
  }
  abi_text(check, "missing");
}

// Like show, but only whether the result is a success (descriptor numbers differ).
static int show_ok(const char* check, uint64_t user_data) {
  for (int i = 0; i < g_seen_count; ++i) {
    if (g_seen[i].user_data != user_data)
      continue;
    int res = g_seen[i].res;
    abi_text(check, "%s", res >= 0 ? "ok" : abi_errname(-res));
    g_seen[i] = g_seen[--g_seen_count];
    return res;
  }
  abi_text(check, "missing");
  return -1;
}

static void setup_checks(void) {
  struct io_uring_params p;
  memset(&p, 0, sizeof p);
  int fd = (int)uring_setup(5, &p);
  abi_result("setup 5 entries", fd);
  abi_value("sq_entries", p.sq_entries);
  abi_value("cq_entries", p.cq_entries);
  abi_value("feature SINGLE_MMAP", !!(p.features & IORING_FEAT_SINGLE_MMAP));
  abi_value("feature SUBMIT_STABLE", !!(p.features & IORING_FEAT_SUBMIT_STABLE));
  abi_value("feature RW_CUR_POS", !!(p.features & IORING_FEAT_RW_CUR_POS));
  abi_value("feature EXT_ARG", !!(p.features & IORING_FEAT_EXT_ARG));
  abi_value("ring fd is close-on-exec", fcntl(fd, F_GETFD) & FD_CLOEXEC);
  char byte;
  ABI_ERRNO("read of a ring fd", read(fd, &byte, 1));
  close(fd);

  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_CQSIZE;
  p.cq_entries = 100;
  fd = (int)uring_setup(4, &p);
  abi_result("setup with CQSIZE 100", fd);
  abi_value("CQSIZE cq_entries", p.cq_entries);
  close(fd);
  memset(&p, 0, sizeof p);
  p.flags = IORING_SETUP_CQSIZE;
  p.cq_entries = 2;
  ABI_ERRNO("CQSIZE smaller than the SQ ring", uring_setup(8, &p));
  memset(&p, 0, sizeof p);
  ABI_ERRNO("setup 0 entries", uring_setup(0, &p));
  ABI_ERRNO("setup 40000 entries", uring_setup(40000, &p));
  memset(&p, 0, sizeof p);
  p.flags = 1u << 31;
  ABI_ERRNO("setup with an unknown flag", uring_setup(8, &p));
  memset(&p, 0, sizeof p);
  p.resv[1] = 1;
  ABI_ERRNO("setup with reserved words set", uring_setup(8, &p));
  ABI_ERRNO("setup with a bad params pointer", uring_setup(8, (struct io_uring_params*)8));
  // Promised difference: no kernel polling thread in the unikernel.
  if (abi_in_unikernel()) {
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SQPOLL;
    ABI_ERRNO("setup with SQPOLL (unikernel: EINVAL)", uring_setup(8, &p));
  } else {
    abi_text("setup with SQPOLL (unikernel: EINVAL)", "EINVAL");
  }
}

static void file_checks(struct ring* r) {
  int fd = open("data", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char text[] = "ring of submissions";
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 1);
  prep(r, IORING_OP_WRITE, fd, (uint64_t)(uintptr_t)text, (unsigned)strlen(text), 0, 2);
  abi_value("enter submits 2 and waits for 2", ring_submit(r, 2));
  reap(r);
  show("NOP", 1);
  show("WRITE", 2);

  char back[32] = {0}, a[5] = {0}, b[16] = {0};
  struct iovec v[2] = {{a, 4}, {b, 8}};
  prep(r, IORING_OP_READ, fd, (uint64_t)(uintptr_t)back, sizeof back, 5, 3);
  prep(r, IORING_OP_READV, fd, (uint64_t)(uintptr_t)v, 2, 0, 4);
  prep(r, IORING_OP_FSYNC, fd, 0, 0, 0, 5);
  struct io_uring_sqe* ds = prep(r, IORING_OP_FSYNC, fd, 0, 0, 0, 6);
  ds->fsync_flags = IORING_FSYNC_DATASYNC;
  abi_value("enter submits 4", ring_submit(r, 4));
  reap(r);
  show("READ at 5", 3);
  abi_text("READ data", "%s", back);
  show("READV at 0", 4);
  abi_text("READV data", "%s|%s", a, b);
  show("FSYNC", 5);
  show("FSYNC DATASYNC", 6);

  // Offset -1: the file offset, which moves (IORING_FEAT_RW_CUR_POS).
  lseek(fd, 5, SEEK_SET);
  memset(back, 0, sizeof back);
  prep(r, IORING_OP_READ, fd, (uint64_t)(uintptr_t)back, 4, (uint64_t)-1, 7);
  ring_submit(r, 1);
  reap(r);
  show("READ at the file offset", 7);
  abi_text("READ at the file offset data", "%s", back);
  abi_value("file offset after it", lseek(fd, 0, SEEK_CUR));
  struct iovec wv[2] = {{"AB", 2}, {"CD", 2}};
  prep(r, IORING_OP_WRITEV, fd, (uint64_t)(uintptr_t)wv, 2, 0, 8);
  ring_submit(r, 1);
  reap(r);
  show("WRITEV", 8);
  memset(back, 0, sizeof back);
  pread(fd, back, 6, 0);
  abi_text("file starts with", "%s", back);

  // Errors reported in CQEs, one submission each: a request that fails before it is issued
  // (bad SQE, iovec array or timespec) also ends its submission batch.
  struct io_uring_sqe* bad;
  prep(r, IORING_OP_READ, fd, 8, 16, 0, 10);
  abi_value("submit READ into a bad buffer", ring_submit(r, 1));
  prep(r, IORING_OP_READV, fd, 8, 2, 0, 11);
  abi_value("submit READV of a bad iovec array", ring_submit(r, 1));
  prep(r, IORING_OP_READ, 999, (uint64_t)(uintptr_t)back, 4, 0, 12);
  abi_value("submit READ of a bad fd", ring_submit(r, 1));
  prep(r, 250, fd, 0, 0, 0, 13);
  abi_value("submit an unknown opcode", ring_submit(r, 1));
  bad = prep(r, IORING_OP_NOP, -1, 0, 0, 0, 14);
  bad->flags = 0x80; // no such IOSQE flag
  abi_value("submit an unknown SQE flag", ring_submit(r, 1));
  bad = prep(r, IORING_OP_FSYNC, fd, 0, 0, 0, 15);
  bad->fsync_flags = 2;
  abi_value("submit FSYNC with unknown flags", ring_submit(r, 1));
  prep(r, IORING_OP_TIMEOUT, -1, 8, 1, 0, 16);
  abi_value("submit TIMEOUT with a bad timespec", ring_submit(r, 1));
  reap(r);
  show("READ into a bad buffer", 10);
  show("READV of a bad iovec array", 11);
  show("READ of a bad fd", 12);
  show("unknown opcode", 13);
  show("unknown SQE flag", 14);
  show("FSYNC with unknown flags", 15);
  show("TIMEOUT with a bad timespec", 16);
  // Two requests after a bad one: the batch stops at it, the rest wait in the SQ ring.
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 17);
  prep(r, 250, fd, 0, 0, 0, 18);
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 19);
  abi_value("a batch with a bad request in the middle submits", ring_submit(r, 0));
  abi_value("the next enter submits the rest", uring_enter(r->fd, 8, 1, IORING_ENTER_GETEVENTS, NULL, 0));
  reap(r);
  show("NOP before the bad request", 17);
  show("the bad request", 18);
  show("NOP after it", 19);

  // OPENAT, STATX, CLOSE.
  prep(r, IORING_OP_OPENAT, AT_FDCWD, (uint64_t)(uintptr_t) "opened", 0644, 0, 20)->open_flags =
      O_CREAT | O_RDWR;
  prep(r, IORING_OP_OPENAT, AT_FDCWD, (uint64_t)(uintptr_t) "absent", 0, 0, 21)->open_flags = O_RDONLY;
  ring_submit(r, 2);
  reap(r);
  int opened = show_ok("OPENAT O_CREAT", 20);
  show("OPENAT of a missing file", 21);
  struct statx stx;
  memset(&stx, 0, sizeof stx);
  prep(r, IORING_OP_STATX, AT_FDCWD, (uint64_t)(uintptr_t) "data", STATX_SIZE,
       (uint64_t)(uintptr_t)&stx, 22);
  prep(r, IORING_OP_STATX, AT_FDCWD, (uint64_t)(uintptr_t) "data", STATX_SIZE, 8, 23);
  ring_submit(r, 2);
  reap(r);
  show("STATX", 22);
  abi_value("STATX size", (long long)stx.stx_size);
  show("STATX into a bad buffer", 23);
  prep(r, IORING_OP_CLOSE, opened, 0, 0, 0, 24);
  ring_submit(r, 1);
  reap(r);
  show("CLOSE", 24);
  prep(r, IORING_OP_CLOSE, opened, 0, 0, 0, 25);
  prep(r, IORING_OP_CLOSE, r->fd, 0, 0, 0, 26);
  ring_submit(r, 2);
  reap(r);
  show("CLOSE again", 25);
  show("CLOSE of the ring itself", 26);

  // IO_LINK: the READ starts after the WRITE; a failed head cancels the rest of its chain.
  char linked[8] = {0};
  prep(r, IORING_OP_WRITE, fd, (uint64_t)(uintptr_t) "linked", 6, 100, 30)->flags = IOSQE_IO_LINK;
  prep(r, IORING_OP_READ, fd, (uint64_t)(uintptr_t)linked, 6, 100, 31);
  prep(r, IORING_OP_READ, 999, (uint64_t)(uintptr_t)linked, 6, 0, 32)->flags = IOSQE_IO_LINK;
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 33)->flags = IOSQE_IO_LINK;
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 34);
  ring_submit(r, 5);
  reap(r);
  show("linked WRITE", 30);
  show("linked READ", 31);
  abi_text("linked READ data", "%s", linked);
  show("failing chain head", 32);
  show("its second request", 33);
  show("its third request", 34);
  close(fd);
}

static void later_checks(struct ring* r) {
  // POLL_ADD on an empty pipe completes once it is written.
  int p[2];
  pipe(p);
  prep(r, IORING_OP_POLL_ADD, p[0], 0, 0, 0, 40)->poll32_events = POLLIN;
  abi_value("POLL_ADD submitted without waiting", ring_submit(r, 0));
  abi_value("no CQE yet", reap(r));
  write(p[1], "x", 1);
  abi_value("enter waiting for it", uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0));
  reap(r);
  show("POLL_ADD result (POLLIN)", 40);
  char c;
  read(p[0], &c, 1);

  // POLL_REMOVE.
  prep(r, IORING_OP_POLL_ADD, p[0], 0, 0, 0, 41)->poll32_events = POLLIN;
  prep(r, IORING_OP_POLL_REMOVE, -1, 41, 0, 0, 42);
  prep(r, IORING_OP_POLL_REMOVE, -1, 4141, 0, 0, 43);
  ring_submit(r, 3);
  reap(r);
  show("removed POLL_ADD", 41);
  show("POLL_REMOVE", 42);
  show("POLL_REMOVE of nothing", 43);

  // READ of an empty pipe: io_uring_enter returns, the CQE comes with the data.
  char got[8] = {0};
  prep(r, IORING_OP_READ, p[0], (uint64_t)(uintptr_t)got, sizeof got, 0, 44);
  abi_value("READ of an empty pipe submitted", ring_submit(r, 0));
  abi_value("no CQE for it yet", reap(r));
  write(p[1], "pipe", 4);
  uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS, NULL, 0);
  reap(r);
  show("READ of the pipe once written", 44);
  abi_text("pipe data", "%s", got);

  // TIMEOUT: expiry, completion count, removal.
  struct __kernel_timespec short_ts = {0, 20 * 1000 * 1000}, long_ts = {10, 0};
  prep(r, IORING_OP_TIMEOUT, -1, (uint64_t)(uintptr_t)&short_ts, 1, 0, 50);
  ring_submit(r, 1);
  reap(r);
  show("TIMEOUT of 20 ms", 50);
  prep(r, IORING_OP_TIMEOUT, -1, (uint64_t)(uintptr_t)&long_ts, 1, 1, 51);
  ring_submit(r, 0);
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 52);
  ring_submit(r, 2);
  reap(r);
  show("TIMEOUT waiting for one completion", 51);
  show("the NOP it counted", 52);
  prep(r, IORING_OP_TIMEOUT, -1, (uint64_t)(uintptr_t)&long_ts, 1, 0, 53);
  prep(r, IORING_OP_TIMEOUT_REMOVE, -1, 53, 0, 0, 54);
  prep(r, IORING_OP_TIMEOUT_REMOVE, -1, 5353, 0, 0, 55);
  ring_submit(r, 3);
  reap(r);
  show("removed TIMEOUT", 53);
  show("TIMEOUT_REMOVE", 54);
  show("TIMEOUT_REMOVE of nothing", 55);

  // The ring fd polls readable with CQEs waiting.
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 56);
  ring_submit(r, 1);
  struct pollfd pf = {r->fd, POLLIN | POLLOUT, 0};
  poll(&pf, 1, 1000);
  abi_value("ring fd poll with a CQE waiting", pf.revents);
  reap(r);
  show("NOP", 56);
  pf.revents = 0;
  poll(&pf, 1, 0);
  abi_value("ring fd poll with none", pf.revents);
  close(p[0]);
  close(p[1]);
}

static void socket_checks(struct ring* r) {
  int sv[2];
  socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
  char in[16] = {0};
  prep(r, IORING_OP_RECV, sv[0], (uint64_t)(uintptr_t)in, sizeof in, 0, 60);
  abi_value("RECV on an empty socket submitted", ring_submit(r, 0));
  abi_value("no CQE for RECV yet", reap(r));
  prep(r, IORING_OP_SEND, sv[1], (uint64_t)(uintptr_t) "hello", 5, 0, 61);
  ring_submit(r, 2);
  reap(r);
  show("SEND", 61);
  show("RECV", 60);
  abi_text("RECV data", "%s", in);
  prep(r, IORING_OP_SEND, 0 + open("data", O_RDONLY), (uint64_t)(uintptr_t) "x", 1, 0, 62);
  ring_submit(r, 1);
  reap(r);
  show("SEND on a file", 62);
  close(sv[0]);
  close(sv[1]);

  // ACCEPT waits for a connection; CONNECT makes one.
  int listener = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  strcpy(addr.sun_path, "uring.sock");
  unlink(addr.sun_path);
  bind(listener, (struct sockaddr*)&addr, sizeof addr);
  listen(listener, 4);
  prep(r, IORING_OP_ACCEPT, listener, 0, 0, 0, 63);
  abi_value("ACCEPT submitted", ring_submit(r, 0));
  abi_value("no CQE for ACCEPT yet", reap(r));
  int client = socket(AF_UNIX, SOCK_STREAM, 0);
  prep(r, IORING_OP_CONNECT, client, (uint64_t)(uintptr_t)&addr, 0, sizeof addr, 64);
  ring_submit(r, 2);
  reap(r);
  show("CONNECT", 64);
  int server = show_ok("ACCEPT", 63);
  char reply[8] = {0};
  prep(r, IORING_OP_SEND, server, (uint64_t)(uintptr_t) "back", 4, 0, 65)->flags = IOSQE_IO_LINK;
  prep(r, IORING_OP_RECV, client, (uint64_t)(uintptr_t)reply, sizeof reply, 0, 66);
  ring_submit(r, 2);
  reap(r);
  show("SEND on the accepted socket", 65);
  show("linked RECV on the client", 66);
  abi_text("reply", "%s", reply);
  close(server);
  close(client);
  close(listener);
}

static void register_checks(struct ring* r) {
  int p[2];
  pipe(p);
  int files[2] = {p[1], -1};
  abi_result("REGISTER_FILES", uring_register(r->fd, IORING_REGISTER_FILES, files, 2));
  ABI_ERRNO("REGISTER_FILES again", uring_register(r->fd, IORING_REGISTER_FILES, files, 2));
  prep(r, IORING_OP_WRITE, 0, (uint64_t)(uintptr_t) "fixed", 5, 0, 70)->flags = IOSQE_FIXED_FILE;
  prep(r, IORING_OP_WRITE, 1, (uint64_t)(uintptr_t) "fixed", 5, 0, 71)->flags = IOSQE_FIXED_FILE;
  prep(r, IORING_OP_WRITE, 7, (uint64_t)(uintptr_t) "fixed", 5, 0, 72)->flags = IOSQE_FIXED_FILE;
  ring_submit(r, 3);
  reap(r);
  show("WRITE to registered file 0", 70);
  show("WRITE to an empty slot", 71);
  show("WRITE past the table", 72);
  char got[8] = {0};
  read(p[0], got, sizeof got);
  abi_text("the pipe got", "%s", got);
  abi_result("UNREGISTER_FILES", uring_register(r->fd, IORING_UNREGISTER_FILES, NULL, 0));
  ABI_ERRNO("UNREGISTER_FILES again", uring_register(r->fd, IORING_UNREGISTER_FILES, NULL, 0));
  ABI_ERRNO("REGISTER_FILES of nothing", uring_register(r->fd, IORING_REGISTER_FILES, files, 0));
  int bad[1] = {999};
  ABI_ERRNO("REGISTER_FILES of a bad fd", uring_register(r->fd, IORING_REGISTER_FILES, bad, 1));
  ABI_ERRNO("REGISTER_FILES from a bad pointer",
            uring_register(r->fd, IORING_REGISTER_FILES, (void*)8, 1));

  int efd = eventfd(0, EFD_NONBLOCK);
  abi_result("REGISTER_EVENTFD", uring_register(r->fd, IORING_REGISTER_EVENTFD, &efd, 1));
  ABI_ERRNO("REGISTER_EVENTFD again", uring_register(r->fd, IORING_REGISTER_EVENTFD, &efd, 1));
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 73);
  ring_submit(r, 1);
  reap(r);
  show("NOP with an eventfd", 73);
  uint64_t count = 0;
  abi_value("eventfd signalled", read(efd, &count, 8) == 8 && count >= 1);
  abi_result("UNREGISTER_EVENTFD", uring_register(r->fd, IORING_UNREGISTER_EVENTFD, NULL, 0));
  ABI_ERRNO("UNREGISTER_EVENTFD again", uring_register(r->fd, IORING_UNREGISTER_EVENTFD, NULL, 0));
  ABI_ERRNO("REGISTER_EVENTFD of a pipe", uring_register(r->fd, IORING_REGISTER_EVENTFD, &p[0], 1));
  close(efd);

  static const int ours[] = {IORING_OP_NOP,       IORING_OP_READV,   IORING_OP_WRITEV,
                             IORING_OP_FSYNC,     IORING_OP_POLL_ADD, IORING_OP_POLL_REMOVE,
                             IORING_OP_TIMEOUT,   IORING_OP_TIMEOUT_REMOVE, IORING_OP_ACCEPT,
                             IORING_OP_CONNECT,   IORING_OP_OPENAT,  IORING_OP_CLOSE,
                             IORING_OP_STATX,     IORING_OP_READ,    IORING_OP_WRITE,
                             IORING_OP_SEND,      IORING_OP_RECV};
  size_t size = sizeof(struct io_uring_probe) + 256 * sizeof(struct io_uring_probe_op);
  struct io_uring_probe* probe = calloc(1, size);
  abi_result("REGISTER_PROBE", uring_register(r->fd, IORING_REGISTER_PROBE, probe, 256));
  int supported = 0;
  for (size_t i = 0; i < sizeof ours / sizeof ours[0]; ++i)
    supported += !!(probe->ops[ours[i]].flags & IO_URING_OP_SUPPORTED);
  abi_value("probe: the 17 opcodes supported", supported);
  memset(probe, 0, size);
  probe->resv = 1;
  ABI_ERRNO("REGISTER_PROBE into dirty memory", uring_register(r->fd, IORING_REGISTER_PROBE, probe, 256));
  free(probe);
  ABI_ERRNO("register with an unknown opcode", uring_register(r->fd, 9999, NULL, 0));
  ABI_ERRNO("register on a pipe", uring_register(p[0], IORING_REGISTER_PROBE, NULL, 0));
  close(p[0]);
  close(p[1]);
}

static void enter_checks(struct ring* r) {
  int p[2];
  pipe(p);
  ABI_ERRNO("enter on a pipe", uring_enter(p[0], 0, 0, 0, NULL, 0));
  ABI_ERRNO("enter on a bad fd", uring_enter(999, 0, 0, 0, NULL, 0));
  ABI_ERRNO("enter with an unknown flag", uring_enter(r->fd, 0, 0, 1u << 30, NULL, 0));
  abi_value("enter with nothing to do", uring_enter(r->fd, 0, 0, 0, NULL, 0));
  sigset_t mask;
  sigemptyset(&mask);
  ABI_ERRNO("enter with a wrong sigset size",
            uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS, &mask, 4));
  struct __kernel_timespec ts = {0, 10 * 1000 * 1000};
  prep(r, IORING_OP_TIMEOUT, -1, (uint64_t)(uintptr_t)&ts, 1, 0, 80);
  unsigned n = g_pending;
  __atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
  g_pending = 0;
  abi_value("enter with a sigset waits", uring_enter(r->fd, n, 1, IORING_ENTER_GETEVENTS, &mask, 8));
  reap(r);
  show("the TIMEOUT it waited for", 80);
  // IORING_ENTER_EXT_ARG: a timeout (and signal mask) for the wait.
  struct io_uring_getevents_arg arg = {.sigmask = (uint64_t)(uintptr_t)&mask,
                                       .sigmask_sz = 8, .ts = (uint64_t)(uintptr_t)&ts};
  ABI_ERRNO("EXT_ARG wait with nothing in flight",
            uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg));
  ABI_ERRNO("EXT_ARG with a wrong size",
            uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, 16));
  ABI_ERRNO("EXT_ARG from a bad pointer",
            uring_enter(r->fd, 0, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, (void*)8, sizeof arg));
  prep(r, IORING_OP_NOP, -1, 0, 0, 0, 81);
  n = g_pending;
  __atomic_store_n(r->sq_tail, *r->sq_tail + n, __ATOMIC_RELEASE);
  g_pending = 0;
  abi_value("EXT_ARG wait for a NOP",
            uring_enter(r->fd, n, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg));
  reap(r);
  show("that NOP", 81);
  close(p[0]);
  close(p[1]);
}

int main(void) {
  abi_begin("io_uring");
  struct io_uring_params probe_params;
  memset(&probe_params, 0, sizeof probe_params);
  long probe_fd = uring_setup(4, &probe_params);
  if (probe_fd < 0 && !abi_in_unikernel()) {
    printf("abi-skip: this host refuses io_uring_setup (%s): no oracle\n", abi_errname(errno));
    return abi_end();
  }
  close((int)probe_fd);
  setup_checks();
  struct ring r;
  if (ring_open(&r, 32) != 0) {
    abi_text("ring_open", "%s", abi_errname(errno));
    return abi_end();
  }
  file_checks(&r);
  later_checks(&r);
  socket_checks(&r);
  register_checks(&r);
  enter_checks(&r);
  close(r.fd);
  return abi_end();
}
