#!/usr/bin/env bash
# A guest's HTTP server (samples/http-server) and a real Linux peer in a network namespace,
# over a tap device (nanos-run --net tap:IF), optionally through an impaired link:
#   tap_peer.sh NANOS_RUN IMAGE CASE [--impair] [NANOS_RUN_ARGS...]
# IMAGE must have the static address netns.sh's guest side uses: --ipaddr 10.77.0.2
# --netmask 255.255.255.0 --gateway 10.77.0.1 (tests/net/CMakeLists.txt builds one).
# --impair: 2% loss, 20 ms delay, 25% reordering, in both directions (netns.sh).
# Cases:
#   small     GET / twice on one connection, from the peer
#   transfer  20 MB each way, intact: a download of the pattern (SHA-256 against the host's)
#             and an upload of 20 MB of random bytes (POST /sha256, the guest's digest)
# Needs root; without it the test is skipped (status 77).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
if [[ ${1:-} != --inside ]]; then
  [[ $# -ge 3 ]] || { echo "usage: $0 NANOS_RUN IMAGE CASE [--impair] [NANOS_RUN_ARGS...]" >&2; exit 2; }
  [[ $(id -u) == 0 ]] || { echo "SKIPPED: tap devices and network namespaces need root"; exit 77; }
  impair=()
  if [[ ${4:-} == --impair ]]; then
    impair=(--loss 2 --delay 20 --reorder 25)
    set -- "$1" "$2" "$3" "${@:5}"
  fi
  name=p$(( $$ % 10000000 ))
  exec "$here/netns.sh" with "$name" "${impair[@]}" -- "$0" --inside "$@"
fi
shift
run=$1 image=$2 case=$3
shift 3
fail() { echo "FAIL [$case, $IMPAIR link]: $*" >&2; exit 1; }
wait_s=${NET_E2E_WAIT:-120}
work=$(mktemp -d)
log=$work/console.txt
vm=
cleanup() {
  [[ -n $vm ]] && stop_vm "$vm"
  rm -rf "$work"
}
trap cleanup EXIT
args=("$@")
if [[ -n $QEMU_EXTRA ]]; then
  [[ " ${args[*]} " == *" -- "* ]] || args+=(--)
  read -ra extra <<<"$QEMU_EXTRA"
  args+=("${extra[@]}")
fi
"$run" "$image" --quiet --net "tap:$TAP" --timeout 1800 "${args[@]}" >"$log" 2>&1 &
vm=$!
export NET_CURL_PREFIX="ip netns exec $NETNS"
peer() { ip netns exec "$NETNS" "$@"; }
url=http://$GUEST_IP:8080
wait_http "$url/" "$wait_s" "$vm" "$log" || fail "no HTTP server at $GUEST_IP"

case $case in
  small)
    out=$(peer curl -sv --max-time 60 "$url/" "$url/" 2>"$work/verbose") || fail "curl failed"
    [[ $out == $'Hello from a unikernel HTTP server\nHello from a unikernel HTTP server' ]] ||
      fail "body: '$out'"
    grep -q 'Re-using existing connection' "$work/verbose" || fail "the connection was not kept alive"
    ;;
  transfer)
    n=20971520
    start=$SECONDS
    got=$(peer curl -s --max-time 900 "$url/bytes/$n" | sha256sum | cut -d' ' -f1)
    [[ $got == "$(pattern_sha256 $n)" ]] || fail "download: SHA-256 $got, expected $(pattern_sha256 $n)"
    echo "20 MB from the guest: $(( SECONDS - start )) s"
    head -c $n /dev/urandom >"$work/upload"
    start=$SECONDS
    got=$(peer curl -s --max-time 900 -H 'Expect:' --data-binary "@$work/upload" "$url/sha256") ||
      fail "upload failed"
    [[ $got == "$(sha256sum <"$work/upload" | cut -d' ' -f1)" ]] || fail "upload: the guest's SHA-256 is '$got'"
    echo "20 MB to the guest: $(( SECONDS - start )) s"
    ;;
  *)
    fail "unknown case"
    ;;
esac
echo "PASS [$case, $IMPAIR link]"
