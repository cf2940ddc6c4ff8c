# Run by Debian's python3.11 inside the unikernel and on the host; debian_test.sh compares
# the two outputs byte for byte. Python's socket module over the loopback interface: a
# threaded TCP server hashes what a client streams and answers with the digest; UDP
# datagrams both ways; timeouts (non-blocking connect and poll inside Python); a refused
# connection. Nothing printed depends on port numbers or timing.
import hashlib
import socket
import threading


def serve(listener, result):
    conn, peer = listener.accept()
    with conn:
        h = hashlib.sha256()
        total = 0
        while True:
            data = conn.recv(65536)
            if not data:
                break
            h.update(data)
            total += len(data)
        conn.sendall(h.hexdigest().encode())
    result.append((total, peer[0]))


listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
listener.bind(("127.0.0.1", 0))
listener.listen(8)
port = listener.getsockname()[1]
result = []
server = threading.Thread(target=serve, args=(listener, result))
server.start()

payload = b"".join(b"line %d of the stream\n" % i for i in range(200000))
client = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
client.settimeout(30)  # Python connects non-blocking and polls
client.connect(("127.0.0.1", port))
client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
client.sendall(payload)
client.shutdown(socket.SHUT_WR)
answer = b""
while True:
    chunk = client.recv(4096)
    if not chunk:
        break
    answer += chunk
client.close()
server.join()
print("tcp: server got", result[0][0], "bytes from", result[0][1])
print("tcp: digest matches:", answer.decode() == hashlib.sha256(payload).hexdigest())
listener.close()

refused = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    refused.connect(("127.0.0.1", port))
    print("tcp: connected to a closed port?")
except ConnectionRefusedError:
    print("tcp: closed port refused")
refused.close()

a = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
b = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
a.bind(("127.0.0.1", 0))
b.bind(("127.0.0.1", 0))
b.sendto(b"ping", a.getsockname())
data, sender = a.recvfrom(100)
print("udp:", data, "from b:", sender == b.getsockname())
a.sendto(b"pong", sender)
b.settimeout(5)
print("udp:", b.recv(100))
b.settimeout(0.2)
try:
    b.recv(100)
    print("udp: unexpected datagram")
except socket.timeout:
    print("udp: timeout with nothing queued")
a.close()
b.close()
