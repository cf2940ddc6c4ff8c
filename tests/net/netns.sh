#!/usr/bin/env bash
# A real Linux peer for a guest on a tap device: a network namespace holding the peer's end
# of a veth pair (10.77.0.1/24), and the guest's tap in the host namespace, joined by a
# bridge, optionally through an impaired link (loss, delay, reordering). Needs root.
#
#   netns.sh up NAME [--loss PCT] [--delay MS] [--reorder PCT]
#   netns.sh down NAME
#   netns.sh with NAME [--loss ...] -- COMMAND [ARGS...]
#
# `up` prints the settings as shell assignments; `with` exports them, runs COMMAND, and
# tears everything down whatever COMMAND did (status: COMMAND's). The settings:
#   NETNS     the peer's namespace (run the peer with `ip netns exec $NETNS ...`)
#   TAP       the guest's tap: nanos-run IMAGE --net tap:$TAP
#   PEER_IP   10.77.0.1, GUEST_IP 10.77.0.2, PREFIX 24: build the image with
#             --ipaddr $GUEST_IP --netmask 255.255.255.0 --gateway $PEER_IP
#   QEMU_EXTRA  extra QEMU arguments the link needs ("" or, with the user-space link,
#             "-global virtio-net-pci.csum=off"; pass them after nanos-run's "--")
#   IMPAIR    how the impairment is made: none, netem, or relay
# NAME: 1-8 letters/digits (interface names are nn<NAME>g/h/p/b, at most 15 bytes).
# NETNS_PEER_IP / NETNS_GUEST_IP (environment) replace the two addresses, e.g. for a guest
# with another fixed address (linux-guest.sh's fallback is 10.0.2.15 with 10.0.2.2).
#
# Impairment: `tc qdisc ... netem loss PCT delay MS reorder PCT` on both directions when the
# host kernel has sch_netem. Without it (e.g. a Firecracker host kernel) tests/net/impair.py
# relays frames between the tap and the veth in user space, with the same three knobs.
# That relay sees frames before any segmentation, so the peer's veth has its offloads
# turned off and the guest's NIC must not use checksum/TSO offload (QEMU_EXTRA).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
die() { echo "netns.sh: $*" >&2; exit 2; }
[[ $# -ge 2 ]] || die "usage: netns.sh up|down|with NAME [--loss PCT] [--delay MS] [--reorder PCT] [-- COMMAND...]"
verb=$1 name=$2
shift 2
[[ $name =~ ^[A-Za-z0-9]{1,8}$ ]] || die "NAME '$name': 1-8 letters or digits"
ns=nanos-$name g=nn${name}g h=nn${name}h p=nn${name}p b=nn${name}b
state=/run/nanos-netns-$name
peer_ip=${NETNS_PEER_IP:-10.77.0.1} guest_ip=${NETNS_GUEST_IP:-10.77.0.2} # both in one /24

loss=0 delay=0 reorder=0
parse_impairment() {
  while [[ $# -gt 0 && $1 != -- ]]; do
    case $1 in
      --loss) loss=$2 ;;
      --delay) delay=$2 ;;
      --reorder) reorder=$2 ;;
      *) die "unknown option '$1'" ;;
    esac
    [[ ${2:-} =~ ^[0-9]+(\.[0-9]+)?$ ]] || die "$1 needs a number"
    shift 2
  done
}

down() {
  if [[ -s $state.pid ]]; then
    kill -TERM "$(cat "$state.pid")" 2>/dev/null
    for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$(cat "$state.pid")" 2>/dev/null || break; sleep 0.2; done
  fi
  for dev in $b $g $h; do ip link del "$dev" 2>/dev/null; done
  ip netns del "$ns" 2>/dev/null
  rm -f "$state.pid" "$state.env"
  return 0
}

up() {
  [[ $(id -u) == 0 ]] || die "needs root (network namespaces and tap devices)"
  ip netns list | grep -qw "$ns" && die "namespace $ns exists (netns.sh down $name)"
  trap 'down; exit 1' ERR
  set -e
  rm -f "$state.stats"
  ip netns add "$ns"
  ip -n "$ns" link set lo up
  ip link add "$h" type veth peer name "$p"
  ip link set "$p" netns "$ns"
  ip -n "$ns" addr add "$peer_ip/24" dev "$p"
  ip -n "$ns" link set "$p" up
  ip tuntap add dev "$g" mode tap
  # The host's own stack stays out of this link: no IPv6 autoconfiguration on it.
  for dev in "$g" "$h"; do
    sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1"
    ip link set "$dev" up
  done
  local mode=none extra=""
  if [[ $loss != 0 || $delay != 0 || $reorder != 0 ]]; then
    mode=relay
    # netem's reorder needs a delay; loss alone is fine.
    local spec="loss ${loss}%"
    [[ $delay != 0 ]] && spec+=" delay ${delay}ms"
    [[ $reorder != 0 && $delay != 0 ]] && spec+=" reorder ${reorder}% 50%"
    if tc qdisc add dev "$h" root netem $spec 2>/dev/null; then
      ip netns exec "$ns" tc qdisc add dev "$p" root netem $spec
      mode=netem
    fi
  fi
  if [[ $mode != relay ]]; then
    ip link add "$b" type bridge
    sysctl -qw "net.ipv6.conf.$b.disable_ipv6=1"
    ip link set "$g" master "$b"
    ip link set "$h" master "$b"
    ip link set "$b" up
  else
    command -v ethtool >/dev/null || die "the user-space link needs ethtool (.ci/install-deps)"
    ip netns exec "$ns" ethtool -K "$p" tx off tso off gso off >/dev/null 2>&1 || true
    ethtool -K "$h" gro off >/dev/null 2>&1 || true
    extra="-global virtio-net-pci.csum=off"
    setsid python3 "$here/impair.py" "$g" "$h" --loss "$loss" --delay "$delay" \
      --reorder "$reorder" --stats "$state.stats" </dev/null >"$state.log" 2>&1 &
    echo $! >"$state.pid"
    sleep 0.3
    kill -0 "$(cat "$state.pid")" 2>/dev/null || { cat "$state.log" >&2; false; }
  fi
  set +e
  trap - ERR
  cat >"$state.env" <<ENV
NETNS=$ns
TAP=$g
PEER_IP=$peer_ip
GUEST_IP=$guest_ip
PREFIX=24
QEMU_EXTRA="$extra"
IMPAIR=$mode
ENV
  cat "$state.env"
}

case $verb in
  up)
    parse_impairment "$@"
    up
    ;;
  down)
    down
    ;;
  with)
    parse_impairment "$@"
    while [[ $# -gt 0 && $1 != -- ]]; do shift; done
    [[ ${1:-} == -- && $# -ge 2 ]] || die "with: give the command after --"
    shift
    up >/dev/null || exit 1
    trap down EXIT
    set -a
    source "$state.env"
    set +a
    "$@"
    ;;
  *)
    die "unknown verb '$verb' (up, down or with)"
    ;;
esac
