#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 17: one image booted as a PVH
# guest under real Xen 4.17 (nested in QEMU/TCG through tests/xen/xen_harness.sh) and under
# QEMU TCG directly (nanos-run --kernel), the same kernel.img both ways:
#   xen_bench.sh <build-dir> [runs]
# - machine ready -> the program's first instruction (root disk mounted, manifest read,
#   program loaded), from the guest's TSC (boot_timing). Not "since kernel entry": under Xen
#   the domain's TSC does not start at 0 at entry (it counts from the emulated host's reset),
#   so only differences between two stamps of one boot mean something.
# - start -> exit as nanos-run sees it: `xl create` to the domain's destruction under Xen
#   (timed in dom0), QEMU's start to its exit on the host
# Under Xen both run inside an emulated machine, so its figures carry the nested TCG cost;
# the ratio, not the absolute time, is what compares.
set -euo pipefail
build=$(cd "${1:?usage: xen_bench.sh <build-dir> [runs]}" && pwd)
runs=${2:-5}
here=$(cd "$(dirname "$0")" && pwd)
kernel=$build/share/nanos-unikernel/kernel.img
program=$build/bin/hello-static
[[ -x $program ]] || { echo "xen_bench: build the samples first ($program missing)" >&2; exit 2; }
work=$build/xen-bench
rm -rf "$work/guest" && mkdir -p "$work/guest"
"$build/bin/nanos-mkimage" build "$program" -o "$work/guest/hello.img" --boot-timing >/dev/null

median() { sort -n | awk '{v[NR] = $1} END {if (NR == 0) print "-"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
first_instruction() { # exec done - machine ready, in us
  sed -n 's/.*machine ready \([0-9]*\) us, .* exec done \([0-9]*\) us.*/\1 \2/p' |
    awk '{print $2 - $1}'
}

# Under Xen: one dom0 boot, `runs` guests, each timed with dom0's /proc/uptime (10 ms).
: >"$work/tests.txt"
for i in $(seq "$runs"); do
  printf 'boot%d\ts=$(cut -d" " -f1 /proc/uptime); nanos-run --hypervisor xen --memory 64M hello.img --timeout 120; st=$?; e=$(cut -d" " -f1 /proc/uptime); echo "xen wall ms $(awk -v s=$s -v e=$e "BEGIN {print (e - s) * 1000}")"; exit $st\n' "$i" >>"$work/tests.txt"
done
"$here/../xen/xen_harness.sh" --work "$work/xen" --nanos-run "$build/bin/nanos-run" \
  --kernel "$kernel" --tests "$work/tests.txt" --file "$work/guest/hello.img" --timeout 900 >&2
xen_first=$(cat "$work"/xen/output/boot* | first_instruction | median)
xen_wall=$(cat "$work"/xen/output/boot* | sed -n 's/^xen wall ms //p' | median)

# QEMU TCG, PVH entry (--kernel), the same image and kernel.
: >"$work/qemu.txt"
for i in $(seq "$runs"); do
  s=$(date +%s%N)
  "$build/bin/nanos-run" "$work/guest/hello.img" --accel tcg --kernel "$kernel" --memory 64M \
    --net none --quiet >>"$work/qemu.txt" 2>&1
  e=$(date +%s%N)
  echo "qemu wall ms $(((e - s) / 1000000))" >>"$work/qemu.txt"
done
qemu_first=$(first_instruction <"$work/qemu.txt" | median)
qemu_wall=$(sed -n 's/^qemu wall ms //p' "$work/qemu.txt" | median)

echo "| hello-static, median of $runs | Xen 4.17 PVH (nested in QEMU TCG) | QEMU TCG PVH |"
echo "|---|---:|---:|"
echo "| machine ready -> first instruction (guest TSC) | ${xen_first} us | ${qemu_first} us |"
echo "| start -> exit (xl create / QEMU, wall) | ${xen_wall} ms | ${qemu_wall} ms |"
