#!/bin/sh
# The harness dom0's disk hotplug script (libxl runs /etc/xen/scripts/block ACTION with
# XENBUS_PATH = the back-end's xenstore directory). A busybox-only stand-in for Xen's own
# bash script: a regular file gets a loop device; blkback then finds the device in
# physical-device ("MAJOR:MINOR" in hex).
set -e
case $1 in
add)
  target=$(xenstore-read "$XENBUS_PATH/params")
  mode=$(xenstore-read "$XENBUS_PATH/mode")
  if [ -b "$target" ]; then
    dev=$target
  else
    dev=$(losetup -f)
    if [ "$mode" = r ]; then losetup -r "$dev" "$target"; else losetup "$dev" "$target"; fi
  fi
  xenstore-write "$XENBUS_PATH/physical-device" "$(stat -L -c '%t:%T' "$dev")" \
    "$XENBUS_PATH/physical-device-path" "$dev"
  xenstore-write "$XENBUS_PATH/hotplug-status" connected
  ;;
remove)
  dev=$(xenstore-read "$XENBUS_PATH/physical-device-path" 2>/dev/null || true)
  case $dev in
  /dev/loop*) losetup -d "$dev" || true ;;
  esac
  ;;
esac
