#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 19: system-call micro-benchmarks
# (abi_bench.c: null syscall, getpid, pipe and futex ping-pong between two threads,
# open+close, stat, 4 KiB mmap+touch+munmap, epoll_wait with one ready descriptor, an
# io_uring batch of 32 NOPs), timed in the guest, in ONE program image booted with our
# kernel and with upstream Nanos' kernel on the same QEMU (TCG), rounds interleaved:
#   abi_bench.sh BUILD_DIR --nanos KERNEL.IMG BOOT.IMG [--rounds N] [--window MS]
#                [--icount] [--keep DIR]
# --nanos: an upstream Nanos kernel.img and boot.img built by hand (nothing of upstream is
#   in this repository). Without it only our kernel runs.
# --window MS: guest milliseconds per measuring window (default 40; nine windows a line).
# --icount: QEMU `-icount shift=0`: the guest clock advances 1 ns per guest instruction, so
#   the figures are instruction counts (user + kernel), independent of the host's load.
# --keep DIR: keep the images and every console log there.
# Both images boot from their own boot.img (disk boot), 256 MiB, one vCPU. Prints every
# round, then per benchmark the median and range over the rounds of each kernel's median
# window, and ours/Nanos (target: at most 0.8). Two checks keep the comparison honest: the
# same user-only loop timed under both kernels (clock-check-user-loop), and each guest's
# clock against the host's over 1-2 s of user code whose start and end lines the script
# timestamps as they arrive (clock-vs-host-percent; 100 = in step; meaningless under
# --icount). Exit status 0 when every round of every kernel printed all its lines, 3
# otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/vs_nanos.sh"
usage() { sed -n 2,21p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 ]] || usage
build=$(cd "$1" && pwd) || usage
shift
nanos_kernel= nanos_boot= rounds=5 window=40 icount=0 keep=
while [[ $# -gt 0 ]]; do
  case $1 in
    --window) window=$2; shift 2 ;;
    --icount) icount=1; shift ;;
    *) vs_nanos_option "$@"; ((consumed)) || usage; shift $consumed ;;
  esac
done
vs_nanos_setup abi_bench

cc -O2 -Wall -Wextra -o "$work/abi_bench" "$here/abi_bench.c" -lpthread || exit 2
# The file that open+close and stat name: three path components, as programs' files have.
mkdir -p "$work/data"
echo "abi_bench data" >"$work/data/file"
image_args=("$work/abi_bench" --file "$work/data/file:/bench/data/file" --arg /bench/data/file
  --arg "$window")
"$mkimage" build "${image_args[@]}" -o "$work/ours.img" >/dev/null || exit 2
if [[ -n $nanos_kernel ]]; then
  "$mkimage" build "${image_args[@]}" -o "$work/nanos.img" --kernel "$nanos_kernel" \
    --boot "$nanos_boot" >/dev/null || exit 2
fi
qemu_extra=()
((icount)) && qemu_extra=(-- -icount shift=0)

results=$work/results
: >"$results"
incomplete=0
echo "abi_bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}'), TCG$( ((icount)) && echo ' -icount shift=0'), 256M," \
  "disk boot, ${window} ms windows, $rounds rounds"
for ((r = 1; r <= rounds; r++)); do
  for system in "${systems[@]}"; do
    log=$work/$system-$r.log
    t0=$(date +%s%N)
    # Each console line gets the host's time of arrival, for the clock check below.
    "$run" "$work/$system.img" --accel tcg --quiet --memory 256M --timeout 900 "${qemu_extra[@]}" \
      2>&1 | while IFS= read -r line; do printf '%s %s\n' "$EPOCHREALTIME" "${line%$'\r'}"; done \
      >"$log.stamped"
    status=${PIPESTATUS[0]}
    t1=$(date +%s%N)
    cut -d' ' -f2- "$log.stamped" >"$log"
    tr -d '\r' <"$log" | awk -v s="$system" -v r="$r" '$1 == "abi" && $2 != "done" { print s, r, $2, $3 }' >>"$results"
    # The guest's clock against the host's over the same 1-2 s of user code: guest ns / host
    # ns between the two abi-clock-mark lines, in percent (100: the clocks agree).
    awk -v s="$system" -v r="$r" '$2 == "abi-clock-mark" && $3 == "start" { t = $1 }
      $2 == "abi-clock-mark" && $3 == "end" && t { printf "%s %d clock-vs-host-percent %.0f\n", s, r, $4 / (($1 - t) * 1e7) }' \
      "$log.stamped" >>"$results"
    lines=$(tr -d '\r' <"$log" | grep -c '^abi ')
    printf 'round %d %-5s status %d, %d s wall:' "$r" "$system" "$status" $(((t1 - t0) / 1000000000))
    tr -d '\r' <"$log" | awk '$1 == "abi" && $2 != "done" { printf " %s=%s", $2, $3 }'
    awk -v s="$system" -v r="$r" '$1 == s && $2 == r && $3 == "clock-vs-host-percent" { printf " guest/host clock %s%%", $4 }' "$results"
    echo
    if ! tr -d '\r' <"$log" | grep -q '^abi done'; then
      incomplete=1
      echo "  incomplete run ($lines lines); last lines of the console:"
      tail -5 "$log" | sed 's/^/    /'
    fi
  done
done

echo
echo "median over $rounds rounds (range), ns per operation (load now $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 - "$results" "$icount" "${systems[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
icount = sys.argv[2] == "1"
systems = sys.argv[3:]
names = []
for _, _, name, _ in rows:
    if name not in names:
        names.append(name)
def cell(system, name):
    values = [float(v) for s, _, n, v in [r for r in rows] if s == system and n == name
              and v != "n/a"]
    if not values:
        return None, "n/a"
    m = statistics.median(values)
    return m, f"{m:,.0f} ({min(values):,.0f}-{max(values):,.0f})".replace(",", " ")
header = f"{'benchmark':<24}" + "".join(f"{s:>32}" for s in systems)
if len(systems) == 2:
    header += f"{'ours/nanos':>12}  target 0.8"
print(header)
for name in names:
    cells = [cell(s, name) for s in systems]
    line = f"{name:<24}" + "".join(f"{c[1]:>32}" for c in cells)
    if len(systems) == 2:
        if cells[0][0] is not None and cells[1][0] is not None:
            ratio = cells[0][0] / cells[1][0]
            verdict = "met" if ratio <= 0.8 else "NOT met"
            if name.startswith("clock-check"):  # user code only: 1.00x when the clocks agree
                verdict = "same user speed" if 0.9 <= ratio <= 1.1 else "USER CODE SPEED DIFFERS"
            if name == "clock-vs-host-percent":  # each kernel's clock against the host's
                ok = all(c[0] is not None and 90 <= c[0] <= 110 for c in cells)
                verdict = "both clocks keep host time" if ok else "A GUEST CLOCK IS OFF"
                if icount:  # the guest's clock counts instructions, not host time
                    verdict = "(icount: instruction time, not host time)"
                line += f"{'-':>12}  {verdict}"
                print(line)
                continue
            line += f"{ratio:>11.2f}x  {verdict}"
        else:
            line += f"{'-':>12}"
    print(line)
PY
exit $((incomplete ? 3 : 0))
