#!/usr/bin/env python3
"""Ctrl-C typed on a terminal stops the VM: nanos-run runs on a pseudo-terminal, the test
waits for the guest's line, types ^C, and expects status 130, the one-line message, and
no QEMU process left.   ctrl_c_test.py NANOS_RUN SPINNING_IMAGE"""
import os, pty, select, subprocess, sys, time

run, image = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.execv(run, [run, image, "--accel", "tcg", "--quiet"])

def read_until(predicate, seconds):
    out = b""
    end = time.time() + seconds
    while not predicate(out) and time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:  # EIO: the terminal's last writer is gone
                break
            if not chunk:
                break
            out += chunk
    return out

out = read_until(lambda o: b"says hello" in o, 20)
if b"says hello" not in out:
    sys.exit(f"FAIL: the guest did not start: {out!r}")
os.write(fd, b"\x03")
out += read_until(lambda o: False, 5)
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 130:
    sys.exit(f"FAIL: nanos-run exited {code} after ^C, expected 130; output {out!r}")
if b"nanos-run: interrupted by SIGINT; stopped the VM" not in out:
    sys.exit(f"FAIL: no interruption message: {out!r}")
time.sleep(0.2)
# QEMU processes whose command line names this image (not this script itself).
left = [int(p) for p in subprocess.run(["pgrep", "-f", "--", "qemu.*" + image],
                                       capture_output=True, text=True).stdout.split()
        if int(p) != os.getpid()]
if left:
    for p in left:
        os.kill(p, 9)
    sys.exit("FAIL: a QEMU process was left behind")
print("PASS [ctrl-c]")
