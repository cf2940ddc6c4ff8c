#!/usr/bin/env python3
"""The services a guest client talks to in tests/net/guest_client.sh: an HTTP file server,
a UDP echo server and a DNS server that knows a few names, on one address, until SIGTERM.

  peer_services.py --bind ADDR [--http PORT --root DIR] [--udp PORT]
                   [--dns PORT --name NAME=IPV4 ...] [--ready FILE]

The DNS server answers A questions for the --name entries (class IN, TTL 60) and NXDOMAIN
for any other name (RFC 1035 message format; AAAA and other types get an empty answer, so a
resolver asking both families is satisfied). Once every socket is bound, FILE (if given) is
written, so the caller knows when the guest may start. Each service logs one line per
request on stderr.
"""
import argparse
import http.server
import signal
import socket
import struct
import sys
import threading


def log(*parts):
    print(*parts, file=sys.stderr, flush=True)


def udp_echo(sock):
    while True:
        data, peer = sock.recvfrom(65535)
        sock.sendto(data, peer)
        log(f"udp: echoed {len(data)} bytes to {peer[0]}:{peer[1]}")


def parse_question(msg):
    """The first question's name (lower case), type and the offset after it."""
    labels, off = [], 12
    while True:
        length = msg[off]
        if length == 0:
            off += 1
            break
        if length & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(msg[off + 1:off + 1 + length].decode("ascii").lower())
        off += 1 + length
    qtype, qclass = struct.unpack("!HH", msg[off:off + 4])
    return ".".join(labels), qtype, qclass, off + 4


def dns_answer(msg, names):
    ident, flags, qdcount = struct.unpack("!HHH", msg[:6])
    if flags & 0x8000 or qdcount != 1:
        return None  # a response, or more than one question: ignore
    name, qtype, qclass, end = parse_question(msg)
    question = msg[12:end]
    rd = flags & 0x0100
    answers = b""
    rcode = 0
    if name not in names:
        rcode = 3  # NXDOMAIN
    elif qtype == 1 and qclass == 1:
        # The name by a pointer to the question's (offset 12), A, IN, TTL 60, 4 bytes.
        answers = struct.pack("!HHHIH", 0xC00C, 1, 1, 60, 4) + socket.inet_aton(names[name])
    head = struct.pack("!HHHHHH", ident, 0x8000 | 0x0400 | rd | 0x0080 | rcode, 1,
                       1 if answers else 0, 0, 0)
    log(f"dns: {name} type {qtype}: {'NXDOMAIN' if rcode else names[name] if answers else 'no A'}")
    return head + question + answers


def dns_server(sock, names):
    while True:
        msg, peer = sock.recvfrom(4096)
        try:
            reply = dns_answer(msg, names)
        except (ValueError, IndexError, struct.error, UnicodeDecodeError) as e:
            log(f"dns: malformed question from {peer[0]}: {e}")
            continue
        if reply:
            sock.sendto(reply, peer)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--bind", required=True)
    p.add_argument("--http", type=int)
    p.add_argument("--root")
    p.add_argument("--udp", type=int)
    p.add_argument("--dns", type=int)
    p.add_argument("--name", action="append", default=[])
    p.add_argument("--ready")
    args = p.parse_args()

    threads = []
    if args.http:
        root = args.root

        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=root, **kw)

            def log_message(self, fmt, *a):
                log("http: " + fmt % a)

        server = http.server.ThreadingHTTPServer((args.bind, args.http), Handler)
        threads.append(threading.Thread(target=server.serve_forever, daemon=True))
    if args.udp:
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((args.bind, args.udp))
        threads.append(threading.Thread(target=udp_echo, args=(sock,), daemon=True))
    if args.dns:
        names = dict(n.lower().split("=", 1) for n in args.name)
        sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.bind((args.bind, args.dns))
        threads.append(threading.Thread(target=dns_server, args=(sock, names), daemon=True))
    for t in threads:
        t.start()
    if args.ready:
        with open(args.ready, "w") as f:
            f.write("ready\n")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    stop.wait()
    return 0


if __name__ == "__main__":
    sys.exit(main())
