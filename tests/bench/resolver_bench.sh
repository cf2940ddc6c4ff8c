#!/usr/bin/env bash
# Benchmark: wall time of `nanos-mkimage deps PROGRAM` (process start included) next to the
# system loader's `ld.so --list PROGRAM`, median over repeated runs. Target: < 5 ms for
# /usr/bin/python3.11.
#
# usage: tests/bench/resolver_bench.sh [BUILD_DIR] [PROGRAM] [RUNS]
#   BUILD_DIR  a configured+built tree containing bin/nanos-mkimage (default build/default)
#   PROGRAM    default /usr/bin/python3.11
#   RUNS       default 200
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build/default}
program=${2:-/usr/bin/python3.11}
runs=${3:-200}
tool=$build/bin/nanos-mkimage
loader=/lib64/ld-linux-x86-64.so.2

[[ -x $tool ]] || { echo "resolver_bench: $tool not found (build nanos-mkimage first)" >&2; exit 1; }
[[ -e $program ]] || { echo "resolver_bench: $program not found" >&2; exit 1; }

# Sanity: both must succeed before timing anything.
"$tool" deps "$program" >/dev/null
"$loader" --list "$program" >/dev/null

python3 - "$runs" "$tool" "$loader" "$program" <<'PY'
import os, statistics, sys, time

runs = int(sys.argv[1])
tool, loader, program = sys.argv[2:5]
devnull = os.open(os.devnull, os.O_WRONLY)

def once(argv):
    # posix_spawn + waitpid: the least overhead Python can add around a process start.
    t0 = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, os.environ,
                         file_actions=[(os.POSIX_SPAWN_DUP2, devnull, 1)])
    _, status = os.waitpid(pid, 0)
    t1 = time.perf_counter()
    if status != 0:
        sys.exit(f"resolver_bench: {argv} failed with status {status}")
    return (t1 - t0) * 1000.0

cases = [
    ("nanos-mkimage deps", [tool, "deps", program]),
    ("nanos-mkimage deps --no-nss", [tool, "deps", program, "--no-nss"]),
    ("ld.so --list", [loader, "--list", program]),
    ("/bin/true (spawn cost)", ["/bin/true"]),
]
results = {}
for name, argv in cases:
    for _ in range(10):  # warm the page cache
        once(argv)
    # Interleave nothing: each case gets its own block of runs.
    samples = [once(argv) for _ in range(runs)]
    results[name] = samples

print(f"program: {program}   runs per case: {runs}")
print(f"{'case':34} {'median ms':>10} {'p10 ms':>8} {'p90 ms':>8}")
for name, samples in results.items():
    q = statistics.quantiles(samples, n=10)
    print(f"{name:34} {statistics.median(samples):10.2f} {q[0]:8.2f} {q[-1]:8.2f}")
median = statistics.median(results["nanos-mkimage deps"])
verdict = "PASS" if median < 5.0 else "FAIL"
print(f"target: median < 5 ms for nanos-mkimage deps -> {verdict} ({median:.2f} ms)")
sys.exit(0 if median < 5.0 else 1)
PY
