#include "sched/thread_queue.h"

#include <gtest/gtest.h>

namespace {

struct Node {
  int id;
  Node* queue_next = nullptr;
};
using Queue = sched::Fifo<Node>;

TEST(ThreadQueue, FifoOrder) {
  Queue q;
  Node a{1}, b{2}, c{3};
  EXPECT_EQ(sched::fifo_pop(q), nullptr);
  sched::fifo_push(q, &a);
  sched::fifo_push(q, &b);
  sched::fifo_push(q, &c);
  EXPECT_EQ(sched::fifo_pop(q), &a);
  EXPECT_EQ(sched::fifo_pop(q), &b);
  sched::fifo_push(q, &a); // behind c: round robin
  EXPECT_EQ(sched::fifo_pop(q), &c);
  EXPECT_EQ(sched::fifo_pop(q), &a);
  EXPECT_EQ(sched::fifo_pop(q), nullptr);
  EXPECT_EQ(q.tail, nullptr);
}

TEST(ThreadQueue, RemoveHeadMiddleTailAndAbsent) {
  Queue q;
  Node a{1}, b{2}, c{3}, d{4};
  sched::fifo_push(q, &a);
  sched::fifo_push(q, &b);
  sched::fifo_push(q, &c);
  EXPECT_FALSE(sched::fifo_remove(q, &d));
  EXPECT_TRUE(sched::fifo_remove(q, &b)); // middle
  EXPECT_FALSE(sched::fifo_remove(q, &b));
  EXPECT_TRUE(sched::fifo_remove(q, &c)); // tail: the tail pointer moves back
  EXPECT_EQ(q.tail, &a);
  sched::fifo_push(q, &d);
  EXPECT_EQ(a.queue_next, &d);
  EXPECT_TRUE(sched::fifo_remove(q, &a)); // head
  EXPECT_EQ(q.head, &d);
  EXPECT_EQ(sched::fifo_pop(q), &d);
  EXPECT_EQ(q.head, nullptr);
  EXPECT_EQ(q.tail, nullptr);
}

TEST(ThreadQueue, RemoveOnlyElementEmptiesQueue) {
  Queue q;
  Node a{1};
  sched::fifo_push(q, &a);
  EXPECT_TRUE(sched::fifo_remove(q, &a));
  EXPECT_EQ(q.head, nullptr);
  EXPECT_EQ(q.tail, nullptr);
  sched::fifo_push(q, &a);
  EXPECT_EQ(sched::fifo_pop(q), &a);
}

} // namespace
