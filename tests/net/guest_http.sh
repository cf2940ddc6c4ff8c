#!/usr/bin/env bash
# End-to-end network tests of a guest HTTP server through QEMU user networking (-p):
#   guest_http.sh NANOS_RUN IMAGE CASE [NANOS_RUN_ARGS...]
# IMAGE runs samples/http-server (or cpp-http-server for the `cpp` case) listening on 8080.
# Cases:
#   small       GET / twice on one keep-alive connection; the body is right both times
#   download    a 100 MB GET /bytes/N: length and SHA-256 equal the host's computation,
#               and the server's own /sha256/N agrees on a small size
#   concurrent  200 keep-alive connections at once (wrk -c200): no socket error, no non-2xx
#   udp         datagrams of 1 to 1400 bytes come back intact from the UDP echo
#   cpp         the C++ server answers GET / on a kept-alive connection
#   exit        GET /exit: the program exits 0 and nanos-run returns 0
# Fails (status 1, the reason on stderr) when the guest does not answer within
# NET_E2E_WAIT seconds (default 120) or exits first.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
[[ $# -ge 3 ]] || { echo "usage: $0 NANOS_RUN IMAGE CASE [NANOS_RUN_ARGS...]" >&2; exit 2; }
run=$1 image=$2 case=$3
shift 3
wait_s=${NET_E2E_WAIT:-120}
fail() { echo "FAIL [$case]: $*" >&2; exit 1; }
command -v curl >/dev/null || fail "curl is not installed (.ci/install-deps)"

work=$(mktemp -d)
port=$(free_port)
log=$work/console.txt
vm=
cleanup() {
  [[ -n $vm ]] && stop_vm "$vm"
  rm -rf "$work"
}
trap cleanup EXIT

"$run" "$image" --quiet -p "$port:8080" -p "$port:8080/udp" --timeout 900 "$@" >"$log" 2>&1 &
vm=$!
url=http://127.0.0.1:$port
wait_http "$url/" "$wait_s" "$vm" "$log" || fail "no HTTP server"

case $case in
  small)
    # Two URLs in one curl: the second request reuses the connection (keep-alive).
    out=$(curl -sv --max-time 30 "$url/" "$url/" 2>"$work/verbose") || fail "curl failed: $(cat "$work/verbose")"
    want=$'Hello from a unikernel HTTP server\nHello from a unikernel HTTP server'
    [[ $out == "$want" ]] || fail "body: '$out'"
    grep -q 'Re-using existing connection' "$work/verbose" || fail "the connection was not kept alive"
    ;;
  download)
    n=104857600
    want=$(pattern_sha256 $n)
    stats=$(curl -s --max-time 600 -o >(sha256sum | cut -d' ' -f1 >"$work/sum") \
      -w '%{size_download} %{speed_download}' "$url/bytes/$n") || fail "download failed"
    sleep 0.2 # the process substitution finishes writing the sum
    read -r size speed <<<"$stats"
    [[ $size == "$n" ]] || fail "downloaded $size bytes, not $n"
    [[ $(cat "$work/sum") == "$want" ]] || fail "SHA-256 $(cat "$work/sum"), expected $want"
    echo "100 MB download: $(awk -v s="$speed" 'BEGIN { printf "%.1f MB/s", s / 1e6 }')"
    server=$(curl -s --max-time 60 "$url/sha256/1000003") || fail "GET /sha256 failed"
    [[ $server == "$(pattern_sha256 1000003)" ]] || fail "the server's /sha256/1000003 is $server"
    ;;
  concurrent)
    command -v wrk >/dev/null || fail "wrk is not installed (.ci/install-deps)"
    wrk -t2 -c200 -d10s --timeout 10s "$url/" >"$work/wrk" 2>&1 || fail "wrk failed: $(cat "$work/wrk")"
    cat "$work/wrk"
    grep -q 'Socket errors' "$work/wrk" && fail "socket errors with 200 connections"
    grep -q 'Non-2xx' "$work/wrk" && fail "non-2xx answers with 200 connections"
    requests=$(awk '/requests in/ { print $1 }' "$work/wrk")
    [[ ${requests:-0} -ge 200 ]] || fail "only ${requests:-0} requests completed"
    ;;
  udp)
    python3 - "$port" <<'PY' || fail "UDP echo"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(5)
for size in (1, 2, 100, 512, 1000, 1400):
    data = bytes((size * 7 + i) % 256 for i in range(size))
    for attempt in range(5):  # UDP: a datagram may be lost on the way; retry
        s.sendto(data, ("127.0.0.1", int(sys.argv[1])))
        try:
            got, _ = s.recvfrom(65536)
        except socket.timeout:
            continue
        if got != data:
            sys.exit(f"{size}-byte datagram came back as {len(got)} different bytes")
        break
    else:
        sys.exit(f"no echo of a {size}-byte datagram")
PY
    ;;
  cpp)
    out=$(curl -sv --max-time 30 "$url/" "$url/" 2>"$work/verbose") || fail "curl failed"
    [[ $out == "Hello from C++ in a unikernel, request "*$'\n'"Hello from C++ in a unikernel, request "* ]] ||
      fail "body: '$out'"
    grep -q 'Re-using existing connection' "$work/verbose" || fail "the connection was not kept alive"
    ;;
  exit)
    curl -s --max-time 30 "$url/exit" >/dev/null
    deadline=$(( SECONDS + 60 ))
    while kill -0 "$vm" 2>/dev/null && (( SECONDS < deadline )); do sleep 0.2; done
    kill -0 "$vm" 2>/dev/null && fail "the guest still runs 60 s after GET /exit"
    wait "$vm"
    status=$?
    vm=
    [[ $status == 0 ]] || fail "nanos-run returned $status after GET /exit: $(tail -5 "$log")"
    ;;
  *)
    fail "unknown case"
    ;;
esac
echo "PASS [$case]"
