#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 12: the kernel before and after
# a change, side by side in one run (A, B, A, B ...), all under TCG through the PVH entry
# (--kernel), so only the kernel differs:
#   issue12_bench.sh <build-dir> <before-kernel.img> [runs]
# - boot: kernel entry -> first user instruction of a static hello under `-icount shift=0`
#   (1 guest instruction = 1 ns: deterministic, an instruction count in thousands)
# - null syscall: getppid() latency (issue6_bench.c), median of ten 100 ms windows
# - python3 -c pass: the guest program's time (boot_timing), stdlib modules in the image
# - 200 MiB read: read_bench.c reading a 200 MiB file of random bytes from the root disk
set -euo pipefail
build=$(cd "${1:?usage: issue12_bench.sh <build-dir> <before-kernel.img> [runs]}" && pwd)
before=$(realpath "${2:?before kernel.img}")
runs=${3:-5}
mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run
after=$build/share/nanos-unikernel/kernel.img
python=/usr/bin/python3.11
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
hello=$build/bin/hello-static
[[ -x $hello ]] || { echo "issue12_bench: build the samples first ($hello missing)" >&2; exit 2; }

echo "preparing images ..." >&2
cc -O2 -Wall -o "$work/issue6_bench" "$here/issue6_bench.c" -lsqlite3 -lpthread
cc -O2 -Wall -static -o "$work/read_bench" "$here/read_bench.c"
"$mkimage" build "$hello" -o "$work/hello.img" --boot-timing >/dev/null
"$mkimage" build "$work/issue6_bench" -o "$work/syscall.img" --arg syscall >/dev/null
head -c 200M /dev/urandom >"$work/big.bin"
"$mkimage" build "$work/read_bench" -o "$work/read.img" --arg /big.bin \
  --file "$work/big.bin:/big.bin" >/dev/null
env -i "$python" "$here/../debian/python_modules.py" "$work"
pyfiles=()
while read -r m; do
  pyfiles+=(--file "$m:$m")
  if [[ $m == *.py ]]; then
    pyc=$(dirname "$m")/__pycache__/$(basename "$m" .py).cpython-311.pyc
    pyfiles+=(--file "$work/pyc$pyc:$pyc")
  fi
done <"$work/modules.txt"
"$mkimage" build "$python" -o "$work/python.img" --program-path "$python" --arg -c --arg pass \
  --boot-timing "${pyfiles[@]}" >/dev/null

boot() { # boot KERNEL IMAGE [nanos-run args...]
  local kernel=$1 image=$2
  shift 2
  "$run" "$image" --accel tcg --kernel "$kernel" --quiet --timeout 600 "$@" 2>&1 | tr -d '\r'
}
first_insn_us() { sed -n 's/^boot_timing: kernel entry -> first user instruction \([0-9]*\) us.*/\1/p'; }
program_ms() { sed -n 's/.*program ran \([0-9]*\) us.*/\1/p' | awk '{ printf "%.1f", $1 / 1e3 }'; }

declare -A values
add() { values[$1]="${values[$1]:-} $2"; }
for ((i = 1; i <= runs; i++)); do
  for which in before after; do
    kernel=$before
    [[ $which == after ]] && kernel=$after
    b=$(boot "$kernel" "$work/hello.img" --memory 64M -- -icount shift=0 | first_insn_us)
    s=$(boot "$kernel" "$work/syscall.img" | awk '/^getppid /{print $2}')
    p=$(boot "$kernel" "$work/python.img" | program_ms)
    r=$(boot "$kernel" "$work/read.img" --memory 512M | awk '/^read-file /{print $2}')
    echo "run $i $which: boot ${b:-?} us (icount), getppid ${s:-?} ns, python3 -c pass ${p:-?} ms, 200 MiB read ${r:-?} MiB/s" >&2
    for kv in "boot:$b" "syscall:$s" "python:$p" "read:$r"; do
      [[ -n ${kv#*:} ]] && add "$which,${kv%%:*}" "${kv#*:}"
    done
  done
done

# The median: the disk is polled (before) and QEMU's I/O thread shares 2 busy cores, so single
# runs stray far (even under -icount, a polling loop runs for host time).
median() { tr ' ' '\n' <<<"${values[$1]:-}" | grep . | sort -g |
  awk '{ v[NR] = $1 } END { if (!NR) { print "-"; exit } m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f", m }'; }
change() { awk -v a="$(median "before,$1")" -v b="$(median "after,$1")" 'BEGIN {
  if (a == "-" || b == "-" || a == 0) { print "-"; exit } printf "%+.1f%%", (b - a) / a * 100 }'; }
printf '%-36s %12s %12s %9s\n' "metric (median of $runs, TCG)" before after change
printf '%-36s %12s %12s %9s\n' "boot to first instruction (us, icount)" "$(median before,boot)" "$(median after,boot)" "$(change boot)"
printf '%-36s %12s %12s %9s\n' "null syscall getppid (ns)" "$(median before,syscall)" "$(median after,syscall)" "$(change syscall)"
printf '%-36s %12s %12s %9s\n' "python3 -c pass (ms, program)" "$(median before,python)" "$(median after,python)" "$(change python)"
printf '%-36s %12s %12s %9s\n' "200 MiB file read (MiB/s)" "$(median before,read)" "$(median after,read)" "$(change read)"
