// virtio-net: probe, feature negotiation, the interrupt -> deferred work path, the watchdog
// and link state. Receive and transmit are in net_rx.cc and net_tx.cc; net.h has the design.
#include "drivers/virtio/net.h"

#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "drivers/virtio/drivers.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "net/netdev.h"

namespace virtio {

NetDevice::NetDevice(Device* dev, Queue* rx, Queue* tx, const char* name,
                     const net::MacAddress& mac)
    : net::Interface(name, Link::kEthernet, mac, kMtu), dev_(dev), rx_(rx), tx_(tx) {
  mergeable_ = dev->has(kNetMrgRxbuf);
  bool legacy = dev->transport().legacy();
  header_size_ = net_header_size(!legacy || mergeable_);
  split_header_ = legacy && !dev->has(kFeatureAnyLayout);
  tx_checksum_offload = dev->has(kNetCsum);
  // TSO needs the checksum offload it builds on (§5.1.3.1).
  if (tx_checksum_offload && dev->has(kNetHostTso4))
    tx_large_send_max = kMaxLargeSend;
  service_.work.run = &NetDevice::run_service;
  service_.owner = this;
  watchdog_.timer.fire = &NetDevice::on_watchdog;
  watchdog_.owner = this;
  rx->set_interrupt_callback(&NetDevice::on_rx_interrupt, this);
  tx->set_interrupt_callback(&NetDevice::on_tx_interrupt, this);
}

// Top halves (both queues share the device's vector, so each interrupt calls both): the
// receive side also asks the device not to interrupt again until service() has emptied the
// ring and re-armed it; frames arriving meanwhile are taken in the same pass (virtio 1.x
// §2.7.10: the flag or the event index, whichever was negotiated). Writing the flag here is
// safe: kernel code, service() included, runs with interrupts off.
void NetDevice::on_rx_interrupt(void* ctx) {
  auto* self = static_cast<NetDevice*>(ctx);
  ++self->stats_.interrupts;
  self->rx_->disarm_interrupt();
  sched::defer(&self->service_.work);
}

void NetDevice::on_tx_interrupt(void* ctx) {
  sched::defer(&static_cast<NetDevice*>(ctx)->service_.work);
}

void NetDevice::run_service(sched::Work* w) {
  reinterpret_cast<ServiceWork*>(w)->owner->service();
}

void NetDevice::on_watchdog(sched::Timer* t) {
  reinterpret_cast<WatchdogTimer*>(t)->owner->watchdog();
}

void NetDevice::service() {
  if (in_service_)
    return; // the stack called back into us while we handed it a frame
  in_service_ = true;
  do {
    reap_tx();
    receive_returned();
    if (tx_kick_pending_) // what the stack sent in answer to this batch
      kick_tx();
  } while (!rx_->arm_interrupt()); // something came in between: go round again
  in_service_ = false;
}

void NetDevice::report_counters() const {
  const Stats& s = stats_;
  kprintf("net: %s: rx %lu frames in %lu batches, %lu interrupts, %lu dropped, %lu kicks; "
          "tx %lu frames, %lu kicks (%lu not asked for), %lu queued, %lu dropped, %lu rekicks\n",
          name(), s.rx_frames, s.rx_batches, s.interrupts, s.rx_dropped, s.rx_kicks, s.tx_frames,
          s.tx_kicks, s.tx_kicks_suppressed, s.tx_queued, s.tx_dropped, s.tx_rekicks);
}

// Runs every kWatchBusyNs while frames wait for the device, every kWatchIdleNs otherwise.
void NetDevice::watchdog() {
  service(); // what arrived without an interrupt (or everything, while polled)
  if (rx_posted_ < rx_target_)
    refill_rx(); // an earlier allocation failure
  bool waiting = tx_->in_flight() > 0 || !tx_overflow_.empty();
  if (tx_stall_.round(waiting, tx_completed_)) {
    // Nothing came back for a whole round: the device may have missed our notification.
    tx_->kick_always();
    ++stats_.tx_rekicks;
  }
  check_link();
  uint64_t period = waiting || !dev_->interrupts() ? kWatchBusyNs : kWatchIdleNs;
  sched::timer_arm(&watchdog_.timer, ktime::monotonic_ns() + period);
}

void NetDevice::start_watchdog() {
  watchdog_.timer.housekeeping = true; // it ends no wait by itself (sched/wait.h)
  sched::timer_arm(&watchdog_.timer, ktime::monotonic_ns() + kWatchBusyNs);
}

bool NetDevice::link_up_now() {
  if (!dev_->has(kNetStatus))
    return true; // without the field the link is always up (§5.1.4)
  Transport& t = dev_->transport();
  uint16_t status =
      static_cast<uint16_t>(t.config8(kNetConfigStatus) | t.config8(kNetConfigStatus + 1) << 8);
  return (status & kNetStatusLinkUp) != 0;
}

void NetDevice::check_link() {
  bool up = link_up_now();
  if (up == link_up_)
    return;
  link_up_ = up;
  kprintf("net: %s: link %s\n", name(), up ? "up" : "down");
  net::netdev::link_changed(*this, up);
}

namespace {

constexpr uint64_t kWanted = kNetMac | kNetStatus | kNetMrgRxbuf | kNetCsum | kNetGuestCsum |
                             kNetHostTso4 | kFeatureEventIdx | kFeatureIndirectDesc |
                             kFeatureAnyLayout;
constexpr uint16_t kRingEntries = 256;
int g_interfaces = 0; // en1, en2... in discovery order, as Nanos names them

net::MacAddress read_mac(Device& dev) {
  net::MacAddress mac;
  if (dev.has(kNetMac)) {
    for (int i = 0; i < 6; ++i)
      mac.bytes[i] = dev.transport().config8(kNetConfigMac + i);
    return mac;
  }
  // No address from the device: a random one, locally administered and unicast.
  krandom::random_bytes(mac.bytes, sizeof mac.bytes);
  mac.bytes[0] = static_cast<uint8_t>((mac.bytes[0] & 0xFE) | 0x02);
  return mac;
}

Status probe(const drivers::FoundDevice& found) {
  auto started = Device::start(found, kWanted, "virtio-net");
  if (!started)
    return Err(started.error());
  Device* dev = *started;
  auto rx = dev->add_queue(0, kRingEntries, 2);
  if (!rx)
    return dev->fail(Err(rx.error()));
  auto tx = dev->add_queue(1, kRingEntries, 2);
  if (!tx)
    return dev->fail(Err(tx.error()));
  char* name = new char[8];
  klib::format(name, 8, "en%d", g_interfaces + 1);
  net::MacAddress mac = read_mac(*dev);
  auto* nd = new NetDevice(dev, *rx, *tx, name, mac);
  // The receive ring is filled before DRIVER_OK (§3.1.1 step 7) and the device told after.
  Status filled = nd->start_rx();
  if (!filled)
    return dev->fail(filled);
  dev->ready();
  (*rx)->kick_always();
  ++g_interfaces;
  char detail[96];
  const uint8_t* m = mac.bytes;
  klib::format(detail, sizeof detail, "%s %02x:%02x:%02x:%02x:%02x:%02x%s%s%s%s", name, m[0], m[1],
               m[2], m[3], m[4], m[5], dev->has(kNetMrgRxbuf) ? ", mrg-rxbuf" : "",
               dev->has(kNetCsum) ? ", csum" : "", dev->has(kNetGuestCsum) ? ", guest-csum" : "",
               nd->tx_large_send_max ? ", tso4" : "");
  dev->describe(detail);
  Status attached = net::netdev::attach(*nd);
  if (!attached) {
    kprintf("virtio-net: %s: the network stack has no room for %s\n", dev->transport().location(),
            name);
    return status_ok(); // the device stays set up, unused
  }
  nd->start_watchdog();
  return status_ok();
}

constexpr drivers::DeviceId kIds[] = {
    {drivers::Bus::kPci, 0x1AF4, 0x1000},
    {drivers::Bus::kPci, 0x1AF4, 0x1040 + kDeviceNet},
    {drivers::Bus::kVirtioMmio, drivers::kAnyId, kDeviceNet},
};

} // namespace

const drivers::Driver net_driver{"virtio-net", kIds, sizeof(kIds) / sizeof(kIds[0]), probe};

} // namespace virtio
