// The interface queries programs make, through glibc where glibc has them: getifaddrs,
// if_nameindex, if_nametoindex/if_indextoname, getaddrinfo with AI_ADDRCONFIG (all over
// AF_NETLINK route sockets), the SIOCGIF* ioctls, and raw NETLINK_ROUTE dumps (links,
// addresses, routes; MSG_PEEK|MSG_TRUNC; NLMSG_ERROR). Prints one line per check; exits
// non-zero when any fails.
//
// Arguments: the interface the runner configured and what it should have:
//   NAME ADDRESS PREFIX GATEWAY MAC MTU     e.g. en1 10.0.2.15 24 10.0.2.2 52:54:00:12:34:56 1500
// The same program passes on Linux with the values of the host's interface (docs/net.md).
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#define CHECK_PRINT_PASSES
#include "check.h"

static const char* name;
static uint32_t address, netmask, broadcast, gateway; // host order
static int prefix, mtu;
static unsigned char mac[6];

static uint32_t addr_of(const struct sockaddr* sa) {
  return sa && sa->sa_family == AF_INET ? ntohl(((const struct sockaddr_in*)sa)->sin_addr.s_addr)
                                        : 0xDEADBEEF;
}

// ---- getifaddrs ----
static void test_getifaddrs(void) {
  struct ifaddrs* list;
  check(getifaddrs(&list) == 0, "getifaddrs");
  int lo_v4 = 0, lo_v6 = 0, lo_packet = 0, nic_v4 = 0, nic_packet = 0, nic_flags = 0;
  for (struct ifaddrs* i = list; i; i = i->ifa_next) {
    if (!i->ifa_addr)
      continue;
    int family = i->ifa_addr->sa_family;
    if (strcmp(i->ifa_name, "lo") == 0) {
      if (family == AF_INET)
        lo_v4 = addr_of(i->ifa_addr) == 0x7F000001 && addr_of(i->ifa_netmask) == 0xFF000000 &&
                (i->ifa_flags & (IFF_UP | IFF_LOOPBACK | IFF_RUNNING)) ==
                    (IFF_UP | IFF_LOOPBACK | IFF_RUNNING);
      if (family == AF_INET6)
        lo_v6 = IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6*)i->ifa_addr)->sin6_addr);
      if (family == AF_PACKET)
        lo_packet = ((struct sockaddr_ll*)i->ifa_addr)->sll_ifindex == (int)if_nametoindex("lo");
    } else if (strcmp(i->ifa_name, name) == 0) {
      if (family == AF_INET) {
        nic_v4 = addr_of(i->ifa_addr) == address && addr_of(i->ifa_netmask) == netmask &&
                 (i->ifa_flags & IFF_BROADCAST) && addr_of(i->ifa_broadaddr) == broadcast;
        nic_flags = (i->ifa_flags & (IFF_UP | IFF_RUNNING | IFF_LOOPBACK)) == (IFF_UP | IFF_RUNNING);
      }
      if (family == AF_PACKET) {
        struct sockaddr_ll* ll = (struct sockaddr_ll*)i->ifa_addr;
        nic_packet = ll->sll_halen == 6 && memcmp(ll->sll_addr, mac, 6) == 0 &&
                     ll->sll_ifindex == (int)if_nametoindex(name) && ll->sll_hatype == ARPHRD_ETHER;
      }
    }
  }
  freeifaddrs(list);
  check(lo_v4, "getifaddrs: lo 127.0.0.1/8, up, loopback, running");
  check(lo_v6, "getifaddrs: lo ::1");
  check(lo_packet, "getifaddrs: lo's link entry with its index");
  check(nic_v4, "getifaddrs: the NIC's address, netmask and broadcast");
  check(nic_flags, "getifaddrs: the NIC is up and running");
  check(nic_packet, "getifaddrs: the NIC's link entry: MAC, index, Ethernet");
}

// ---- if_nameindex and friends ----
static void test_nameindex(void) {
  struct if_nameindex* all = if_nameindex();
  check(all != NULL, "if_nameindex");
  unsigned lo = 0, nic = 0;
  int count = 0;
  for (struct if_nameindex* p = all; p && p->if_index; ++p, ++count) {
    if (strcmp(p->if_name, "lo") == 0)
      lo = p->if_index;
    if (strcmp(p->if_name, name) == 0)
      nic = p->if_index;
  }
  if (all)
    if_freenameindex(all);
  check(lo != 0 && nic != 0 && lo != nic && count >= 2, "if_nameindex: lo and the NIC");
  check(if_nametoindex("lo") == lo, "if_nametoindex(lo)");
  check(if_nametoindex(name) == nic, "if_nametoindex(NIC)");
  char buf[IF_NAMESIZE];
  check(if_indextoname(nic, buf) && strcmp(buf, name) == 0, "if_indextoname(NIC's index)");
  errno = 0;
  check(if_nametoindex("nosuch9") == 0 && errno == ENODEV, "if_nametoindex(unknown): ENODEV");
  errno = 0;
  check(if_indextoname(999, buf) == NULL && errno == ENXIO, "if_indextoname(999): ENXIO");
}

// ---- getaddrinfo(AI_ADDRCONFIG) ----
static int has_global_v6(void) {
  struct ifaddrs* list;
  int found = 0;
  if (getifaddrs(&list) != 0)
    return -1;
  for (struct ifaddrs* i = list; i; i = i->ifa_next)
    if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET6 &&
        !IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6*)i->ifa_addr)->sin6_addr))
      found = 1;
  freeifaddrs(list);
  return found;
}

static void test_addrconfig(void) {
  struct addrinfo hints, *res = NULL;
  memset(&hints, 0, sizeof hints);
  hints.ai_flags = AI_ADDRCONFIG | AI_NUMERICHOST;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_family = AF_INET;
  int r = getaddrinfo("10.1.2.3", "80", &hints, &res);
  check(r == 0 && res && res->ai_family == AF_INET, "getaddrinfo(AF_INET, AI_ADDRCONFIG)");
  if (res)
    freeaddrinfo(res);
  // glibc asks netlink which families have a non-loopback address; a failed netlink query
  // makes it assume both, so IPv6 answers would come back.
  int v6 = has_global_v6();
  hints.ai_family = AF_INET6;
  res = NULL;
  r = getaddrinfo("::1", "80", &hints, &res);
  check(v6 >= 0 && (v6 ? r == 0 : r == EAI_NONAME),
        "getaddrinfo(AF_INET6, AI_ADDRCONFIG) follows the IPv6 addresses (none: EAI_NONAME)");
  if (res)
    freeaddrinfo(res);
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_ADDRCONFIG | AI_PASSIVE;
  res = NULL;
  r = getaddrinfo(NULL, "80", &hints, &res);
  int inet = 0, inet6 = 0;
  for (struct addrinfo* a = res; a; a = a->ai_next)
    a->ai_family == AF_INET ? ++inet : a->ai_family == AF_INET6 ? ++inet6 : 0;
  check(r == 0 && inet == 1 && (v6 ? inet6 == 1 : inet6 == 0),
        "getaddrinfo(AF_UNSPEC, AI_ADDRCONFIG|AI_PASSIVE): the configured families");
  if (res)
    freeaddrinfo(res);
}

// ---- ioctls ----
static int query(int fd, unsigned long request, const char* ifname, struct ifreq* r) {
  memset(r, 0, sizeof *r);
  strncpy(r->ifr_name, ifname, IFNAMSIZ - 1);
  return ioctl(fd, request, r);
}

static void test_ioctls(void) {
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  struct ifreq r;
  check(query(fd, SIOCGIFFLAGS, name, &r) == 0 &&
            (r.ifr_flags & (IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_LOOPBACK)) ==
                (IFF_UP | IFF_BROADCAST | IFF_RUNNING),
        "SIOCGIFFLAGS: up, broadcast, running");
  check(query(fd, SIOCGIFFLAGS, "lo", &r) == 0 && (r.ifr_flags & IFF_LOOPBACK),
        "SIOCGIFFLAGS(lo): loopback");
  check(query(fd, SIOCGIFADDR, name, &r) == 0 && addr_of(&r.ifr_addr) == address, "SIOCGIFADDR");
  check(query(fd, SIOCGIFADDR, "lo", &r) == 0 && addr_of(&r.ifr_addr) == 0x7F000001,
        "SIOCGIFADDR(lo)");
  check(query(fd, SIOCGIFNETMASK, name, &r) == 0 && addr_of(&r.ifr_netmask) == netmask,
        "SIOCGIFNETMASK");
  check(query(fd, SIOCGIFBRDADDR, name, &r) == 0 && addr_of(&r.ifr_broadaddr) == broadcast,
        "SIOCGIFBRDADDR");
  check(query(fd, SIOCGIFHWADDR, name, &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_ETHER &&
            memcmp(r.ifr_hwaddr.sa_data, mac, 6) == 0,
        "SIOCGIFHWADDR: Ethernet and the MAC");
  check(query(fd, SIOCGIFHWADDR, "lo", &r) == 0 && r.ifr_hwaddr.sa_family == ARPHRD_LOOPBACK,
        "SIOCGIFHWADDR(lo): ARPHRD_LOOPBACK");
  check(query(fd, SIOCGIFMTU, name, &r) == 0 && r.ifr_mtu == mtu, "SIOCGIFMTU");
  check(query(fd, SIOCGIFINDEX, name, &r) == 0 && r.ifr_ifindex == (int)if_nametoindex(name),
        "SIOCGIFINDEX");
  int index = r.ifr_ifindex;
  memset(&r, 0, sizeof r);
  r.ifr_ifindex = index;
  check(ioctl(fd, SIOCGIFNAME, &r) == 0 && strcmp(r.ifr_name, name) == 0, "SIOCGIFNAME");
  memset(&r, 0, sizeof r);
  r.ifr_ifindex = 999;
  errno = 0;
  check(ioctl(fd, SIOCGIFNAME, &r) == -1 && errno == ENODEV, "SIOCGIFNAME(999): ENODEV");
  errno = 0;
  check(query(fd, SIOCGIFFLAGS, "nosuch9", &r) == -1 && errno == ENODEV,
        "SIOCGIFFLAGS(unknown): ENODEV");
  errno = 0;
  check(query(fd, SIOCGIFADDR, "nosuch9", &r) == -1 && errno == ENODEV,
        "SIOCGIFADDR(unknown): ENODEV");
  errno = 0;
  check(ioctl(fd, SIOCGIFFLAGS, (void*)8) == -1 && errno == EFAULT, "SIOCGIFFLAGS(bad pointer): EFAULT");
  // SIOCGIFCONF: the needed length first, then the entries.
  struct ifconf conf;
  memset(&conf, 0, sizeof conf);
  check(ioctl(fd, SIOCGIFCONF, &conf) == 0 && conf.ifc_len >= 2 * (int)sizeof(struct ifreq),
        "SIOCGIFCONF(NULL): the length needed");
  struct ifreq entries[16];
  conf.ifc_len = sizeof entries;
  conf.ifc_req = entries;
  int lo = 0, nic = 0;
  int ok = ioctl(fd, SIOCGIFCONF, &conf) == 0;
  for (int i = 0; ok && i < conf.ifc_len / (int)sizeof(struct ifreq); ++i) {
    if (strcmp(entries[i].ifr_name, "lo") == 0 && addr_of(&entries[i].ifr_addr) == 0x7F000001)
      lo = 1;
    if (strcmp(entries[i].ifr_name, name) == 0 && addr_of(&entries[i].ifr_addr) == address)
      nic = 1;
  }
  check(ok && lo && nic, "SIOCGIFCONF: lo and the NIC with their addresses");
  conf.ifc_len = sizeof(struct ifreq); // room for one
  check(ioctl(fd, SIOCGIFCONF, &conf) == 0 && conf.ifc_len == sizeof(struct ifreq),
        "SIOCGIFCONF: only whole entries that fit");
  close(fd);
  // The device queries work on any socket (glibc's if_nametoindex uses an AF_UNIX one).
  fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  check(query(fd, SIOCGIFINDEX, name, &r) == 0 && r.ifr_ifindex == index,
        "SIOCGIFINDEX on an AF_UNIX socket");
  close(fd);
}

// ---- raw netlink ----
static int nl_open(uint32_t* pid) {
  int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
  struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
  if (fd < 0 || bind(fd, (struct sockaddr*)&sa, sizeof sa) != 0)
    return -1;
  socklen_t len = sizeof sa;
  if (getsockname(fd, (struct sockaddr*)&sa, &len) != 0 || len != sizeof sa)
    return -1;
  *pid = sa.nl_pid;
  return fd;
}

static int nl_request(int fd, uint16_t type, uint16_t flags, uint32_t seq, uint8_t family) {
  struct {
    struct nlmsghdr h;
    struct rtmsg m; // the largest family header of the three; its first byte is the family
  } req;
  memset(&req, 0, sizeof req);
  req.h.nlmsg_len = sizeof req;
  req.h.nlmsg_type = type;
  req.h.nlmsg_flags = flags;
  req.h.nlmsg_seq = seq;
  req.m.rtm_family = family;
  struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
  return sendto(fd, &req, sizeof req, 0, (struct sockaddr*)&kernel, sizeof kernel) ==
                 (ssize_t)sizeof req
             ? 0
             : -1;
}

static char buf[65536];

// Reads a dump to NLMSG_DONE; calls visit for each message. Returns the message count or -1.
static int nl_dump(int fd, uint32_t pid, uint32_t seq, void (*visit)(struct nlmsghdr*)) {
  int count = 0;
  for (;;) {
    struct sockaddr_nl from;
    struct iovec iov = {buf, sizeof buf};
    struct msghdr msg = {.msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
    ssize_t n = recvmsg(fd, &msg, 0);
    if (n <= 0 || from.nl_pid != 0 || (msg.msg_flags & MSG_TRUNC))
      return -1;
    for (struct nlmsghdr* h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)n); h = NLMSG_NEXT(h, n)) {
      if (h->nlmsg_seq != seq || h->nlmsg_pid != pid)
        return -1;
      if (h->nlmsg_type == NLMSG_DONE)
        return count;
      if (h->nlmsg_type == NLMSG_ERROR || !(h->nlmsg_flags & NLM_F_MULTI))
        return -1;
      ++count;
      if (visit)
        visit(h);
    }
  }
}

static int nic_index, saw_default, saw_connected;
static void visit_route(struct nlmsghdr* h) {
  struct rtmsg* m = NLMSG_DATA(h);
  if (h->nlmsg_type != RTM_NEWROUTE || m->rtm_family != AF_INET || m->rtm_table != RT_TABLE_MAIN)
    return;
  uint32_t dst = 0, gw = 0, oif = 0;
  int len = RTM_PAYLOAD(h);
  for (struct rtattr* a = RTM_RTA(m); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
    if (a->rta_type == RTA_DST)
      dst = ntohl(*(uint32_t*)RTA_DATA(a));
    if (a->rta_type == RTA_GATEWAY)
      gw = ntohl(*(uint32_t*)RTA_DATA(a));
    if (a->rta_type == RTA_OIF)
      oif = *(uint32_t*)RTA_DATA(a);
  }
  if (m->rtm_dst_len == 0 && gw == gateway && (int)oif == nic_index)
    saw_default = 1;
  if (m->rtm_dst_len == prefix && dst == (address & netmask) && gw == 0 && (int)oif == nic_index &&
      m->rtm_scope == RT_SCOPE_LINK)
    saw_connected = 1;
}

static int saw_mtu;
static void visit_link(struct nlmsghdr* h) {
  struct ifinfomsg* m = NLMSG_DATA(h);
  if (h->nlmsg_type != RTM_NEWLINK || m->ifi_index != nic_index)
    return;
  int len = IFLA_PAYLOAD(h);
  for (struct rtattr* a = IFLA_RTA(m); RTA_OK(a, len); a = RTA_NEXT(a, len))
    if (a->rta_type == IFLA_MTU && *(uint32_t*)RTA_DATA(a) == (uint32_t)mtu)
      saw_mtu = 1;
}

static void test_netlink(void) {
  nic_index = (int)if_nametoindex(name);
  uint32_t pid = 0, pid2 = 0;
  int fd = nl_open(&pid);
  check(fd >= 0 && pid != 0, "netlink: bind picks a port id, getsockname reports it");
  int fd2 = nl_open(&pid2);
  check(fd2 >= 0 && pid2 != 0 && pid2 != pid, "netlink: a second socket gets another port id");
  close(fd2);
  struct sockaddr_nl taken = {.nl_family = AF_NETLINK, .nl_pid = pid};
  fd2 = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);
  errno = 0;
  check(bind(fd2, (struct sockaddr*)&taken, sizeof taken) == -1 && errno == EADDRINUSE,
        "netlink: binding a port id in use: EADDRINUSE");
  close(fd2);

  check(nl_request(fd, RTM_GETROUTE, NLM_F_REQUEST | NLM_F_DUMP, 11, AF_INET) == 0 &&
            nl_dump(fd, pid, 11, visit_route) >= 2,
        "netlink: RTM_GETROUTE dump");
  check(saw_default, "netlink: the default route via the gateway on the NIC");
  check(saw_connected, "netlink: the NIC's connected route, scope link");

  // MSG_PEEK|MSG_TRUNC gives the size of the next datagram without taking it.
  check(nl_request(fd, RTM_GETLINK, NLM_F_REQUEST | NLM_F_DUMP, 12, AF_UNSPEC) == 0,
        "netlink: RTM_GETLINK request");
  char small[16];
  ssize_t full = recv(fd, small, sizeof small, MSG_PEEK | MSG_TRUNC);
  check(full > (ssize_t)sizeof small, "netlink: MSG_PEEK|MSG_TRUNC reports the full length");
  struct iovec iov = {small, sizeof small};
  struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
  ssize_t got = recvmsg(fd, &msg, MSG_PEEK);
  check(got == (ssize_t)sizeof small && (msg.msg_flags & MSG_TRUNC),
        "netlink: a short buffer gets MSG_TRUNC in msg_flags");
  ssize_t n = recvfrom(fd, buf, sizeof buf, MSG_PEEK, NULL, NULL);
  check(n == full, "netlink: the peeked datagram is still there");
  // Put the first datagram back in front of the rest of the dump by reading it normally.
  int links = 0;
  {
    struct nlmsghdr* h = (struct nlmsghdr*)buf;
    ssize_t left = recv(fd, buf, sizeof buf, 0);
    int done = 0;
    while (!done && left > 0) {
      for (h = (struct nlmsghdr*)buf; NLMSG_OK(h, (size_t)left); h = NLMSG_NEXT(h, left)) {
        if (h->nlmsg_type == NLMSG_DONE) {
          done = 1;
          break;
        }
        ++links;
        visit_link(h);
      }
      if (!done)
        left = recv(fd, buf, sizeof buf, 0);
    }
  }
  check(links >= 2 && saw_mtu, "netlink: RTM_GETLINK dump, the NIC's MTU");

  // RTM_GETADDR for IPv4 only: the NIC's address with its prefix.
  check(nl_request(fd, RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, 13, AF_INET) == 0 &&
            nl_dump(fd, pid, 13, NULL) >= 2,
        "netlink: RTM_GETADDR dump (AF_INET)");

  // A message type nobody handles: NLMSG_ERROR with EOPNOTSUPP and our header.
  check(nl_request(fd, 0x3FF, NLM_F_REQUEST | NLM_F_ACK, 14, AF_UNSPEC) == 0,
        "netlink: an unknown request");
  n = recv(fd, buf, sizeof buf, 0);
  struct nlmsghdr* h = (struct nlmsghdr*)buf;
  struct nlmsgerr* e = NLMSG_DATA(h);
  check(n >= (ssize_t)NLMSG_LENGTH(sizeof *e) && h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq == 14 &&
            e->error == -EOPNOTSUPP && e->msg.nlmsg_type == 0x3FF,
        "netlink: NLMSG_ERROR -EOPNOTSUPP for it");
  errno = 0;
  check(recv(fd, buf, sizeof buf, MSG_DONTWAIT) == -1 && errno == EAGAIN,
        "netlink: nothing more: EAGAIN");
  close(fd);
}

static int parse_mac(const char* text) {
  unsigned v[6];
  if (sscanf(text, "%x:%x:%x:%x:%x:%x", &v[0], &v[1], &v[2], &v[3], &v[4], &v[5]) != 6)
    return -1;
  for (int i = 0; i < 6; ++i)
    mac[i] = (unsigned char)v[i];
  return 0;
}

int main(int argc, char** argv) {
  struct in_addr a, g;
  if (argc != 7 || !inet_aton(argv[2], &a) || !inet_aton(argv[4], &g) || parse_mac(argv[5])) {
    fprintf(stderr, "usage: %s NAME ADDRESS PREFIX GATEWAY MAC MTU\n", argv[0]);
    return 2;
  }
  name = argv[1];
  address = ntohl(a.s_addr);
  prefix = atoi(argv[3]);
  netmask = prefix ? ~((1u << (32 - prefix)) - 1) : 0;
  broadcast = address | ~netmask;
  gateway = ntohl(g.s_addr);
  mtu = atoi(argv[6]);
  setvbuf(stdout, NULL, _IOLBF, 0);
  test_getifaddrs();
  test_nameindex();
  test_addrconfig();
  test_ioctls();
  test_netlink();
  printf("%s: %d of %d checks passed\n", failures ? "FAILED" : "all passed", checks - failures,
         checks);
  return failures ? 1 : 0;
}
