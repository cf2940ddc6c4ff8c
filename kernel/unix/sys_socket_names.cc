// AF_UNIX names and connections: bind (paths and abstract names), listen, connect (the
// server's endpoint is made at once and queued on the listener), accept/accept4,
// getsockname/getpeername; datagram sockets take names too (their sends are in
// sys_socket.cc). Names live in the SocketNames table (socket_names.cc).
#include "arch/x86_64/usercopy.h"
#include "fs/tree.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "unix/path_walk.h"
#include "unix/process.h"
#include "unix/socket.h"
#include "unix/syscall_handlers.h"

namespace unix {
namespace afunix {

long read_addr(const void* uaddr, uint64_t len, UnixAddr* a) {
  *a = UnixAddr{};
  if (len < 2 || len > 110)
    return -EINVAL;
  if (copy_from_user(a, uaddr, len) < 0)
    return -EFAULT;
  return a->family == kAfUnix ? 0 : -EINVAL;
}

long resolve_name(const UnixAddr& a, uint64_t len, int type, SocketName* key, Address* shown) {
  *key = SocketName{};
  if (len < 3)
    return -EINVAL; // the family alone names nothing
  const char* path = a.path;
  if (path[0] == 0) { // abstract: every byte after the leading NUL is the name
    key->type = type;
    key->len = static_cast<uint32_t>(len - 3);
    memcpy(key->bytes, path + 1, key->len);
    shown->len = static_cast<uint32_t>(len);
    memcpy(shown->bytes, &a, len);
    return 0;
  }
  size_t n = strnlen(path, sizeof a.path);
  const char* slash = nullptr;
  for (size_t i = 0; i < n; ++i)
    if (path[i] == '/')
      slash = path + i;
  const char* name = slash ? slash + 1 : path;
  size_t name_len = n - static_cast<size_t>(name - path);
  if (name_len == 0)
    return -EINVAL; // a directory ("/tmp/"), not a name in one
  NodeId dir = process().cwd;
  if (slash) {
    char dir_path[109];
    size_t d = slash == path ? 1 : static_cast<size_t>(slash - path); // "/s": the root
    memcpy(dir_path, path, d);
    dir_path[d] = 0;
    dir = walk_path(fs::tree(), process().cwd, dir_path, true);
    if (dir < 0)
      return dir;
    if (!fs::tree().is_directory(dir))
      return -ENOTDIR;
  }
  key->dir = dir;
  key->len = static_cast<uint32_t>(name_len);
  memcpy(key->bytes, name, name_len);
  shown->len = static_cast<uint32_t>(2 + n + 1);
  memcpy(shown->bytes, &a, shown->len);
  return 0;
}

long nothing_bound(const UnixAddr& addr, const SocketName& key) {
  if (key.dir < 0)
    return -ECONNREFUSED;
  NodeId n = walk_path(fs::tree(), process().cwd, addr.path, true);
  return n == -ENOENT ? -ENOENT : n < 0 ? n : -ECONNREFUSED;
}

long put_addr(const Address& addr, void* uaddr, int32_t* ulen) {
  int32_t len;
  if (copy_from_user(&len, ulen, sizeof len) < 0)
    return -EFAULT;
  if (len < 0)
    return -EINVAL;
  size_t n = static_cast<uint32_t>(len) < addr.len ? static_cast<size_t>(len) : addr.len;
  if (n && copy_to_user(uaddr, addr.bytes, n) < 0)
    return -EFAULT;
  auto full = static_cast<int32_t>(addr.len);
  return copy_to_user(ulen, &full, sizeof full) < 0 ? -EFAULT : 0;
}

} // namespace afunix

using namespace afunix;

SyscallResult sys_getsockname(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  return put_addr(s->name, a.p<void>(1), a.p<int32_t>(2));
}

SyscallResult sys_getpeername(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  if (!s->peer && s->has_target)
    return put_addr(s->peer_name, a.p<void>(1), a.p<int32_t>(2));
  if (!s->peer)
    return -ENOTCONN;
  // The peer's own name when it is named; a connecting socket also knows the listener's.
  const Address& peer = s->peer->name.len > 2 ? s->peer->name : s->peer_name;
  return put_addr(peer, a.p<void>(1), a.p<int32_t>(2));
}

SyscallResult sys_bind(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  UnixAddr addr;
  uint64_t len = a.u(2);
  if (long r = read_addr(a.p<const void>(1), len, &addr); r < 0)
    return r;
  if (len == 2) { // autobind: Linux picks an abstract name of five hex digits
    static uint32_t next_auto;
    if (s->bound)
      return -EINVAL;
    klib::format(addr.path + 1, sizeof addr.path - 1, "%05x", next_auto++ & 0xFFFFF);
    len = 2 + 1 + 5;
  }
  SocketName key;
  Address shown;
  if (long r = resolve_name(addr, len, s->type, &key, &shown); r < 0)
    return r;
  // A path that names a file, or a name already bound, is in use (checked before
  // "already bound", as Linux does for paths).
  if (key.dir >= 0 && fs::tree().child(key.dir, key.bytes, key.len) >= 0)
    return -EADDRINUSE;
  if (key.dir >= 0 && g_names.find(key))
    return -EADDRINUSE;
  if (s->bound)
    return -EINVAL;
  if (int r = g_names.add(key, s); r < 0)
    return r;
  s->bound = true;
  s->name = shown;
  return 0;
}

SyscallResult sys_listen(const SyscallArgs& a) {
  long err;
  Socket* s = socket_of(a.i(0), &err);
  if (!s)
    return err;
  if (s->type == kSockDgram)
    return -EOPNOTSUPP;
  if (!s->bound || s->connected)
    return -EINVAL;
  constexpr int kSomaxconn = 4096;
  int backlog = a.i(1);
  backlog = backlog < 0 || backlog > kSomaxconn ? kSomaxconn : backlog;
  s->backlog = static_cast<uint32_t>(backlog) + 1; // Linux refuses once the queue exceeds it
  s->listening = true;
  return 0;
}

SyscallResult sys_connect(const SyscallArgs& a) {
  long err;
  File* f = socket_file(a.i(0), &err);
  if (!f)
    return err;
  FileRef hold(f); // may block: keep the socket if another thread closes it
  auto* s = static_cast<Socket*>(f->object);
  if (s->connected)
    return -EISCONN;
  if (s->listening)
    return -EINVAL;
  UnixAddr addr;
  uint64_t len = a.u(2);
  if (long r = read_addr(a.p<const void>(1), len, &addr); r < 0)
    return r;
  for (;;) {
    SocketName key;
    Address shown;
    long r = resolve_name(addr, len, s->type, &key, &shown);
    if (r < 0)
      return r;
    auto* l = static_cast<Socket*>(g_names.find(key));
    if (!l)
      return nothing_bound(addr, key);
    if (l->type != s->type)
      return -EPROTOTYPE;
    if (s->type == kSockDgram) { // a default destination, looked up again at each send
      s->has_target = true;
      s->target_key = key;
      s->peer_name = shown;
      return 0;
    }
    if (!l->listening)
      return -ECONNREFUSED;
    if (l->pending_count < l->backlog) {
      Socket* server = new_socket(s->type);
      if (!server)
        return -ENOMEM;
      server->connected = s->connected = true;
      server->peer = s;
      s->peer = server;
      server->name = l->name;
      s->peer_name = l->name;
      if (l->pending_tail)
        l->pending_tail->next_pending = server;
      else
        l->pending = server;
      l->pending_tail = server;
      ++l->pending_count;
      sched::wake_all(l->readq);
      announce(l->gen, kEpollIn);
      return 0;
    }
    if (f->flags & linux::O_NONBLOCK)
      return -EAGAIN;
    if (int w = sched::wait(g_backlog_waiters, sched::kNoDeadline, "connect to a full listener");
        w < 0)
      return w;
  }
}

namespace {

long do_accept(const SyscallArgs& a, int flags) {
  long err;
  File* f = socket_file(a.i(0), &err);
  if (!f)
    return err;
  auto* s = static_cast<Socket*>(f->object);
  if (flags & ~(kSockNonblock | kSockCloexec))
    return -EINVAL;
  if (!s->listening)
    return -EINVAL;
  FileRef hold(f); // may block: keep the socket if another thread closes it
  while (!s->pending) {
    if (f->flags & linux::O_NONBLOCK)
      return -EAGAIN;
    if (int w = sched::wait(s->readq, sched::kNoDeadline, "accept with no pending connection");
        w < 0)
      return w;
  }
  Socket* server = s->pending;
  if (a.p<void>(1)) {
    // The connecting socket's name: unnamed unless it was bound too.
    const Address& peer = server->peer ? server->peer->name : Address{};
    if (long r = put_addr(peer, a.p<void>(1), a.p<int32_t>(2)); r < 0)
      return r; // the connection stays queued
  }
  int fd = install_object_file(FileKind::kSocket, server, linux::O_RDWR | (flags & kSockNonblock),
                               flags & kSockCloexec);
  if (fd < 0)
    return fd;
  s->pending = server->next_pending;
  if (!s->pending)
    s->pending_tail = nullptr;
  server->next_pending = nullptr;
  --s->pending_count;
  sched::wake_all(g_backlog_waiters);
  return fd;
}

} // namespace

SyscallResult sys_accept(const SyscallArgs& a) {
  return do_accept(a, 0);
}

SyscallResult sys_accept4(const SyscallArgs& a) {
  return do_accept(a, a.i(3));
}

} // namespace unix
