// AF_NETLINK sockets of protocol NETLINK_ROUTE (SOCK_RAW or SOCK_DGRAM): a program sends
// requests to the kernel (port id 0) and reads the answers, which route_replies.cc computes
// from the interfaces and routes of the network stack at the moment of the send.
//
// - Port ids: bind with nl_pid 0 (or the first send/connect) picks one: the process id,
//   else -4096, -4097, ... as Linux does; an explicit nl_pid already taken is EADDRINUSE.
//   getsockname reports it, so glibc can match the answers' nlmsg_pid.
// - Answers are datagrams in a receive queue (at most SO_RCVBUF bytes; beyond it they are
//   dropped and the next receive fails with ENOBUFS). recvmsg/recvfrom take one datagram,
//   with MSG_PEEK, MSG_TRUNC (the datagram's full length is returned) and MSG_DONTWAIT;
//   the sender's address is the kernel's, nl_pid 0.
// - Multicast groups (nl_groups, NETLINK_ADD_MEMBERSHIP) are accepted and reported, but no
//   notifications are ever sent: nothing changes the interfaces from user space.
#pragma once

#include "unix/socket/socket.h"

namespace unix::netlink {

extern const SocketFamily kNetlinkFamily;

} // namespace unix::netlink
