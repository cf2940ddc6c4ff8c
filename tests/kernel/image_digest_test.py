#!/usr/bin/env python3
"""The image content digest at boot (docs/image-format.md, "Content digest").

  image_digest_test.py NANOS_RUN KERNEL IMAGE IMAGE_WITHOUT_DIGEST WORKDIR

IMAGE is hello with the argument `digest-probe-argument` and the file /etc/digest-probe.txt
(content starting "image-digest-probe-data"); IMAGE_WITHOUT_DIGEST the same built with
--no-image-digest. Boots (TCG, direct kernel):
  1. IMAGE as built: runs, status 0;
  2. a copy with one byte of /etc/digest-probe.txt's data flipped: refused at mount with
     "image_digest mismatch in the file data" and a failure status;
  3. a copy with one byte of the argument flipped in the metadata log: refused with
     "image_digest mismatch in the metadata" and a failure status;
  4. IMAGE_WITHOUT_DIGEST with the same data byte flipped: boots (nothing to check)."""
import os
import shutil
import subprocess
import sys


def boot(nanos_run, kernel, image):
    p = subprocess.run([nanos_run, image, "--kernel", kernel, "--accel", "tcg", "--memory",
                        "64M", "--timeout", "90"], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, errors="replace")
    return p.returncode, p.stdout


def flipped_copy(image, marker, work, name):
    with open(image, "rb") as f:
        data = bytearray(f.read())
    at = data.find(marker)
    if at < 0 or data.find(marker, at + 1) >= 0:
        sys.exit(f"FAIL: {marker!r} is not exactly once in {image}")
    data[at + len(marker) - 1] ^= 0x01  # the marker's last character
    copy = os.path.join(work, name)
    with open(copy, "wb") as f:
        f.write(data)
    return copy


def main():
    nanos_run, kernel, image, image_plain, work = sys.argv[1:6]
    os.makedirs(work, exist_ok=True)
    failures = []

    def expect(what, status, out, ok, text):
        print(f"--- {what}: status {status}\n{out}")
        if ok and status != 0:
            failures.append(f"{what}: status {status}, expected 0")
        if not ok and status == 0:
            failures.append(f"{what}: status 0, expected a failure")
        if text not in out:
            failures.append(f"{what}: output lacks {text!r}")

    status, out = boot(nanos_run, kernel, image)
    expect("intact image", status, out, True, "Hello from a Nanos unikernel!")

    data_marker = b"image-digest-probe-data"
    copy = flipped_copy(image, data_marker, work, "data-flipped.img")
    status, out = boot(nanos_run, kernel, copy)
    expect("file data byte flipped", status, out, False,
           "root filesystem: image_digest mismatch in the file data")
    if "Hello from" in out:
        failures.append("file data byte flipped: the program ran")

    copy = flipped_copy(image, b"digest-probe-argument", work, "metadata-flipped.img")
    status, out = boot(nanos_run, kernel, copy)
    expect("metadata byte flipped", status, out, False,
           "root filesystem: image_digest mismatch in the metadata")
    if "Hello from" in out:
        failures.append("metadata byte flipped: the program ran")

    copy = flipped_copy(image_plain, data_marker, work, "plain-flipped.img")
    status, out = boot(nanos_run, kernel, copy)
    expect("no digest, data byte flipped", status, out, True, "Hello from a Nanos unikernel!")

    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("image digest: intact image boots, both corruptions refused, --no-image-digest boots")
    return 0


if __name__ == "__main__":
    sys.exit(main())
