#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 13: the same static C HTTP
# server (samples/http-server) on our kernel, on upstream Nanos and on a Linux guest, one
# after the other on the same QEMU (TCG, q35, user networking with port forwarding, the
# NIC's EVENT_IDX off for all: see docs/nanos-run.md), rounds interleaved:
#   net_bench.sh BUILD_DIR [--nanos KERNEL.IMG BOOT.IMG] [--linux DIR] [--rounds N]
#                [--duration S] [--only ours,nanos,linux] [--net user|tap]
# --nanos: an upstream Nanos kernel.img and boot.img, built by hand (nothing of upstream is
#   in this repository); --linux DIR: vmlinuz and initrd.cpio.gz of a Linux guest that runs
#   the same server binary ($BUILD_DIR/bin/http-server 8080) as /init's job.
# --net tap (root): instead of user networking, a tap in a bridge to a network namespace
#   (tests/net/netns.sh) whose peer 10.0.2.2 runs wrk and curl against the guest's static
#   10.0.2.15 (the Linux guest's own fallback when DHCP fails); the NIC then offers checksum
#   and segmentation offloads.
# Each round and system: boot, wait for the first HTTP answer (its time is reported), 2 s of
# warm-up, wrk -t1 -c10 for S seconds (default 10) on GET / (requests/s, p99 latency), then
# a 100 MB download (MB/s, SHA-256 checked). A system that does not answer within
# NET_BENCH_WAIT seconds (default 240) is reported as such; the others still run. Exit
# status: 0 when every system answered every round, 3 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../net/lib.sh"
usage() { sed -n 2,19p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 ]] || usage
build=$(cd "$1" && pwd) || usage
shift
nanos_kernel= nanos_boot= linux_dir= rounds=3 duration=10 only=ours,nanos,linux net=user
while [[ $# -gt 0 ]]; do
  case $1 in
    --nanos) nanos_kernel=$(realpath "$2") nanos_boot=$(realpath "$3"); shift 3 ;;
    --linux) linux_dir=$(realpath -m "$2"); shift 2 ;;
    --rounds) rounds=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    --net) net=$2; shift 2 ;;
    *) usage ;;
  esac
done
mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run server=$build/bin/http-server
for f in "$mkimage" "$run" "$server"; do
  [[ -x $f ]] || { echo "net_bench: $f missing (build the project and its samples)" >&2; exit 2; }
done
for t in wrk curl qemu-system-x86_64; do
  command -v $t >/dev/null || { echo "net_bench: $t is not installed (.ci/install-deps)" >&2; exit 2; }
done
wait_s=${NET_BENCH_WAIT:-240}
memory=512M
work=$(mktemp -d)
vm=
netns_name=
trap '[[ -n $vm ]] && stop_vm "$vm"; [[ -n $netns_name ]] && "$here/../net/netns.sh" down $netns_name;
  rm -rf "$work"' EXIT
guest_net=() # nanos-mkimage options for the guest's address
case $net in
  user) ;;
  tap)
    netns_name=nb$$
    setup=$(NETNS_PEER_IP=10.0.2.2 NETNS_GUEST_IP=10.0.2.15 "$here/../net/netns.sh" up $netns_name) ||
      { netns_name=; echo "net_bench: cannot set up the tap (needs root)" >&2; exit 2; }
    eval "$setup"
    guest_net=(--ipaddr "$GUEST_IP" --netmask 255.255.255.0 --gateway "$PEER_IP")
    export NET_CURL_PREFIX="ip netns exec $NETNS"
    ;;
  *) usage ;;
esac
# Host-side commands that talk to the guest (in the peer's namespace over a tap).
peer() { ${NET_CURL_PREFIX:-} "$@"; }

systems=()
[[ ,$only, == *,ours,* ]] && systems+=(ours)
if [[ ,$only, == *,nanos,* && -n $nanos_kernel ]]; then systems+=(nanos); fi
if [[ ,$only, == *,linux,* && -n $linux_dir ]]; then systems+=(linux); fi

echo "preparing guests ..." >&2
if [[ " ${systems[*]} " == *" ours "* ]]; then
  "$mkimage" build "$server" -o "$work/ours.img" --arg 8080 "${guest_net[@]}" >/dev/null ||
    { echo "net_bench: cannot make our image (is the kernel built? cmake --build $build --target kernel_image)" >&2; exit 2; }
fi
if [[ -n $nanos_kernel ]]; then
  "$mkimage" build "$server" -o "$work/nanos.img" --arg 8080 "${guest_net[@]}" --kernel "$nanos_kernel" \
    --boot "$nanos_boot" >/dev/null || exit 1
fi
if [[ -n $linux_dir && ! -s $linux_dir/initrd.cpio.gz ]]; then
  echo "net_bench: no Linux guest in $linux_dir; make one from the same server with" \
    "linux-guest.sh $server $linux_dir -- 8080 (a minimal Debian kernel + busybox initramfs" \
    "whose /init brings up eth0 and runs the program)" >&2
  exit 2
fi
n100=104857600
want100=$(pattern_sha256 $n100)

# start SYSTEM PORT LOG: boots the guest in the background; sets vm.
start() {
  local system=$1 port=$2 log=$3
  case $system in
    ours | nanos)
      local reach=(-p "$port:8080")
      [[ $net == tap ]] && reach=(--net "tap:$TAP")
      "$run" "$work/$system.img" --accel tcg --quiet --memory $memory "${reach[@]}" \
        --net-event-idx off --timeout 3600 >"$log" 2>&1 &
      ;;
    linux)
      # no_timer_check: under a loaded host, TCG can be too slow for Linux's IO-APIC timer
      # test, which then panics.
      qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m $memory -smp 1 -nodefaults \
        -no-user-config -display none -serial stdio -no-reboot \
        -kernel "$linux_dir/vmlinuz" -initrd "$linux_dir/initrd.cpio.gz" \
        -append "console=ttyS0 quiet no_timer_check" \
        -netdev "$([[ $net == tap ]] && echo "tap,id=n0,ifname=$TAP,script=no,downscript=no" ||
          echo "user,id=n0,hostfwd=tcp:127.0.0.1:$port-:8080")" \
        -device virtio-net-pci,netdev=n0,romfile=,event_idx=off \
        -device isa-debug-exit,iobase=0x501,iosize=0x02 >"$log" 2>&1 &
      ;;
  esac
  vm=$!
}

# wrk's latency figure ("35.15ms", "812.00us", "1.02s") in milliseconds.
to_ms() {
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n *= 1;
    else if (v ~ /s$/) n *= 1000; printf "%.2f", n }'
}

results=$work/results
: >"$results"
missing=0
echo "net_bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}'), TCG, ${memory}, event_idx=off," \
  "wrk -t1 -c10 -d${duration}s, $net networking"
for ((r = 1; r <= rounds; r++)); do
  for system in "${systems[@]}"; do
    port=$(free_port)
    log=$work/$system-$r.log
    t0=$(date +%s.%N)
    start "$system" "$port" "$log"
    host=127.0.0.1:$port
    [[ $net == tap ]] && host=$GUEST_IP:8080
    if ! wait_http "http://$host/" "$wait_s" "$vm" "$log" 2>"$work/why"; then
      echo "round $r $system: NO ANSWER -- $(head -1 "$work/why")"
      sed 1d "$work/why" | sed 's/^/    /'
      echo "$system noanswer" >>"$results"
      missing=1
      stop_vm "$vm"
      vm=
      continue
    fi
    first=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }')
    url=http://$host
    peer wrk -t1 -c10 -d2s "$url/" >/dev/null 2>&1
    peer wrk -t1 -c10 -d"${duration}s" --latency "$url/" >"$work/wrk" 2>&1
    rps=$(awk '/^Requests\/sec/ { printf "%.0f", $2 }' "$work/wrk")
    p99=$(to_ms "$(awk '$1 == "99%" { print $2 }' "$work/wrk")")
    errors=$(grep -E 'Socket errors|Non-2xx' "$work/wrk" | tr -s ' ' | tr '\n' ';')
    stats=$(peer curl -s --max-time 900 -o >(sha256sum | cut -d' ' -f1 >"$work/sum") \
      -w '%{size_download} %{speed_download}' "$url/bytes/$n100")
    sleep 0.3
    read -r size speed <<<"${stats:-0 0}"
    mbs=$(awk -v s="$speed" 'BEGIN { printf "%.1f", s / 1e6 }')
    check=ok
    [[ $size == "$n100" && $(cat "$work/sum") == "$want100" ]] || { check="BAD ($size bytes)"; mbs=0; }
    stop_vm "$vm"
    vm=
    printf 'round %d %-5s first answer %5.2f s  %6s req/s  p99 %7s ms  100 MB %6s MB/s (%s)%s\n' \
      "$r" "$system" "$first" "${rps:-0}" "$p99" "$mbs" "$check" "${errors:+  $errors}"
    echo "$system $first ${rps:-0} $p99 $mbs" >>"$results"
  done
done

echo
echo "median over $rounds rounds (load now $(cut -d' ' -f1-3 /proc/loadavg)):"
printf '%-6s %12s %10s %10s %12s\n' system "first answer" "req/s" "p99 ms" "100 MB MB/s"
for system in "${systems[@]}"; do
  if ! grep -q "^$system [0-9]" "$results"; then
    printf '%-6s %s\n' "$system" "no HTTP answer in any round (see above)"
    continue
  fi
  python3 - "$system" "$results" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[2]) if l.startswith(sys.argv[1] + " ") and "noanswer" not in l]
cols = list(zip(*[[float(x) for x in r[1:]] for r in rows]))
m = [statistics.median(c) for c in cols]
print(f"{sys.argv[1]:<6} {m[0]:>10.2f} s {m[1]:>10.0f} {m[2]:>10.2f} {m[3]:>12.1f}")
PY
done
exit $(( missing ? 3 : 0 ))
