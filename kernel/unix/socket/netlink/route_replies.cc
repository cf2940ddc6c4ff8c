// NETLINK_ROUTE's answers (route_replies.h). The layouts are Linux's UAPI structures
// (ifinfomsg, ifaddrmsg, rtmsg) written field by field; values in host byte order except
// addresses, which are in network byte order as in a sockaddr.
#include "unix/socket/netlink/route_replies.h"

#include "lib/errno.h"
#include "lib/string.h"
#include "unix/socket/netlink/netlink_message.h"

namespace unix::netlink {
namespace {

constexpr uint8_t kAfUnspec = 0, kAfInet = 2, kAfInet6 = 10;
constexpr uint16_t kArphrdEther = 1, kArphrdLoopback = 772;
// Link attributes (IFLA_*) and operational states (IF_OPER_*).
constexpr uint16_t kIflaAddress = 1, kIflaBroadcast = 2, kIflaIfname = 3, kIflaMtu = 4,
                   kIflaTxqlen = 13, kIflaOperstate = 16, kIflaLinkmode = 17;
constexpr uint8_t kOperUnknown = 0, kOperDown = 2, kOperUp = 6;
// Address attributes (IFA_*) and flags.
constexpr uint16_t kIfaAddress = 1, kIfaLocal = 2, kIfaLabel = 3, kIfaBroadcast = 4, kIfaFlags = 8;
constexpr uint32_t kIfaFPermanent = 0x80;
// Route attributes (RTA_*), tables, protocols, scopes and types.
constexpr uint16_t kRtaDst = 1, kRtaOif = 4, kRtaGateway = 5, kRtaPriority = 6, kRtaPrefsrc = 7,
                   kRtaTable = 15;
constexpr uint8_t kTableMain = 254, kTableLocal = 255;
constexpr uint8_t kProtoKernel = 2, kProtoBoot = 3;
constexpr uint8_t kScopeUniverse = 0, kScopeLink = 253, kScopeHost = 254;
constexpr uint8_t kRouteUnicast = 1, kRouteLocal = 2;
constexpr uint32_t kTxQueueLength = 1000;

void put_be32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}
void put_u32(uint8_t* p, uint32_t v) {
  memcpy(p, &v, 4);
}
void put_i32(uint8_t* p, int32_t v) {
  memcpy(p, &v, 4);
}

// A request's answers as they are produced: messages packed into datagrams.
class Reply {
public:
  Reply(ReplySink& sink, uint32_t port_id)
      : sink_(sink), port_id_(port_id), writer_(buffer_, sizeof buffer_) {}

  MessageWriter& writer() { return writer_; }
  uint32_t port_id() const { return port_id_; }

  // Writes a message with fill(writer) into the current datagram, or the next one when it
  // does not fit. A message that fits in no datagram is left out.
  template <typename Fill> void message(Fill fill) {
    fill(writer_);
    if (writer_.end())
      return;
    flush();
    fill(writer_);
    (void)writer_.end();
  }
  // Hands the datagram so far to the sink.
  void flush() {
    if (writer_.size() && !sink_.deliver(buffer_, writer_.size()))
      refused_ = true;
    writer_.clear();
  }
  bool refused() const { return refused_; }

private:
  ReplySink& sink_;
  uint32_t port_id_;
  uint8_t buffer_[kDumpDatagramBytes];
  MessageWriter writer_;
  bool refused_ = false;
};

// ---- messages ----
void link_message(MessageWriter& w, const LinkInfo& link, uint16_t flags, uint32_t sequence,
                  uint32_t port_id) {
  w.begin(kRtmNewLink, flags, sequence, port_id);
  uint8_t info[16] = {}; // ifinfomsg: family, pad, type, index, flags, change
  info[0] = kAfUnspec;
  uint16_t type = link.loopback ? kArphrdLoopback : kArphrdEther;
  memcpy(info + 2, &type, 2);
  put_i32(info + 4, static_cast<int32_t>(link.index));
  put_u32(info + 8, link.flags);
  w.put(info, sizeof info);
  w.attribute_string(kIflaIfname, link.name);
  w.attribute_u32(kIflaTxqlen, kTxQueueLength);
  uint8_t oper = link.loopback ? kOperUnknown : (link.flags & kIffRunning) ? kOperUp : kOperDown;
  w.attribute_u8(kIflaOperstate, oper);
  w.attribute_u8(kIflaLinkmode, 0);
  w.attribute_u32(kIflaMtu, link.mtu);
  w.attribute(kIflaAddress, link.mac, 6);
  uint8_t broadcast[6] = {};
  if (!link.loopback)
    memset(broadcast, 0xFF, sizeof broadcast);
  w.attribute(kIflaBroadcast, broadcast, 6);
}

void ipv4_address_message(MessageWriter& w, const LinkInfo& link, uint32_t sequence,
                          uint32_t port_id) {
  w.begin(kRtmNewAddr, kFlagMulti, sequence, port_id);
  uint8_t info[8] = {}; // ifaddrmsg: family, prefix length, flags, scope, index
  info[0] = kAfInet;
  info[1] = link.prefix_length;
  info[2] = static_cast<uint8_t>(kIfaFPermanent);
  info[3] = link.loopback ? kScopeHost : kScopeUniverse;
  put_u32(info + 4, link.index);
  w.put(info, sizeof info);
  uint8_t address[4];
  put_be32(address, link.ipv4);
  w.attribute(kIfaAddress, address, 4);
  w.attribute(kIfaLocal, address, 4);
  if (uint32_t b = link.broadcast()) {
    uint8_t broadcast[4];
    put_be32(broadcast, b);
    w.attribute(kIfaBroadcast, broadcast, 4);
  }
  w.attribute_string(kIfaLabel, link.name);
  w.attribute_u32(kIfaFlags, kIfaFPermanent);
}

void ipv6_loopback_message(MessageWriter& w, const LinkInfo& link, uint32_t sequence,
                           uint32_t port_id) {
  w.begin(kRtmNewAddr, kFlagMulti, sequence, port_id);
  uint8_t info[8] = {kAfInet6, 128, static_cast<uint8_t>(kIfaFPermanent), kScopeHost};
  put_u32(info + 4, link.index);
  w.put(info, sizeof info);
  uint8_t address[16] = {};
  address[15] = 1;
  w.attribute(kIfaAddress, address, 16);
  w.attribute_u32(kIfaFlags, kIfaFPermanent);
}

void route_message(MessageWriter& w, const RouteInfo& route, uint32_t sequence, uint32_t port_id) {
  w.begin(kRtmNewRoute, kFlagMulti, sequence, port_id);
  // rtmsg: family, dst_len, src_len, tos, table, protocol, scope, type, flags
  uint8_t info[12] = {};
  info[0] = kAfInet;
  info[1] = route.prefix_length;
  uint8_t table = route.local ? kTableLocal : kTableMain;
  info[4] = table;
  info[5] = route.gateway ? kProtoBoot : kProtoKernel;
  info[6] = route.local ? kScopeHost : route.gateway ? kScopeUniverse : kScopeLink;
  info[7] = route.local ? kRouteLocal : kRouteUnicast;
  w.put(info, sizeof info);
  w.attribute_u32(kRtaTable, table);
  uint8_t address[4];
  if (route.prefix_length) {
    put_be32(address, route.destination);
    w.attribute(kRtaDst, address, 4);
  }
  if (route.gateway) {
    put_be32(address, route.gateway);
    w.attribute(kRtaGateway, address, 4);
  }
  if (route.preferred_source) {
    put_be32(address, route.preferred_source);
    w.attribute(kRtaPrefsrc, address, 4);
  }
  if (route.metric)
    w.attribute_u32(kRtaPriority, route.metric);
  w.attribute_u32(kRtaOif, route.link_index);
}

// NLMSG_ERROR: the error (0: an acknowledgement) and the request's header.
void error_message(Reply& reply, const MessageHeader& request, const uint8_t* request_bytes,
                   int error) {
  reply.message([&](MessageWriter& w) {
    w.begin(kNlmsgError, kFlagCapped, request.sequence, reply.port_id());
    uint8_t payload[4 + kHeaderSize];
    put_i32(payload, error);
    memcpy(payload + 4, request_bytes, kHeaderSize);
    w.put(payload, sizeof payload);
  });
}

void done_message(Reply& reply, const MessageHeader& request) {
  reply.message([&](MessageWriter& w) {
    w.begin(kNlmsgDone, kFlagMulti, request.sequence, reply.port_id());
    uint8_t status[4] = {};
    w.put(status, sizeof status);
  });
}

// ---- requests ----
// The first byte of the request's family header: the address family asked for (0: all).
uint8_t requested_family(const MessageHeader& request, const uint8_t* bytes) {
  return request.length > kHeaderSize ? bytes[kHeaderSize] : kAfUnspec;
}

void dump(const InterfaceSnapshot& s, const MessageHeader& request, const uint8_t* bytes,
          Reply& reply) {
  uint32_t seq = request.sequence, port = reply.port_id();
  uint8_t family = requested_family(request, bytes);
  if (request.type == kRtmGetLink) {
    for (size_t i = 0; i < s.link_count; ++i)
      reply.message([&](MessageWriter& w) { link_message(w, s.links[i], kFlagMulti, seq, port); });
  } else if (request.type == kRtmGetAddr) {
    if (family == kAfUnspec || family == kAfInet)
      for (size_t i = 0; i < s.link_count; ++i)
        if (s.links[i].has_ipv4())
          reply.message([&](MessageWriter& w) { ipv4_address_message(w, s.links[i], seq, port); });
    if (family == kAfUnspec || family == kAfInet6)
      for (size_t i = 0; i < s.link_count; ++i)
        if (s.links[i].has_ipv6_loopback)
          reply.message([&](MessageWriter& w) { ipv6_loopback_message(w, s.links[i], seq, port); });
  } else {
    if (family == kAfUnspec || family == kAfInet)
      for (size_t i = 0; i < s.route_count; ++i)
        reply.message([&](MessageWriter& w) { route_message(w, s.routes[i], seq, port); });
  }
  done_message(reply, request);
}

// RTM_GETLINK for one interface: by ifi_index, else by IFLA_IFNAME.
int get_link(const InterfaceSnapshot& s, const MessageHeader& request, const uint8_t* bytes,
             Reply& reply) {
  constexpr size_t kInfoSize = 16;
  if (request.length < kHeaderSize + kInfoSize)
    return -EINVAL;
  int32_t index;
  memcpy(&index, bytes + kHeaderSize + 4, 4);
  const LinkInfo* link = nullptr;
  if (index > 0) {
    link = s.find_index(static_cast<uint32_t>(index));
  } else {
    AttributeReader attributes(bytes + kHeaderSize + kInfoSize,
                               request.length - kHeaderSize - kInfoSize);
    uint16_t type;
    const uint8_t* value;
    size_t len;
    bool named = false;
    while (attributes.next(&type, &value, &len)) {
      if (type != kIflaIfname)
        continue;
      named = true;
      char name[kInterfaceNameSize] = {};
      memcpy(name, value, len < sizeof name - 1 ? len : sizeof name - 1);
      link = s.find_name(name);
    }
    if (!named)
      return -EINVAL;
  }
  if (!link)
    return -ENODEV;
  reply.message(
      [&](MessageWriter& w) { link_message(w, *link, 0, request.sequence, reply.port_id()); });
  return 0;
}

void answer(const InterfaceSnapshot& s, const MessageHeader& request, const uint8_t* bytes,
            Reply& reply) {
  if (!(request.flags & kFlagRequest) || request.type < kNlmsgMinType)
    return;
  bool is_get =
      request.type == kRtmGetLink || request.type == kRtmGetAddr || request.type == kRtmGetRoute;
  if (is_get && (request.flags & kFlagDump)) { // either bit, as Linux checks it
    dump(s, request, bytes, reply);
    return;
  }
  int error = request.type == kRtmGetLink ? get_link(s, request, bytes, reply) : -EOPNOTSUPP;
  if (error || (request.flags & kFlagAck))
    error_message(reply, request, bytes, error);
}

} // namespace

bool answer_requests(const InterfaceSnapshot& snapshot, const uint8_t* bytes, size_t len,
                     uint32_t port_id, ReplySink& sink) {
  Reply reply(sink, port_id);
  size_t offset = 0;
  MessageHeader request;
  while (read_header(bytes + offset, len - offset, &request)) {
    answer(snapshot, request, bytes + offset, reply);
    // A dump ends its datagram; the answers to further requests start a new one.
    reply.flush();
    offset += align4(request.length);
    if (offset >= len)
      break;
  }
  return !reply.refused();
}

} // namespace unix::netlink
