#!/usr/bin/env python3
"""Host CPU cost of an idle guest under TCG.

  idle_cpu_test.py NANOS_RUN IMAGE KERNEL MAX_PERCENT

Boots IMAGE (idle_sleep.c: prints "idle: sleeping 5 s", sleeps, prints "idle: awake ...")
with nanos-run under TCG and reads QEMU's user+system CPU time from /proc/<pid>/stat when
each of those two lines arrives: the CPU QEMU burned while the guest slept, as a share of
the wall time between the lines, must stay below MAX_PERCENT. Also prints the whole run's
CPU time (getrusage of the waited-for children) for reference. Linux hosts only."""
import os
import resource
import subprocess
import sys
import time


def qemu_pids(root):
    """Descendants of `root` whose command name mentions qemu."""
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                kids = [int(k) for k in f.read().split()]
        except OSError:
            continue
        for k in kids:
            try:
                with open(f"/proc/{k}/comm") as f:
                    if "qemu" in f.read():
                        found.append(k)
            except OSError:
                pass
            todo.append(k)
    return found


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # After the command: state is field 3, utime 14 and stime 15 (1-based, proc(5)).
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    nanos_run, image, kernel, max_percent = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.monotonic()
    proc = subprocess.Popen([nanos_run, image, "--kernel", kernel, "--accel", "tcg",
                             "--timeout", "60"], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, bufsize=1)
    marks = {}
    output = []
    for line in proc.stdout:
        output.append(line)
        sys.stdout.write(line)
        for key in ("idle: sleeping", "idle: awake"):
            if line.startswith(key):
                pids = qemu_pids(proc.pid)
                if pids:
                    marks[key] = (time.monotonic(), cpu_seconds(pids[0]))
    status = proc.wait()
    wall = time.monotonic() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    total_cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    print(f"whole run: QEMU and nanos-run used {total_cpu:.2f} s CPU in {wall:.2f} s wall "
          f"({100 * total_cpu / wall:.0f}%)")
    if status != 0:
        print(f"FAIL: nanos-run exited with {status}")
        return 1
    if len(marks) != 2:
        print("FAIL: did not see both marker lines with a QEMU process to measure")
        return 1
    (t0, c0), (t1, c1) = marks["idle: sleeping"], marks["idle: awake"]
    percent = 100 * (c1 - c0) / (t1 - t0)
    print(f"while the guest slept: QEMU used {c1 - c0:.2f} s CPU in {t1 - t0:.2f} s wall "
          f"({percent:.1f}%, limit {max_percent:.0f}%)")
    if percent >= max_percent:
        print("FAIL: the idle guest keeps the host CPU busy")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
