#!/usr/bin/env python3
"""The image content digest at boot (docs/image-format.md, "Content digest").

  image_digest_test.py NANOS_RUN KERNEL IMAGE IMAGE_BOTH IMAGE_EAGER IMAGE_PLAIN WORKDIR

Every image runs digest_reader.c with the files /etc/digest-probe.txt (content starting
"image-digest-probe-data") and /etc/digest-unread.txt ("image-digest-unread-data"):
  IMAGE        reads the probe only (arguments: digest-probe-argument /etc/digest-probe.txt);
  IMAGE_BOTH   reads the probe, then the unread file;
  IMAGE_EAGER  reads the probe only, built with --set image_digest_check=eager;
  IMAGE_PLAIN  reads both, built with --no-image-digest.
Boots (TCG, direct kernel), each on a copy with one byte flipped where it says:
  1. IMAGE intact: reads the probe, status 0;
  2. IMAGE, unread file's data flipped: the program never reads it, so it runs, status 0;
  3. IMAGE_BOTH, unread file's data flipped: the probe reads, the unread file's read fails
     with EIO and the kernel's line names it; status 1 (one file failed);
  4. IMAGE, probe's data flipped: its read fails, its content never reaches the program;
  5. IMAGE, the argument flipped in the metadata: refused at mount ("mismatch in the
     metadata"), the program never runs;
  6. IMAGE_EAGER, unread file's data flipped: refused at mount ("mismatch in the file data");
  7. IMAGE_PLAIN, unread file's data flipped: nothing is checked, both files read."""
import os
import shutil
import subprocess
import sys

PROBE = b"image-digest-probe-data"
UNREAD = b"image-digest-unread-data"


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
    nanos_run, kernel, image, image_both, image_eager, image_plain, work = sys.argv[1:8]
    os.makedirs(work, exist_ok=True)
    failures = []

    def run(what, img, status_wanted, present, absent=()):
        status, out = boot(nanos_run, kernel, img)
        print(f"--- {what}: status {status}\n{out}")
        if status_wanted == "failure" and status == 0:
            failures.append(f"{what}: status 0, expected a failure")
        elif status_wanted != "failure" and status != status_wanted:
            failures.append(f"{what}: status {status}, expected {status_wanted}")
        for text in present:
            if text not in out:
                failures.append(f"{what}: output lacks {text!r}")
        for text in absent:
            if text in out:
                failures.append(f"{what}: output has {text!r}")

    probe_read = "/etc/digest-probe.txt: image-digest-probe-data"
    run("intact image", image, 0, [probe_read], ["root filesystem:"])

    copy = flipped_copy(image, UNREAD, work, "unread-flipped.img")
    run("damage in a file the program never reads", copy, 0, [probe_read],
        ["root filesystem:"])

    copy = flipped_copy(image_both, UNREAD, work, "both-unread-flipped.img")
    run("the program reads the damaged file", copy, 1,
        [probe_read, "root filesystem: /etc/digest-unread.txt: file data does not match its "
         "chunk digest", "/etc/digest-unread.txt: read: Input/output error"],
        ["image-digest-unread-dat"])

    copy = flipped_copy(image, PROBE, work, "probe-flipped.img")
    run("the program's only file is damaged", copy, "failure",
        ["root filesystem: /etc/digest-probe.txt: file data does not match its chunk digest",
         "/etc/digest-probe.txt: read: Input/output error"], ["image-digest-probe-dat"])

    copy = flipped_copy(image, b"digest-probe-argument", work, "metadata-flipped.img")
    run("metadata byte flipped", copy, "failure",
        ["root filesystem: image_digest mismatch in the metadata"], [probe_read])

    copy = flipped_copy(image_eager, UNREAD, work, "eager-unread-flipped.img")
    run("eager check, damage in a file never read", copy, "failure",
        ["root filesystem: image_digest mismatch in the file data"], [probe_read])

    copy = flipped_copy(image_plain, UNREAD, work, "plain-unread-flipped.img")
    run("no digest, damaged file read", copy, 0,
        [probe_read, "/etc/digest-unread.txt: image-digest-unread-dat"], ["root filesystem:"])

    shutil.rmtree(work, ignore_errors=True)
    if failures:
        print("FAIL:\n  " + "\n  ".join(failures))
        return 1
    print("image digest: damage is caught when read (or at mount: metadata, eager check), "
          "a damaged file never read does not stop the program, --no-image-digest checks nothing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
