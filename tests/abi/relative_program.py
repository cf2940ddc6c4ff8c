#!/usr/bin/env python3
"""A manifest whose `program` is a relative path (`program:rel//hello`, as other tools may
write it) boots: the kernel resolves it from "/", as upstream Nanos does.

  relative_program.py MKIMAGE NANOS_RUN KERNEL PROGRAM WORKDIR

nanos-mkimage itself always writes an absolute path, so the image is built with the program
at /rel/hello and the manifest's string is then rewritten in place to `rel//hello` (same
length, so the TFS encoding stays valid; the double slash is an empty path component).
"""
import os
import subprocess
import sys

mkimage, nanos_run, kernel, program, work = sys.argv[1:6]
os.makedirs(work, exist_ok=True)
image = os.path.join(work, "relative-program.img")
# --no-image-digest: the manifest is edited below, which the content digest would (rightly)
# refuse at boot.
subprocess.run([mkimage, "build", program, "-o", image, "--program-path", "/rel/hello",
                "--no-image-digest"], check=True)
data = open(image, "rb").read()
if data.count(b"/rel/hello") != 1:
    sys.exit("expected exactly one '/rel/hello' in the image (the manifest's program)")
open(image, "wb").write(data.replace(b"/rel/hello", b"rel//hello"))
manifest = subprocess.run([mkimage, "manifest", image], capture_output=True, text=True).stdout
if "program:rel//hello" not in manifest:
    sys.exit(f"the rewritten manifest does not say program:rel//hello: {manifest}")
run = subprocess.run([nanos_run, image, "--accel", "tcg", "--kernel", kernel, "--timeout", "60"],
                     capture_output=True, text=True, errors="replace")
print(run.stdout, run.stderr, sep="")
if run.returncode != 0 or "Hello from a Nanos unikernel!" not in run.stdout:
    sys.exit(f"relative program path: status {run.returncode}, expected the greeting and 0")
print("relative program path resolved from /")
