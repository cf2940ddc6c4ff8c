// netfront: a vif from the xenstore as a network interface of the kernel's stack
// (net/netdev.h), so DHCP, static configuration and sockets work as over virtio-net.
//
// Design (docs/xen.md, "netfront"):
//  - One transmit and one receive ring (netif.h), one event channel for both, single queue.
//  - Every buffer is a page of ours granted to the back-end once, at connect time: 64
//    transmit pages (read-only for the back-end) and 128 receive pages (writable: the
//    back-end copies received frames into them, "request-rx-copy"). A frame is copied into
//    a transmit page and out of a receive page, so no packet buffer is ever shared with
//    another domain and the grants never change.
//  - No offloads are offered: the stack computes checksums, frames are at most one page
//    (MTU 1500), and "feature-no-csum-offload" asks the back-end for complete checksums.
//  - The event's top half only defers the service work (sched/deferred.h), which takes
//    transmitted pages back, hands received frames to the stack and refills the receive
//    ring. A watchdog timer runs the same work every 10 ms while frames wait (and before
//    the scheduler's timer makes event-driven waits possible), every 100 ms otherwise, so a
//    lost event costs at most that.
#pragma once

#include "drivers/bus/driver.h"
#include "drivers/xen/netif.h"
#include "drivers/xen/xenbus.h"
#include "net/interface.h"
#include "net/packet.h"
#include "sched/deferred.h"
#include "sched/wait.h"

namespace xen_drivers {

extern const drivers::Driver netfront_driver;

class NetFront final : public net::Interface {
public:
  static constexpr uint32_t kMtu = 1500;
  static constexpr size_t kTxPages = 64;
  static constexpr size_t kRxPages = 128;
  static constexpr size_t kTxOverflowLimit = 1024; // frames waiting for a page, then drops
  static constexpr size_t kRxHeadroom = 64;        // the stack may reuse a frame to reply
  static constexpr size_t kMaxFrame = 1518;        // a tagged Ethernet frame
  static constexpr uint64_t kWatchBusyNs = 10'000'000;
  static constexpr uint64_t kWatchIdleNs = 100'000'000;

  NetFront(const xenbus::Device* dev, const char* name, const net::MacAddress& mac);
  // The xenstore handshake: rings, grants, event channel, features, then Connected.
  Status connect();
  // After net::netdev::attach: binds the event channel and starts the watchdog.
  void start();
  void transmit(net::PacketPtr frame) override;

  struct Stats {
    uint64_t rx_frames = 0, rx_dropped = 0, tx_frames = 0, tx_queued = 0, tx_dropped = 0,
             tx_errors = 0;
  };
  const Stats& stats() const { return stats_; }
  bool event_driven() const { return event_bound_; }

private:
  struct Page {
    uint64_t phys = 0;
    uint32_t ref = 0;
  };
  Status grant_pages(Page* pages, size_t count, bool readonly);
  Status publish();

  // ---- netfront_io.cc ----
  void post_rx(uint16_t page); // an empty receive page to the back-end (not pushed)
  void fill_rx();
  void receive_all();
  void receive_part(uint16_t page, const netif::RxPart& part);
  bool send_now(net::Packet& frame); // false: no free transmit page
  void reap_tx();
  void push_tx();

  // ---- netfront.cc ----
  static void on_event(void* self);
  static void run_service(sched::Work* w);
  static void on_watchdog(sched::Timer* t);
  void service();
  void watchdog();

  const xenbus::Device* dev_;
  netif::TxRing tx_;
  netif::RxRing rx_;
  Page tx_ring_page_, rx_ring_page_;
  Page tx_pages_[kTxPages];
  Page rx_pages_[kRxPages];
  uint16_t tx_free_[kTxPages];
  size_t tx_free_count_ = 0;
  // Which receive page sits in each ring position: every response, data or extra-info
  // record, uses up the request that was at its position.
  uint16_t rx_page_at_[netif::RxRing::kSlots] = {};
  net::PacketPtr rx_partial_; // a frame whose parts are still coming (kRxMoreData)
  bool rx_partial_bad_ = false;
  bool rx_skip_extra_ = false; // the next response is an extra-info record
  net::PacketQueue tx_overflow_;
  uint32_t port_ = 0;
  bool event_bound_ = false;
  bool in_service_ = false;
  struct ServiceWork {
    sched::Work work{};
    NetFront* owner = nullptr;
  } service_;
  struct WatchdogTimer {
    sched::Timer timer{};
    NetFront* owner = nullptr;
  } watchdog_;
  Stats stats_;
};

} // namespace xen_drivers
