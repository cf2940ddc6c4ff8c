#!/usr/bin/env bash
# Boots kernel.img by PVH (qemu -kernel) under TCG with the kernel-core self-test on its
# command line and compares the whole serial output and QEMU's exit status.
#   boot_selftest.sh <qemu-system-x86_64> <kernel.img> <work-dir> <mode> <machine> [tcg|kvm]
#                    [pvh|stage2|linux <test_loader.elf>]
# mode: selftest (virtio-blk modern), selftest-legacy (legacy virtio transport),
# selftest-irq (plus QEMU's edu device: PCI MSI, and INTx through the I/O APIC on pc; and an
# e1000e: MSI-X),
# panic (kernel page fault), overflow (kernel stack overflow into its guard page).
# kvm: -accel kvm -cpu host,-arch-capabilities; exits 77 (skipped) when /dev/kvm is not usable.
# Guest memory: $KERNEL_TEST_MEMORY (default 64M).
# stage2/linux: enter through the kernel's 64-bit entry, via the test loader
# (kernel/arch/x86_64/test_loader) which hands over like our stage2 or a Linux-protocol VMM.
set -euo pipefail
qemu=$1 kernel=$2 work=$3 mode=$4 machine=$5 accel=${6:-tcg} entry=${7:-pvh} loader=${8:-}
extra=()
case $accel in
  tcg) accel_args=(-accel tcg -cpu max) ;;
  kvm)
    if [[ ! -r /dev/kvm || ! -w /dev/kvm ]]; then
      echo "skipped: /dev/kvm is not usable"
      exit 77
    fi
    accel_args=(-accel kvm -cpu host,-arch-capabilities)  # see runner/qemu_command.cc
    ;;
  *) echo "unknown accelerator $accel" >&2; exit 2 ;;
esac
mkdir -p "$work"
memory=${KERNEL_TEST_MEMORY:-64M}
tag=$mode-$machine-$accel-$entry-$memory   # unique per test: ctest runs them in parallel
disk=$work/disk-$tag.img
out=$work/serial-$tag.txt
rm -f "$disk"
truncate -s 8M "$disk"   # sparse scratch disk: the self-test writes sectors 1-3

case $entry in
  pvh) path_name=PVH ;;
  stage2) path_name=stage2 ;;
  linux) path_name="Linux boot protocol" ;;
  *) echo "unknown entry $entry" >&2; exit 2 ;;
esac
disk_name="virtio-blk"
disk_device=virtio-blk-pci
if [[ $machine == microvm ]]; then
  disk_device=virtio-blk-device   # virtio-mmio; QEMU 7.2 defaults to the legacy layout
  disk_name="virtio-blk (mmio, legacy)"
fi
irq_lines=""
case $mode in
  selftest-irq)
    extra=(-device edu -device e1000e)   # the NIC needs no network: a warning on stderr
    irq_lines=$'\nPCI MSI (edu): ok'
    if [[ $machine == pc ]]; then
      irq_lines+=$'\nPCI INTx, level-triggered, shared line (edu): ok'
    fi
    irq_lines+=$'\nPCI MSI-X (e1000e): ok'
    ;&
  selftest-legacy)
    if [[ $mode == selftest-legacy ]]; then
      extra=(-global virtio-blk-pci.disable-modern=on)
      disk_name="virtio-blk (legacy)"
    fi
    ;&
  selftest)
    append=core.selftest
    expected_status=1   # isa-debug-exit: (0 << 1) | 1
    expected="boot path: $path_name
heap: ok
address space: ok
usercopy: ok
FPU state save/restore: ok
usercopy demand paging: ok
syscall arguments: ok
syscall return value: ok
demand paging: ok
user SSE: ok
syscall frame rewrite: ok
user FS base: ok
user fault: ok
resume after user fault: ok
user SIGILL: ok
context switch: ok
device interrupt in user mode (deferred work, wakeup preemption): ok
timer interrupt in user mode: ok
device interrupt (self-IPI): ok
I/O APIC (ISA IRQs): ok$irq_lines
clocks: ok
random: ok
disk: $disk_name
block read/write: ok
selftest: passed"
    ;;
  panic | overflow)
    append=core.selftest.$mode
    expected_status=253  # (126 << 1) | 1
    expected=""
    ;;
  *) echo "unknown mode $mode" >&2; exit 2 ;;
esac

boot_args=(-kernel "$kernel" -append "$append")
if [[ $entry != pvh ]]; then
  boot_args=(-kernel "$loader" -initrd "$kernel" -append "$entry $append")
fi

set +e
timeout 60 "$qemu" "${accel_args[@]}" -machine "$machine" -m "$memory" \
  -display none -nodefaults \
  -no-reboot -serial "file:$out" -device isa-debug-exit "${boot_args[@]}" \
  -drive "file=$disk,format=raw,if=none,id=d0" -device "$disk_device,drive=d0" "${extra[@]}"
status=$?
set -e
rm -f "$disk"

fail=0
if [[ $status -ne $expected_status ]]; then
  echo "FAIL: QEMU exit status $status, expected $expected_status" >&2
  fail=1
fi
if [[ $mode == selftest* ]]; then
  if [[ "$(cat "$out")" != "$expected" ]]; then
    echo "FAIL: serial output differs from the expected output:" >&2
    diff <(printf '%s\n' "$expected") "$out" >&2 || true
    fail=1
  fi
elif [[ $mode == overflow ]]; then
  grep -qx 'selftest: kernel stack overflow' "$out" || { echo "FAIL: no announcement" >&2; fail=1; }
  grep -q '^kernel fault: double fault (vector 8, error 0) at rip 0xffffffff8' "$out" ||
    { echo "FAIL: no double-fault report" >&2; fail=1; }
  [[ "$(tail -n 1 "$out")" == "kernel panic: fatal kernel exception" ]] ||
    { echo "FAIL: last line is not the panic message" >&2; fail=1; }
else
  # The fault report carries addresses and registers; check its fixed lines.
  grep -qx 'selftest: kernel fault' "$out" || { echo "FAIL: no 'selftest: kernel fault'" >&2; fail=1; }
  grep -q '^kernel fault: page fault (vector 14, error 0x2) at rip 0xffffffff8' "$out" ||
    { echo "FAIL: no page-fault report" >&2; fail=1; }
  grep -qx '  fault address 0xffff900000000000' "$out" || { echo "FAIL: wrong fault address" >&2; fail=1; }
  [[ "$(tail -n 1 "$out")" == "kernel panic: fatal kernel exception" ]] ||
    { echo "FAIL: last line is not the panic message" >&2; fail=1; }
fi
if [[ $fail -ne 0 ]]; then
  echo "--- serial output ($out) ---" >&2
  cat "$out" >&2
  exit 1
fi
echo "ok: $mode on $machine ($accel, $entry entry)"
