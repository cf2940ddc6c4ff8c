#!/usr/bin/env bash
# Benchmark (not part of ctest) for docs/benchmarks.md, issue 14: boot to exit of
# `python3.11 -c pass` and of a Java hello (Hello.java), each image built with `--package`
# as tests/runtimes does, booted with our kernel and with upstream Nanos' kernel on the same
# QEMU (TCG), rounds interleaved:
#   runtime_boot_bench.sh BUILD_DIR --nanos KERNEL.IMG BOOT.IMG [--rounds N]
#                         [--only python,java] [--no-image-digest] [--keep DIR]
# --nanos: an upstream Nanos kernel.img and boot.img built by hand (nothing of upstream is
#   in this repository). Without it only our kernel runs.
# --no-image-digest: build the images without the content digest our kernel checks at mount
#   (a read of every file in the image; upstream Nanos ignores the entry).
# The two images of a program differ only in kernel.img and boot.img; both boot from their
# own boot.img (disk boot). The figure is the host's wall time of the whole `nanos-run`
# (QEMU start -> the guest's exit), the same QEMU command line for both kernels; a run
# counts only when it exits 0 and printed what the program prints. Prints every run, then
# the median and range per program and kernel and ours/Nanos (target: at most 0.5).
# Exit status 0 when every run succeeded, 3 otherwise.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
source "$here/vs_nanos.sh"
usage() { sed -n 2,17p "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
[[ $# -ge 1 ]] || usage
build=$(cd "$1" && pwd) || usage
shift
nanos_kernel= nanos_boot= rounds=5 only=python,java keep= common=()
while [[ $# -gt 0 ]]; do
  case $1 in
    --only) only=$2; shift 2 ;;
    --no-image-digest) common+=(--no-image-digest); shift ;;
    *) vs_nanos_option "$@"; ((consumed)) || usage; shift $consumed ;;
  esac
done
vs_nanos_setup runtime_boot_bench

python=/usr/bin/python3.11
jdk=/usr/lib/jvm/java-17-openjdk-amd64
programs=()
declare -A memory expect
# image NAME ARGS...: nanos-mkimage build ARGS for each kernel, into NAME-SYSTEM.img.
image() {
  local name=$1
  shift
  "$mkimage" build "$@" "${common[@]}" -o "$work/$name-ours.img" >"$work/$name-mkimage.log" 2>&1 ||
    { cat "$work/$name-mkimage.log" >&2; exit 2; }
  if [[ -n $nanos_kernel ]]; then
    "$mkimage" build "$@" "${common[@]}" -o "$work/$name-nanos.img" --kernel "$nanos_kernel" --boot "$nanos_boot" \
      >>"$work/$name-mkimage.log" 2>&1 || { cat "$work/$name-mkimage.log" >&2; exit 2; }
  fi
  programs+=("$name")
}
if [[ ,$only, == *,python,* ]]; then
  if [[ -x $python ]]; then
    image python "$python" --program-path "$python" --package python3.11 --arg -c --arg pass
    memory[python]=512M expect[python]=
  else
    echo "runtime_boot_bench: $python is not installed: no python row" >&2
  fi
fi
if [[ ,$only, == *,java,* ]]; then
  if [[ -x $jdk/bin/java && -x $jdk/bin/javac ]]; then
    mkdir -p "$work/classes"
    "$jdk/bin/javac" -d "$work/classes" "$here/Hello.java" || exit 2
    # The options of tests/runtimes' Java case: a small heap and the client compiler.
    image java "$jdk/bin/java" --program-path "$jdk/bin/java" --package openjdk-17-jre-headless \
      --file "$work/classes/Hello.class:/t/Hello.class" --cwd /t --arg -Xmx128m \
      --arg -XX:+UseSerialGC --arg -XX:TieredStopAtLevel=1 --arg -cp --arg /t --arg Hello
    memory[java]=1G expect[java]="hello from java"
  else
    echo "runtime_boot_bench: no JDK 17 with javac in $jdk: no java row" >&2
  fi
fi

results=$work/results
: >"$results"
failed=0
echo "runtime_boot_bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
  "QEMU $(qemu-system-x86_64 --version | head -1 | awk '{print $4}'), TCG, disk boot, $rounds rounds${common:+, ${common[*]}}"
for ((r = 1; r <= rounds; r++)); do
  for name in "${programs[@]}"; do
    for system in "${systems[@]}"; do
      log=$work/$name-$system-$r.log
      t0=$(date +%s%N)
      "$run" "$work/$name-$system.img" --accel tcg --quiet --memory "${memory[$name]}" \
        --timeout 900 >"$log" 2>&1
      status=$?
      t1=$(date +%s%N)
      ms=$(((t1 - t0) / 1000000))
      if [[ $status == 0 && ( -z ${expect[$name]} || $(tr -d '\r' <"$log") == *"${expect[$name]}"* ) ]]; then
        echo "$name $system $ms" >>"$results"
        printf 'round %d %-6s %-5s %6d ms\n' "$r" "$name" "$system" "$ms"
      else
        failed=1
        printf 'round %d %-6s %-5s FAILED (status %d, %d ms); last lines:\n' "$r" "$name" "$system" "$status" "$ms"
        tail -5 "$log" | sed 's/^/    /'
      fi
    done
  done
done

echo
echo "boot to exit, median over $rounds rounds (range), ms (load now $(cut -d' ' -f1-3 /proc/loadavg)):"
python3 - "$results" "${systems[@]}" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
systems = sys.argv[2:]
names = []
for name, _, _ in rows:
    if name not in names:
        names.append(name)
header = f"{'program':<10}" + "".join(f"{s:>24}" for s in systems)
if len(systems) == 2:
    header += f"{'ours/nanos':>12}  target 0.5"
print(header)
for name in names:
    medians, line = [], f"{name:<10}"
    for s in systems:
        values = [int(ms) for n, sy, ms in rows if n == name and sy == s]
        if values:
            m = statistics.median(values)
            medians.append(m)
            line += f"{f'{m:.0f} ({min(values)}-{max(values)})':>24}"
        else:
            medians.append(None)
            line += f"{'no run':>24}"
    if len(systems) == 2 and None not in medians:
        ratio = medians[0] / medians[1]
        line += f"{ratio:>11.2f}x  {'met' if ratio <= 0.5 else 'NOT met'}"
    print(line)
PY
exit $((failed ? 3 : 0))
