#!/usr/bin/env python3
"""UEFI boot end to end (issue 20): nanos-mkimage build --uefi and nanos-run --firmware uefi.

usage: uefi_test.py CASE MKIMAGE RUN PROGRAM WORKDIR

Cases:
  esp       the EFI system partition passes `fsck.fat -n`, holds EFI/BOOT/BOOTX64.EFI, two
            builds of the image are byte-identical, and `nanos-mkimage verify` accepts it.
  no-kernel the boot TFS is zeroed: the loader prints its line and the run fails with 126
            (boot failure), quickly, instead of hanging.
  bad-elf   /kernel's ELF header is broken: the same, with the loader's ELF message.
  no-esp    a BIOS-only image under --firmware uefi: nanos-run's one-line error, status 125.
"""
import json
import os
import struct
import subprocess
import sys
import time

case, mkimage, run, program, work = sys.argv[1:6]
os.makedirs(work, exist_ok=True)


def die(message):
    print("FAIL: " + message)
    sys.exit(1)


def build(name, *extra):
    image = os.path.join(work, name)
    bom = image + ".bom.json"
    subprocess.run([mkimage, "build", program, "-o", image, "--bom", bom, *extra], check=True)
    with open(bom) as f:
        return image, json.load(f)


def boot(image, timeout=240):
    start = time.monotonic()
    r = subprocess.run([run, image, "--firmware", "uefi", "--accel", "tcg", "--timeout",
                        str(timeout)], capture_output=True, text=True, errors="replace")
    print(r.stdout + r.stderr)
    return r, time.monotonic() - start


def patch(image, offset, data):
    with open(image, "r+b") as f:
        f.seek(offset)
        f.write(data)


def expect_boot_failure(image, line):
    r, seconds = boot(image)
    if line not in r.stdout.splitlines():
        die("expected the loader line %r on the console" % line)
    if r.returncode != 126:
        die("expected status 126 (boot failure), got %d" % r.returncode)
    print("ok: %r, status 126, %.1f s" % (line, seconds))


if case == "esp":
    image, bom = build("esp.img", "--uefi")
    again, _ = build("esp-again.img", "--uefi")
    with open(image, "rb") as a, open(again, "rb") as b:
        if a.read() != b.read():
            die("two builds of the same --uefi image differ")
    with open(image, "rb") as f:
        mbr = f.read(512)
        types = [mbr[0x1BE + 16 * i + 4] for i in range(4)]
        if types != [0xEF, 0x83, 0x83, 0]:
            die("partition types %s, expected ESP, boot TFS, root TFS" % types)
        lba, sectors = struct.unpack_from("<II", mbr, 0x1BE + 8)
        esp = bom["partitions"]["esp"]
        if (lba * 512, sectors * 512) != (esp["offset"], esp["size"]):
            die("MBR entry 0 and the BOM disagree about the ESP")
        f.seek(lba * 512)
        volume = os.path.join(work, "esp.fat")
        with open(volume, "wb") as out:
            out.write(f.read(sectors * 512))
    subprocess.run(["fsck.fat", "-n", "-v", volume], check=True)
    # Our own checker reads the layout too (the TFS partitions behind the ESP).
    subprocess.run([mkimage, "verify", image, image + ".bom.json"], check=True)
    listing = subprocess.run(["fsck.fat", "-n", "-l", volume], capture_output=True, text=True)
    if "/EFI/BOOT/BOOTX64.EFI" not in listing.stdout:
        die("fsck.fat does not list /EFI/BOOT/BOOTX64.EFI:\n" + listing.stdout)
    print("ok: fsck.fat accepts the ESP; builds are identical")
elif case == "no-kernel":
    image, bom = build("no-kernel.img", "--uefi")
    boot_part = bom["partitions"]["boot"]
    patch(image, boot_part["offset"], bytes(64 * 1024))
    expect_boot_failure(image, "uefi: bad TFS: no NVMTFS magic (is partition entry the boot TFS?)")
elif case == "bad-elf":
    image, bom = build("bad-elf.img", "--uefi")
    patch(image, bom["partitions"]["boot"]["offset"] + bom["kernel"]["block"] * 512, b"\0ELF")
    expect_boot_failure(image, "uefi: /kernel is not a little-endian ELF64 file")
elif case == "no-esp":
    image, _ = build("bios-only.img")
    r, _ = boot(image)
    if r.returncode != 125 or "has no EFI system partition" not in r.stderr:
        die("expected nanos-run's no-ESP error and status 125")
    print("ok: no-ESP image refused")
else:
    die("unknown case " + case)
