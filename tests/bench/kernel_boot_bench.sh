#!/usr/bin/env bash
# Benchmark (not part of ctest): our kernel running a static hello, for docs/benchmarks.md.
#   kernel_boot_bench.sh <build-dir> [runs]
# Builds an image of samples/hello-static with `boot_timing` set, then for each boot path
# (PVH direct kernel boot, and disk boot through boot.img) under TCG (and KVM when /dev/kvm
# works) prints: the guest time from kernel entry to the program's first instruction and the
# program's run time (TSC, printed by the kernel), and the host wall time of the whole
# nanos-run (QEMU start -> exit). Also the kernel image size and a 16 MiB run.
set -euo pipefail
build=$(cd "$1" && pwd) runs=${2:-5}
mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run
data=$build/share/nanos-unikernel
prog=$build/bin/hello-static
[[ -x $prog ]] || { echo "kernel_boot_bench: build the samples first ($prog missing)" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$mkimage" build "$prog" -o "$work/hello.img" --set boot_timing=t --arg x --env GREETING=hi >/dev/null

echo "kernel.img: $(stat -c %s "$data/kernel.img") bytes"
accels=(tcg)
if [[ -r /dev/kvm && -w /dev/kvm ]]; then accels+=(kvm); fi
for accel in "${accels[@]}"; do
  for path in pvh disk; do
    extra=()
    [[ $path == pvh ]] && extra=(--kernel "$data/kernel.img")
    for ((i = 1; i <= runs; i++)); do
      start=$(date +%s%N)
      "$run" "$work/hello.img" --accel "$accel" --quiet --memory 64M "${extra[@]}" >"$work/out.txt" 2>&1 || true
      end=$(date +%s%N)
      timing=$(sed -n 's/^boot_timing: kernel entry -> first user instruction \([0-9]*\) us, program ran \([0-9]*\) us.*/entry->first instruction \1 us, program \2 us/p' "$work/out.txt")
      stages=$(sed -n 's/^boot_timing: machine ready \([0-9]*\) us, root mounted + manifest \([0-9]*\) us.*/machine ready \1 us, root mounted \2 us/p' "$work/out.txt")
      echo "$accel $path run $i: ${timing:-no boot_timing line} (${stages:-?}); nanos-run wall $(((end - start) / 1000000)) ms"
    done
  done
done
# Guest time without the emulator's own costs: under TCG with `-icount shift=0` every guest
# instruction advances the virtual clock (and the TSC) by exactly 1 ns, i.e. a CPU that
# retires one instruction per nanosecond, whatever the host does. Deterministic.
for ((i = 1; i <= runs; i++)); do
  "$run" "$work/hello.img" --accel tcg --quiet --memory 64M --kernel "$data/kernel.img" \
    -- -icount shift=0 >"$work/out.txt" 2>&1 || true
  timing=$(sed -n 's/^boot_timing: kernel entry -> first user instruction \([0-9]*\) us, program ran \([0-9]*\) us.*/entry->first instruction \1 us, program \2 us/p' "$work/out.txt")
  echo "tcg icount (1 instruction = 1 ns) pvh run $i: ${timing:-no boot_timing line}"
done
if "$run" "$work/hello.img" --accel tcg --quiet --memory 16M --kernel "$data/kernel.img" >"$work/out.txt" 2>&1 &&
  grep -q "Hello" "$work/out.txt"; then
  echo "16 MiB: hello ran"
else
  echo "16 MiB: FAILED"; cat "$work/out.txt"
fi
