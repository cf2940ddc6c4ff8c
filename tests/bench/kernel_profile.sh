#!/usr/bin/env bash
# Where the kernel's instructions go (a developer tool, not part of ctest): boots IMAGE under
# TCG with QEMU's execution log limited to kernel addresses, then counts instructions per
# kernel function (translated-block executions x block length, so `rep` string
# instructions count once per iteration, as an emulating hypervisor executes them). Under
# this machine's kvm-pvm every kernel instruction costs about 1 us, so this table is the
# kernel's cost there.
#   kernel_profile.sh BUILD_DIR IMAGE [TOP]
# Needs a few hundred MB in $TMPDIR for the log of a python3-sized run.
set -euo pipefail
build=$(cd "${1:?usage: kernel_profile.sh BUILD_DIR IMAGE [TOP]}" && pwd)
image=${2:?usage: kernel_profile.sh BUILD_DIR IMAGE [TOP]}
top=${3:-30}
kernel=$build/share/nanos-unikernel/kernel.img
elf=$build/kernel/freestanding/kernel.elf
[[ -f $kernel && -f $elf ]] || { echo "kernel_profile: no kernel in $build" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
timeout 600 qemu-system-x86_64 -machine q35 -accel tcg -cpu max -m 256M -nodefaults \
  -no-user-config -display none -serial "file:$work/console.txt" -no-reboot \
  -device isa-debug-exit,iobase=0x501,iosize=0x02 -kernel "$kernel" \
  -drive "file=$image,format=raw,if=none,id=d0,snapshot=on" -device virtio-blk-pci,drive=d0 \
  -d in_asm,exec,nochain -dfilter 0xffffffff80000000+0x7fffffff -D "$work/exec.log" || true
python3 "$(dirname "$0")/kernel_profile.py" "$work/exec.log" "$elf" "$top"
