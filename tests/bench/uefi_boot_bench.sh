#!/usr/bin/env bash
# Benchmark (report only, not part of ctest): the hello program booted to its exit from one
# BIOS+UEFI image (nanos-mkimage build --uefi), under SeaBIOS and under OVMF, with nanos-run
# (QEMU TCG, q35, 128 MiB). Prints each run's wall time and exit status and the median per
# firmware, for docs/benchmarks.md.
#   uefi_boot_bench.sh <nanos-mkimage> <nanos-run> <program> [runs]
set -euo pipefail
mkimage=$1 run=$2 program=$3 runs=${4:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mkimage" build "$program" -o "$work/hello.img" --uefi

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for firmware in bios uefi; do
  times=()
  for ((i = 1; i <= runs; i++)); do
    start=$(date +%s%N)
    status=0
    "$run" "$work/hello.img" --firmware "$firmware" --accel tcg --memory 128M --quiet \
      --timeout 120 >"$work/out.txt" 2>&1 || status=$?
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    times+=("$ms")
    echo "$firmware run $i: ${ms} ms, status $status"
  done
  echo "$firmware median: $(printf '%s\n' "${times[@]}" | median) ms"
done
