#!/usr/bin/env bash
# The guest as a network client (issue 13): net_probe, in the guest, fetches a file over
# HTTP from a server on the host side and checks a UDP echo it starts itself; the file's
# SHA-256 and length printed by the guest must equal the host's.
#   guest_client.sh user|tap
# user  QEMU user networking: the services listen on the host's 127.0.0.1, which the guest
#       reaches as 10.0.2.2 (the guest takes its address by DHCP).
# tap   a Linux peer in a network namespace (netns.sh, 10.77.0.1) over a tap device: the
#       guest has the static address 10.77.0.2 and nameserver 10.77.0.1, where the peer
#       runs a DNS server knowing peer.nanos.test; the guest resolves that name with glibc's
#       getaddrinfo and fetches the file by it. Needs root (status 77 otherwise).
# Environment (tests/net/CMakeLists.txt): MKIMAGE, NANOS_RUN, KERNEL (booted by PVH), PROBE
# (the net_probe executable).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh"
mode=${1:?usage: guest_client.sh user|tap}
: "${MKIMAGE:?}" "${NANOS_RUN:?}" "${KERNEL:?}" "${PROBE:?}"
fail() { echo "FAIL [client $mode]: $*" >&2; exit 1; }

if [[ $mode == tap && ${2:-} != --inside ]]; then
  [[ $(id -u) == 0 ]] || { echo "SKIPPED: tap devices and network namespaces need root"; exit 77; }
  exec "$here/netns.sh" with "c$(( $$ % 10000000 ))" -- "$0" tap --inside
fi

work=$(mktemp -d)
services=
cleanup() {
  if [[ -n $services ]]; then
    kill -TERM "$services" 2>/dev/null
    wait "$services" 2>/dev/null
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# An odd size, so that no length lines up with a segment or a buffer by chance.
mkdir -p "$work/www"
head -c 3000001 /dev/urandom >"$work/www/file.bin"
want_sum=$(sha256sum <"$work/www/file.bin" | cut -d' ' -f1)

case $mode in
  user)
    http_port=$(free_port) udp_port=$(free_port)
    python3 "$here/peer_services.py" --bind 127.0.0.1 --http "$http_port" --root "$work/www" \
      --udp "$udp_port" --ready "$work/ready" 2>"$work/services.log" &
    services=$!
    host=10.0.2.2
    steps=(--arg "http:$host:$http_port:file.bin" --arg "udp:$host:$udp_port")
    expect=("http $host:$http_port/file.bin: status 200, 3000001 bytes, sha256 $want_sum"
            "udp $host:$udp_port: 6 datagrams echoed intact")
    image_net=(--set exec_wait_for_ip4_secs=60)
    run_net=(--net user)
    ;;
  tap)
    ip netns exec "$NETNS" python3 "$here/peer_services.py" --bind "$PEER_IP" --http 80 \
      --root "$work/www" --udp 7 --dns 53 --name "peer.nanos.test=$PEER_IP" \
      --ready "$work/ready" 2>"$work/services.log" &
    services=$!
    steps=(--arg resolve:peer.nanos.test --arg http:peer.nanos.test:80:file.bin
           --arg "udp:$PEER_IP:7")
    expect=("resolve peer.nanos.test: $PEER_IP"
            "http peer.nanos.test:80/file.bin: status 200, 3000001 bytes, sha256 $want_sum"
            "udp $PEER_IP:7: 6 datagrams echoed intact")
    image_net=(--ipaddr "$GUEST_IP" --netmask 255.255.255.0 --gateway "$PEER_IP"
               --nameserver "$PEER_IP")
    run_net=(--net "tap:$TAP")
    ;;
  *)
    fail "unknown mode (user or tap)"
    ;;
esac

for _ in $(seq 50); do [[ -s $work/ready ]] && break; sleep 0.1; done
[[ -s $work/ready ]] || fail "the host's services did not start: $(cat "$work/services.log")"

"$MKIMAGE" build "$PROBE" -o "$work/probe.img" "${steps[@]}" "${image_net[@]}" \
  >"$work/mkimage.log" 2>&1 || fail "nanos-mkimage: $(cat "$work/mkimage.log")"
start=$SECONDS
"$NANOS_RUN" "$work/probe.img" --accel tcg --kernel "$KERNEL" --memory 128M --timeout 240 \
  --quiet "${run_net[@]}" >"$work/console" 2>&1
status=$?
echo "guest ran $(( SECONDS - start )) s, status $status; console:"
cat "$work/console"
echo "host services:"
cat "$work/services.log"
[[ $status == 0 ]] || fail "the guest exited with status $status"
for line in "${expect[@]}"; do
  grep -qF -- "$line" "$work/console" || fail "the console lacks: $line"
done
grep -q '^net probe done' "$work/console" || fail "the probe did not finish"
echo "PASS [client $mode]"
