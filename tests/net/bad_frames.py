#!/usr/bin/env python3
"""Sends malformed and hostile Ethernet frames at a guest, for tests/net/bad_input.sh:

  bad_frames.py IFNAME GUEST_MAC GUEST_IP PEER_IP PORT [--rounds N] [--seed S]

IFNAME is the peer's interface on the guest's link (run it in the peer's namespace, as
root: AF_PACKET). Every kind below is sent N times (default 3) with fresh random parts;
the frames claim the peer's MAC and IPv4 address as their source, except where a kind says
otherwise. Prints one line per kind with the number of frames sent. The kinds:

  ethernet   runts (where the sending kernel lets them out: Linux refuses frames shorter
             than a header), an IPv4 ethertype with nothing after it, unknown ethertypes,
             VLAN tags, a SYN to another MAC and to broadcast
  ipv4       bad version, IHL below 5 or beyond the packet, total length beyond the frame
             or below the header, bad header checksum, options of random bytes,
             multicast/broadcast sources, a protocol nobody serves
  tcp        data offsets below 5 or beyond the segment, bad checksums, option lists with
             zero and overlong lengths, odd flag combinations (SYN+FIN, SYN+RST, none,
             all), window scale 255, to the listening port and to a closed one
  udp        length fields beyond the payload and below 8, bad checksums, a closed port
  icmp       truncated messages, bad checksums, errors quoting truncated or foreign
             headers, "fragmentation needed" with MTUs 0, 8 and 68
  fragments  overlapping fragments, offsets past 65535, hundreds of first fragments that
             are never completed (distinct IDs: the reassembly limits), 8-byte fragments
  arp        truncated messages, wrong hardware/protocol lengths, unknown opcodes, and a
             flood of requests and replies from 1000 made-up addresses (the cache's bound)
  mutated    a valid SYN to PORT with random bytes flipped (a fixed seed: reproducible)

None of this is a legitimate conversation, so the guest must drop it (or answer with a RST
or an ICMP error) and stay usable; tests/net/bad_input.sh checks that afterwards.
"""
import argparse
import random
import socket
import struct
import sys


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    while total >> 16:
        total = (total & 0xFFFF) + (total >> 16)
    return ~total & 0xFFFF


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


class Sender:
    def __init__(self, ifname, guest_mac, guest_ip, peer_ip, port, rng):
        self.sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
        self.sock.bind((ifname, 0))
        self.guest_mac = mac(guest_mac)
        self.peer_mac = self.sock.getsockname()[4][:6]
        self.guest_ip = socket.inet_aton(guest_ip)
        self.peer_ip = socket.inet_aton(peer_ip)
        self.port = port
        self.rng = rng
        self.sent = 0

    def frame(self, ethertype, payload, dst=None, src=None):
        eth = (dst or self.guest_mac) + (src or self.peer_mac) + struct.pack("!H", ethertype)
        self.raw(eth + payload)

    def raw(self, data):
        try:
            self.sock.send(data)
            self.sent += 1
        except OSError:
            pass  # the kernel refused it (e.g. too short for the device): nothing to test

    def rand(self, n):
        return bytes(self.rng.getrandbits(8) for _ in range(n))

    def ipv4(self, proto, payload, *, ident=None, frag=0, ttl=64, src=None, dst=None,
             options=b"", ihl=None, total=None, version=4, good_sum=True):
        hlen = 20 + len(options)
        ihl = hlen // 4 if ihl is None else ihl
        total = hlen + len(payload) if total is None else total
        ident = self.rng.getrandbits(16) if ident is None else ident
        head = struct.pack("!BBHHHBBH4s4s", version << 4 | ihl, 0, total, ident, frag, ttl,
                           proto, 0, src or self.peer_ip, dst or self.guest_ip) + options
        sum_ = checksum(head) if good_sum else self.rng.getrandbits(16) | 1
        head = head[:10] + struct.pack("!H", sum_) + head[12:]
        return head + payload

    def l4_sum(self, proto, segment, src=None, dst=None):
        pseudo = (src or self.peer_ip) + (dst or self.guest_ip) + struct.pack("!BBH", 0, proto,
                                                                             len(segment))
        return checksum(pseudo + segment)

    def tcp(self, flags, *, dport=None, offset=None, options=b"", payload=b"", good_sum=True,
            seq=None):
        sport = self.rng.randrange(1024, 65536)
        seq = self.rng.getrandbits(32) if seq is None else seq
        hlen = 20 + len(options)
        offset = hlen // 4 if offset is None else offset
        seg = struct.pack("!HHIIBBHHH", sport, dport or self.port, seq, 0, offset << 4, flags,
                          65535, 0, 0) + options + payload
        sum_ = self.l4_sum(6, seg) if good_sum else self.rng.getrandbits(16) | 1
        return seg[:16] + struct.pack("!H", sum_) + seg[18:]


def ethernet(s):
    for n in (1, 6, 13):
        s.raw(s.rand(n))  # shorter than an Ethernet header
    s.frame(0x0800, b"")  # an IPv4 ethertype and nothing after it
    for ethertype in (0x0000, 0x05DC, 0x88B5, 0x86DD, 0xFFFF):
        s.frame(ethertype, s.rand(s.rng.randrange(0, 200)))
    # An 802.1Q tag around a TCP SYN, and a double tag.
    syn = s.ipv4(6, s.tcp(0x02))
    s.frame(0x8100, struct.pack("!HH", 5, 0x0800) + syn)
    s.frame(0x88A8, struct.pack("!HHHH", 5, 0x8100, 6, 0x0800) + syn)
    # Frames to another MAC and to broadcast with a TCP SYN inside.
    s.frame(0x0800, syn, dst=b"\x02\x00\x00\x00\x00\x99")
    s.frame(0x0800, syn, dst=b"\xff" * 6)


def ipv4(s):
    seg = s.tcp(0x02)
    s.frame(0x0800, s.ipv4(6, seg, version=6))
    for ihl in (0, 1, 4, 15):
        s.frame(0x0800, s.ipv4(6, seg, ihl=ihl))
    for total in (0, 19, 20, 21, len(seg) + 21, 1500, 65535):
        s.frame(0x0800, s.ipv4(6, seg, total=total))
    s.frame(0x0800, s.ipv4(6, seg, good_sum=False))
    s.frame(0x0800, s.ipv4(6, seg, ttl=0))
    for n in (4, 8, 20, 40):
        s.frame(0x0800, s.ipv4(6, seg, options=s.rand(n)))
    # Options that claim lengths 0, 1 and past the header.
    for opt in (b"\x07\x00\x00\x00", b"\x83\x01\x00\x00", b"\x44\xff\x05\x00"):
        s.frame(0x0800, s.ipv4(6, seg, options=opt))
    for src in ("255.255.255.255", "224.0.0.1", "0.0.0.0", "127.0.0.1"):
        s.frame(0x0800, s.ipv4(6, seg, src=socket.inet_aton(src)))
    for dst in ("10.77.0.99", "255.255.255.255", "224.0.0.1"):
        s.frame(0x0800, s.ipv4(17, s.rand(30), dst=socket.inet_aton(dst)))
    for proto in (0, 2, 41, 47, 132, 255):
        s.frame(0x0800, s.ipv4(proto, s.rand(s.rng.randrange(0, 100))))
    s.frame(0x0800, s.rand(s.rng.randrange(20, 1500)))  # random bytes as IPv4


def tcp(s):
    for offset in (0, 1, 4, 6, 15):
        s.frame(0x0800, s.ipv4(6, s.tcp(0x02, offset=offset)))
    s.frame(0x0800, s.ipv4(6, s.tcp(0x02, good_sum=False)))
    s.frame(0x0800, s.ipv4(6, s.tcp(0x10, good_sum=False, payload=s.rand(100))))
    options = [
        b"\x02\x00\x00\x00",  # MSS with length 0
        b"\x02\x01\x00\x00",  # MSS with length 1
        b"\x02\x04\x00\x00",  # MSS 0
        b"\x02\x08\x05\xb4\x00\x00\x00\x00",  # MSS with length 8
        b"\x03\x03\xff\x00",  # window scale 255
        b"\x04\x00\x00\x00",  # SACK permitted with length 0
        b"\x05\x03\x00\x00",  # SACK blocks with length 3
        b"\x05\x26" + b"\0" * 34 + b"\0\0",  # SACK length past the header
        b"\x08\x0a" + b"\xff" * 8 + b"\x00\x00",  # timestamps, odd values
        b"\x08\x00\x00\x00",  # timestamps with length 0
        b"\xfe\xff\x00\x00",  # unknown option, length 255
        b"\x01" * 40,  # 40 bytes of NOPs
        s.rand(40),
    ]
    for opt in options:
        s.frame(0x0800, s.ipv4(6, s.tcp(0x02, options=opt)))
    for flags in (0x03, 0x06, 0x00, 0xFF, 0x29, 0x01, 0x04, 0x10, 0x18, 0x11, 0x12):
        s.frame(0x0800, s.ipv4(6, s.tcp(flags, payload=s.rand(s.rng.randrange(0, 64)))))
        s.frame(0x0800, s.ipv4(6, s.tcp(flags, dport=9)))  # a closed port
    # Data to the listening port without a connection, and a RST storm with random numbers.
    for _ in range(20):
        s.frame(0x0800, s.ipv4(6, s.tcp(0x04)))


def udp(s):
    for length, payload in ((100, 20), (7, 20), (0, 0), (8, 30)):
        sport = s.rng.randrange(1024, 65536)
        seg = struct.pack("!HHHH", sport, s.port, length, 0) + s.rand(payload)
        s.frame(0x0800, s.ipv4(17, seg))
    seg = struct.pack("!HHHH", 4000, s.port, 28, 0x1234) + s.rand(20)  # a bad checksum
    s.frame(0x0800, s.ipv4(17, seg))
    seg = struct.pack("!HHHH", 4000, 9, 28, 0) + s.rand(20)  # a closed port
    s.frame(0x0800, s.ipv4(17, seg))


def icmp_message(kind, code, rest):
    msg = struct.pack("!BBH", kind, code, 0) + rest
    return msg[:2] + struct.pack("!H", checksum(msg)) + msg[4:]


def icmp(s):
    s.frame(0x0800, s.ipv4(1, b"\x08"))  # truncated echo
    s.frame(0x0800, s.ipv4(1, b"\x08\x00\x12\x34\x00\x01\x00\x01"))  # bad checksum
    s.frame(0x0800, s.ipv4(1, icmp_message(8, 0, b"\0\1\0\1" + s.rand(1400))))  # a big echo
    # Errors quoting: nothing, a truncated IPv4 header, a header of a connection that does
    # not exist, and one quoting a packet from someone else entirely.
    quoted_ours = s.ipv4(6, s.tcp(0x02), src=s.guest_ip, dst=s.peer_ip)[:28]
    quoted_foreign = s.ipv4(6, s.tcp(0x02), src=socket.inet_aton("192.0.2.1"),
                            dst=socket.inet_aton("198.51.100.1"))[:28]
    for kind, code in ((3, 0), (3, 1), (3, 3), (3, 4), (11, 0), (12, 0), (5, 1)):
        for quoted in (b"", quoted_ours[:10], quoted_ours, quoted_foreign):
            s.frame(0x0800, s.ipv4(1, icmp_message(kind, code, b"\0\0\0\0" + quoted)))
    # "Fragmentation needed" with absurd next-hop MTUs, about the guest's own traffic to
    # the peer: a stack must not take an MTU below IPv4's minimum (68) from it.
    for mtu in (0, 8, 68):
        s.frame(0x0800, s.ipv4(1, icmp_message(3, 4, struct.pack("!HH", 0, mtu) + quoted_ours)))
    for kind in (0, 13, 15, 17, 42, 255):
        s.frame(0x0800, s.ipv4(1, icmp_message(kind, s.rng.getrandbits(8), s.rand(20))))


def fragments(s):
    more = 0x2000
    udp_payload = s.rand(64)
    seg = struct.pack("!HHHH", 4000, s.port, 8 + len(udp_payload), 0) + udp_payload
    # Overlapping fragments with different bytes in the overlap, both orders.
    for order in (0, 1):
        ident = s.rng.getrandbits(16)
        pieces = [(0, more, seg[:48]), (4, 0, s.rand(len(seg) - 32))]  # offset in 8-byte units
        if order:
            pieces.reverse()
        for off, flag, data in pieces:
            s.frame(0x0800, s.ipv4(17, data, ident=ident, frag=flag | off))
    # A last fragment ending past 65535, and a first one with an offset at the top.
    s.frame(0x0800, s.ipv4(17, s.rand(64), frag=0x1FFF))
    s.frame(0x0800, s.ipv4(17, s.rand(64), frag=more | 0x1FFF))
    # Tiny fragments of one datagram, then the same ones again (duplicates).
    ident = s.rng.getrandbits(16)
    for _ in range(2):
        for i in range(0, len(seg), 8):
            flag = more if i + 8 < len(seg) else 0
            s.frame(0x0800, s.ipv4(17, seg[i:i + 8], ident=ident, frag=flag | (i // 8)))
    # Incomplete datagrams with distinct IDs: each holds reassembly state until its timeout.
    for _ in range(500):  # the kernel keeps 16 at most
        s.frame(0x0800, s.ipv4(17, s.rand(1200), frag=more))
    # Non-final fragments whose length is not a multiple of 8.
    s.frame(0x0800, s.ipv4(17, s.rand(13), frag=more))


def arp(s):
    def message(op, sha, spa, tha, tpa, htype=1, ptype=0x0800, hlen=6, plen=4):
        return struct.pack("!HHBBH", htype, ptype, hlen, plen, op) + sha + spa + tha + tpa

    broadcast = b"\xff" * 6
    s.frame(0x0806, b"\x00\x01\x08\x00", dst=broadcast)  # truncated
    s.frame(0x0806, message(1, s.peer_mac, s.peer_ip, b"\0" * 6, s.guest_ip, hlen=8),
            dst=broadcast)
    s.frame(0x0806, message(1, s.peer_mac, s.peer_ip, b"\0" * 6, s.guest_ip, plen=16),
            dst=broadcast)
    s.frame(0x0806, message(1, s.peer_mac, s.peer_ip, b"\0" * 6, s.guest_ip, htype=6))
    s.frame(0x0806, message(1, s.peer_mac, s.peer_ip, b"\0" * 6, s.guest_ip, ptype=0x86DD))
    for op in (0, 3, 9, 0xFFFF):
        s.frame(0x0806, message(op, s.peer_mac, s.peer_ip, b"\0" * 6, s.guest_ip))
    # Requests for the guest from made-up addresses in its subnet (it may answer and cache
    # them) and unsolicited replies from made-up addresses elsewhere: the cache must stay
    # bounded. The peer's own address is never claimed.
    for i in range(1000):
        fake_mac = b"\x02" + s.rand(5)
        if i % 2:
            fake_ip = bytes((10, 77, s.rng.randrange(0, 256), s.rng.randrange(2, 255)))
        else:
            fake_ip = s.rand(4)
        if fake_ip == s.peer_ip or fake_ip == s.guest_ip:
            continue
        op = 1 if i % 3 else 2
        s.frame(0x0806, message(op, fake_mac, fake_ip, b"\0" * 6 if op == 1 else s.guest_mac,
                                s.guest_ip), dst=broadcast if op == 1 else None,
                src=fake_mac)


def mutated(s):
    base = s.ipv4(6, s.tcp(0x02, options=b"\x02\x04\x05\xb4\x01\x03\x03\x07", seq=1))
    for _ in range(500):
        frame = bytearray(base)
        for _ in range(s.rng.randrange(1, 6)):
            frame[s.rng.randrange(len(frame))] = s.rng.getrandbits(8)
        s.frame(0x0800, bytes(frame))


KINDS = [("ethernet", ethernet), ("ipv4", ipv4), ("tcp", tcp), ("udp", udp), ("icmp", icmp),
         ("fragments", fragments), ("arp", arp), ("mutated", mutated)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("ifname")
    p.add_argument("guest_mac")
    p.add_argument("guest_ip")
    p.add_argument("peer_ip")
    p.add_argument("port", type=int)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--seed", type=int, default=13)
    args = p.parse_args()
    s = Sender(args.ifname, args.guest_mac, args.guest_ip, args.peer_ip, args.port,
               random.Random(args.seed))
    for name, kind in KINDS:
        before = s.sent
        for _ in range(args.rounds):
            kind(s)
        print(f"{name}: {s.sent - before} frames")
    print(f"total: {s.sent} frames")
    return 0


if __name__ == "__main__":
    sys.exit(main())
