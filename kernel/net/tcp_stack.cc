#include "net/tcp_stack.h"

#ifdef KERNEL_HOST_BUILD
#include <new> // host unit tests: the C++ library's nothrow new
#else
#include "lib/new.h"
#endif
#include "lib/hash.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace net::tcp {

// ---- Listener ---------------------------------------------------------------------------

Connection* Listener::accept() {
  Connection* c = accept_head_;
  if (!c)
    return nullptr;
  accept_head_ = c->queue_next;
  if (!accept_head_)
    accept_tail_ = nullptr;
  c->queue_next = nullptr;
  --accept_count_;
  c->detach_from_listener();
  return c;
}

void Listener::add_embryo(Connection* c) {
  ++syn_count_;
  c->embryo_prev = embryo_tail_;
  c->embryo_next = nullptr;
  if (embryo_tail_)
    embryo_tail_->embryo_next = c;
  else
    embryo_head_ = c;
  embryo_tail_ = c;
}

void Listener::unlink_embryo(Connection* c) {
  (c->embryo_prev ? c->embryo_prev->embryo_next : embryo_head_) = c->embryo_next;
  (c->embryo_next ? c->embryo_next->embryo_prev : embryo_tail_) = c->embryo_prev;
  c->embryo_prev = c->embryo_next = nullptr;
}

bool Listener::make_room() {
  Connection* oldest = embryo_head_;
  // None overdue: real clients may be in the middle of their handshakes. No embryo at all:
  // the accept queue is full, which only the application can change.
  if (!oldest || !oldest->handshake_overdue())
    return false;
  oldest->give_up_handshake(); // embryo_gone() takes it off the list
  return has_room();
}

void Listener::enqueue(Connection* c) {
  --syn_count_;
  unlink_embryo(c);
  c->queue_next = nullptr;
  if (accept_tail_)
    accept_tail_->queue_next = c;
  else
    accept_head_ = c;
  accept_tail_ = c;
  ++accept_count_;
  notify();
}

void Listener::embryo_gone(Connection* c) {
  --syn_count_;
  unlink_embryo(c);
  c->detach_from_listener();
}

void Listener::notify() {
  if (observer_.notify)
    observer_.notify(observer_.context, events());
}

void Listener::close() {
  while (Connection* c = accept())
    c->abort();
  stack_.free_listener(this);
}

// ---- Stack ------------------------------------------------------------------------------

Stack::Stack(Link& link, const Clock& clock, const Config& config)
    : link_(link), clock_(clock), config_(config) {
  buckets_ = static_cast<Connection**>(kzalloc(kBuckets * sizeof(Connection*)));
  frame_ = static_cast<uint8_t*>(kmalloc(kFrameSize));
  random_state_ = config_.isn_secret.k0 ^ (config_.isn_secret.k1 << 1) ^ clock_.now_ns() ^
                  0x9E3779B97F4A7C15ull;
}

Stack::~Stack() {
  while (all_) {
    Connection* c = all_;
    all_ = c->all_next;
    delete c;
  }
  reap();
  while (listeners_) {
    Listener* l = listeners_;
    listeners_ = l->next_;
    delete l;
  }
  kfree(buckets_);
  kfree(frame_);
}

uint32_t Stack::random32() {
  // xorshift64*: unpredictability is not needed here (the ISN has its own keyed hash).
  random_state_ ^= random_state_ >> 12;
  random_state_ ^= random_state_ << 25;
  random_state_ ^= random_state_ >> 27;
  return static_cast<uint32_t>((random_state_ * 0x2545F4914F6CDD1Dull) >> 32);
}

size_t Stack::bucket_of(const Endpoint& local, const Endpoint& remote) const {
  uint8_t key[36];
  memcpy(key, local.addr.bytes, 16);
  memcpy(key + 16, remote.addr.bytes, 16);
  key[32] = static_cast<uint8_t>(local.port >> 8);
  key[33] = static_cast<uint8_t>(local.port);
  key[34] = static_cast<uint8_t>(remote.port >> 8);
  key[35] = static_cast<uint8_t>(remote.port);
  return klib::hash_bytes(key, sizeof key, config_.isn_secret.k1) % kBuckets;
}

Connection* Stack::find(const Endpoint& local, const Endpoint& remote) const {
  for (Connection* c = buckets_[bucket_of(local, remote)]; c; c = c->hash_next)
    if (c->local_ == local && c->remote_ == remote)
      return c;
  return nullptr;
}

void Stack::insert(Connection* c) {
  size_t b = bucket_of(c->local_, c->remote_);
  c->hash_next = buckets_[b];
  buckets_[b] = c;
  c->in_table = true;
  c->all_prev = nullptr;
  c->all_next = all_;
  if (all_)
    all_->all_prev = c;
  all_ = c;
  ++connection_count_;
}

void Stack::remove_from_table(Connection* c) {
  if (!c->in_table)
    return;
  Connection** link = &buckets_[bucket_of(c->local_, c->remote_)];
  while (*link && *link != c)
    link = &(*link)->hash_next;
  if (*link)
    *link = c->hash_next;
  c->hash_next = nullptr;
  c->in_table = false;
  --connection_count_;
}

void Stack::bury(Connection* c) {
  if (c->dead)
    return;
  remove_from_table(c);
  if (c->all_prev)
    c->all_prev->all_next = c->all_next;
  else
    all_ = c->all_next;
  if (c->all_next)
    c->all_next->all_prev = c->all_prev;
  c->all_prev = c->all_next = nullptr;
  c->dead = true;
  c->queue_next = dead_;
  dead_ = c;
}

void Stack::reap() {
  while (dead_) {
    Connection* c = dead_;
    dead_ = c->queue_next;
    delete c;
  }
}

Listener* Stack::find_listener(const Endpoint& local) const {
  Listener* wildcard = nullptr;
  for (Listener* l = listeners_; l; l = l->next_) {
    if (l->local_.port != local.port || !l->takes(local.addr.family))
      continue;
    if (l->local_.addr == local.addr)
      return l;
    if (l->local_.addr.is_any())
      wildcard = l;
  }
  return wildcard;
}

bool Stack::port_in_use(const IpAddr& addr, uint16_t port) const {
  for (Listener* l = listeners_; l; l = l->next_)
    if (l->local_.port == port)
      return true;
  for (Connection* c = all_; c; c = c->all_next)
    if (c->in_table && c->local_.port == port && c->local_.addr == addr)
      return true;
  return false;
}

uint16_t Stack::pick_ephemeral_port(const IpAddr& addr) {
  // The IANA dynamic range, 49152-65535, walked in order (RFC 6056 algorithm 1 would
  // randomize; a counter is enough while the ISN is unpredictable).
  for (int tries = 0; tries < 16384; ++tries) {
    uint16_t p = next_ephemeral_;
    next_ephemeral_ = next_ephemeral_ == 65535 ? 49152 : static_cast<uint16_t>(p + 1);
    if (!port_in_use(addr, p))
      return p;
  }
  return 0;
}

Connection* Stack::make_connection(const Endpoint& local, const Endpoint& remote) {
  auto* c = new (std::nothrow) Connection(*this, local, remote);
  if (!c)
    return nullptr;
  if (!c->init_buffers()) {
    delete c;
    return nullptr;
  }
  insert(c);
  return c;
}

ErrorOr<Listener*> Stack::listen(const Endpoint& local, int backlog, bool dual_stack) {
  if (local.port == 0)
    return Err(-EINVAL);
  uint8_t families = Listener::family_bit(local.addr.family);
  if (dual_stack)
    families = Listener::family_bit(4) | Listener::family_bit(6);
  for (Listener* l = listeners_; l; l = l->next_)
    if (l->local_.port == local.port && (l->families_ & families) &&
        (l->local_.addr == local.addr || l->local_.addr.is_any() || local.addr.is_any()))
      return Err(-EADDRINUSE);
  if (backlog < 1)
    backlog = 1;
  if (backlog > config_.max_backlog)
    backlog = config_.max_backlog;
  auto* l = new (std::nothrow) Listener(*this, local, backlog, families);
  if (!l)
    return Err(-ENOMEM);
  l->next_ = listeners_;
  listeners_ = l;
  return l;
}

void Stack::free_listener(Listener* l) {
  // Connections still in the handshake die with it.
  for (Connection* c = all_; c;) {
    Connection* next = c->all_next; // abort() takes c off the list
    if (c->listener() == l) {
      l->embryo_gone(c);
      c->abort();
    }
    c = next;
  }
  Listener** link = &listeners_;
  while (*link && *link != l)
    link = &(*link)->next_;
  if (*link)
    *link = l->next_;
  delete l;
  reap();
}

ErrorOr<Connection*> Stack::connect(const Endpoint& local_in, const Endpoint& remote) {
  if (remote.port == 0 || local_in.addr.is_any())
    return Err(-EINVAL);
  Endpoint local = local_in;
  if (local.port == 0) {
    local.port = pick_ephemeral_port(local.addr);
    if (local.port == 0)
      return Err(-EADDRNOTAVAIL);
  } else if (find(local, remote)) {
    return Err(-EADDRINUSE);
  }
  Connection* c = make_connection(local, remote);
  if (!c)
    return Err(-ENOMEM);
  c->open_active();
  reap();
  return c;
}

void Stack::reply_reset(const Endpoint& local, const Endpoint& remote, const Header& h,
                        size_t len) {
  if (h.flags & kRst)
    return; // never answer a RST
  Header r;
  r.src_port = local.port;
  r.dst_port = remote.port;
  if (h.flags & kAck) {
    r.seq = h.ack;
    r.flags = kRst;
  } else {
    r.seq = 0;
    Seq seg_len = static_cast<Seq>(len) + ((h.flags & kSyn) ? 1 : 0) + ((h.flags & kFin) ? 1 : 0);
    r.ack = h.seq + seg_len;
    r.flags = kRst | kAck;
  }
  uint8_t frame[kMaxHeader];
  size_t n = write_header(frame, r);
  link_.send_segment(local.addr, remote.addr, frame, n);
}

void Stack::receive(const IpAddr& src, const IpAddr& dst, const uint8_t* segment, size_t len) {
  Header h;
  if (!parse_header(segment, len, h))
    return;
  Endpoint local{dst, h.dst_port};
  Endpoint remote{src, h.src_port};
  const uint8_t* payload = segment + h.length;
  size_t payload_len = len - h.length;

  if (Connection* c = find(local, remote)) {
    c->on_segment(h, payload, payload_len);
    reap();
    return;
  }
  Listener* l = find_listener(local);
  // LISTEN (RFC 9293 3.10.7.2): RSTs are ignored, ACKs answered with RST, SYNs open.
  if (!l || (h.flags & kAck) || !(h.flags & kSyn) || (h.flags & kRst)) {
    if (!(h.flags & kRst))
      reply_reset(local, remote, h, payload_len);
    return;
  }
  if (!l->has_room() && !l->make_room()) {
    reap();
    return; // queues full: drop; the peer retransmits its SYN
  }
  Connection* c = make_connection(local, remote);
  if (!c) {
    reap();
    return;
  }
  l->add_embryo(c);
  c->open_passive(h, l);
  reap();
}

void Stack::icmp_error(const Endpoint& local, const Endpoint& remote, int error) {
  if (Connection* c = find(local, remote)) {
    c->on_icmp_error(error);
    reap();
  }
}

void Stack::poll_timers() {
  uint64_t now_us = clock_.now_ns() / 1000;
  for (Connection* c = all_; c;) {
    Connection* next = c->all_next; // on_timers may remove c from the list
    uint64_t d = c->next_deadline_us();
    if (d != 0 && d <= now_us)
      c->on_timers(now_us);
    c = next;
  }
  reap();
}

bool Stack::has_unacknowledged_data() const {
  for (Connection* c = all_; c; c = c->all_next) {
    switch (c->state()) {
    case State::Established:
    case State::CloseWait:
    case State::FinWait1:
    case State::Closing:
    case State::LastAck:
      if (!c->all_data_acknowledged())
        return true;
      break;
    default:
      break;
    }
  }
  return false;
}

uint64_t Stack::next_deadline_ns() const {
  uint64_t best = 0;
  for (Connection* c = all_; c; c = c->all_next) {
    uint64_t d = c->next_deadline_us();
    if (d != 0 && (best == 0 || d < best))
      best = d;
  }
  return best * 1000;
}

} // namespace net::tcp
