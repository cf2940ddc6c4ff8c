#!/bin/bash
# End-to-end test of nanos-mkimage ls/cat/manifest/inspect on an image built by
# `nanos-mkimage build` with a fake kernel/boot image, plus malformed images.
# Usage: reader_cli_test.sh NANOS_MKIMAGE PROGRAM WORKDIR
set -u
M=$1 PROG=$2 W=$3
rm -rf "$W" && mkdir -p "$W" && cd "$W" || exit 1
fail() { echo "FAIL: $*"; exit 1; }
python3 - <<'PY'
import struct
b = bytearray(512 + 4096); b[0:6] = b'STAGE1'
b[0x1AA:0x1B2] = struct.pack('<Q', 0x8000); b[0x1B2:0x1BA] = struct.pack('<Q', 4096)
b[0x1BA:0x1BE] = struct.pack('<I', 12)
open('boot', 'wb').write(b)
open('k', 'wb').write(b'\x7fELF fake kernel\n' + bytes(range(256)) * 400)
PY
printf 'hello world\n' > a.txt
head -c 5000 /dev/urandom > b.bin
: > empty
"$M" build "$PROG" -o img --kernel k --boot boot --file a.txt:/data/a.txt \
  --file b.bin:/data/b.bin --file empty:/data/empty --env FOO=bar || fail build
[ "$("$M" ls img /data)" = "$(printf 'a.txt\nb.bin\nempty')" ] || fail "ls /data"
"$M" ls img /data -l | grep -qx 'file 5000 b.bin' || fail "ls -l"
"$M" cat img /data/b.bin | cmp - b.bin || fail "cat b.bin not byte-identical"
"$M" cat img /data/a.txt | cmp - a.txt || fail "cat a.txt"
[ -z "$("$M" cat img /data/empty)" ] || fail "cat empty"
"$M" manifest img | grep -q 'environment:(FOO:bar)' || fail manifest
"$M" manifest img | grep -q 'children' && fail "manifest shows children"
"$M" inspect img | grep -q '^root partition: offset' || fail inspect
"$M" cat img /nope 2>/dev/null && fail "cat of a missing file succeeded"
# Malformed: root TFS magic zeroed, truncated image. One error line naming an offset.
ROOT=$("$M" inspect img | sed -n 's/^root partition: offset \([0-9]*\).*/\1/p')
cp img bad && dd if=/dev/zero of=bad bs=1 seek="$ROOT" count=6 conv=notrunc 2>/dev/null
for f in bad; do
  out=$("$M" ls $f 2>&1) && fail "ls $f succeeded"
  [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "at $ROOT" || fail "ls $f: $out"
done
head -c $((ROOT + 300)) img > trunc
out=$("$M" ls trunc 2>&1) && fail "ls trunc succeeded"
echo "$out" | grep -q 'at [0-9]' || fail "trunc: $out"
echo PASS
