#!/usr/bin/env python3
"""The kernel's boot messages for a manifest program path or cwd it cannot use (issue 15,
defect 6): one boot per message class.

  exec_paths_test.py NANOS_RUN KERNEL IMAGE WORKDIR

IMAGE (built with --no-image-digest, so that it can be edited) runs hello from
/probe/<250 x> with cwd /probe, and has a regular file /f and a symlink /l/loop -> /l/loop.
nanos-mkimage refuses every bad path at build time, so each case edits the manifest's
`program` (or `cwd`) string in place, keeping its length, and boots the copy: the boot must
fail with the exact message."""
import os
import shutil
import subprocess
import sys

PROGRAM = b"/probe/" + b"x" * 250  # 257 bytes; its name is the longest a component may be
CASES = [
    # (what, new program path of the same length, message)
    ("a component of 256 bytes", b"/probe" + b"x" * 251, "name too long"),
    ("a path through a regular file", b"/f/" + b"z" * 254, "not a directory"),
    ("a path through a symlink loop", b"/l/loop/" + b"z" * 249, "too many symbolic links"),
    ("a file that does not exist", b"/probe/" + b"y" * 250, "no such file in the image"),
    ("a directory", b"/probe" + b"/" * 251, "not a regular file"),
]
CWD = b"\xc6/probe"  # the cwd string: header (immediate string, 6 bytes) and bytes


def boot(nanos_run, kernel, image):
    p = subprocess.run([nanos_run, image, "--kernel", kernel, "--accel", "tcg", "--memory",
                        "64M", "--timeout", "90"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout


def edited_copy(data, old, new, path):
    assert len(old) == len(new)
    at = data.find(old)
    if at < 0 or data.find(old, at + 1) >= 0:
        sys.exit(f"FAIL: {old[:20]!r}... is not exactly once in the image")
    copy = bytearray(data)
    copy[at:at + len(old)] = new
    with open(path, "wb") as f:
        f.write(copy)
    return path


def main():
    nanos_run, kernel, image, work = sys.argv[1:5]
    os.makedirs(work, exist_ok=True)
    with open(image, "rb") as f:
        data = f.read()
    failures = []

    def expect_failure(what, path, text):
        status, out = boot(nanos_run, kernel, path)
        print(f"--- {what}: status {status}\n{out}")
        if status == 0:
            failures.append(f"{what}: status 0, expected a failure")
        if text not in out:
            failures.append(f"{what}: output lacks {text!r}")
        if "Hello from" in out:
            failures.append(f"{what}: the program ran")

    status, out = boot(nanos_run, kernel, image)
    print(f"--- as built: status {status}\n{out}")
    if status != 0 or "Hello from a Nanos unikernel!" not in out:
        failures.append("the image as built does not run hello")

    for i, (what, new, message) in enumerate(CASES):
        path = edited_copy(data, PROGRAM, new, os.path.join(work, f"case{i}.img"))
        expect_failure(what, path, "exec: " + new.decode() + ": " + message + "\n")

    path = edited_copy(data, CWD, b"\xc6/p/../", os.path.join(work, "cwd.img"))
    expect_failure("cwd /p/../", path, "manifest: cwd /p/../: contains '..'")
    path = edited_copy(data, CWD, b"\xc6probe/", os.path.join(work, "cwd-rel.img"))
    expect_failure("cwd probe/", path, "manifest: cwd probe/: must be absolute")

    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print(f"exec paths: {len(CASES)} program paths and 2 cwds refused with their messages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
