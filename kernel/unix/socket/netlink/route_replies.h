// NETLINK_ROUTE's answers: what the kernel sends back for the requests a program writes to
// a route socket, computed from an InterfaceSnapshot (unix/socket/interfaces.h).
//
// - RTM_GETLINK, RTM_GETADDR, RTM_GETROUTE with NLM_F_DUMP: one RTM_NEWLINK per interface,
//   RTM_NEWADDR per address (IPv4 addresses; ::1 on lo), RTM_NEWROUTE per route, all
//   flagged NLM_F_MULTI, packed into datagrams of at most kDumpDatagramBytes (so a reader
//   with a page-sized buffer never truncates), then NLMSG_DONE. The request's family
//   (ifaddrmsg/rtmsg) filters addresses and routes.
// - RTM_GETLINK without NLM_F_DUMP: the interface named by ifi_index or IFLA_IFNAME, or
//   NLMSG_ERROR -ENODEV.
// - Anything else with NLM_F_REQUEST: NLMSG_ERROR -EOPNOTSUPP (nothing can be changed).
// - NLM_F_ACK on a request that is not a dump: an NLMSG_ERROR with error 0 follows.
// Messages without NLM_F_REQUEST and control messages are ignored, as on Linux.
// Freestanding and host-tested (route_replies_test.cc).
#pragma once

#include "unix/socket/interfaces.h"

#include <stddef.h>
#include <stdint.h>

namespace unix::netlink {

constexpr size_t kDumpDatagramBytes = 3840;

// Where the answers go: one call per datagram. False: no room (the socket's receive queue
// is full); the rest of the answer is dropped and the reader gets ENOBUFS.
class ReplySink {
public:
  virtual bool deliver(const uint8_t* bytes, size_t len) = 0;

protected:
  ~ReplySink() = default;
};

// Answers every message of a datagram a program sent (bytes, len) on a socket whose port id
// is `port_id`. Returns false when the sink refused a datagram.
bool answer_requests(const InterfaceSnapshot& snapshot, const uint8_t* bytes, size_t len,
                     uint32_t port_id, ReplySink& sink);

} // namespace unix::netlink
