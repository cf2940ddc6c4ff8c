// The driver entry points (netdev.h): a device's interface joins the kernel's stack
// (host.h), its frames go to the IP layer, and whatever they cause (TCP replies, loopback
// traffic, timers) runs before the driver gets control back.
#include "net/netdev.h"

#include "lib/errno.h"
#include "net/configure.h"
#include "net/host.h"
#include "net/host_internal.h"

namespace net::netdev {

Status attach(Interface& interface) {
  host::init(); // a no-op after boot's call; a driver probed first still finds a stack
  TRY(host::ip().add_interface(interface));
  host::device_attached();
  configure_interface(host::ip(), interface);
  host::run_pending();
  return status_ok();
}

void receive_in_batch(Interface& interface, PacketPtr frame) {
  host::ip().receive_frame(interface, frame.take());
}

void end_receive_batch() {
  host::run_pending();
}

void receive(Interface& interface, PacketPtr frame) {
  receive_in_batch(interface, frame.take());
  end_receive_batch();
}

void link_changed(Interface& interface, bool up) {
  // The interface stays configured; while the link is down its routes are not used
  // (RouteTable skips interfaces that are down), so sockets see ENETUNREACH rather than
  // silent loss.
  interface.set_up(up);
  host::run_pending();
}

} // namespace net::netdev
