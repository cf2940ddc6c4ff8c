// The split virtqueue against a simulated device that reads and writes the ring memory the
// way the virtio 1.x spec (§2.7) describes the device side.
#include "drivers/virtio/virtqueue.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace virtio {
namespace {

constexpr uint64_t kRingPhys = 0x10000000;
constexpr uint64_t kIndirectPhys = 0x20000000;

// The device side of one queue: memory is reached by physical address only.
class SimDevice {
public:
  // `fill`: what the ring memory holds before init (the kernel does not clear it).
  SimDevice(uint16_t size, uint16_t max_indirect, bool event_idx, uint64_t fill = 0)
      : size_(size), ring_(Virtqueue::ring_bytes(size) / 8 + 1, fill),
        indirect_(Virtqueue::indirect_bytes(size, max_indirect) / 8 + 1, fill) {
    DmaRegion ind{};
    if (max_indirect)
      ind = DmaRegion{indirect_.data(), kIndirectPhys};
    queue.init(size, DmaRegion{ring_.data(), kRingPhys}, ind, max_indirect, event_idx);
  }

  Virtqueue queue;

  // The next request the driver made available: its head and buffers, or false.
  bool take(uint16_t* head, std::vector<Virtqueue::Segment>* segments) {
    if (read16(queue.avail_phys() + 2) == next_avail_)
      return false;
    *head = read16(queue.avail_phys() + 4 + 2 * (next_avail_ % size_));
    ++next_avail_;
    segments->clear();
    RingDescriptor d = descriptor(queue.desc_phys(), *head);
    if (d.flags & kDescIndirect) {
      EXPECT_EQ(d.len % sizeof(RingDescriptor), 0u);
      uint64_t table = d.addr;
      for (uint16_t i = 0;; i = d.next) {
        d = descriptor(table, i);
        EXPECT_FALSE(d.flags & kDescIndirect);
        segments->push_back({d.addr, d.len, (d.flags & kDescWrite) != 0});
        if (!(d.flags & kDescNext))
          break;
      }
      return true;
    }
    for (uint16_t i = *head;; i = d.next) {
      d = descriptor(queue.desc_phys(), i);
      segments->push_back({d.addr, d.len, (d.flags & kDescWrite) != 0});
      if (!(d.flags & kDescNext))
        break;
    }
    return true;
  }

  // Returns a request to the driver; says whether the driver asked for an interrupt.
  bool complete(uint16_t head, uint32_t written) {
    uint64_t entry = queue.used_phys() + 4 + 8 * (used_idx_ % size_);
    write32(entry, head);
    write32(entry + 4, written);
    uint16_t old = used_idx_++;
    write16(queue.used_phys() + 2, used_idx_);
    uint16_t used_event = read16(queue.avail_phys() + 4 + 2 * size_);
    return event_idx() ? need_event(used_event, used_idx_, old)
                       : !(read16(queue.avail_phys()) & kAvailNoInterrupt);
  }

  void set_avail_event(uint16_t v) { write16(queue.used_phys() + 4 + 8 * size_, v); }
  void set_used_flags(uint16_t v) { write16(queue.used_phys(), v); }
  uint16_t used_event() { return read16(queue.avail_phys() + 4 + 2 * size_); }
  uint16_t avail_flags() { return read16(queue.avail_phys()); }
  bool event_idx() const { return event_idx_mode; }
  bool event_idx_mode = false;

private:
  uint8_t* at(uint64_t phys, size_t len) {
    auto* ring = reinterpret_cast<uint8_t*>(ring_.data());
    auto* ind = reinterpret_cast<uint8_t*>(indirect_.data());
    if (phys >= kRingPhys && phys + len <= kRingPhys + ring_.size() * 8)
      return ring + (phys - kRingPhys);
    if (phys >= kIndirectPhys && phys + len <= kIndirectPhys + indirect_.size() * 8)
      return ind + (phys - kIndirectPhys);
    ADD_FAILURE() << "device access outside the queue's memory at " << std::hex << phys;
    static uint8_t junk[64];
    return junk;
  }
  uint16_t read16(uint64_t p) {
    uint16_t v;
    memcpy(&v, at(p, 2), 2);
    return v;
  }
  void write16(uint64_t p, uint16_t v) { memcpy(at(p, 2), &v, 2); }
  void write32(uint64_t p, uint32_t v) { memcpy(at(p, 4), &v, 4); }
  RingDescriptor descriptor(uint64_t table, uint16_t i) {
    RingDescriptor d;
    memcpy(&d, at(table + 16u * i, 16), 16);
    return d;
  }

  uint16_t size_;
  std::vector<uint64_t> ring_, indirect_; // 8-byte aligned backing store
  uint16_t next_avail_ = 0;
  uint16_t used_idx_ = 0;
};

std::vector<Virtqueue::Segment> request(uint64_t base, uint16_t n) {
  std::vector<Virtqueue::Segment> s;
  for (uint16_t i = 0; i < n; ++i)
    s.push_back({base + 0x1000u * i, 16u + i, i + 1 == n});
  return s;
}

void* token(uintptr_t v) {
  return reinterpret_cast<void*>(v);
}

TEST(Virtqueue, LayoutMatchesTheLegacyRules) {
  // 256 entries: 4096 bytes of descriptors, avail at 4096, used on the next 4 KiB page.
  EXPECT_EQ(Virtqueue::avail_offset(256), 4096u);
  EXPECT_EQ(Virtqueue::used_offset(256), 8192u);
  EXPECT_EQ(Virtqueue::ring_bytes(256), 8192u + 4096u);
  EXPECT_EQ(Virtqueue::used_offset(8) % 4096, 0u);
}

TEST(Virtqueue, WorksOnUnclearedMemory) {
  // Every byte of the ring and the indirect tables starts as garbage: init clears what the
  // device reads first, and each descriptor is written before it is made available.
  for (bool event_idx : {false, true}) {
    SimDevice dev(8, 4, event_idx, 0xA5A5A5A5A5A5A5A5ull);
    dev.event_idx_mode = event_idx;
    uint16_t head;
    std::vector<Virtqueue::Segment> seen;
    EXPECT_FALSE(dev.take(&head, &seen)) << "the available index starts at 0";
    EXPECT_FALSE(dev.queue.has_used()) << "the used index starts at 0";
    auto direct = request(0x5000, 1);
    auto chained = request(0x9000, 3); // through an indirect table
    ASSERT_TRUE(dev.queue.add(direct.data(), 1, token(1)));
    ASSERT_TRUE(dev.queue.add(chained.data(), 3, token(2)));
    dev.queue.publish();
    for (uintptr_t expect = 1; expect <= 2; ++expect) {
      ASSERT_TRUE(dev.take(&head, &seen));
      ASSERT_EQ(seen.size(), expect == 1 ? 1u : 3u);
      const auto& sent = expect == 1 ? direct : chained;
      for (size_t i = 0; i < seen.size(); ++i) {
        EXPECT_EQ(seen[i].phys, sent[i].phys);
        EXPECT_EQ(seen[i].len, sent[i].len);
        EXPECT_EQ(seen[i].device_writes, sent[i].device_writes);
      }
      dev.complete(head, 7);
      void* t = nullptr;
      uint32_t written = 0;
      ASSERT_TRUE(dev.queue.pop_used(&t, &written));
      EXPECT_EQ(t, token(expect));
      EXPECT_EQ(written, 7u);
    }
    EXPECT_FALSE(dev.take(&head, &seen));
    EXPECT_EQ(dev.queue.free_descriptors(), 8);
  }
}

TEST(Virtqueue, ChainReachesTheDeviceAndComesBack) {
  SimDevice dev(8, 0, false);
  auto segs = request(0x5000, 3);
  ASSERT_TRUE(dev.queue.add(segs.data(), 3, token(42)));
  EXPECT_EQ(dev.queue.free_descriptors(), 5);
  uint16_t head;
  std::vector<Virtqueue::Segment> seen;
  EXPECT_FALSE(dev.take(&head, &seen)) << "visible before publish";
  EXPECT_TRUE(dev.queue.publish());
  ASSERT_TRUE(dev.take(&head, &seen));
  ASSERT_EQ(seen.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(seen[i].phys, segs[i].phys);
    EXPECT_EQ(seen[i].len, segs[i].len);
    EXPECT_EQ(seen[i].device_writes, segs[i].device_writes);
  }
  EXPECT_FALSE(dev.queue.has_used());
  dev.complete(head, 7);
  void* t = nullptr;
  uint32_t written = 0;
  ASSERT_TRUE(dev.queue.pop_used(&t, &written));
  EXPECT_EQ(t, token(42));
  EXPECT_EQ(written, 7u);
  EXPECT_EQ(dev.queue.free_descriptors(), 8);
  EXPECT_EQ(dev.queue.in_flight(), 0);
  EXPECT_FALSE(dev.queue.pop_used(&t, &written));
}

TEST(Virtqueue, FullQueueRefusesAndFreedDescriptorsAreReused) {
  SimDevice dev(4, 0, false);
  auto two = request(0x1000, 2);
  ASSERT_TRUE(dev.queue.add(two.data(), 2, token(1)));
  ASSERT_TRUE(dev.queue.add(two.data(), 2, token(2)));
  EXPECT_EQ(dev.queue.free_descriptors(), 0);
  EXPECT_EQ(dev.queue.add(two.data(), 1, token(3)).error(), -ENOSPC);
  EXPECT_EQ(dev.queue.add(two.data(), 0, token(3)).error(), -EINVAL);
  dev.queue.publish();
  uint16_t h1, h2;
  std::vector<Virtqueue::Segment> s;
  ASSERT_TRUE(dev.take(&h1, &s));
  ASSERT_TRUE(dev.take(&h2, &s));
  // Out of order completion: the second request first.
  dev.complete(h2, 0);
  void* t;
  ASSERT_TRUE(dev.queue.pop_used(&t, nullptr));
  EXPECT_EQ(t, token(2));
  EXPECT_EQ(dev.queue.free_descriptors(), 2);
  // A 2-descriptor request fits in exactly the freed chain.
  ASSERT_TRUE(dev.queue.add(two.data(), 2, token(4)));
  EXPECT_EQ(dev.queue.add(two.data(), 1, token(5)).error(), -ENOSPC);
  dev.queue.publish();
  uint16_t h3;
  ASSERT_TRUE(dev.take(&h3, &s));
  EXPECT_EQ(h3, h2) << "the freed head is reused first";
  dev.complete(h1, 0);
  dev.complete(h3, 0);
  ASSERT_TRUE(dev.queue.pop_used(&t, nullptr));
  EXPECT_EQ(t, token(1));
  ASSERT_TRUE(dev.queue.pop_used(&t, nullptr));
  EXPECT_EQ(t, token(4));
  EXPECT_EQ(dev.queue.free_descriptors(), 4);
}

TEST(Virtqueue, IndexesWrapAroundSixteenBits) {
  SimDevice dev(4, 0, false);
  // 70000 requests of 1-3 buffers, up to 3 in flight: every index wraps past 65535.
  std::vector<uint16_t> pending;
  uintptr_t next_token = 1, expect_token = 1;
  for (int round = 0; round < 70000; ++round) {
    uint16_t n = static_cast<uint16_t>(1 + round % 2);
    while (dev.queue.free_descriptors() >= n) {
      auto segs = request(0x100000u * (next_token % 16), n);
      ASSERT_TRUE(dev.queue.add(segs.data(), n, token(next_token++)));
    }
    dev.queue.publish();
    uint16_t head;
    std::vector<Virtqueue::Segment> s;
    while (dev.take(&head, &s))
      pending.push_back(head);
    ASSERT_FALSE(pending.empty());
    dev.complete(pending.front(), 1);
    pending.erase(pending.begin());
    void* t;
    ASSERT_TRUE(dev.queue.pop_used(&t, nullptr));
    ASSERT_EQ(t, token(expect_token++));
  }
  EXPECT_GT(next_token, 65536u);
}

TEST(Virtqueue, IndirectTableUsesOneRingDescriptor) {
  SimDevice dev(4, 8, false);
  auto segs = request(0x8000, 5);
  EXPECT_EQ(dev.queue.descriptors_needed(5), 1);
  EXPECT_EQ(dev.queue.descriptors_needed(1), 1);
  EXPECT_EQ(dev.queue.descriptors_needed(9), 9) << "too long for a table: a direct chain";
  for (uintptr_t i = 0; i < 4; ++i)
    ASSERT_TRUE(dev.queue.add(segs.data(), 5, token(i + 1)));
  EXPECT_EQ(dev.queue.free_descriptors(), 0);
  dev.queue.publish();
  std::vector<uint16_t> heads;
  uint16_t head;
  std::vector<Virtqueue::Segment> seen;
  while (dev.take(&head, &seen)) {
    ASSERT_EQ(seen.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
      EXPECT_EQ(seen[i].phys, segs[i].phys);
      EXPECT_EQ(seen[i].len, segs[i].len);
      EXPECT_EQ(seen[i].device_writes, segs[i].device_writes);
    }
    heads.push_back(head);
  }
  ASSERT_EQ(heads.size(), 4u);
  for (uint16_t h : heads)
    dev.complete(h, 0);
  for (uintptr_t i = 0; i < 4; ++i) {
    void* t;
    ASSERT_TRUE(dev.queue.pop_used(&t, nullptr));
    EXPECT_EQ(t, token(i + 1));
  }
  EXPECT_EQ(dev.queue.free_descriptors(), 4);
}

TEST(Virtqueue, NotificationFlagsWithoutEventIndex) {
  SimDevice dev(8, 0, false);
  auto segs = request(0x1000, 1);
  EXPECT_EQ(dev.avail_flags() & kAvailNoInterrupt, kAvailNoInterrupt) << "polled by default";
  ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(1)));
  dev.set_used_flags(kUsedNoNotify);
  EXPECT_FALSE(dev.queue.publish()) << "the device said it needs no notification";
  dev.set_used_flags(0);
  ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(2)));
  EXPECT_TRUE(dev.queue.publish());
  EXPECT_TRUE(dev.queue.arm_interrupt());
  EXPECT_EQ(dev.avail_flags() & kAvailNoInterrupt, 0);
  dev.queue.disarm_interrupt();
  EXPECT_EQ(dev.avail_flags() & kAvailNoInterrupt, kAvailNoInterrupt);
}

TEST(Virtqueue, EventIndexDecidesNotifications) {
  SimDevice dev(8, 0, true);
  dev.event_idx_mode = true;
  auto segs = request(0x1000, 1);
  // The device wants to hear once avail index 0 is passed: the first publish notifies.
  dev.set_avail_event(0);
  ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(1)));
  EXPECT_TRUE(dev.queue.publish());
  // Now it asks for index 3 only: publishing 2 (1 -> 2) is silent, 3 (2 -> 4) notifies.
  dev.set_avail_event(3);
  ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(2)));
  EXPECT_FALSE(dev.queue.publish());
  ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(3)));
  ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(4)));
  EXPECT_TRUE(dev.queue.publish());
}

TEST(Virtqueue, EventIndexDecidesInterrupts) {
  SimDevice dev(8, 0, true);
  dev.event_idx_mode = true;
  auto segs = request(0x1000, 1);
  for (uintptr_t i = 0; i < 3; ++i)
    ASSERT_TRUE(dev.queue.add(segs.data(), 1, token(i + 1)));
  dev.queue.publish();
  uint16_t heads[3];
  std::vector<Virtqueue::Segment> s;
  for (auto& h : heads)
    ASSERT_TRUE(dev.take(&h, &s));
  // Disarmed (polling): completions raise no interrupt.
  EXPECT_FALSE(dev.complete(heads[0], 0));
  void* t;
  ASSERT_TRUE(dev.queue.pop_used(&t, nullptr));
  // Armed: used_event is the next index we will read, so the next completion interrupts.
  EXPECT_TRUE(dev.queue.arm_interrupt());
  EXPECT_EQ(dev.used_event(), 1);
  EXPECT_TRUE(dev.complete(heads[1], 0));
  // A completion that arrived before arming: arm reports it instead of sleeping.
  EXPECT_FALSE(dev.complete(heads[2], 0)) << "index 1 was passed already";
  EXPECT_FALSE(dev.queue.arm_interrupt());
}

TEST(Virtqueue, NeedEventWrapsAround) {
  EXPECT_TRUE(need_event(0xFFFF, 0x0000, 0xFFFF));
  EXPECT_TRUE(need_event(0xFFFE, 0x0001, 0xFFFE));
  EXPECT_FALSE(need_event(0x0001, 0x0001, 0xFFFF));
  EXPECT_TRUE(need_event(0x0000, 0x0001, 0xFFFF));
}

} // namespace
} // namespace virtio
