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
b[0x1BA:0x1BE] = struct.pack('<I', 12); b[0x1FE:0x200] = b'\x55\xaa'
open('boot', 'wb').write(b)
# A kernel build accepts: ELF64 x86-64 ET_EXEC, PT_LOAD over the file, PT_NOTE with the PVH note.
note = struct.pack('<III4sI', 4, 4, 18, b'Xen\0', 0x200000)
k = bytearray(176) + note + bytes(range(256)) * 400
k[0:7] = b'\x7fELF\x02\x01\x01'
k[16:64] = struct.pack('<HHIQQQIHHHHHH', 2, 62, 1, 0x200000, 64, 0, 0, 64, 56, 2, 0, 0, 0)
k[64:120] = struct.pack('<IIQQQQQQ', 1, 5, 0, 0x200000, 0x200000, len(k), len(k), 4096)
k[120:176] = struct.pack('<IIQQQQQQ', 4, 4, 176, 0, 0, len(note), len(note), 4)
open('k', 'wb').write(k)
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
"$M" inspect img | grep -qx 'network: DHCP' || fail "inspect: network of an image without ipaddr"
# Static network configuration (Nanos' root keys) and DNS servers: manifest and inspect show them.
"$M" build "$PROG" -o net.img --kernel k --boot boot --ipaddr 192.168.7.20 --netmask 255.255.255.0 \
  --gateway 192.168.7.1 --nameserver 192.168.7.53 --nameserver 9.9.9.9 || fail "build with network"
# (keys print sorted: the image's content digest sits between gateway and ipaddr)
"$M" manifest net.img | grep -q 'gateway:192.168.7.1 image_digest:"xxh3-128:[0-9a-f]*:[0-9a-f]*" ipaddr:192.168.7.20 nameservers:\[192.168.7.53 9.9.9.9\] netmask:255.255.255.0' ||
  fail "manifest network keys: $("$M" manifest net.img)"
"$M" inspect net.img | grep -qx 'network: static ipaddr 192.168.7.20, netmask 255.255.255.0, gateway 192.168.7.1; nameservers 192.168.7.53 9.9.9.9' ||
  fail "inspect network: $("$M" inspect net.img | grep network)"
[ "$("$M" cat net.img /etc/resolv.conf)" = "$(printf 'nameserver 192.168.7.53\nnameserver 9.9.9.9')" ] ||
  fail "resolv.conf: $("$M" cat net.img /etc/resolv.conf)"
"$M" cat img /nope 2>/dev/null && fail "cat of a missing file succeeded"
# --help is each command's usage (status 2), never a file name; "file/" is not a directory.
for c in ls cat manifest inspect; do
  out=$("$M" $c --help 2>&1)
  [ $? = 2 ] && echo "$out" | grep -q "usage: nanos-mkimage $c" || fail "$c --help: $out"
done
out=$("$M" cat img /data/a.txt/ 2>&1) && fail "cat of a file with a trailing slash succeeded"
echo "$out" | grep -q "/data/a.txt/: not a directory" || fail "cat file/: $out"
[ "$("$M" ls img /data/ | head -1)" = a.txt ] || fail "ls of a directory with a trailing slash"
# inspect: every log extension, every file's extents, free space after the data.
"$M" inspect img > inspect.txt || fail "inspect"
grep -qx '  log extension: blocks 0+1' inspect.txt || fail "inspect: initial extension"
grep -qx '  log extension: blocks 1+1024' inspect.txt || fail "inspect: first extension"
grep -qx '  file /data/b.bin: 5000 bytes, extent 0: blocks [0-9]*+10' inspect.txt ||
  fail "inspect: b.bin extent"
grep -qx '  file /data/empty: 0 bytes, no extents' inspect.txt || fail "inspect: empty file"
grep -qx '  file /kernel: .*blocks 1025+[0-9]*' inspect.txt || fail "inspect: boot /kernel"
[ "$(grep -c '^  free: [1-9][0-9]* blocks' inspect.txt)" = 1 ] || fail "inspect: root free space"
grep -q OVERLAP inspect.txt && fail "inspect: overlap in a fresh image"
# Symbolic links: followed by cat and by ls in the middle of a path, a loop is one error line,
# and a zstd image reads like the raw one.
mkdir t && ln -s b t/a && ln -s a t/b && ln -s ../data t/sub && ln -s /data/a.txt t/abs
"$M" build "$PROG" -o img.zst --kernel k --boot boot --file a.txt:/data/a.txt --dir t:/t ||
  fail "build .zst"
"$M" cat img.zst /t/abs | cmp - a.txt || fail "cat through an absolute link (.zst)"
"$M" cat img.zst /t/sub/a.txt | cmp - a.txt || fail "cat through a relative directory link"
"$M" ls img.zst /t -l | grep -qx 'link 0 abs -> /data/a.txt' || fail "ls -l of a link"
[ "$("$M" ls img.zst /t/sub)" = a.txt ] || fail "ls of a link to a directory"
out=$("$M" cat img.zst /t/a 2>&1) && fail "cat of a link loop succeeded"
[ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q 'too many levels of symbolic links' ||
  fail "link loop: $out"
"$M" inspect img.zst | grep -q '^image: zstd-compressed' || fail "inspect .zst"
# Malformed: root TFS magic zeroed, truncated image. One error line naming an offset.
ROOT=$("$M" inspect img | sed -n 's/^root partition: offset \([0-9]*\).*/\1/p')
cp img bad && dd if=/dev/zero of=bad bs=1 seek="$ROOT" count=6 conv=notrunc 2>/dev/null
for f in bad; do
  out=$("$M" ls $f 2>&1) && fail "ls $f succeeded"
  [ "$(echo "$out" | wc -l)" = 1 ] &&
    echo "$out" | grep -q "^nanos-mkimage ls: error: $f: root partition: bad magic.* at $ROOT " ||
    fail "ls $f: $out"
done
head -c $((ROOT + 300)) img > trunc
out=$("$M" ls trunc 2>&1) && fail "ls trunc succeeded"
echo "$out" | grep -q 'at [0-9]' || fail "trunc: $out"
echo PASS
