#!/usr/bin/env bash
# Boot-loader end-to-end test: builds a disk image with nanos-mkimage (boot.img + a kernel),
# optionally damages it, boots it from the disk under QEMU TCG/SeaBIOS and compares the serial
# output and QEMU's exit status.
#   boot_loader_test.sh <qemu> <nanos-mkimage> <boot.img> <kernel> <work-dir> <case> <machine> <disk-if>
# case:
#   ok           test kernel: exact output, exit status 67 ((33 << 1) | 1)
#   esp          same, with partition entry 0 made an ESP (type 0xEF) and the boot/root entries
#                moved to 1 and 2 (the BIOS+UEFI layout)
#   no-kernel    the boot TFS's "kernel" name renamed: stage2 reports it and ends the VM with
#                status 126 through isa-debug-exit (QEMU status 253 = (126 << 1) | 1)
#   bad-tfs      the boot TFS's first block zeroed: the same
#   disk-error   partition entry 0 points past the end of the disk: the same
#   no-nx        a CPU without NX (-cpu qemu64,-nx): the same
#   real-kernel  kernel.img running /bin/true (dynamic, from the host): exactly the stage2
#                lines, then exit status 0 through isa-debug-exit (QEMU status 1)
# Guest memory: $BOOT_TEST_MEMORY (default 64M).
# stage2 prints its "stage2: started/loading" progress lines only when QEMU has the fw_cfg
# file opt/nanos/verbose (what nanos-run --verbose adds): every case runs with it, except
# with BOOT_TEST_QUIET=1, where the same output is expected without those lines.
set -euo pipefail
qemu=$1 mkimage=$2 boot=$3 kernel=$4 work=$5 case=$6 machine=$7 disk_if=$8
mkdir -p "$work"
tag=$case-$machine-$disk_if-${BOOT_TEST_MEMORY:-64M}-q${BOOT_TEST_QUIET:-0}
img=$work/$tag.img
out=$work/$tag.serial
# stage2 never looks at the root TFS, so any ELF works as its program for the test kernel;
# the real kernel runs it, so it gets a real program.
program=$kernel
[[ $case == real-kernel ]] && program=/bin/true
"$mkimage" build "$program" -o "$img" --boot "$boot" --kernel "$kernel"

part0_lba() { od -An -t u4 -j $((0x1BE + 8)) -N 4 "$img" | tr -d ' '; }
put_bytes() { # put_bytes <offset> <hex bytes...>
  local off=$1
  shift
  printf "$(printf '\\x%s' "$@")" | dd of="$img" bs=1 seek="$off" conv=notrunc status=none
}

case $case in
  esp)
    # entries 0,1 -> 1,2; entry 0 = a (fake) ESP. stage2 must skip it.
    dd if="$img" of="$work/$tag.entries" bs=1 skip=$((0x1BE)) count=32 status=none
    dd if="$work/$tag.entries" of="$img" bs=1 seek=$((0x1CE)) conv=notrunc status=none
    put_bytes $((0x1BE)) 80 00 00 00 ef 00 00 00 01 00 00 00 01 00 00 00
    ;;
  no-kernel)
    lba=$(part0_lba)
    # The name is written inline exactly once in the boot TFS log (spec §3.4).
    offset=$(LC_ALL=C grep -obaU -m1 'kernel' <(dd if="$img" bs=512 skip="$lba" count=2048 \
      status=none) | head -1 | cut -d: -f1)
    [[ -n $offset ]] || { echo "no 'kernel' name in the boot TFS" >&2; exit 1; }
    put_bytes $((lba * 512 + offset)) 6b 65 72 6e 65 7a   # "kernez"
    ;;
  bad-tfs)
    dd if=/dev/zero of="$img" bs=512 seek="$(part0_lba)" count=1 conv=notrunc status=none
    ;;
  disk-error)
    put_bytes $((0x1BE + 8)) 00 00 00 7f   # LBA 0x7F000000: far past the end
    ;;
esac

expected_status=0
case $case in
  ok | esp)
    size=$(stat -c %s "$kernel")
    expected_status=67
    expected="stage2: started
stage2: loading /kernel ($size bytes)
test-kernel: entered in long mode at the higher-half entry, RDI=RSI=RDX=0
test-kernel: segments at p_paddr, .bss zeroed, first 4 GiB identity-mapped, NXE on
test-kernel: regions: stage2 descriptor 0x8000 type 12; RAM above 1 MiB: 1; INITIAL_PAGES (holds CR3): 1; KERNIMAGE (this ELF): 1; RECLAIM: 2"
    ;;
  no-kernel) expected_status=253 expected="stage2: started
stage2: no /kernel in the boot TFS" ;;
  bad-tfs) expected_status=253 expected="stage2: started
stage2: bad TFS: no NVMTFS magic (is partition entry the boot TFS?)" ;;
  disk-error) expected_status=253 expected="stage2: started
stage2: disk read error in the boot TFS log" ;;
  no-nx) expected_status=253 expected="stage2: started
stage2: CPU lacks NX (no-execute); halting" ;;
  real-kernel)
    size=$(stat -c %s "$kernel")
    expected_status=1
    expected="stage2: started
stage2: loading /kernel ($size bytes)"
    ;;
  *) echo "unknown case $case" >&2; exit 2 ;;
esac

verbose=(-fw_cfg name=opt/nanos/verbose,string=1)
if [[ ${BOOT_TEST_QUIET:-0} == 1 ]]; then
  verbose=()
  expected=$(grep -v -e '^stage2: started$' -e '^stage2: loading /kernel' <<<"$expected" || true)
fi

cpu=max
[[ $case == no-nx ]] && cpu=qemu64,-nx
args=(-machine "$machine" -m "${BOOT_TEST_MEMORY:-64M}" -accel tcg -cpu "$cpu" -nodefaults -display none -no-reboot
  -monitor none -serial "file:$out" -device isa-debug-exit,iobase=0x501,iosize=2
  -drive "file=$img,format=raw,if=$disk_if" "${verbose[@]}")
rm -f "$out"
"$qemu" "${args[@]}" &
pid=$!
status=
# Every case ends the VM (stage2 errors through isa-debug-exit); 30 s is a hang.
for _ in $(seq 1 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    set +e
    wait "$pid"
    status=$?
    set -e
    break
  fi
  sleep 0.1
done
if [[ -z $status ]]; then
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
fi
actual=$(tr -d '\r' <"$out" 2>/dev/null || true)

fail() {
  echo "FAIL: $*"
  echo "--- expected ---"; echo "$expected"
  echo "--- actual ---"; echo "$actual"
  exit 1
}
[[ -n $status ]] || fail "QEMU did not exit within 30 s"
[[ $actual == "$expected" ]] || fail "serial output differs"
[[ $status == "$expected_status" ]] || fail "QEMU exit status $status, expected $expected_status"
rm -f "$img" "$work/$tag.entries"   # keep failing images only (8 MiB each)
echo "ok: $case on $machine ($disk_if)"
