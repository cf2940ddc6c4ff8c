#!/usr/bin/env bash
# Benchmark of `nanos-mkimage build` (image writer). Prints:
#   (a) median wall time of a complete image for a dynamically linked C hello world
#       (process start, closure resolution, layout, data copy, rename); target < 5 ms;
#   (b) throughput on >= 512 MiB of input files next to `cp -r` of the same files on the
#       same disk in the same run; target: nanos-mkimage <= 1.25 x cp;
#   (c) peak RSS (/usr/bin/time -v) for the small and the large image: it must not grow
#       with the size of the files.
#
# usage: tests/bench/mkimage_bench.sh [BUILD_DIR] [WORK_DIR] [RUNS] [LARGE_MIB]
#   BUILD_DIR  tree with bin/nanos-mkimage (default build/default)
#   WORK_DIR   scratch directory on the disk to measure (default BUILD_DIR/mkimage-bench);
#              needs about 3 x LARGE_MIB free
#   RUNS       runs for (a) (default 200); (b) uses ROUNDS (environment, default 11)
#              alternating rounds after a warm-up
#   LARGE_MIB  size of the large input (default 512)
# The kernel and boot image are the defaults next to the tool when they exist, otherwise a
# fake boot image (valid stage2 descriptor) and a 1.7 MB fake kernel made here.
set -euo pipefail

here=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$here/build/default}" && pwd)
work=${2:-$build/mkimage-bench}
runs=${3:-200}
large_mib=${4:-512}
tool=$build/bin/nanos-mkimage
[[ -x $tool ]] || { echo "mkimage_bench: $tool not found (build nanos-mkimage first)" >&2; exit 1; }
[[ -x /usr/bin/time ]] || { echo "mkimage_bench: /usr/bin/time (GNU time) is needed" >&2; exit 1; }

rm -rf "$work"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
cd "$work"

data=$build/share/nanos-unikernel
if [[ -f $data/kernel.img && -f $data/boot.img ]]; then
  kernel=$data/kernel.img boot=$data/boot.img kind="project kernel"
else
  python3 - <<'PY'
import os, struct
s2 = 48128
b = bytearray(512 + s2)
b[0x1AA:0x1BE] = struct.pack('<QQI', 0x8000, s2, 12)
b[0x1FE:0x200] = b'\x55\xaa'
b[512:] = os.urandom(s2)
open('boot.img', 'wb').write(b)
# ELF64 x86-64 ET_EXEC with a PVH note (what build checks), random bytes after the headers.
note = struct.pack('<III4sI', 4, 4, 18, b'Xen\0', 0x200000)
k = bytearray(176) + note + os.urandom(1_700_000 - 196)
k[0:7] = b'\x7fELF\x02\x01\x01'
k[16:64] = struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x200000, 64, 0, 0, 64, 56, 2, 0, 0, 0)
k[64:120] = struct.pack('<IIQQQQQQ', 1, 5, 0, 0x200000, 0x200000, len(k), len(k), 4096)
k[120:176] = struct.pack('<IIQQQQQQ', 4, 4, 176, 0, 0, len(note), len(note), 4)
open('kernel.img', 'wb').write(k)
PY
  kernel=$work/kernel.img boot=$work/boot.img kind="fake 1.7 MB kernel"
fi
printf '#include <stdio.h>\nint main(void){puts("hello");return 0;}\n' > hello.c
cc -O2 -o hello hello.c

common=(--kernel "$kernel" --boot "$boot")
"$tool" build hello -o hello.img "${common[@]}"   # sanity

echo "== (a) dynamic C hello world, $runs runs ($kind) =="
python3 - "$runs" "$tool" "$kernel" "$boot" <<'PY'
import os, statistics, sys, time
runs, tool, kernel, boot = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
argv = [tool, "build", "hello", "-o", "hello.img", "--kernel", kernel, "--boot", boot]
def once(a):
    t0 = time.perf_counter()
    pid = os.posix_spawn(a[0], a, os.environ)
    _, status = os.waitpid(pid, 0)
    if status:
        sys.exit(f"mkimage_bench: {a} failed ({status})")
    return (time.perf_counter() - t0) * 1000
for _ in range(10):
    once(argv)
s = [once(argv) for _ in range(runs)]
t = [once(["/bin/true"]) for _ in range(runs)]
q = statistics.quantiles(s, n=10)
m = statistics.median(s)
print(f"nanos-mkimage build hello: median {m:.2f} ms  p10 {q[0]:.2f}  p90 {q[-1]:.2f}"
      f"   (/bin/true spawn: {statistics.median(t):.2f} ms)")
print(f"target < 5 ms -> {'PASS' if m < 5 else 'FAIL'}")
PY

echo "== (b) ${large_mib} MiB of input files vs cp (same disk, same run) =="
mkdir -p large
files=8
per=$(( large_mib / files ))
for i in $(seq 1 $files); do
  head -c "$((per << 20))" /dev/urandom > "large/part$i.bin"
done
cat large/* > /dev/null   # both sides start from a warm page cache
python3 - "$tool" "$kernel" "$boot" "${ROUNDS:-11}" <<'PY'
import os, shutil, statistics, subprocess, sys, time
tool, kernel, boot = sys.argv[1:4]
rounds = int(sys.argv[4])
def clean():
    shutil.rmtree("copy", ignore_errors=True)
    if os.path.exists("large.img"):
        os.unlink("large.img")
    # Start each measurement with no dirty pages and the frees of the last round done.
    subprocess.run(["sync"], check=True)
    time.sleep(0.3)
def busy_ms():  # CPU time of the whole machine, idle and iowait excluded
    v = [int(x) for x in open("/proc/stat").readline().split()[1:]]
    return (sum(v) - v[3] - v[4]) * 1000 / os.sysconf("SC_CLK_TCK")
foreign = []  # CPU time others used during each run: a busy core slows a threaded build
def timed(argv):
    clean()
    b0 = busy_ms()
    t0 = time.perf_counter()
    pid = os.posix_spawnp(argv[0], argv, os.environ)
    _, status, ru = os.wait4(pid, 0)
    t = time.perf_counter() - t0
    if status:
        sys.exit(f"mkimage_bench: {argv} failed ({status})")
    foreign.append(busy_ms() - b0 - (ru.ru_utime + ru.ru_stime) * 1000)
    return t
mk, cp = [], []
cp_cmd = ["cp", "-r", "large", "copy"]
mk_cmd = [tool, "build", "hello", "-o", "large.img", "--kernel", kernel, "--boot", boot,
          "--dir", "large:/data"]
timed(cp_cmd); timed(mk_cmd)  # warm-up round, not counted
for i in range(rounds):  # alternate which one goes first
    if i % 2:
        mk.append(timed(mk_cmd)); cp.append(timed(cp_cmd))
    else:
        cp.append(timed(cp_cmd)); mk.append(timed(mk_cmd))
clean()
foreign = foreign[2:]  # the warm-up round is not counted
print(f"CPU time of other processes during a run: median {statistics.median(foreign):.0f} ms, "
      f"max {max(foreign):.0f} ms ({sum(f > 50 for f in foreign)} of {len(foreign)} runs > 50 ms)")
size = sum(os.path.getsize(os.path.join("large", f)) for f in os.listdir("large"))
mmk, mcp = statistics.median(mk), statistics.median(cp)
print(f"input {size / 2**20:.0f} MiB in 8 files")
for name, runs, m in (("cp -r", cp, mcp), ("nanos-mkimage build", mk, mmk)):
    print(f"{name:20} median {m * 1000:5.0f} ms ({size / m / 2**20:5.0f} MiB/s)  min {min(runs) * 1000:5.0f} ms"
          "   runs: " + " ".join(f"{x * 1000:.0f}" for x in runs))
ratio = mmk / mcp
# The per-round ratios pair each build with the cp next to it (same moment of a noisy VM).
per_round = statistics.median(m / c for m, c in zip(mk, cp))
print(f"ratio of medians {ratio:.2f} x cp (of minima {min(mk) / min(cp):.2f}, median of "
      f"{rounds} per-round ratios {per_round:.2f}), target <= 1.25 -> "
      f"{'PASS' if ratio <= 1.25 else 'FAIL'}")
PY

echo "== (c) peak RSS =="
rss() { /usr/bin/time -v "$@" 2>&1 >/dev/null | awk -F': ' '/Maximum resident/ {print $2}'; }
small=$(rss "$tool" build hello -o hello.img "${common[@]}")
mid=$(rss "$tool" build hello -o mid.img "${common[@]}" --file large/part1.bin:/part1.bin)
big=$(rss "$tool" build hello -o large.img "${common[@]}" --dir large:/data)
echo "hello image:                 max RSS ${small} KiB"
echo "+ one $((per)) MiB file:          max RSS ${mid} KiB"
echo "+ ${large_mib} MiB in 8 files:       max RSS ${big} KiB"
