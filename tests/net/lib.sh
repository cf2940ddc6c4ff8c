# Shared by tests/net/*.sh and tests/bench/net_bench.sh (source it; bash).
# Functions for talking to a guest's HTTP server (samples/http-server) from the host.

# free_port: a TCP port nothing listens on now (the kernel picks it; small race accepted).
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# pattern_sha256 N: SHA-256 of the first N bytes of the server's test pattern (byte i is
# i % 251), computed on the host and cached in $NET_CACHE (default /tmp).
pattern_sha256() {
  local n=$1 cache=${NET_CACHE:-/tmp}/nanos-net-pattern-$1.sha256
  if [[ ! -s $cache ]]; then
    python3 - "$n" >"$cache.tmp" <<'PY' && mv "$cache.tmp" "$cache"
import hashlib, sys
n = int(sys.argv[1])
period = bytes(i % 251 for i in range(251))
block = period * 4096
h = hashlib.sha256()
while n >= len(block):
    h.update(block); n -= len(block)
h.update((period * (n // 251 + 1))[:n])
print(h.hexdigest())
PY
  fi
  cat "$cache"
}

# wait_http URL DEADLINE_S PID LOG: until URL answers with HTTP 200. Fails (status 1, one
# line on stderr) when the process PID (the VM) exits first or DEADLINE_S passes. QEMU's
# port forwarding accepts connections before the guest listens, so a connection alone
# proves nothing: only an HTTP answer counts.
# NET_CURL_PREFIX (a word list, e.g. "ip netns exec nanos-x") runs curl elsewhere.
wait_http() {
  local url=$1 deadline=$(( SECONDS + $2 )) pid=$3 log=$4 code
  while (( SECONDS < deadline )); do
    code=$(${NET_CURL_PREFIX:-} curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$url" 2>/dev/null) || true
    [[ $code == 200 ]] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      wait "$pid" 2>/dev/null
      echo "the guest exited (nanos-run status $?) before answering $url; console:" >&2
      tail -n 20 "$log" >&2
      return 1
    fi
    sleep 0.5
  done
  echo "the guest did not answer $url within $2 s; console:" >&2
  tail -n 20 "$log" >&2
  return 1
}

# stop_vm PID: SIGTERM (nanos-run then stops QEMU), wait for it.
stop_vm() {
  kill -TERM "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
