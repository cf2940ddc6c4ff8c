// DHCP on one interface of a Stack: runs a DhcpClient over a UDP socket on port 68 and
// applies its leases -- the interface address and connected route, the default route via the
// router, the MTU -- and keeps the DNS servers for the resolver configuration. A static
// configuration is the same two Stack calls done once: set_address and set_default_route.
#pragma once

#include "net/dhcp_client.h"
#include "net/stack.h"

namespace net {

class DhcpAgent : public DhcpClient::Host {
public:
  DhcpAgent(Stack& stack, Interface& interface, uint32_t xid_seed);
  ~DhcpAgent() override;

  Status start();
  // Timers (retransmission, renewal, expiry); the caller runs it by client().next_deadline().
  void tick();
  const DhcpClient& client() const { return client_; }
  bool has_lease() const { return has_lease_; }
  const DhcpLease& lease() const { return client_.lease(); }

  // DhcpClient::Host
  void send_dhcp(const uint8_t* message, size_t len, Ipv4Address destination) override;
  void lease_acquired(const DhcpLease& lease) override;
  void lease_lost() override;

private:
  static void on_readable(void* ctx);
  void drain();

  Stack& stack_;
  Interface& interface_;
  UdpSocket socket_;
  DhcpClient client_;
  uint32_t original_mtu_;
  bool has_lease_ = false;
};

} // namespace net
