#!/usr/bin/env bash
# Benchmark (not part of ctest): QEMU start -> exit wall time, booting the same disk image
# from the disk (SeaBIOS -> stage1 -> stage2 -> kernel) and by PVH (qemu -kernel), under TCG.
#   bench_disk_boot.sh <nanos-mkimage> <boot.img> <kernel.img> <program> [runs]
# Prints each run and the median per path, for docs/benchmarks.md.
set -euo pipefail
mkimage=$1 boot=$2 kernel=$3 program=$4 runs=${5:-7}
qemu=${QEMU:-qemu-system-x86_64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mkimage" build "$program" -o "$work/disk.img" --boot "$boot" --kernel "$kernel"
echo "boot.img: $(stat -c %s "$boot") bytes; kernel.img: $(stat -c %s "$kernel") bytes"

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR + 1) / 2)]}'; }
for path in disk-pc disk-q35 pvh-q35; do
  machine=${path#*-}
  extra=()
  [[ $path == pvh-* ]] && extra=(-kernel "$kernel")
  times=()
  for ((i = 1; i <= runs; i++)); do
    start=$(date +%s%N)
    timeout 60 "$qemu" -machine "$machine" -accel tcg -cpu max -m 64M -nodefaults -display none \
      -no-reboot -monitor none -serial "file:$work/out.txt" \
      -device isa-debug-exit,iobase=0x501,iosize=2 \
      -drive "file=$work/disk.img,format=raw,if=virtio" "${extra[@]}" || true
    end=$(date +%s%N)
    ms=$(((end - start) / 1000000))
    times+=("$ms")
    echo "$path run $i: ${ms} ms ($(head -1 "$work/out.txt"))"
  done
  echo "$path median: $(printf '%s\n' "${times[@]}" | median) ms"
done
