#!/usr/bin/env python3
"""Differential ABI test: run one program on the host (Linux is the oracle) and in the
unikernel, and compare their "abi: ..." lines one by one.

  abi_compare.py --program BIN --nanos-run RUN --image IMG [--kernel K] [--timeout S]
                 [--memory M]

The host run gets a fresh scratch directory as its working directory and no ABI_UNIKERNEL
in its environment; the image was built with ABI_UNIKERNEL=1 (tests/abi/CMakeLists.txt).
Both runs must reach "abi: end", and every line must match. Exit status 0 = same answers.
"""
import argparse
import difflib
import os
import subprocess
import sys
import tempfile

PREFIX = "abi: "


def abi_lines(text):
    return [l.rstrip("\r") for l in text.splitlines() if l.startswith(PREFIX)]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--program", required=True)
    p.add_argument("--nanos-run", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--kernel")
    p.add_argument("--timeout", type=int, default=60)
    p.add_argument("--memory", default="128M")
    a = p.parse_args()

    env = {k: v for k, v in os.environ.items() if k != "ABI_UNIKERNEL"}
    with tempfile.TemporaryDirectory(prefix="abi-host-") as scratch:
        host = subprocess.run([os.path.abspath(a.program)], cwd=scratch, env=env, capture_output=True,
                              text=True, errors="replace", timeout=a.timeout)
    # A program whose area the host refuses (io_uring under sysctl kernel.io_uring_disabled)
    # says so: with no oracle the test is skipped (CTest SKIP_RETURN_CODE 77), not passed.
    for line in host.stdout.splitlines():
        if line.startswith("abi-skip: "):
            print(line)
            return 77
    run = [a.nanos_run, a.image, "--accel", "tcg", "--timeout", str(a.timeout),
           "--memory", a.memory]
    if a.kernel:
        run += ["--kernel", a.kernel]
    guest = subprocess.run(run, capture_output=True, text=True, errors="replace",
                           timeout=a.timeout + 30)

    want, got = abi_lines(host.stdout), abi_lines(guest.stdout)
    failed = False
    if not want or want[-1] != PREFIX + "end" or host.returncode != 0:
        print(f"host run (the oracle) did not finish: status {host.returncode}\n"
              f"{host.stdout}{host.stderr}")
        return 1
    if not got or got[-1] != PREFIX + "end":
        print(f"guest run did not reach 'abi: end' (status {guest.returncode})")
        failed = True
    mismatches = sum(1 for w, g in zip(want, got) if w != g) + abs(len(want) - len(got))
    if want != got:
        failed = True
        print(f"{mismatches} line(s) differ (- Linux, + unikernel):")
        sys.stdout.writelines(difflib.unified_diff(
            [l + "\n" for l in want], [l + "\n" for l in got], "linux", "unikernel", n=0))
    print("---- guest console ----")
    print(guest.stdout, guest.stderr, sep="")
    if failed:
        return 1
    print(f"all {len(want) - 2} checks agree with Linux")
    return 0


if __name__ == "__main__":
    sys.exit(main())
