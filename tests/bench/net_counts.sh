#!/usr/bin/env bash
# Load-independent costs of the HTTP benchmark's two workloads (a developer tool for
# docs/benchmarks.md, not part of ctest): boots samples/http-server on a kernel under TCG
# with user networking (as net_bench.sh does: q35, 512 MiB, event_idx=off), then either
# downloads MB megabytes once (`download`) or runs wrk -t1 -c10 for S seconds (`requests`),
# and reports
#   - the CPU time of each QEMU thread during the workload (the vCPU thread runs the guest,
#     the main thread runs the device models and slirp), from /proc, per MB or per request;
#   - the guest's own counters, printed at exit with `core.net` (frames, device interrupts,
#     receive batches, notifications; docs/net.md) and its system calls
#     (`--syscall-summary`), per MB or per request.
# CPU time is what a busy host still measures fairly (wall time is not); the counts do not
# depend on the host at all except through how work batches up.
#   net_counts.sh BUILD_DIR KERNEL.IMG download|requests [MB|S] [--nanos BOOT.IMG]
# KERNEL.IMG: our kernel (booted by PVH with `-append core.net`), or with --nanos an
# upstream Nanos kernel (disk boot through its BOOT.IMG; no guest counters then).
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/../net/lib.sh"
usage() { sed -n 2,17p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 3 ]] || usage
build=$(cd "$1" && pwd) || usage
kernel=$(realpath "$2") mode=$3
shift 3
amount=
[[ $# -gt 0 && $1 != --* ]] && { amount=$1; shift; }
nanos_boot=
[[ $# -gt 0 && $1 == --nanos ]] && { nanos_boot=$(realpath "$2"); shift 2; }
case $mode in
  download) amount=${amount:-100} ;;
  requests) amount=${amount:-10} ;;
  *) usage ;;
esac
mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run server=$build/bin/http-server
work=$(mktemp -d)
vm=
trap '[[ -n $vm ]] && stop_vm "$vm"; rm -rf "$work"' EXIT

if [[ -n $nanos_boot ]]; then
  "$mkimage" build "$server" -o "$work/s.img" --arg 8080 --kernel "$kernel" --boot "$nanos_boot" \
    >/dev/null || exit 1
  boot=()
else
  "$mkimage" build "$server" -o "$work/s.img" --arg 8080 --kernel "$kernel" --syscall-summary \
    >/dev/null || exit 1
  boot=(--kernel "$kernel")
fi
port=$(free_port)
extra=(-name net-counts,debug-threads=on) # QEMU names its threads: "CPU 0/TCG", the main loop
[[ -z $nanos_boot ]] && extra+=(-append core.net)
"$run" "$work/s.img" --accel tcg --quiet --memory 512M -p "$port:8080" --net-event-idx off \
  --timeout 900 "${boot[@]}" -- "${extra[@]}" >"$work/console" 2>&1 &
vm=$!
url=http://127.0.0.1:$port
wait_http "$url/" 300 "$vm" "$work/console" || exit 1
qemu=$(pgrep -P "$vm" -f qemu-system | head -1)
[[ -n $qemu ]] || { echo "net_counts: no QEMU under nanos-run $vm" >&2; exit 1; }

# Per-thread CPU ticks (utime + stime) of QEMU, one "name ticks" line per thread.
threads() {
  for t in /proc/$qemu/task/*; do
    local stat name
    stat=$(cat "$t/stat" 2>/dev/null) || continue
    name=$(cat "$t/comm")
    [[ ${t##*/} == "$qemu" ]] && name=main-loop
    # Fields after the ")" that closes the name: 14 and 15 of the whole line.
    awk -v n="${name// /_}" '{ sub(/^.*\) /, ""); print n, $12 + $13 }' <<<"$stat"
  done | awk '{ t[$1] += $2 } END { for (n in t) print n, t[n] }'
}
tck=$(getconf CLK_TCK)
curl -s -o /dev/null "$url/" # warm up the connection path once
threads >"$work/before"
t0=$(date +%s.%N)
if [[ $mode == download ]]; then
  bytes=$((amount * 1000000))
  got=$(curl -s --max-time 900 -o /dev/null -w '%{size_download}' "$url/bytes/$bytes")
  [[ $got == "$bytes" ]] || echo "net_counts: short download ($got of $bytes bytes)" >&2
  per=$amount unit=MB
else
  wrk -t1 -c10 -d"${amount}s" "$url/" >"$work/wrk" 2>&1
  per=$(awk '/requests in/ { print $1 }' "$work/wrk")
  unit=request
fi
t1=$(date +%s.%N)
threads >"$work/after"
curl -s -o /dev/null --max-time 30 "$url/exit" || true
wait "$vm" 2>/dev/null
vm=
echo "net_counts: $mode of $per $unit(s) in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }') s" \
  "(load $(cut -d' ' -f1-3 /proc/loadavg)), kernel $kernel"
LC_ALL=C join <(LC_ALL=C sort "$work/before") <(LC_ALL=C sort "$work/after") | awk -v tck="$tck" -v per="$per" -v unit="$unit" \
  '{ d = ($3 - $2) / tck; if (d > 0) printf "  QEMU thread %-18s %8.3f s CPU, %10.1f us per %s\n", $1, d, d * 1e6 / per, unit }'
grep -E '^net: ' "$work/console" | sed 's/^/  /'
grep -E '^net: ' "$work/console" | python3 -c '
import re, sys
per, unit = float(sys.argv[1]), sys.argv[2]
for line in sys.stdin:
    if ";" not in line:
        continue
    rx, tx = line.split(";", 1)
    for side, text in (("rx", rx), ("tx", tx)):
        for n, what in re.findall(r"(\d+) (frames|batches|interrupts|kicks)", text):
            print(f"    {side} {what}: {int(n) / per:.2f} per {unit}")
' "$per" "$unit"
grep -E '^syscall_summary:' "$work/console" | head -20 | sed 's/^/  /'
