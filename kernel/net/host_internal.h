// Between host.cc (the stack and its timer) and netdev.cc (the driver entry points).
#pragma once

namespace net::host {

// A driver attached a device interface: the IP layer's periodic tick starts (ARP retries,
// reassembly and path-MTU timeouts matter only off the loopback interface).
void device_attached();

} // namespace net::host
