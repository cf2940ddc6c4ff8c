#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 6: the same measurements on the
# host and in the unikernel under TCG and (when /dev/kvm works) KVM, side by side.
#   issue6_bench.sh <build-dir>
# - null syscall: getppid() latency (issue6_bench.c, about 1 s of calls)
# - futex ping-pong: two threads handing a token back and forth (round-trip time)
# - python3 -c pass: the host process's wall time (mean of 5) against the guest program's
#   time from its first instruction to exit (the kernel's boot_timing) and the whole
#   nanos-run wall time (QEMU start to exit). The image carries the stdlib modules
#   `-c pass` imports, with unchecked-hash pycs, as tests/debian does.
# - sqlite inserts: 10 000 INSERTs in one transaction into a database file (rows/s)
# The ratio column is how many times slower the guest is than the host.
set -euo pipefail
build=$(cd "${1:?usage: issue6_bench.sh <build-dir>}" && pwd)
mkimage=$build/bin/nanos-mkimage run=$build/bin/nanos-run
kernel=$build/share/nanos-unikernel/kernel.img
python=/usr/bin/python3.11
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

cc -O2 -Wall -o "$work/issue6_bench" "$here/issue6_bench.c" -lsqlite3 -lpthread
mkdir -p "$work/empty" # the guest's /tmp, where the sqlite database goes
"$mkimage" build "$work/issue6_bench" -o "$work/bench.img" >/dev/null

# The python image: the modules `-c pass` imports, as in tests/debian/debian_test.sh.
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

# value LINE: the number after the metric name.
value() { awk '{print $2}' <<<"$1"; }

declare -A result
measure() { # measure WHERE (host|tcg|kvm)
  local where=$1 mode line
  for mode in syscall futex sqlite; do
    local args=("$mode")
    [[ $mode == sqlite ]] && args+=(/tmp/bench.db)
    if [[ $where == host ]]; then
      [[ $mode == sqlite ]] && args=(sqlite "$work/bench.db")
      line=$("$work/issue6_bench" "${args[@]}")
    else
      local mk=() a
      for a in "${args[@]}"; do mk+=(--arg "$a"); done
      "$mkimage" build "$work/issue6_bench" -o "$work/$mode.img" "${mk[@]}" \
        --dir "$work/empty:/tmp" >/dev/null
      line=$("$run" "$work/$mode.img" --accel "$where" --kernel "$kernel" --quiet --timeout 300 |
        tr -d '\r' | grep -E '^(getppid|futex-ping-pong|sqlite-insert) ' || echo "$mode failed")
    fi
    echo "  $where: $line" >&2
    result[$where,$mode]=$(value "$line")
  done
  if [[ $where == host ]]; then
    local total=0 i t0 t1
    for i in 1 2 3 4 5; do
      t0=$(date +%s%N)
      env -i "$python" -c pass
      t1=$(date +%s%N)
      total=$((total + t1 - t0))
    done
    result[host,python]=$(awk -v ns="$total" 'BEGIN { printf "%.1f", ns / 5 / 1e6 }')
    echo "  host: python3 -c pass ${result[host,python]} ms" >&2
  else
    local t0 t1 out
    t0=$(date +%s%N)
    out=$("$run" "$work/python.img" --accel "$where" --kernel "$kernel" --quiet --timeout 300 || true)
    t1=$(date +%s%N)
    local ran
    ran=$(sed -n 's/.*program ran \([0-9]*\) us.*/\1/p' <<<"$out")
    result[$where,python]=$(awk -v us="${ran:-0}" 'BEGIN { printf "%.1f", us / 1e3 }')
    result[$where,python_wall]=$(((t1 - t0) / 1000000))
    echo "  $where: python3 -c pass program ${result[$where,python]} ms, nanos-run wall ${result[$where,python_wall]} ms" >&2
  fi
}

accels=(tcg)
if "$run" "$work/bench.img" --dry-run --accel auto 2>/dev/null | grep -q -- ' -accel kvm '; then
  accels+=(kvm)
fi
echo "measuring (host, ${accels[*]}) ..." >&2
measure host
for a in "${accels[@]}"; do measure "$a"; done

ratio() { awk -v g="$1" -v h="$2" -v inv="$3" 'BEGIN {
  if (g == "" || h == "" || g == 0 || h == 0) { print "-"; exit }
  r = inv ? h / g : g / h; printf "%.1fx", r }'; }
printf '%-34s %12s' "metric" "host"
for a in "${accels[@]}"; do printf ' %14s %8s' "$a" "ratio"; done
printf '\n'
row() { # row LABEL KEY INVERT
  printf '%-34s %12s' "$1" "${result[host,$2]}"
  for a in "${accels[@]}"; do
    printf ' %14s %8s' "${result[$a,$2]}" "$(ratio "${result[$a,$2]}" "${result[host,$2]}" "$3")"
  done
  printf '\n'
}
row "null syscall getppid (ns)" syscall 0
row "futex ping-pong round trip (us)" futex 0
row "python3 -c pass (ms, program)" python 0
printf '%-34s %12s' "python3 -c pass (ms, nanos-run)" "-"
for a in "${accels[@]}"; do printf ' %14s %8s' "${result[$a,python_wall]}" ""; done
printf '\n'
row "sqlite inserts (rows/s)" sqlite 1
