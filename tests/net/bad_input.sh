#!/usr/bin/env bash
# Bad input over a tap (issue 13): a Linux peer in a network namespace (netns.sh) sends a
# guest server malformed frames (bad_frames.py) and SYN floods (hping3, from its own
# address and from random ones), twice. Afterwards the server must answer HTTP again and
# the kernel's memory must be bounded: the guest (net_probe serve:8080) answers
# GET /meminfo with its /proc/meminfo, whose MemFree counts the kernel's free pages (the
# kernel heap takes pages from the same allocator). Checked:
#   - GET / answers after each round, within NET_BAD_RECOVER_S seconds (default 60);
#   - MemFree after both rounds is at most NET_BAD_MAX_GROWTH_KB (default 32768) below the
#     figure before the first round;
#   - the second, identical round takes at most NET_BAD_MAX_LEAK_KB (default 4096) more:
#     what the first round's attack made the kernel allocate must be reused, not leaked.
#   bad_input.sh
# Environment (tests/net/CMakeLists.txt): MKIMAGE, NANOS_RUN, KERNEL, PROBE. NET_BAD_FLOOD_S
# (default 5) is how long each flood lasts. Needs root (status 77 otherwise).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
: "${MKIMAGE:?}" "${NANOS_RUN:?}" "${KERNEL:?}" "${PROBE:?}"
fail() { echo "FAIL [bad input]: $*" >&2; exit 1; }
if [[ ${1:-} != --inside ]]; then
  [[ $(id -u) == 0 ]] || { echo "SKIPPED: tap devices and network namespaces need root"; exit 77; }
  command -v hping3 >/dev/null || fail "hping3 is not installed (.ci/install-deps)"
  exec "$here/netns.sh" with "b$(( $$ % 10000000 ))" -- "$0" --inside
fi

flood_s=${NET_BAD_FLOOD_S:-5}
recover_s=${NET_BAD_RECOVER_S:-60}
max_growth_kb=${NET_BAD_MAX_GROWTH_KB:-32768}
max_leak_kb=${NET_BAD_MAX_LEAK_KB:-4096}
work=$(mktemp -d)
log=$work/console
vm=
cleanup() {
  [[ -n $vm ]] && stop_vm "$vm"
  rm -rf "$work"
}
trap cleanup EXIT
peer() { ip netns exec "$NETNS" "$@"; }
export NET_CURL_PREFIX="ip netns exec $NETNS"
url=http://$GUEST_IP:8080

"$MKIMAGE" build "$PROBE" -o "$work/probe.img" --arg serve:8080 --ipaddr "$GUEST_IP" \
  --netmask 255.255.255.0 --gateway "$PEER_IP" >"$work/mkimage.log" 2>&1 ||
  fail "nanos-mkimage: $(cat "$work/mkimage.log")"
"$NANOS_RUN" "$work/probe.img" --accel tcg --kernel "$KERNEL" --memory 256M --timeout 900 \
  --quiet --net "tap:$TAP" >"$log" 2>&1 &
vm=$!
wait_http "$url/" 120 "$vm" "$log" || fail "the guest server did not answer"

ifname=$(peer ip -o -4 addr show | awk -v ip="$PEER_IP/" 'index($4, ip) == 1 { print $2 }')
guest_mac=$(peer ip neigh show "$GUEST_IP" | awk '{ for (i = 1; i < NF; ++i) if ($i == "lladdr") print $(i + 1) }')
[[ -n $ifname && -n $guest_mac ]] || fail "cannot find the peer's interface or the guest's MAC"

# mem_free: the guest's MemFree in kB.
mem_free() {
  local text
  text=$(peer curl -sS --max-time 20 "$url/meminfo") || fail "GET /meminfo failed"
  awk '$1 == "MemFree:" { print $2; found = 1 } END { exit !found }' <<<"$text" ||
    fail "no MemFree in /meminfo: $text"
}

# answers: GET / until it works, at most recover_s seconds; prints how long it took.
answers() {
  local start=$SECONDS body
  while (( SECONDS - start < recover_s )); do
    body=$(peer curl -s --max-time 5 "$url/") && [[ $body == "net probe server" ]] && {
      echo "$(( SECONDS - start ))"
      return 0
    }
    kill -0 "$vm" 2>/dev/null || fail "the guest exited: $(tail -20 "$log")"
  done
  fail "the server did not answer within $recover_s s after the attack: $(tail -20 "$log")"
}

# flood ARGS...: hping3 SYNs to the server's port for flood_s seconds; prints its summary.
flood() {
  peer timeout -s INT "$flood_s" hping3 -q -S -p 8080 --flood "$@" "$GUEST_IP" 2>&1 |
    grep -E 'packets (transmitted|tramitted)' || true
}

attack_round() {
  local round=$1 took
  echo "round $round: malformed frames"
  peer python3 "$here/bad_frames.py" "$ifname" "$guest_mac" "$GUEST_IP" "$PEER_IP" 8080 \
    --seed "$round" || fail "bad_frames.py failed"
  took=$(answers) || exit 1
  echo "round $round: the server answered ${took} s after the malformed frames"
  echo "round $round: SYN flood from the peer's address (its kernel resets the SYN-ACKs)"
  flood
  echo "round $round: SYN flood from random addresses (nobody answers the SYN-ACKs)"
  flood --rand-source
  took=$(answers) || exit 1
  echo "round $round: the server answered ${took} s after the floods"
}

free0=$(mem_free)
echo "MemFree before: $free0 kB"
attack_round 1
free1=$(mem_free)
echo "MemFree after round 1: $free1 kB ($(( free0 - free1 )) kB less)"
attack_round 2
free2=$(mem_free)
echo "MemFree after round 2: $free2 kB ($(( free0 - free2 )) kB less than before, $(( free1 - free2 )) kB less than after round 1)"
kill -0 "$vm" 2>/dev/null || fail "the guest exited"
(( free0 - free2 <= max_growth_kb )) ||
  fail "the attacks took $(( free0 - free2 )) kB of the kernel's memory (bound $max_growth_kb kB)"
(( free1 - free2 <= max_leak_kb )) ||
  fail "the second round took $(( free1 - free2 )) kB more than the first (bound $max_leak_kb kB): a leak"
grep -qiE 'panic|assert|fault' "$log" && fail "the console reports a fault: $(grep -iE 'panic|assert|fault' "$log")"
echo "PASS [bad input]"
