#!/usr/bin/env python3
"""A user-space link impairment between two host interfaces, for machines whose kernel has
no netem qdisc (sch_netem): every Ethernet frame that arrives on one interface is sent out
of the other, except that a fraction is dropped, and the rest are delayed, a fraction of
them without the delay (so they overtake the others: reordering, as netem's `reorder`).

  impair.py IF_A IF_B [--loss PCT] [--delay MS] [--reorder PCT] [--seed N] [--stats FILE]

Both interfaces must have no address of their own (tests/net/netns.sh sets them up: the
guest's tap and the host end of a veth pair whose other end is in the peer's namespace).
Runs until SIGTERM/SIGINT; then writes frame counts to --stats (if given).
"""
import argparse
import heapq
import random
import select
import signal
import socket
import sys
import time

ETH_P_ALL = 0x0003
PACKET_OUTGOING = 4  # sll_pkttype of frames this host sent (our own copies): skipped


def open_raw(ifname):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((ifname, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    s.setblocking(False)
    return s


def main():
    p = argparse.ArgumentParser()
    p.add_argument("a")
    p.add_argument("b")
    p.add_argument("--loss", type=float, default=0.0, help="percent of frames dropped")
    p.add_argument("--delay", type=float, default=0.0, help="milliseconds added")
    p.add_argument("--reorder", type=float, default=0.0,
                   help="percent of frames sent at once, overtaking delayed ones")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--stats")
    args = p.parse_args()

    rng = random.Random(args.seed)
    ends = {}
    a, b = open_raw(args.a), open_raw(args.b)
    ends[a.fileno()] = (a, b)
    ends[b.fileno()] = (b, a)
    counts = {"forwarded": 0, "dropped": 0, "reordered": 0}
    queue = []  # (due time, sequence, socket, frame): a heap ordered by due time
    seq = 0
    running = True

    def stop(*_):
        nonlocal running
        running = False

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    poller = select.poll()
    for fd in ends:
        poller.register(fd, select.POLLIN)
    while running:
        now = time.monotonic()
        while queue and queue[0][0] <= now:
            _, _, out, frame = heapq.heappop(queue)
            try:
                out.send(frame)
                counts["forwarded"] += 1
            except (BlockingIOError, OSError):
                counts["dropped"] += 1  # the other side is full or gone: a lost frame
        timeout = None if not queue else max(0.0, (queue[0][0] - time.monotonic()) * 1000)
        try:
            ready = poller.poll(timeout if timeout is None else int(timeout) + 1)
        except InterruptedError:
            continue
        for fd, _ in ready:
            src, dst = ends[fd]
            for _ in range(64):  # drain a batch, then look at the queue again
                try:
                    frame, addr = src.recvfrom(65535)
                except (BlockingIOError, InterruptedError):
                    break
                if addr[2] == PACKET_OUTGOING:
                    continue
                if rng.random() * 100 < args.loss:
                    counts["dropped"] += 1
                    continue
                delay = args.delay / 1000
                if args.reorder and rng.random() * 100 < args.reorder:
                    delay = 0
                    counts["reordered"] += 1
                seq += 1
                heapq.heappush(queue, (time.monotonic() + delay, seq, dst, frame))
    if args.stats:
        with open(args.stats, "w") as f:
            f.write(" ".join(f"{k}={v}" for k, v in counts.items()) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
