#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 13: what nanos-run's default
# NIC (--net user) costs a boot, under TCG: the static hello booted from its disk with
#   none     --net none
#   user     the default: -netdev user + virtio-net-pci with romfile= (no option ROM)
#   user+rom the same NIC with QEMU's default option ROM (iPXE), for comparison
# interleaved, `runs` times each; medians of nanos-run's wall time from start to exit and of
# the CPU time it and QEMU used (user + system; less sensitive to a loaded machine).
#   nic_boot_cost.sh BUILD_DIR [runs] [EXTRA nanos-run ARGS...]
set -euo pipefail
build=$(cd "${1:?usage: nic_boot_cost.sh BUILD_DIR [runs]}" && pwd)
runs=${2:-7}
shift $(( $# >= 2 ? 2 : 1 ))
run=$build/bin/nanos-run mkimage=$build/bin/nanos-mkimage hello=$build/bin/hello-static
[[ -x $hello ]] || { echo "nic_boot_cost: build the samples first ($hello missing)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mkimage" build "$hello" -o "$work/hello.img" >/dev/null
declare -A args=(
  [none]="--net none"
  [user]=""
  [user+rom]="--net none -- -netdev user,id=n0 -device virtio-net-pci,netdev=n0"
)
order=(none user user+rom)
for ((i = 0; i < runs; i++)); do
  for v in "${order[@]}"; do
    # shellcheck disable=SC2086 # the variants are word lists
    TIMEFORMAT='%R %U %S'
    t=$( { time "$run" "$work/hello.img" --accel tcg --quiet "$@" ${args[$v]} >/dev/null; } 2>&1 | tail -1)
    read -r real user sys <<<"$t"
    awk -v v="$v" -v r="$real" -v u="$user" -v s="$sys" \
      'BEGIN { printf "%s %d %d\n", v, r * 1000, (u + s) * 1000 }' >>"$work/times"
  done
done
echo "nic_boot_cost: $(date -u '+%Y-%m-%d %H:%M UTC'), load $(cut -d' ' -f1-3 /proc/loadavg), $runs runs each, ms"
for v in "${order[@]}"; do
  wall=$(awk -v v="$v" '$1 == v { print $2 }' "$work/times" | sort -n |
    awk '{ t[NR] = $1 } END { printf "%5d (min %5d, max %5d)", t[int((NR + 1) / 2)], t[1], t[NR] }')
  cpu=$(awk -v v="$v" '$1 == v { print $3 }' "$work/times" | sort -n |
    awk '{ t[NR] = $1 } END { printf "%5d (min %5d, max %5d)", t[int((NR + 1) / 2)], t[1], t[NR] }')
  printf '%-9s wall %s  CPU %s\n' "$v" "$wall" "$cpu"
done
