#!/usr/bin/env bash
# End to end through QEMU user networking: boots tests/net/http_server.c with a forwarded
# port (nanos-run -p), then curl on the host fetches a greeting and a large body whose
# SHA-256 is compared with the same stream built on the host, and stops the server.
#
#   http_curl_test.sh EVENT_IDX(on|off) BYTES
#
# Environment (tests/net/CMakeLists.txt): NANOS_RUN, IMAGE, KERNEL, WORK; optionally
# EXTRA_QEMU_ARGS (e.g. "-object filter-dump,id=f1,netdev=n0,file=net.pcap" to capture).
set -euo pipefail
event_idx=${1:?usage: http_curl_test.sh on|off BYTES}
bytes=${2:?usage: http_curl_test.sh on|off BYTES}
: "${NANOS_RUN:?}" "${IMAGE:?}" "${KERNEL:?}" "${WORK:?}"
mkdir -p "$WORK"
log="$WORK/http.$event_idx.log"

fail() {
  echo "FAIL: $*" >&2
  echo "---- guest console ----" >&2
  cat "$log" >&2 || true
  exit 1
}

# A free host port (ctest runs tests in parallel).
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

"$NANOS_RUN" "$IMAGE" --accel tcg --kernel "$KERNEL" -p "$port:8080" -- \
  -global "virtio-net-pci.event_idx=$event_idx" ${EXTRA_QEMU_ARGS:-} >"$log" 2>&1 &
guest=$!
trap 'kill $guest 2>/dev/null || true' EXIT

for _ in $(seq 1 600); do
  grep -q "http server listening on 8080" "$log" && break
  kill -0 $guest 2>/dev/null || fail "the guest exited before listening"
  sleep 0.1
done
grep -q "http server listening on 8080" "$log" || fail "the server did not start within 60 s"

hello=$(curl -sS --max-time 30 "http://127.0.0.1:$port/") || fail "curl / failed"
[[ $hello == "hello from the unikernel" ]] || fail "unexpected greeting: $hello"

want=$(python3 -c '
import hashlib, sys
line = b"unikernel network test data 0123456789 abcdefghijklmnopqrstuvw.\n"
n = int(sys.argv[1]); h = hashlib.sha256()
h.update(line * (n // 64)); h.update(line[: n % 64]); print(h.hexdigest())' "$bytes")
start=$(date +%s.%N)
got=$(curl -sS --max-time 120 "http://127.0.0.1:$port/bytes/$bytes" | sha256sum | cut -d' ' -f1) ||
  fail "curl /bytes/$bytes failed"
end=$(date +%s.%N)
[[ $got == "$want" ]] || fail "the $bytes-byte body differs (sha256 $got, want $want)"
python3 -c "import sys; s=float(sys.argv[2])-float(sys.argv[1]); print(f'{int(sys.argv[3])/s/1e6:.1f} MB/s for {sys.argv[3]} bytes (event_idx={sys.argv[4]})')" \
  "$start" "$end" "$bytes" "$event_idx"

bye=$(curl -sS --max-time 30 "http://127.0.0.1:$port/quit") || fail "curl /quit failed"
[[ $bye == "bye" ]] || fail "unexpected answer to /quit: $bye"
status=0
wait $guest || status=$?
trap - EXIT
[[ $status == 0 ]] || fail "nanos-run exited with $status"
grep -q "net: en1: DHCP lease 10.0.2.15/24" "$log" || fail "no DHCP lease line"
grep -q "http server done" "$log" || fail "the server did not finish"
echo "ok"
