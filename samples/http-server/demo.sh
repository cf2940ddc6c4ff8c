#!/usr/bin/env bash
# The README's main job, second half: boots the http-server sample with a host port forwarded
# to it, asks it for a page with curl the way a user would, then asks it to exit, and
# returns its exit status. `demo.sh NANOS_RUN IMAGE` (the demo target passes both).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../../tests/net/lib.sh"
[[ $# -eq 2 ]] || { echo "usage: $0 NANOS_RUN IMAGE" >&2; exit 2; }
run=$1 image=$2
command -v curl >/dev/null || { echo "demo: curl is not installed (.ci/install-deps)" >&2; exit 1; }

port=$(free_port)
console=$(mktemp)
trap 'rm -f "$console"' EXIT
echo "demo: booting $(basename "$image") with host port $port forwarded to the guest's 8080"
"$run" "$image" -p "$port:8080" --timeout 300 >"$console" 2>&1 &
vm=$!
if ! wait_http "http://127.0.0.1:$port/" 240 "$vm" "$console"; then
  stop_vm "$vm"
  exit 1
fi
shown=$(wc -l <"$console")
sed 's/^/guest| /' "$console" | head -n "$shown"
echo "\$ curl http://127.0.0.1:$port/"
curl -sS --max-time 30 "http://127.0.0.1:$port/" || { stop_vm "$vm"; exit 1; }
echo "\$ curl http://127.0.0.1:$port/exit"
curl -sS --max-time 30 "http://127.0.0.1:$port/exit"
wait "$vm"
status=$?
tail -n +"$((shown + 1))" "$console" | sed 's/^/guest| /'
echo "demo: the server exited with status $status"
exit "$status"
