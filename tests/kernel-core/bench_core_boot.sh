#!/usr/bin/env bash
# Benchmark (not part of ctest): kernel-core boot figures for docs/benchmarks.md.
#   bench_core_boot.sh <kernel.img> [runs]
# Prints the kernel image size, and for PVH direct boot under TCG (and KVM when /dev/kvm
# works) the guest-side time from kernel entry to "machine ready" (TSC, printed by the
# kernel with core.boot_timing) and the host-side wall time of the whole QEMU run.
set -euo pipefail
kernel=$1 runs=${2:-5}
qemu=${QEMU:-qemu-system-x86_64}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
truncate -s 8M "$work/disk.img"

echo "kernel.img: $(stat -c %s "$kernel") bytes"
accels=("tcg -cpu max")
if [[ -w /dev/kvm ]]; then accels+=("kvm -cpu host,-arch-capabilities"); fi
for accel in "${accels[@]}"; do
  for ((i = 1; i <= runs; i++)); do
    start=$(date +%s%N)
    # shellcheck disable=SC2086
    timeout 60 "$qemu" -accel $accel -machine q35 -m 64M -display none -nodefaults -no-reboot \
      -serial "file:$work/out.txt" -device isa-debug-exit -kernel "$kernel" \
      -append "core.boot_timing core.selftest" \
      -drive "file=$work/disk.img,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0 || true
    end=$(date +%s%N)
    ready=$(sed -n 's/^kernel-core: machine ready \([0-9]*\) us.*/\1/p' "$work/out.txt")
    clock=$(sed -n 's/^kernel-core: machine ready .*(\(.*\))$/\1/p' "$work/out.txt")
    echo "${accel%% *} run $i: entry->machine ready ${ready:-?} us ($clock); QEMU wall $(((end - start) / 1000000)) ms"
  done
done
