// A program written against Debian's liburing and its ordinary API (io_uring_queue_init,
// io_uring_get_sqe, io_uring_prep_*, io_uring_submit_and_wait, io_uring_wait_cqe...), as
// liburing users are: file I/O, a TCP echo over the loopback interface with ACCEPT,
// CONNECT, SEND and RECV, POLL_ADD, an eventfd registered for completions, the probe, and
// io_uring_wait_cqe_timeout (a wait with IORING_ENTER_EXT_ARG's timeout). Runs on the
// host and in the unikernel; abi_compare.py compares the two outputs.
#include "abi_check.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <liburing.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

static struct io_uring ring;

// Waits for the next CQE and prints its result (bytes or the errno's name).
static int complete(const char* check) {
  struct io_uring_cqe* cqe;
  int r = io_uring_wait_cqe(&ring, &cqe);
  if (r < 0) {
    abi_text(check, "wait failed: %s", abi_errname(-r));
    return r;
  }
  int res = cqe->res;
  io_uring_cqe_seen(&ring, cqe);
  if (res < 0)
    abi_text(check, "%s", abi_errname(-res));
  else
    abi_value(check, res);
  return res;
}

static void file_io(void) {
  int fd = open("liburing-data", O_CREAT | O_RDWR | O_TRUNC, 0644);
  char text[] = "written by liburing";
  io_uring_prep_write(io_uring_get_sqe(&ring), fd, text, sizeof text - 1, 0);
  abi_value("io_uring_submit_and_wait", io_uring_submit_and_wait(&ring, 1));
  complete("prep_write");
  io_uring_prep_fsync(io_uring_get_sqe(&ring), fd, 0);
  io_uring_submit(&ring);
  complete("prep_fsync");
  char back[32] = {0};
  io_uring_prep_read(io_uring_get_sqe(&ring), fd, back, sizeof back, 11);
  io_uring_submit(&ring);
  complete("prep_read");
  abi_text("read back", "%s", back);
  struct io_uring_sqe* sqe = io_uring_get_sqe(&ring);
  io_uring_prep_close(sqe, fd);
  io_uring_submit(&ring);
  complete("prep_close");
}

static void tcp_echo(void) {
  int listener = socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  abi_result("bind 127.0.0.1", bind(listener, (struct sockaddr*)&addr, sizeof addr));
  socklen_t len = sizeof addr;
  getsockname(listener, (struct sockaddr*)&addr, &len);
  listen(listener, 8);

  io_uring_prep_accept(io_uring_get_sqe(&ring), listener, NULL, NULL, 0);
  io_uring_submit(&ring);
  struct io_uring_cqe* cqe;
  abi_value("accept pending (peek finds nothing)", io_uring_peek_cqe(&ring, &cqe) == -EAGAIN);
  int client = socket(AF_INET, SOCK_STREAM, 0);
  io_uring_prep_connect(io_uring_get_sqe(&ring), client, (struct sockaddr*)&addr, sizeof addr);
  io_uring_submit(&ring);
  // Two completions, in either order: the connect (0) and the accepted descriptor.
  int results[2];
  for (int i = 0; i < 2; ++i) {
    io_uring_wait_cqe(&ring, &cqe);
    results[i] = cqe->res;
    io_uring_cqe_seen(&ring, cqe);
  }
  int server = results[0] > 0 ? results[0] : results[1];
  int connected = results[0] > 0 ? results[1] : results[0];
  abi_value("prep_connect", connected);
  abi_value("prep_accept gave a descriptor", server > 2);

  char in[32] = {0};
  io_uring_prep_recv(io_uring_get_sqe(&ring), server, in, sizeof in, 0);
  io_uring_submit(&ring);
  io_uring_prep_send(io_uring_get_sqe(&ring), client, "ping over tcp", 13, 0);
  io_uring_submit(&ring);
  for (int i = 0; i < 2; ++i)
    complete("send/recv bytes");
  abi_text("server received", "%s", in);
  close(server);
  close(client);
  close(listener);
}

static void poll_and_eventfd(void) {
  int efd = eventfd(0, EFD_NONBLOCK);
  int notify = eventfd(0, EFD_NONBLOCK);
  abi_value("io_uring_register_eventfd", io_uring_register_eventfd(&ring, notify));
  io_uring_prep_poll_add(io_uring_get_sqe(&ring), efd, POLLIN);
  io_uring_submit(&ring);
  uint64_t v = 1;
  write(efd, &v, sizeof v);
  complete("prep_poll_add on an eventfd once written");
  uint64_t notified = 0;
  abi_value("completion eventfd signalled", read(notify, &notified, sizeof notified) == 8);
  abi_value("io_uring_unregister_eventfd", io_uring_unregister_eventfd(&ring));
  close(efd);
  close(notify);
}

static void probe_and_timeout(void) {
  struct io_uring_probe* probe = io_uring_get_probe_ring(&ring);
  static const int ops[] = {IORING_OP_READ, IORING_OP_WRITE, IORING_OP_ACCEPT, IORING_OP_RECV,
                            IORING_OP_SEND, IORING_OP_TIMEOUT};
  int supported = 0;
  for (size_t i = 0; probe && i < sizeof ops / sizeof ops[0]; ++i)
    supported += io_uring_opcode_supported(probe, ops[i]);
  abi_value("probe: supported of the 6 used here", supported);
  io_uring_free_probe(probe);

  struct io_uring_cqe* cqe;
  struct __kernel_timespec ts = {0, 30 * 1000 * 1000};
  int r = io_uring_wait_cqe_timeout(&ring, &cqe, &ts);
  abi_text("io_uring_wait_cqe_timeout with nothing in flight", "%s", r < 0 ? abi_errname(-r) : "ok");

}

int main(void) {
  abi_begin("liburing");
  int r = io_uring_queue_init(16, &ring, 0);
  if (r < 0 && !abi_in_unikernel()) {
    printf("abi-skip: this host refuses io_uring (%s): no oracle\n", abi_errname(-r));
    return abi_end();
  }
  abi_value("io_uring_queue_init", r);
  if (r < 0)
    return abi_end();
  file_io();
  tcp_echo();
  poll_and_eventfd();
  probe_and_timeout();
  io_uring_queue_exit(&ring);
  return abi_end();
}
