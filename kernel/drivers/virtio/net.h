// virtio-net (virtio 1.x §5.1): one receive and one transmit queue, shared by net.cc
// (probe, features, link state, the watchdog), net_rx.cc and net_tx.cc.
//
// Flow: the interrupt's top half turns further receive interrupts off and defers
// `service_` (sched/deferred.h); the deferred work takes transmitted frames back, hands
// every received frame to the stack (net::netdev::receive_in_batch), notifies the device
// once of the frames the stack sent meanwhile, refills the receive ring and re-arms the
// interrupt, looking at the ring once more before it sleeps. Under emulation each
// interrupt (its EOI) and each notification is an exit that also waits for the emulator's
// global lock, which the device model holds while it forwards frames: so one of each per
// batch of frames rather than per frame.
// A watchdog timer covers what interrupts may miss: QEMU under TCG with EVENT_IDX
// sometimes stops taking frames from the transmit ring (docs/net.md), so while frames wait
// it re-notifies the device when no progress was made since its last round, and it
// receives what arrived without an interrupt (and everything while the device is polled,
// before interrupts are on).
//
// Zero copy: every receive buffer is a net::Packet the device writes into; the packet goes
// to the stack as it is. A transmitted frame gets the virtio-net header pushed into its
// headroom and goes out from its own buffer, which we free when the device returns it.
#pragma once

#include "drivers/virtio/device.h"
#include "drivers/virtio/net_header.h"
#include "drivers/virtio/tx_stall.h"
#include "net/interface.h"
#include "net/packet.h"
#include "sched/deferred.h"
#include "sched/wait.h"

#include <stddef.h>
#include <stdint.h>

namespace virtio {

class NetDevice final : public net::Interface {
public:
  static constexpr uint32_t kMtu = 1500;
  // A receive buffer takes the header and the largest frame (1514 bytes, 1518 tagged).
  static constexpr size_t kRxBufferBytes = 1536 + 16;
  static constexpr size_t kRxHeadroom = 64; // the stack may reuse a received packet to reply
  static constexpr size_t kMaxRxBuffers = 256;
  // The largest TCP payload of one TSO frame: an IPv4 datagram (65535) less the IPv4 header
  // and the longest TCP header.
  static constexpr uint32_t kMaxLargeSend = 65535 - 20 - 60;
  static constexpr size_t kTxOverflowLimit = 1024;       // frames beyond a full ring, then drops
  static constexpr uint64_t kWatchBusyNs = 10'000'000;   // while frames wait for the device
  static constexpr uint64_t kWatchIdleNs = 1000'000'000; // link state and lost interrupts

  NetDevice(Device* dev, Queue* rx, Queue* tx, const char* name, const net::MacAddress& mac);

  void transmit(net::PacketPtr frame) override;

  // Fills the receive ring and starts the watchdog (before DRIVER_OK for the ring).
  Status start_rx();
  void start_watchdog();
  bool link_up_now();

  struct Stats {
    uint64_t rx_frames = 0, rx_dropped = 0, rx_no_buffer = 0;
    uint64_t tx_frames = 0, tx_queued = 0, tx_dropped = 0, tx_rekicks = 0;
    // The costs per frame under emulation: device interrupts taken, service passes that
    // received frames (frames / batches = frames per pass), and notifications sent to the
    // device (each an exit to the emulator) against those it asked us to leave out.
    uint64_t interrupts = 0, rx_batches = 0, rx_kicks = 0;
    uint64_t tx_kicks = 0, tx_kicks_suppressed = 0;
  };
  const Stats& stats() const { return stats_; }
  void report_counters() const override;

private:
  // ---- net_rx.cc ----
  void receive_returned(); // every returned buffer to the stack, then refill
  bool post_rx_buffer();
  void refill_rx();
  net::PacketPtr merge_rx_buffers(net::PacketPtr first, uint16_t count);
  net::PacketPtr take_rx_buffer(uint32_t* written);

  // ---- net_tx.cc ----
  bool enqueue_tx(net::PacketPtr& frame); // false: the ring is full (frame kept)
  void reap_tx();                         // frees what the device sent, drains the overflow
  void fill_tx_header(net::Packet& frame, uint8_t* header);
  void kick_tx(); // notifies the device of new frames unless it asked not to be

  // ---- net.cc ----
  static void on_rx_interrupt(void* ctx);
  static void on_tx_interrupt(void* ctx);
  static void run_service(sched::Work* w);
  static void on_watchdog(sched::Timer* t);
  void service();
  void watchdog();
  void check_link();

  Device* dev_;
  Queue* rx_;
  Queue* tx_;
  size_t header_size_;
  bool mergeable_;
  bool split_header_; // legacy without ANY_LAYOUT: the header in a descriptor of its own
  bool link_up_ = true;
  bool in_service_ = false;
  // Frames added while service() hands received frames to the stack: the device is
  // notified once after the batch instead of once per frame (an ACK each frees room for
  // one more segment, so a batch of ACKs makes a batch of frames).
  bool tx_kick_pending_ = false;
  size_t rx_posted_ = 0;
  size_t rx_target_ = 0;
  net::PacketQueue tx_overflow_;
  uint64_t tx_completed_ = 0; // frames the device returned, a running count
  TxStallDetector tx_stall_;
  // The deferred work and the timer, each with the way back to us.
  struct ServiceWork {
    sched::Work work{};
    NetDevice* owner = nullptr;
  } service_;
  struct WatchdogTimer {
    sched::Timer timer{};
    NetDevice* owner = nullptr;
  } watchdog_;
  Stats stats_;
};

} // namespace virtio
