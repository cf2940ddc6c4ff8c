#!/usr/bin/env bash
# Runs guests under a real Xen 4.17 hypervisor nested in QEMU (TCG), in one dom0 boot.
#
#   xen_harness.sh --work DIR --nanos-run BIN --tests FILE [--kernel ELF] [--file PATH]...
#                  [--timeout S]
#
# Xen, its tools and Debian's Linux kernel come from Debian's archive (apt-get download, then
# dpkg-deb -x: nothing is installed) into a cache directory, $NANOS_XEN_CACHE or
# <DIR>/../xen-cache. A dom0 initramfs is built in DIR from busybox-static, the Xen tools and
# their shared libraries, the Xen back-end kernel modules, nanos-run (with its libraries) and
# the --file arguments (copied to /guest, by file name); --kernel becomes nanos-run's default
# kernel there. Its /init starts the toolstack and runs
# each line of the --tests FILE, "NAME<TAB>SHELL COMMAND", in /guest, one after another, with
# the console attached, bracketed on the serial console by
#   XENTEST-BEGIN NAME
#   XENTEST-END NAME status=N domains=K     (K: domains other than dom0 left in `xl list`)
# then powers off. The serial log is DIR/serial.log; DIR/results has one "NAME N K" line per
# test, and DIR/output/NAME the text between the markers.
#
# Exit status: 0 when dom0 ran every test (whatever their statuses), 77 (skip) with one line
# when Xen cannot run here at all (the packages cannot be downloaded, QEMU missing), 1 else.
set -euo pipefail

work="" nanos_run="" tests="" timeout=200 kernel=""
files=()
while (($#)); do
  case $1 in
  --work) work=$2; shift 2 ;;
  --nanos-run) nanos_run=$2; shift 2 ;;
  --tests) tests=$2; shift 2 ;;
  --file) files+=("$2"); shift 2 ;;
  --kernel) kernel=$2; shift 2 ;;
  --timeout) timeout=$2; shift 2 ;;
  *) echo "xen_harness: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -n $work && -n $nanos_run && -n $tests ]] || {
  echo "usage: xen_harness.sh --work DIR --nanos-run BIN --tests FILE [--file PATH]..." >&2
  exit 2
}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$work"
work=$(cd "$work" && pwd)
cache=${NANOS_XEN_CACHE:-$work/../xen-cache}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# Two runs on one WORK would share its serial log and files: the second waits.
exec 8>"$work/.lock"
flock 8

# Skips with one line, also left in WORK/skipped for the checks that depend on this run.
skip() {
  echo "SKIPPED: $*" | tee "$work/skipped"
  exit 77
}
rm -f "$work/skipped" "$work/results"

command -v qemu-system-x86_64 >/dev/null || skip "qemu-system-x86_64 not installed"

# ---- 1. Packages (cached; a complete cache needs no network) ----------------------------
xen_packages=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils libxencall1
  libxenevtchn1 libxenforeignmemory1 libxengnttab1 libxenmisc4.17 libxenstore4
  libxentoollog1 libxendevicemodel1 libxenhypfs1 libxentoolcore1 libyajl2)
root=$cache/root
started=$SECONDS
# Concurrent runs share the cache: one of them fills it.
exec 9>"$cache/lock"
flock 9
if [[ ! -f $cache/unpacked.stamp ]]; then
  # The current Debian 12 kernel: what the linux-image-amd64 meta-package points at.
  kpkg=$(apt-cache depends linux-image-amd64 2>/dev/null | awk '/Depends: linux-image-/ {print $2; exit}')
  [[ -n $kpkg ]] || skip "apt-cache knows no linux-image-amd64 (Debian's package lists missing)"
  need=("${xen_packages[@]}" "$kpkg")
  # busybox-static comes from .ci/install-deps; fetch it too where it is not installed.
  if ! [[ -x /bin/busybox ]] || ldd /bin/busybox >/dev/null 2>&1; then
    need+=(busybox-static)
  fi
  rm -rf "$cache/debs" "$root"
  mkdir -p "$cache/debs"
  if ! (cd "$cache/debs" && apt-get download -q "${need[@]}" >"$cache/download.log" 2>&1); then
    why=$(grep -m1 '^E:' "$cache/download.log" || grep -m1 '^Err:' "$cache/download.log" ||
      tail -1 "$cache/download.log")
    skip "Xen packages not downloadable from Debian ($why)"
  fi
  for deb in "$cache"/debs/*.deb; do
    dpkg-deb -x "$deb" "$root"
  done
  touch "$cache/unpacked.stamp"
fi
busybox=/bin/busybox
if ldd "$busybox" >/dev/null 2>&1 || [[ ! -x $busybox ]]; then
  busybox=$root/bin/busybox
fi
[[ -x $busybox ]] || skip "no static busybox (install busybox-static: .ci/install-deps)"
xenbin=/usr/lib/xen-4.17/bin
# copy_libraries DEST BINARY...: the shared libraries ldd resolves (the Xen ones from the
# unpacked packages), into DEST's /lib/x86_64-linux-gnu and /lib64.
copy_libraries() {
  local dest=$1 lib
  shift
  for lib in $(for b in "$@"; do LD_LIBRARY_PATH=$root/usr/lib/x86_64-linux-gnu ldd "$b"; done |
    awk '$2 == "=>" && $3 ~ /^\// {print $3} $1 ~ /^\/lib64\// {print $1}' | sort -u); do
    case $lib in
    /lib64/*) cp -L "$lib" "$dest/lib64/" ;;
    *) cp -L "$lib" "$dest/lib/x86_64-linux-gnu/" ;;
    esac
  done
}
kver=$(cd "$root/lib/modules" && ls | head -1)
[[ -f $root/boot/xen-4.17-amd64.gz && -n $kver ]] || {
  echo "xen_harness: the cache $cache is incomplete; remove it to download again" >&2
  exit 1
}

# ---- 2. The dom0 initramfs ---------------------------------------------------------------
# Two cpio archives in one file (Linux unpacks them in turn): the toolstack, built once per
# cache, and this run's part (nanos-run, the guest files, the test list, /init).
# Named after what goes into it, so that a change to the harness or a hotplug script
# rebuilds it (older ones are removed).
inputs=$(cat "$0" "$here/xen_block_hotplug.sh" "$here/xen_vif_hotplug.sh" | md5sum | cut -c1-12)
base=$cache/dom0-base-$inputs.cpio.gz
if [[ ! -f $base ]]; then
  rm -f "$cache"/dom0-base*.cpio.gz
  rootfs=$cache/dom0-base
  rm -rf "$rootfs"
  mkdir -p "$rootfs"/{bin,usr/bin,etc/xen/scripts,lib/x86_64-linux-gnu,lib64,modules} \
    "$rootfs"/{proc,sys,dev,run,tmp,root,var/lib/xen,var/lib/xenstored,var/log/xen} \
    "$rootfs$xenbin"
  ln -s /run "$rootfs/var/run"
  ln -s /run/lock "$rootfs/var/lock"
  cp "$busybox" "$rootfs/bin/busybox"
  for applet in $("$busybox" --list); do
    [[ -e $rootfs/bin/$applet ]] || ln -s busybox "$rootfs/bin/$applet"
  done
  binaries=()
  for b in xl xenstored xenconsoled xenconsole xen-init-dom0; do
    cp "$root$xenbin/$b" "$rootfs$xenbin/"
    binaries+=("$root$xenbin/$b")
  done
  for b in xenstore-read xenstore-write xenstore-ls xenstore-list xenstore-rm; do
    cp "$root/usr/bin/$b" "$rootfs/usr/bin/"
    binaries+=("$root/usr/bin/$b")
  done
  copy_libraries "$rootfs" "${binaries[@]}"
  # xl unwinds through libgcc_s at exit (pthread_exit/cancel), which ldd does not show.
  cp -L /lib/x86_64-linux-gnu/libgcc_s.so.1 "$rootfs/lib/x86_64-linux-gnu/"

  # Kernel modules, each after its dependencies (its .modinfo "depends=").
  find "$root/lib/modules/$kver/kernel" -name '*.ko*' >"$cache/modules.list"
  loaded=" "
  add_module() {
    local name=$1 path dep
    [[ $loaded == *" $name "* ]] && return 0
    path=$(grep -m1 -E "/$name\.ko(\.xz)?$" "$cache/modules.list" || true)
    [[ -n $path ]] || return 0 # built into the kernel
    for dep in $(strings "$path" | sed -n 's/^depends=//p' | tr ',' ' '); do
      add_module "$dep"
    done
    loaded+="$name "
    cp "$path" "$rootfs/modules/"
    basename "$path" >>"$rootfs/modules/order"
  }
  : >"$rootfs/modules/order"
  for m in xen-evtchn xen-privcmd xen-gntdev xen-gntalloc xenfs xen-blkback loop xen-netback \
    bridge; do
    add_module "$m"
  done
  cp "$here/xen_block_hotplug.sh" "$rootfs/etc/xen/scripts/block"
  chmod +x "$rootfs/etc/xen/scripts/block"
  cp "$here/xen_vif_hotplug.sh" "$rootfs/etc/xen/scripts/vif-bridge"
  chmod +x "$rootfs/etc/xen/scripts/vif-bridge"
  : >"$rootfs/etc/xen/xl.conf"
  (cd "$rootfs" && find . | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -1 >"$base.tmp"
  mv "$base.tmp" "$base"
fi

flock -u 9
echo "xen_harness: packages and dom0 toolstack ready ($((SECONDS - started)) s)"

rootfs=$work/rootfs
rm -rf "$rootfs" "$work/output"
mkdir -p "$rootfs"/{guest,lib/x86_64-linux-gnu,lib64} "$rootfs/opt/nanos/bin" \
  "$rootfs/opt/nanos/share/nanos-unikernel"
cp "$nanos_run" "$rootfs/opt/nanos/bin/nanos-run"
[[ -z $kernel ]] || cp "$kernel" "$rootfs/opt/nanos/share/nanos-unikernel/kernel.img"
copy_libraries "$rootfs" "$nanos_run"
for f in "${files[@]}"; do
  cp "$f" "$rootfs/guest/"
done
cp "$tests" "$rootfs/tests.txt"
cp "$here/xen_dom0_init.sh" "$rootfs/init"
chmod +x "$rootfs/init"
{
  cat "$base"
  (cd "$rootfs" && find . | "$busybox" cpio -o -H newc 2>/dev/null) | gzip -1
} >"$work/dom0.cpio.gz"

# ---- 3. Boot Xen with that dom0 ----------------------------------------------------------
zcat "$root/boot/xen-4.17-amd64.gz" >"$work/xen.elf"
cp "$root/boot/vmlinuz-$kver" "$work/vmlinuz"
# QEMU 7.2's SMAP emulation crashes dom0 under Xen; newer QEMU takes plain -cpu max.
cpu=max
if qemu-system-x86_64 --version | grep -qE 'version [1-7]\.'; then
  cpu=max,-smap
fi
rc=0
timeout -k 5 "$timeout" qemu-system-x86_64 -accel tcg -machine q35 -cpu "$cpu" -m 2048 -smp "${NANOS_XEN_SMP:-1}" \
  -display none -nodefaults -no-reboot -serial "file:$work/serial.log" \
  -kernel "$work/xen.elf" \
  -append "console=com1 com1=115200,8n1 dom0_mem=1024M,max:1024M loglvl=warning guest_loglvl=warning noreboot" \
  -initrd "$work/vmlinuz console=hvc0 quiet,$work/dom0.cpio.gz" </dev/null || rc=$?
tr -d '\r' <"$work/serial.log" >"$work/serial.txt"
echo "xen_harness: QEMU ran $((SECONDS - started)) s in all (status $rc)"

# ---- 4. Results --------------------------------------------------------------------------
mkdir -p "$work/output"
: >"$work/results"
awk -v out="$work/output" -v results="$work/results" '
  /^XENTEST-BEGIN / { name = $2; file = out "/" name; printf "" > file; next }
  /^XENTEST-END / {
    st = $3; sub("status=", "", st); dl = $4; sub("domains=", "", dl)
    print $2, st, dl >> results; close(file); name = ""; next
  }
  name != "" { print >> file }
' "$work/serial.txt"
if ! grep -q '^XENHARNESS-DONE' "$work/serial.txt"; then
  echo "xen_harness: dom0 did not finish its tests (QEMU status $rc); see $work/serial.log" >&2
  tail -30 "$work/serial.txt" >&2
  exit 1
fi
cat "$work/results"
