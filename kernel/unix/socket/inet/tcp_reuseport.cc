// SO_REUSEPORT listener groups (tcp_socket.h). The engine keeps one listener per port, so
// the sockets that share a port through SO_REUSEPORT share that engine listener here: the
// group takes the connections the engine completes and hands them to its members in turn
// (Linux spreads them by a hash of the addresses; in turn spreads them evenly), each member
// accepting only its own. A member that closes resets the connections handed to it and not
// yet accepted, as Linux does; the last one closes the engine listener.
#include "lib/new.h"
#include "net/host.h"
#include "unix/socket/inet/tcp_socket.h"

namespace unix::inet {

struct ReusePortGroup {
  static constexpr size_t kMaxMembers = 64;
  net::tcp::Listener* engine = nullptr;
  TcpSocket* members[kMaxMembers] = {};
  size_t count = 0;
  size_t next = 0; // the member the next connection goes to
};

// A connection handed to a member, not yet accepted.
struct PendingConnection {
  net::tcp::Connection* connection;
  PendingConnection* next;
};

namespace {

// The engine listener's observer: every member may have something to accept now.
void group_changed(void* context, uint32_t) {
  auto* group = static_cast<ReusePortGroup*>(context);
  for (size_t i = 0; i < group->count; ++i)
    group->members[i]->announce_events(kEpollIn | kEpollRdNorm);
}

bool same_address(const InetAddress& a, const InetAddress& b) {
  if (a.native_v6 != b.native_v6 || a.v4 != b.v4)
    return false;
  for (int i = 0; i < 16; ++i)
    if (a.v6[i] != b.v6[i])
      return false;
  return true;
}

} // namespace

TcpSocket* TcpSocket::reuse_port_partner() const {
  if (!options.reuse_port)
    return nullptr;
  for (TcpSocket* o = first_bound(); o; o = o->next_bound)
    if (o != this && o->role == Role::kListening && o->options.reuse_port &&
        o->domain() == domain() && o->local.port == local.port && same_address(o->local, local) &&
        o->ipv6_only() == ipv6_only())
      return o;
  return nullptr;
}

Status TcpSocket::join_reuse_port_group(TcpSocket* partner) {
  ReusePortGroup* group = partner->reuse_group;
  if (!group) {
    group = new (std::nothrow) ReusePortGroup;
    if (!group)
      return Err(-ENOMEM);
    group->engine = partner->listener;
    group->members[group->count++] = partner;
    partner->listener = nullptr;
    partner->reuse_group = group;
    group->engine->set_observer({group_changed, group});
  }
  if (group->count == ReusePortGroup::kMaxMembers)
    return Err(-EADDRINUSE);
  group->members[group->count++] = this;
  reuse_group = group;
  return status_ok();
}

// Hands what the engine completed to the members in turn.
void TcpSocket::distribute_connections() {
  ReusePortGroup* group = reuse_group;
  while (net::tcp::Connection* c = group->engine->accept()) {
    TcpSocket* member = group->members[group->next++ % group->count];
    auto* p = new (std::nothrow) PendingConnection{c, nullptr};
    if (!p) {
      c->abort();
      continue;
    }
    (member->pending_tail ? member->pending_tail->next : member->pending_head) = p;
    member->pending_tail = p;
    if (member != this)
      member->announce_events(kEpollIn | kEpollRdNorm); // wake its accept or epoll
  }
}

net::tcp::Connection* TcpSocket::next_engine_connection() {
  if (!reuse_group)
    return listener ? listener->accept() : nullptr;
  distribute_connections();
  PendingConnection* p = pending_head;
  if (!p)
    return nullptr;
  pending_head = p->next;
  if (!pending_head)
    pending_tail = nullptr;
  net::tcp::Connection* c = p->connection;
  delete p;
  return c;
}

bool TcpSocket::has_engine_connection() {
  if (!reuse_group)
    return listener && (listener->events() & net::tcp::kReadable);
  distribute_connections();
  return pending_head != nullptr;
}

void TcpSocket::leave_reuse_port_group() {
  ReusePortGroup* group = reuse_group;
  while (PendingConnection* p = pending_head) {
    pending_head = p->next;
    p->connection->abort();
    delete p;
  }
  pending_tail = nullptr;
  size_t k = 0;
  for (size_t i = 0; i < group->count; ++i)
    if (group->members[i] != this)
      group->members[k++] = group->members[i];
  group->count = k;
  reuse_group = nullptr;
  if (k == 0) {
    group->engine->set_observer({});
    group->engine->close();
    delete group;
  }
}

} // namespace unix::inet
