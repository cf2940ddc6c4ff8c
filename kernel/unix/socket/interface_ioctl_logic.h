// The SIOCGIF* interface queries on struct ifreq / struct ifconf bytes, answered from an
// InterfaceSnapshot (interfaces.h). Freestanding and host-tested; interface_ioctl.cc moves
// the structures between user memory and these functions.
#pragma once

#include "unix/socket/interfaces.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

// Linux's request numbers.
constexpr unsigned long kSiocgifname = 0x8910, kSiocgifconf = 0x8912, kSiocgifflags = 0x8913,
                        kSiocgifaddr = 0x8915, kSiocgifbrdaddr = 0x8919, kSiocgifnetmask = 0x891B,
                        kSiocgifmtu = 0x8921, kSiocgifhwaddr = 0x8927, kSiocgifindex = 0x8933;

constexpr size_t kIfreqSize = 40;  // struct ifreq: the name, then a 24-byte union
constexpr size_t kIfconfSize = 16; // struct ifconf: int ifc_len, then the buffer pointer

// Whether `request` is one of the queries answer_ifreq takes (SIOCGIFCONF is not: it has
// its own structure).
bool is_ifreq_query(unsigned long request);
// The requests that read an IPv4 address (SIOCGIFADDR, SIOCGIFNETMASK, SIOCGIFBRDADDR).
bool is_ipv4_address_query(unsigned long request);

// Answers one query in place on `ifreq`: 0, -ENODEV (no such interface), -EADDRNOTAVAIL
// (the interface has no IPv4 address), -ENOTTY (not a query this knows).
int answer_ifreq(const InterfaceSnapshot& snapshot, unsigned long request,
                 uint8_t ifreq[kIfreqSize]);

// SIOCGIFCONF: one ifreq (name and sockaddr_in) per interface with an IPv4 address, as many
// whole entries as fit in `capacity` bytes at `out`; returns the bytes written. With out ==
// nullptr, writes nothing and returns the bytes all entries need.
size_t interface_configuration(const InterfaceSnapshot& snapshot, uint8_t* out, size_t capacity);

} // namespace unix
