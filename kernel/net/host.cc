// The kernel's one network stack (host.h): the IPv4 stack and its loopback interface, the
// TCP engine joined to it through a Link and a protocol handler, and one sched timer that
// drives the timers of both.
//
// Everything here runs in thread context, deferred work or a timer callback, with
// interrupts off on the one CPU (docs/kernel-locking.md): the stack is never entered twice
// at once, and nothing here blocks.
#include "net/host.h"

#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "net/bytes.h"
#include "net/host_internal.h"
#include "net/packet.h"
#include "net/protocol.h"
#include "net/tcp_large_send.h"
#include "sched/wait.h"

namespace net::host {
namespace {

constexpr uint8_t kProtocolTcp = 6;
constexpr size_t kTcpChecksumOffset = 16;
constexpr size_t kIpv4Header = 20, kTcpHeader = 20;
// ARP retries, reassembly and path-MTU timeouts need a tick only when a device is attached
// (loopback neither resolves addresses nor fragments). ARP retries come once a second, so
// a fifth of that keeps them close to their schedule.
constexpr uint64_t kIpTickPeriodNs = 200 * kNsPerMs;
// One run_pending delivers at most this many rounds of loopback traffic (each round is up
// to LoopbackInterface::kQueueLimit datagrams), so two endpoints answering each other
// forever cannot keep the kernel here; the timer picks up the rest.
constexpr int kMaxLoopbackRounds = 64;

class KernelClock final : public Clock {
public:
  uint64_t now_ns() const override { return ktime::monotonic_ns(); }
};

// TCP's view of the IP layer: a finished segment becomes an IPv4 datagram whose checksum
// the device (offload) or Stack::send's output path (software) completes.
class TcpLink final : public tcp::Link {
public:
  void send(const tcp::IpAddr& src, const tcp::IpAddr& dst, const tcp::Segment& segment,
            uint16_t mss) override;
  uint16_t mss_for(const tcp::IpAddr& dst) override;
  uint32_t large_send_limit(const tcp::IpAddr& dst) override;
};

// IP protocol 6: checks the transport checksum (unless the device or loopback vouched for
// it) and hands the segment to TCP, which answers unknown ports with RST itself.
class TcpHandler final : public ProtocolHandler {
public:
  Delivery receive(const Ipv4Header& header, PacketPtr& payload) override;
  void icmp_error(const IcmpError& error) override;
};

// The objects live in static storage and are constructed by init(): they allocate (the
// TCP hash table), so they must wait until the heap exists.
alignas(Stack) uint8_t g_ip_storage[sizeof(Stack)];
alignas(tcp::Stack) uint8_t g_tcp_storage[sizeof(tcp::Stack)];
KernelClock g_clock;
TcpLink g_link;
TcpHandler g_tcp_handler;
Stack* g_ip = nullptr;
tcp::Stack* g_tcp = nullptr;

sched::Timer g_timer;
uint64_t g_armed_for = 0; // the deadline g_timer is armed for, 0 when it is not
uint64_t g_next_ip_tick = 0;
// (Static storage built by init(), like the stacks: a global with a destructor would need
// atexit, which the kernel does not have.)
alignas(PacketQueue) uint8_t g_v6_storage[sizeof(PacketQueue)];
PacketQueue* g_v6_loopback = nullptr;
constexpr size_t kV6AddressBytes = 32;
int g_devices = 0; // attached non-loopback interfaces

bool is_v6_loopback(const tcp::IpAddr& a) {
  if (a.family != 6 || a.bytes[15] != 1)
    return false;
  for (int i = 0; i < 15; ++i)
    if (a.bytes[i])
      return false;
  return true;
}

// IPv6 has no wire path yet, only ::1: TCP segments between ::1 endpoints wait here, their
// two addresses in front of the segment, until run_pending hands them back to TCP. (A
// loopback needs no IPv6 header or checksum: nothing on the way can corrupt the bytes.)
void queue_v6_loopback(const tcp::IpAddr& src, const tcp::IpAddr& dst,
                       const tcp::Segment& segment) {
  size_t len = segment.length();
  if (!is_v6_loopback(dst) || g_v6_loopback->count() >= LoopbackInterface::kQueueLimit)
    return; // no route (or a full queue): dropped, as a network would
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, kV6AddressBytes + len);
  if (!p)
    return;
  uint8_t* bytes = p->put(kV6AddressBytes + len);
  memcpy(bytes, src.bytes, 16);
  memcpy(bytes + 16, dst.bytes, 16);
  segment.copy_to(bytes + kV6AddressBytes);
  g_v6_loopback->push_back(p.take());
}

void deliver_v6_loopback() {
  for (size_t n = 0; n < LoopbackInterface::kQueueLimit && !g_v6_loopback->empty(); ++n) {
    PacketPtr p = g_v6_loopback->pop_front();
    tcp::IpAddr src, dst;
    src.family = dst.family = 6;
    memcpy(src.bytes, p->data(), 16);
    memcpy(dst.bytes, p->data() + 16, 16);
    g_tcp->receive(src, dst, p->data() + kV6AddressBytes, p->length() - kV6AddressBytes);
  }
}

bool loopback_pending() {
  return g_ip->loopback().has_pending() || !g_v6_loopback->empty();
}

// Loopback traffic of both families, in bounded rounds (see kMaxLoopbackRounds).
void deliver_loopback() {
  for (int round = 0; round < kMaxLoopbackRounds && loopback_pending(); ++round) {
    g_ip->poll();
    deliver_v6_loopback();
  }
}

// One outgoing IPv4 TCP packet: `header` (header_len bytes) and payload bytes [from, from + n)
// of the segment, copied once; the payload's sum is taken during that copy, so a checksum
// finished in software (no offload) only sums the header again.
PacketPtr build_tcp_packet(Ipv4Address source, Ipv4Address destination, const uint8_t* header,
                           size_t header_len, const tcp::Segment& segment, size_t from, size_t n) {
  size_t len = header_len + n;
  PacketPtr p = PacketPtr::allocate(kPacketHeadroom, len);
  if (!p)
    return p; // out of memory: the retransmission timer sends it again
  uint8_t* bytes = p->put(len);
  memcpy(bytes, header, header_len);
  uint64_t payload_sum = tcp::copy_segment_range(segment, from, n, bytes + header_len);
  // The field holds the pseudo-header sum; the device or the output path sums the rest.
  put_be16(bytes + kTcpChecksumOffset,
           checksum_fold(pseudo_header_ipv4(source.value, destination.value, kProtocolTcp,
                                            static_cast<uint16_t>(len))));
  p->set_tx_checksum(0, kTcpChecksumOffset, /*zero_means_none=*/false);
  if (n > 0)
    p->set_tx_checksum_known_tail(header_len, payload_sum);
  return p;
}

void send_tcp_packet(Ipv4Address source, Ipv4Address destination, PacketPtr p) {
  if (!p)
    return;
  SendOptions options;
  options.dont_fragment = true;
  // Errors (no route, no buffer) are a lost segment to TCP, which retransmits; a connect to
  // an unreachable network is refused earlier by the socket layer's route check.
  (void)g_ip->send(source, destination, kProtocolTcp, p.take(), options);
}

void TcpLink::send(const tcp::IpAddr& src, const tcp::IpAddr& dst, const tcp::Segment& segment,
                   uint16_t mss) {
  size_t len = segment.length();
  if (len < kTcpHeader)
    return;
  if (src.family == 6 || dst.family == 6) {
    queue_v6_loopback(src, dst, segment);
    return;
  }
  Ipv4Address source{src.as_v4()}, destination{dst.as_v4()};
  size_t header_len = tcp::segment_header_length(segment);
  if (header_len == 0 || header_len > segment.head_len)
    return;
  size_t payload = len - header_len;
  if (mss == 0 || payload <= mss) {
    send_tcp_packet(source, destination,
                    build_tcp_packet(source, destination, segment.head, header_len, segment,
                                     header_len, payload));
    return;
  }
  // A large send: the NIC cuts it (TSO) when the route's interface can, else it is cut here.
  if (g_ip->large_send_max(destination) >= payload) {
    PacketPtr p = build_tcp_packet(source, destination, segment.head, header_len, segment,
                                   header_len, payload);
    if (p) {
      p->gso_size = mss;
      p->gso_header = static_cast<uint16_t>(header_len);
    }
    send_tcp_packet(source, destination, p.take());
    return;
  }
  uint8_t header[tcp::kMaxHeader];
  size_t pieces = tcp::large_send_pieces(payload, mss);
  for (size_t i = 0; i < pieces; ++i) {
    size_t offset = i * mss;
    size_t n = payload - offset < mss ? payload - offset : mss;
    tcp::large_send_piece_header(segment.head, header_len, static_cast<uint32_t>(offset), i == 0,
                                 i + 1 == pieces, header);
    send_tcp_packet(
        source, destination,
        build_tcp_packet(source, destination, header, header_len, segment, header_len + offset, n));
  }
}

uint32_t TcpLink::large_send_limit(const tcp::IpAddr& dst) {
  if (dst.family != 4)
    return 0;
  return g_ip->large_send_max(Ipv4Address{dst.as_v4()});
}

uint16_t TcpLink::mss_for(const tcp::IpAddr& dst) {
  if (dst.family != 4) // ::1, or the IPv6 minimum MTU less its headers
    return static_cast<uint16_t>(is_v6_loopback(dst) ? LoopbackInterface::kMtu - 60 : 1220);
  uint32_t mtu = g_ip->path_mtu(Ipv4Address{dst.as_v4()});
  uint32_t mss = mtu > kIpv4Header + kTcpHeader + 536 ? mtu - kIpv4Header - kTcpHeader : 536;
  return static_cast<uint16_t>(mss > 65495 ? 65495 : mss);
}

Delivery TcpHandler::receive(const Ipv4Header& header, PacketPtr& payload) {
  if (!transport_checksum_ok(header, *payload))
    return Delivery::kDelivered; // corrupt: dropped silently (RFC 9293 3.10.7)
  g_tcp->receive(tcp::IpAddr::v4(header.source.value), tcp::IpAddr::v4(header.destination.value),
                 payload->data(), payload->length());
  return Delivery::kDelivered;
}

void TcpHandler::icmp_error(const IcmpError& error) {
  if (error.transport_length < 4)
    return;
  tcp::Endpoint local{tcp::IpAddr::v4(error.local.value), get_be16(error.transport)};
  tcp::Endpoint remote{tcp::IpAddr::v4(error.remote.value), get_be16(error.transport + 2)};
  g_tcp->icmp_error(local, remote, error.error);
}

void on_timer(sched::Timer*) {
  g_armed_for = 0; // a timer that fired is disarmed
  run_pending();
}

// The earliest moment run_pending has timer work, 0 for none.
uint64_t next_deadline() {
  uint64_t next = g_tcp->next_deadline_ns();
  if (g_devices > 0 && (next == 0 || g_next_ip_tick < next))
    next = g_next_ip_tick;
  return next;
}

void rearm() {
  uint64_t next = next_deadline();
  if (next == 0) {
    if (g_armed_for)
      sched::timer_cancel(&g_timer);
    g_armed_for = 0;
    return;
  }
  if (g_armed_for != next)
    sched::timer_arm(&g_timer, next);
  g_armed_for = next;
}

} // namespace

void init() {
  if (g_ip)
    return;
  g_ip = new (g_ip_storage) Stack(g_clock);
  g_v6_loopback = new (g_v6_storage) PacketQueue();
  tcp::Config config;
  random_bytes(&config.isn_secret, sizeof config.isn_secret); // RFC 6528's secret key
  g_tcp = new (g_tcp_storage) tcp::Stack(g_link, g_clock, config);
  if (!g_ip->register_protocol(kProtocolTcp, g_tcp_handler).ok())
    kprintf("net: cannot register TCP with the IP layer\n");
  g_timer.fire = on_timer;
}

Stack& ip() {
  return *g_ip;
}

tcp::Stack& tcp() {
  return *g_tcp;
}

void run_pending() {
  if (!g_ip)
    return;
  deliver_loopback();
  uint64_t now = g_clock.now_ns();
  uint64_t tcp_due = g_tcp->next_deadline_ns();
  if (tcp_due != 0 && tcp_due <= now)
    g_tcp->poll_timers();
  if (g_devices > 0 && g_next_ip_tick <= now) {
    g_ip->tick(); // also delivers loopback traffic
    g_next_ip_tick = now + kIpTickPeriodNs;
  }
  // Timers may have sent over loopback: deliver that too before sleeping.
  deliver_loopback();
  rearm();
  // Traffic still queued after the bound: come back as soon as the timer list runs.
  if (loopback_pending()) {
    sched::timer_arm(&g_timer, now);
    g_armed_for = now;
  }
}

// ---- for netdev.cc (host_internal.h) ----
void device_attached() {
  if (g_devices++ == 0)
    g_next_ip_tick = g_clock.now_ns() + kIpTickPeriodNs;
  // From now on the timer also carries the periodic IP tick, and every socket wait counts
  // as one a device may end (has_devices): the deadlock report must not count the timer.
  g_timer.housekeeping = true;
  // poll, select and epoll sleep on the shared readiness queue: one may watch a socket that
  // a packet from outside makes ready, so such a wait is not a deadlock either (a poll over
  // pipes alone then goes unreported: the price of not inspecting every interest set).
  sched::io_events().interrupt_wakes = true;
}

bool has_devices() {
  return g_devices > 0;
}

namespace {

void flush_unacknowledged(uint64_t timeout_ns) {
  uint64_t deadline = g_clock.now_ns() + timeout_ns;
  sched::WaitQueue nobody; // only the deadline ends each wait; ACKs arrive meanwhile
  while (g_tcp->has_unacknowledged_data()) {
    run_pending();
    uint64_t now = g_clock.now_ns();
    if (now >= deadline) {
      kprintf("net: data still unacknowledged at exit after %lu ms; powering off anyway\n",
              static_cast<unsigned long>(timeout_ns / 1000000));
      return;
    }
    uint64_t step = now + 1000000; // 1 ms: short against a round trip, cheap to repeat
    sched::wait(nobody, step < deadline ? step : deadline, "network flush at exit");
  }
}

} // namespace

void finish_transmission(uint64_t timeout_ns) {
  if (!g_tcp)
    return;
  flush_unacknowledged(timeout_ns);
  // The drivers' counters, for benchmarks (docs/benchmarks.md: frames, interrupts and
  // notifications per megabyte) and for looking into a stall after the fact.
  if (boot::cmdline_has("core.net"))
    for (uint32_t index = 1; index <= Stack::kMaxInterfaces; ++index)
      if (Interface* interface = g_ip->interface_at_index(index))
        interface->report_counters();
}

} // namespace net::host
