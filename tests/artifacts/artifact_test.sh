#!/usr/bin/env bash
# End-to-end checks of `nanos-mkimage export` and add_unikernel(FORMATS) (issue 20).
# Usage: artifact_test.sh CHECK [FORMAT]; environment from tests/artifacts/CMakeLists.txt:
# MKIMAGE, NANOS_RUN, IMAGE (the raw image add_unikernel built), STEM (its artifacts' prefix),
# WORK (a scratch directory). Exit 77 = skipped (a tool is missing).
set -euo pipefail
check=$1
W="$WORK/$check${2:+-$2}${3:+-$3}"
rm -rf "$W"
mkdir -p "$W"

fail() { echo "FAIL: $*" >&2; exit 1; }
need() { command -v "$1" >/dev/null || { echo "SKIPPED: $1 is not installed"; exit 77; }; }
need qemu-img

qemu_format() { # our format name -> QEMU's driver name
  case $1 in vhd) echo vpc ;; *) echo "$1" ;; esac
}

# qemu-img compare of the raw image against an artifact: must say identical.
same_disk() {
  local out
  out=$(qemu-img compare -f raw -F "$2" "$IMAGE" "$1" 2>&1) || fail "qemu-img compare $1: $out"
  # A disk rounded up (GCE, VHD) draws "Image size mismatch!" first; the padding must be zeros.
  [[ ${out##*$'\n'} == "Images are identical." ]] || fail "qemu-img compare $1: $out"
}

# A failing command: non-zero status `want`, exactly one line on stderr, nothing on stdout.
expect_error() {
  local want=$1 pattern=$2
  shift 2
  local status=0
  "$@" >"$W/out" 2>"$W/err" || status=$?
  [[ $status == "$want" ]] || fail "'$*' exited $status, not $want: $(cat "$W/err")"
  [[ $(wc -l <"$W/err") == 1 ]] || fail "'$*': not one line: $(cat "$W/err")"
  [[ ! -s "$W/out" ]] || fail "'$*' printed to stdout"
  grep -q -- "$pattern" "$W/err" || fail "'$*': '$(cat "$W/err")' does not say '$pattern'"
}

# Counts the 64 KiB clusters of the raw image that hold a non-zero byte.
nonzero_clusters() {
  python3 - "$IMAGE" <<'PY'
import sys
n = 0
with open(sys.argv[1], 'rb') as f:
    while True:
        c = f.read(65536)
        if not c:
            break
        n += c.count(0) != len(c)
print(n)
PY
}

case $check in
formats)
  # The artifacts add_unikernel(FORMATS) built: structure checks and the same disk as the image.
  for f in qcow2 vmdk vhd vhdx; do
    art="$STEM.$f"
    [[ -f $art ]] || fail "$art was not built"
    qf=$(qemu_format $f)
    info=$(qemu-img info --output=json -f "$qf" "$art")
    if [[ $f != vhd ]]; then # QEMU's vpc driver has no check
      qemu-img check -f "$qf" "$art" >"$W/check.$f" 2>&1 || fail "qemu-img check $art: $(cat "$W/check.$f")"
    fi
    same_disk "$art" "$qf"
    echo "$f: $(stat -c %s "$art") bytes, $(echo "$info" | python3 -c 'import json,sys; print(json.load(sys.stdin)["virtual-size"])') virtual"
  done
  # qcow2 stays sparse: exactly the non-zero clusters of the image are allocated.
  allocated=$(qemu-img check --output=json -f qcow2 "$STEM.qcow2" | python3 -c 'import json,sys; print(json.load(sys.stdin)["allocated-clusters"])')
  [[ $allocated == "$(nonzero_clusters)" ]] || fail "qcow2: $allocated clusters allocated, $(nonzero_clusters) non-zero"
  grep -q "No errors were found" "$W/check.qcow2" || fail "qcow2 check: $(cat "$W/check.qcow2")"
  # vmdk is stream-optimized, as vSphere imports.
  qemu-img info -f vmdk "$STEM.vmdk" | grep -q "create type: streamOptimized" || fail "vmdk: not streamOptimized"
  # The VHD footer: cookie, fixed type, checksum, sizes a multiple of 1 MiB, CHS geometry.
  python3 - "$STEM.vhd" <<'PY'
import os, struct, sys
path = sys.argv[1]
with open(path, 'rb') as f:
    f.seek(-512, 2)
    footer = f.read(512)
size = os.path.getsize(path) - 512
assert footer[:8] == b'conectix', 'cookie'
orig, cur = struct.unpack('>QQ', footer[40:56])
cyl, heads, spt = struct.unpack('>HBB', footer[56:60])
dtype, checksum = struct.unpack('>II', footer[60:68])
assert dtype == 2, 'not a fixed disk'
assert cur == orig == size, (cur, orig, size)
assert size % (1 << 20) == 0, 'size not a multiple of 1 MiB'
assert checksum == (~sum(footer[:64] + b'\0' * 4 + footer[68:])) & 0xffffffff, 'checksum'
sectors = size // 512
assert cyl * heads * spt <= sectors and spt in (17, 31, 63, 255) and 4 <= heads <= 16, (cyl, heads, spt)
print('vhd footer: %d bytes, CHS %d/%d/%d, checksum %08x' % (size, cyl, heads, spt, checksum))
PY
  ;;

gce)
  "$MKIMAGE" export "$IMAGE" --format gce -o "$W/disk.tar.gz"
  [[ $(tar -tzf "$W/disk.tar.gz") == "disk.raw" ]] || fail "gce: the tarball holds $(tar -tzf "$W/disk.tar.gz" | tr '\n' ' ')"
  # disk.raw is stored sparse (GNU old sparse, type S): the tar itself is small before gzip.
  python3 - "$W/disk.tar.gz" <<'PY' || fail "gce: not a GNU sparse tar header, or not sparse"
import gzip, sys
tar = gzip.open(sys.argv[1]).read()
header = tar[:512]
assert header[257:265] == b'ustar  \0', header[257:265]  # GNU magic + version
assert header[156:157] == b'S', header[156:157]             # old GNU sparse member
assert len(tar) < 256 << 20, len(tar)                       # of a 1 GiB disk
PY
  [[ $(tar -tvzf "$W/disk.tar.gz" | awk '{print $3}') == $((1 << 30)) ]] || fail "gce: tar -tv does not list the full size"
  tar -xzf "$W/disk.tar.gz" -C "$W"
  size=$(stat -c %s "$W/disk.raw")
  (( size % (1 << 30) == 0 )) || fail "gce: disk.raw is $size bytes, not whole GiB"
  same_disk "$W/disk.raw" raw
  # GNU tar's own sparse archive of the same file extracts to the same bytes as ours.
  mkdir -p "$W/gnu" && (cd "$W" && tar --format=oldgnu -Scf gnu/disk.tar disk.raw)
  mkdir -p "$W/ours" && tar -xzf "$W/disk.tar.gz" -C "$W/ours"
  tar -xf "$W/gnu/disk.tar" -C "$W/gnu"
  cmp "$W/ours/disk.raw" "$W/gnu/disk.raw" || fail "gce: extracts differently from GNU tar's sparse archive"
  rm -rf "$W/gnu" "$W/ours"
  "$MKIMAGE" export "$IMAGE" --format gce --size 2G -o "$W/disk2.tar.gz"
  [[ $(tar -tvzf "$W/disk2.tar.gz" | awk '{print $3}') == $((2 << 30)) ]] || fail "gce --size 2G"
  tar -xzf "$W/disk2.tar.gz" -C "$W/" && [[ $(stat -c %s "$W/disk.raw") == $((2 << 30)) ]] || fail "gce --size 2G: extracted size"
  expect_error 1 "multiple of 1 GiB" "$MKIMAGE" export "$IMAGE" --format gce --size 1536M -o "$W/bad.tar.gz"
  [[ ! -e $W/bad.tar.gz ]] || fail "gce: output left after an error"
  ;;

oci)
  need skopeo
  need umoci
  # The archives add_unikernel built, and a layout directory exported now.
  for kind in containerdisk oci; do
    skopeo inspect "oci-archive:$STEM.$kind.tar" >"$W/inspect.$kind" || fail "skopeo inspect $kind archive"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["Layers"]) == 1 and d["Architecture"] == "amd64", d' "$W/inspect.$kind"
    "$MKIMAGE" export "$IMAGE" --format $kind -o "$W/$kind"
    skopeo inspect "oci:$W/$kind:latest" >/dev/null || fail "skopeo inspect $kind layout"
    skopeo copy -q "oci:$W/$kind:latest" "dir:$W/$kind-copy" || fail "skopeo copy $kind"
    rootless=()
    [[ $(id -u) == 0 ]] || rootless=(--rootless)
    umoci unpack "${rootless[@]}" --image "$W/$kind:latest" "$W/$kind-bundle" >/dev/null
  done
  disk="$W/containerdisk-bundle/rootfs/disk/disk.qcow2"
  [[ $(ls "$W/containerdisk-bundle/rootfs/disk") == disk.qcow2 ]] || fail "containerdisk: /disk holds $(ls "$W/containerdisk-bundle/rootfs/disk")"
  if [[ $(id -u) == 0 ]]; then
    [[ $(stat -c %u:%g:%a "$disk") == 107:107:440 ]] || fail "containerdisk: $(stat -c %u:%g:%a "$disk"), not 107:107:440"
  fi
  qemu-img check -f qcow2 "$disk" >/dev/null
  same_disk "$disk" qcow2
  same_disk "$W/oci-bundle/rootfs/disk.raw" raw
  # The archive is the layout: the same blobs.
  mkdir "$W/unpacked" && tar -xf "$STEM.containerdisk.tar" -C "$W/unpacked"
  diff -r "$W/unpacked" "$W/containerdisk" || fail "archive and layout differ"
  ;;

reproducible)
  # Same image, same options: same bytes, at another time, in another directory; and the same
  # as what the build made.
  for f in raw qcow2 vmdk vhd vhdx gce containerdisk oci; do
    for d in a b; do
      mkdir -p "$W/$d"
      (cd "$W/$d" && umask 077 && "$MKIMAGE" export "$IMAGE" --format $f -o "out.$f.tar")
      sleep 1
    done
    cmp "$W/a/out.$f.tar" "$W/b/out.$f.tar" || fail "$f: two exports differ"
  done
  for f in qcow2 vmdk vhd vhdx; do
    "$MKIMAGE" export "$IMAGE" --format $f -o "$W/again.$f"
    cmp "$W/again.$f" "$STEM.$f" || fail "$f: differs from the build's artifact"
  done
  cmp "$W/a/out.containerdisk.tar" "$STEM.containerdisk.tar" || fail "containerdisk: differs from the build's"
  ;;

bad-input)
  cd "$W"
  expect_error 2 "unknown format 'vdi'" "$MKIMAGE" export "$IMAGE" --format vdi -o out.vdi
  expect_error 2 "required" "$MKIMAGE" export "$IMAGE" -o out.qcow2
  mkdir adir
  expect_error 1 "adir" "$MKIMAGE" export "$IMAGE" --format qcow2 -o adir
  [[ -d adir && -z $(ls -A adir) ]] || fail "the directory was touched"
  head -c 4194304 /dev/urandom >notours.img
  expect_error 1 "not a Nanos image" "$MKIMAGE" export notours.img --format qcow2 -o out.qcow2
  qemu-img create -q -f qcow2 foreign.qcow2 16M
  expect_error 1 "not a Nanos image" "$MKIMAGE" export foreign.qcow2 --format vmdk -o out.vmdk
  expect_error 1 "multiple of 1 MiB" "$MKIMAGE" export "$IMAGE" --format vhd --size 1000000000 -o out.vhd
  expect_error 1 "smaller than the image" "$MKIMAGE" export "$IMAGE" --format qcow2 --size 1M -o out.qcow2
  expect_error 1 "containerdisk" "$MKIMAGE" export "$IMAGE" --format qcow2 -o out.qcow2 --kubevirt-manifest vm.yaml
  expect_error 1 "DNS-1123" "$MKIMAGE" export "$IMAGE" --format containerdisk -o cd.tar --kubevirt-manifest vm.yaml --kubevirt-name Bad_Name
  expect_error 1 "is the same file\|input" "$MKIMAGE" export "$IMAGE" --format raw -o "$IMAGE"
  # A stale artifact does not survive a failed export (all or nothing, like build).
  echo stale >stale.qcow2
  expect_error 1 "smaller than the image" "$MKIMAGE" export "$IMAGE" --format qcow2 --size 1M -o stale.qcow2
  [[ ! -e stale.qcow2 ]] || fail "a stale output survived"
  leftovers=$(ls -A | grep -v -x -e adir -e notours.img -e foreign.qcow2 -e out -e err || true)
  [[ -z $leftovers ]] || fail "left behind: $leftovers"
  ;;

manifest)
  python3 -c 'import yaml' 2>/dev/null || { echo "SKIPPED: python3-yaml"; exit 77; }
  "$MKIMAGE" export "$IMAGE" --format containerdisk -o "$W/cd.tar" --kubevirt-manifest "$W/vm.yaml" \
    --kubevirt-name web --container-image registry.example.com/web:2 --kubevirt-memory 256M \
    --kubevirt-cpus 2 --kubevirt-port 8080 --kubevirt-port 53/udp
  python3 - "$W/vm.yaml" "$STEM.vm.yaml" <<'PY'
import sys, yaml
vm, svc = list(yaml.safe_load_all(open(sys.argv[1])))
assert vm['apiVersion'] == 'kubevirt.io/v1' and vm['kind'] == 'VirtualMachine'
t = vm['spec']['template']['spec']
d = t['domain']
assert d['cpu']['cores'] == 2 and d['resources']['requests']['memory'] == '256Mi', d
assert d['devices']['disks'][0] == {'name': 'root', 'disk': {'bus': 'virtio'}}
assert d['devices']['rng'] == {} and d['devices']['interfaces'][0]['masquerade'] == {}
assert t['networks'] == [{'name': 'default', 'pod': {}}]
assert t['volumes'][0]['containerDisk']['image'] == 'registry.example.com/web:2'
assert svc['kind'] == 'Service' and svc['spec']['selector'] == {'kubevirt.io/domain': 'web'}
assert [(p['port'], p['protocol']) for p in svc['spec']['ports']] == [(8080, 'TCP'), (53, 'UDP')]
# The build's manifest (add_unikernel: MEMORY 128M, CONTAINER_IMAGE, no ports: no Service).
docs = list(yaml.safe_load_all(open(sys.argv[2])))
assert len(docs) == 1 and docs[0]['metadata']['name'] == 'artifact-exit'
assert docs[0]['spec']['template']['spec']['domain']['resources']['requests']['memory'] == '128Mi'
assert docs[0]['spec']['template']['spec']['volumes'][0]['containerDisk']['image'] == 'registry.example.com/artifact-exit:1'
print('manifest OK')
PY
  ;;

cmake-outputs)
  # Each artifact's depfile names it and the image; `build --format` gives the same disk as
  # build + export, names the artifact in its depfile and leaves no temporary image.
  for f in qcow2 vmdk vhd vhdx containerdisk.tar oci.tar; do
    deps=$(tr -d '\\\n' <"$STEM.$f.d" | tr -s ' ')
    [[ $deps == "$STEM.$f: $IMAGE" ]] || fail "$STEM.$f.d: $deps"
  done
  program=$PROGRAM
  [[ -x $program ]] || fail "no program at $program"
  # --uefi as add_unikernel(artifact-exit ... UEFI) builds the image.
  "$MKIMAGE" build "$program" -o "$W/direct.qcow2" --format qcow2 --uefi --depfile "$W/direct.d"
  same_disk "$W/direct.qcow2" qcow2
  head -c 200 "$W/direct.d" | grep -q "^$W/direct.qcow2:" || fail "depfile target: $(head -c 200 "$W/direct.d")"
  [[ $(ls -A "$W") == $'direct.d\ndirect.qcow2' ]] || fail "left behind: $(ls -A "$W")"
  expect_error 2 "bom" "$MKIMAGE" build "$program" -o "$W/x.vmdk" --format vmdk --bom "$W/x.bom"
  [[ $(ls -A "$W") == $'direct.d\ndirect.qcow2\nerr\nout' ]] || fail "left behind: $(ls -A "$W")"
  ;;

boot)
  # The artifact boots in its own format: QEMU reads it through its format driver.
  format=$2
  art="$STEM.$format"
  if [[ $format == containerdisk ]]; then
    need umoci
    rootless=()
    [[ $(id -u) == 0 ]] || rootless=(--rootless)
    mkdir "$W/layout" && tar -xf "$STEM.containerdisk.tar" -C "$W/layout"
    umoci unpack "${rootless[@]}" --image "$W/layout:latest" "$W/bundle" >/dev/null
    art="$W/bundle/rootfs/disk/disk.qcow2"
    format=qcow2
  fi
  firmware=${3:-bios} # uefi: OVMF boots the disk's EFI system partition
  status=0
  "$NANOS_RUN" "$art" --image-format "$(qemu_format "$format")" --accel tcg --memory 128M \
    --firmware "$firmware" --timeout 240 >"$W/console" 2>&1 || status=$?
  grep -q "exiting with status 3" "$W/console" || fail "no program output: $(tail -5 "$W/console")"
  [[ $status == 3 ]] || fail "exit status $status, not 3: $(tail -5 "$W/console")"
  echo "booted $art ($format, $firmware): status 3"
  ;;
*)
  fail "unknown check $check"
  ;;
esac
echo "artifacts.$check: OK"
