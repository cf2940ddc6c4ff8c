// Intrusive FIFO queues of threads (the run queue and every WaitQueue): a node is linked
// through its own `queue_next` field, so queueing never allocates. Pure logic, templated on
// the node type so host tests can use a stand-in for sched::Thread.
#pragma once

namespace sched {

template <typename Node> struct Fifo {
  Node* head = nullptr;
  Node* tail = nullptr;
};

template <typename Q, typename Node> void fifo_push(Q& q, Node* n) {
  n->queue_next = nullptr;
  if (q.tail)
    q.tail->queue_next = n;
  else
    q.head = n;
  q.tail = n;
}

template <typename Q> auto fifo_pop(Q& q) -> decltype(q.head) {
  auto* n = q.head;
  if (!n)
    return nullptr;
  q.head = n->queue_next;
  if (!q.head)
    q.tail = nullptr;
  n->queue_next = nullptr;
  return n;
}

// Unlinks n wherever it is in q; false if it was not queued there.
template <typename Q, typename Node> bool fifo_remove(Q& q, Node* n) {
  Node* prev = nullptr;
  for (Node* p = q.head; p; prev = p, p = p->queue_next) {
    if (p != n)
      continue;
    if (prev)
      prev->queue_next = p->queue_next;
    else
      q.head = p->queue_next;
    if (q.tail == p)
      q.tail = prev;
    p->queue_next = nullptr;
    return true;
  }
  return false;
}

} // namespace sched
