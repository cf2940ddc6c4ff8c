// The socket family registry: socket() and socketpair() look the domain up here. Adding a
// family is one line below (and its Socket subclass, socket.h).
#include "unix/socket/afunix/local_socket.h"
#include "unix/socket/inet/inet_socket.h"
#include "unix/socket/netlink/netlink_socket.h"
#include "unix/socket/socket.h"

namespace unix {
namespace {

const SocketFamily* const kFamilies[] = {
    &afunix::kLocalFamily,    // AF_UNIX
    &inet::kInetFamily,       // AF_INET
    &inet::kInet6Family,      // AF_INET6
    &netlink::kNetlinkFamily, // AF_NETLINK (NETLINK_ROUTE)
};

} // namespace

const SocketFamily* find_socket_family(int domain) {
  for (const SocketFamily* family : kFamilies)
    if (family->domain == domain)
      return family;
  return nullptr;
}

} // namespace unix
