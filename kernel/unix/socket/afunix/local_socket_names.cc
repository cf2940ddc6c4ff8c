// AF_UNIX names and connections: bind (paths and abstract names), listen, connect (the
// server's endpoint is made at once and queued on the listener), accept, the local and
// peer addresses; datagram sockets take names too (their sends are in local_socket.cc).
// Names live in the SocketNames table (socket_names.cc).
#include "arch/x86_64/usercopy.h"
#include "fs/dir_ops.h"
#include "fs/tree.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/string.h"
#include "unix/socket/afunix/local_socket.h"
#include "unix/fs/fs_names.h"
#include "unix/process/process.h"

namespace unix::afunix {

Status read_addr(UserPtr<const void> uaddr, uint64_t len, UnixAddr* a) {
  *a = UnixAddr{};
  if (len < 2 || len > 110)
    return Err(-EINVAL);
  TRY(copy_from_user(a, uaddr.as<void>(), len));
  if (a->family != kAfUnix)
    return Err(-EINVAL);
  return status_ok();
}

Status resolve_name(const UnixAddr& a, uint64_t len, int type, SocketName* key,
                    SocketAddress* shown) {
  *key = SocketName{};
  if (len < 3)
    return Err(-EINVAL); // the family alone names nothing
  const char* path = a.path;
  if (path[0] == 0) { // abstract: every byte after the leading NUL is the name
    key->type = type;
    key->len = static_cast<uint32_t>(len - 3);
    memcpy(key->bytes, path + 1, key->len);
    shown->len = static_cast<uint32_t>(len);
    memcpy(shown->bytes, &a, len);
    return status_ok();
  }
  size_t n = strnlen(path, sizeof a.path);
  const char* slash = nullptr;
  for (size_t i = 0; i < n; ++i)
    if (path[i] == '/')
      slash = path + i;
  const char* name = slash ? slash + 1 : path;
  size_t name_len = n - static_cast<size_t>(name - path);
  if (name_len == 0)
    return Err(-EINVAL); // a directory ("/tmp/"), not a name in one
  NodeId dir = process().cwd;
  if (slash) {
    char dir_path[109];
    size_t d = slash == path ? 1 : static_cast<size_t>(slash - path); // "/s": the root
    memcpy(dir_path, path, d);
    dir_path[d] = 0;
    dir = walk_path(fs::tree(), process().cwd, dir_path, true);
    if (dir < 0)
      return Err(static_cast<int>(dir));
    if (!fs::tree().is_directory(dir))
      return Err(-ENOTDIR);
  }
  key->dir = dir;
  key->len = static_cast<uint32_t>(name_len);
  memcpy(key->bytes, name, name_len);
  // A bound path is its socket node: the key is the node (len 0), which follows renames
  // and is gone from every lookup once unlinked.
  NodeId id = fs::tree().child(dir, name, name_len);
  if (id >= 0 && fs::node(id)->type == fs::NodeType::kSocket) {
    *key = SocketName{};
    key->dir = id;
  }
  shown->len = static_cast<uint32_t>(2 + n + 1);
  memcpy(shown->bytes, &a, shown->len);
  return status_ok();
}

int nothing_bound(const UnixAddr& addr, const SocketName& key) {
  if (key.dir < 0)
    return -ECONNREFUSED;
  NodeId n = walk_path(fs::tree(), process().cwd, addr.path, true);
  return n == -ENOENT ? -ENOENT : n < 0 ? static_cast<int>(n) : -ECONNREFUSED;
}

ErrorOr<SocketAddress> LocalSocket::peer_address() const {
  if (!peer && has_target)
    return peer_name;
  if (!peer)
    return Err(-ENOTCONN);
  // The peer's own name when it is named; a connecting socket also knows the listener's.
  return peer->name.len > 2 ? peer->name : peer_name;
}

Status LocalSocket::bind(UserPtr<const void> user_addr, uint64_t len) {
  UnixAddr addr;
  TRY(read_addr(user_addr, len, &addr));
  if (len == 2) { // autobind: Linux picks an abstract name of five hex digits
    static uint32_t next_auto;
    if (bound)
      return Err(-EINVAL);
    klib::format(addr.path + 1, sizeof addr.path - 1, "%05x", next_auto++ & 0xFFFFF);
    len = 2 + 1 + 5;
  }
  SocketName key;
  SocketAddress shown;
  TRY(resolve_name(addr, len, type(), &key, &shown));
  // A path that names anything (a socket node included) is in use, checked before
  // "already bound" as Linux does for paths; an abstract name is in use when bound.
  bool path = key.dir >= 0;
  if (path && (key.len == 0 || fs::tree().child(key.dir, key.bytes, key.len) >= 0))
    return Err(-EADDRINUSE);
  if (bound)
    return Err(-EINVAL);
  char entry[sizeof key.bytes + 1];
  NodeId dir = static_cast<NodeId>(key.dir);
  if (path) { // bind makes the socket's node (S_IFSOCK), as mknod does on Linux
    memcpy(entry, key.bytes, key.len);
    entry[key.len] = 0;
    long id = fs::make_socket_node(dir, entry);
    if (id < 0)
      return Err(id == -EEXIST ? -EADDRINUSE : static_cast<int>(id));
    key = SocketName{};
    key.dir = id;
  }
  if (int r = g_names.add(key, this); r < 0) {
    if (path)
      (void)fs::remove_entry(dir, entry, false);
    return Err(r);
  }
  bound = true;
  name = shown;
  return status_ok();
}

Status LocalSocket::listen(int requested) {
  if (type() == kSockDgram)
    return Err(-EOPNOTSUPP);
  if (!bound || connected)
    return Err(-EINVAL);
  constexpr int kSomaxconn = 4096;
  int n = requested < 0 || requested > kSomaxconn ? kSomaxconn : requested;
  backlog = static_cast<uint32_t>(n) + 1; // Linux refuses once the queue exceeds it
  listening = true;
  return status_ok();
}

namespace {

// Makes the server's endpoint of a connection from s and queues it on listener l.
Status queue_connection(LocalSocket* s, LocalSocket* l) {
  LocalSocket* server = new_socket(s->type());
  if (!server)
    return Err(-ENOMEM);
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
  return status_ok();
}

} // namespace

Status LocalSocket::connect(File& file, UserPtr<const void> user_addr, uint64_t len) {
  if (connected)
    return Err(-EISCONN);
  if (listening)
    return Err(-EINVAL);
  UnixAddr addr;
  TRY(read_addr(user_addr, len, &addr));
  for (;;) {
    SocketName key;
    SocketAddress shown;
    TRY(resolve_name(addr, len, type(), &key, &shown));
    auto* l = static_cast<LocalSocket*>(g_names.find(key));
    if (!l)
      return Err(nothing_bound(addr, key));
    if (l->type() != type())
      return Err(-EPROTOTYPE);
    if (type() == kSockDgram) { // a default destination, looked up again at each send
      has_target = true;
      target_key = key;
      peer_name = shown;
      return status_ok();
    }
    if (!l->listening)
      return Err(-ECONNREFUSED);
    if (l->pending_count < l->backlog)
      return queue_connection(this, l);
    if (file.flags & linux::O_NONBLOCK)
      return Err(-EAGAIN);
    if (int w = sched::wait(g_backlog_waiters, sched::kNoDeadline, "connect to a full listener");
        w < 0)
      return Err(w);
  }
}

ErrorOr<Socket*> LocalSocket::next_connection(File& listener) {
  if (!listening)
    return Err(-EINVAL);
  while (!pending) {
    if (listener.flags & linux::O_NONBLOCK)
      return Err(-EAGAIN);
    if (int w = sched::wait(readq, sched::kNoDeadline, "accept with no pending connection"); w < 0)
      return Err(w);
  }
  return static_cast<Socket*>(pending);
}

void LocalSocket::take_connection(Socket* connection) {
  auto* server = static_cast<LocalSocket*>(connection);
  LocalSocket* before = nullptr;
  LocalSocket* p = pending;
  for (; p && p != server; p = p->next_pending)
    before = p;
  if (!p)
    return; // not queued here (already taken)
  (before ? before->next_pending : pending) = server->next_pending;
  if (pending_tail == server)
    pending_tail = before;
  server->next_pending = nullptr;
  --pending_count;
  sched::wake_all(g_backlog_waiters);
}

} // namespace unix::afunix
