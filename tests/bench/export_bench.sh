#!/usr/bin/env bash
# nanos-mkimage export against qemu-img convert (issue 20): a 1 GiB image holding ~200 MB of
# files (the host's /usr/lib/gcc: compilers and libraries, compressible like real programs),
# exported to qcow2 and to stream-optimized VMDK by both, side by side: wall time (best of
# RUNS), file size and allocated size, and `qemu-img compare` of each result with the image.
# Usage: tests/bench/export_bench.sh [BUILD_DIR] (default build/ci); RUNS=3, DATA=/usr/lib/gcc.
set -euo pipefail
build=${1:-build/ci}
mkimage=$build/bin/nanos-mkimage
program=$build/bin/image_test_hello
data=${DATA:-/usr/lib/gcc}
runs=${RUNS:-3}
work=$(mktemp -d /tmp/export-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT

[[ -x $mkimage && -x $program ]] || { echo "build nanos-mkimage and image_test_hello first" >&2; exit 1; }
"$mkimage" build "$program" -o "$work/bench.img" --size 1G --dir "$data:/data"
echo "image: $(stat -c %s "$work/bench.img") bytes, $(du -k "$work/bench.img" | cut -f1) KiB allocated," \
  "files from $data ($(du -sm "$data" | cut -f1) MB)"
echo "machine: $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(qemu-img --version | head -1)"

# The run with the best wall time of `runs` runs: "WALL CPU" in seconds (CPU = user + system,
# which depends less on what else the machine runs than wall time does).
best() {
  local best=
  for _ in $(seq "$runs"); do
    /usr/bin/time -f "%e %U %S" -o "$work/time" "$@" >/dev/null
    best=$(python3 -c "
w, u, s = map(float, open('$work/time').read().split()[-3:])
b = '$best'.split()
print('%.2f %.2f' % ((w, u + s) if not b or w < float(b[0]) else (float(b[0]), float(b[1]))))")
  done
  echo "$best"
}

printf '%-6s %-22s %7s %7s %14s %14s  %s\n' format tool wall-s cpu-s "size (bytes)" "allocated KiB" compare
row() {
  local format=$1 tool=$2 file=$3 times=$4 qf=$5
  local cmp
  cmp=$(qemu-img compare -f raw -F "$qf" "$work/bench.img" "$file" | tail -1)
  printf '%-6s %-22s %7s %7s %14s %14s  %s\n' "$format" "$tool" ${times} "$(stat -c %s "$file")" \
    "$(du -k "$file" | cut -f1)" "$cmp"
}

t=$(best "$mkimage" export "$work/bench.img" --format qcow2 -o "$work/ours.qcow2")
row qcow2 "nanos-mkimage export" "$work/ours.qcow2" "$t" qcow2
t=$(best qemu-img convert -f raw -O qcow2 "$work/bench.img" "$work/qemu.qcow2")
row qcow2 "qemu-img convert" "$work/qemu.qcow2" "$t" qcow2
t=$(best "$mkimage" export "$work/bench.img" --format vmdk -o "$work/ours.vmdk")
row vmdk "nanos-mkimage export" "$work/ours.vmdk" "$t" vmdk
t=$(best qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$work/bench.img" "$work/qemu.vmdk")
row vmdk "qemu-img convert" "$work/qemu.vmdk" "$t" vmdk
t=$(best "$mkimage" export "$work/bench.img" --format vmdk --threads 1 -o "$work/ours1.vmdk")
row vmdk "export --threads 1" "$work/ours1.vmdk" "$t" vmdk
