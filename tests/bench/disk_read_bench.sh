#!/usr/bin/env bash
# Benchmark (not part of ctest): a program reads a 200 MiB file from the root disk under
# QEMU TCG and prints the time its reads took.
#   disk_read_bench.sh <build-dir> [kernel.img[,kernel2.img...]] [virtio-blk|virtio-scsi] [runs]
# With several kernels, runs alternate between them (a fairer comparison on a busy host).
set -euo pipefail
build=$(cd "${1:?usage: disk_read_bench.sh <build-dir> [kernel] [disk] [runs]}" && pwd)
kernel=${2:-$build/share/nanos-unikernel/kernel.img}
disk=${3:-virtio-blk}
runs=${4:-3}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cc -O2 -Wall -o "$work/disk_read_bench" "$here/disk_read_bench.c"
head -c $((200 << 20)) /dev/urandom >"$work/big.bin"
"$build/bin/nanos-mkimage" build "$work/disk_read_bench" -o "$work/bench.img" \
  --file "$work/big.bin:/data/big.bin" >/dev/null
IFS=, read -r -a kernels <<<"$kernel"
for ((i = 0; i < runs; ++i)); do
  for k in "${kernels[@]}"; do
    echo -n "$k: "
    "$build/bin/nanos-run" "$work/bench.img" --accel tcg --kernel "$k" --disk "$disk" \
      --memory 512M --quiet --timeout 600 | tr -d '\r' | grep '^disk-read'
  done
done
