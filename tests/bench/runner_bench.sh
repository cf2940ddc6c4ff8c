#!/usr/bin/env bash
# nanos-run overhead and no-op rebuild time (figures recorded in docs/benchmarks.md).
#   tests/bench/runner_bench.sh BUILD_DIR [RUNS=30]
# 1. Wall time of `nanos-run IMAGE --accel tcg --quiet` vs the bare QEMU command it runs
#    (taken from --dry-run), on the same images, interleaved; overhead = difference of
#    medians. Images: the test boot sector (exits at once: pure start-up cost) and the hello
#    sample (when built). Goal: overhead < 20 ms.
# 2. No-op rebuild: `cmake --build` of a consumer project (tests/cmake/consumer, against the
#    build tree) with nothing changed. Goal: < 100 ms. Also the in-tree sample target.
set -euo pipefail
build=$(cd "$1" && pwd) runs=${2:-30}
src=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

as --defsym EXIT_CODE=0 "$src/tests/runner/bootsector.S" -o "$work/s.o"
ld -Ttext=0x7c00 --oformat binary "$work/s.o" -o "$work/sector.img"
truncate -s 1M "$work/sector.img"
images=("$work/sector.img")
[[ -f $build/samples/hello/hello.img ]] && images+=("$build/samples/hello/hello.img")

python3 - "$build/bin/nanos-run" "$runs" "${images[@]}" <<'PY'
import shlex, statistics, subprocess, sys, time
run, runs, images = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
worst = 0.0
for image in images:
    wrapped = [run, image, "--accel", "tcg", "--quiet"]
    bare = shlex.split(subprocess.run(wrapped + ["--dry-run"], check=True,
                                      capture_output=True, text=True).stdout)
    times = {"bare": [], "nanos-run": []}
    for i in range(runs + 3):
        for name, cmd in (("bare", bare), ("nanos-run", wrapped)):
            t = time.perf_counter()
            subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if i >= 3:  # warm-up
                times[name].append((time.perf_counter() - t) * 1000)
    med = {k: statistics.median(v) for k, v in times.items()}
    over = med["nanos-run"] - med["bare"]
    worst = max(worst, over)
    print(f"{image.rsplit('/', 1)[-1]:>12}: bare QEMU median {med['bare']:.1f} ms, "
          f"nanos-run median {med['nanos-run']:.1f} ms, overhead {over:+.1f} ms ({runs} runs each)")
print(f"overhead goal < 20 ms: {'met' if worst < 20 else 'MISSED'}")
PY

# No-op rebuilds.
cp -r "$src/tests/cmake/consumer" "$work/consumer"
cmake -S "$work/consumer" -B "$work/cb" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" >/dev/null
cmake --build "$work/cb" >/dev/null
python3 - "$work/cb" "$build" "$runs" <<'PY'
import statistics, subprocess, sys, time
consumer, build, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])
def med(cmd):
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    ts = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)
c = med(["cmake", "--build", consumer])
print(f"no-op cmake --build (consumer project, 2 images): median {c:.1f} ms "
      f"(goal < 100 ms: {'met' if c < 100 else 'MISSED'})")
n = med(["ninja", "-C", consumer])
print(f"no-op ninja (consumer project): median {n:.1f} ms")
try:
    s = med(["cmake", "--build", build, "--target", "hello-image"])
    print(f"no-op cmake --build --target hello-image (in-tree sample, includes the kernel's "
          f"always-run ExternalProject step): median {s:.1f} ms")
except subprocess.CalledProcessError:
    print("in-tree hello-image: build failed (skipped)")
PY
