#!/bin/sh
# The harness dom0's vif hotplug script (libxl runs /etc/xen/scripts/vif-bridge online|offline
# with XENBUS_PATH = the back-end's xenstore directory, .../backend/vif/DOMID/DEVID). A
# busybox-only stand-in for Xen's bash script: the back-end's interface (netback names it
# vifDOMID.DEVID unless the config says otherwise) joins the bridge the config names.
set -e
case $1 in
online|add)
  bridge=$(xenstore-read "$XENBUS_PATH/bridge")
  if [ -z "${vif:-}" ]; then
    vif=$(xenstore-read "$XENBUS_PATH/vifname" 2>/dev/null || true)
  fi
  if [ -z "$vif" ]; then
    devid=${XENBUS_PATH##*/}
    domid=${XENBUS_PATH%/*}
    domid=${domid##*/}
    vif=vif$domid.$devid
  fi
  ip link set "$vif" up
  brctl addif "$bridge" "$vif"
  xenstore-write "$XENBUS_PATH/hotplug-status" connected
  ;;
offline|remove)
  # netback removes the interface with the device, which also takes it off the bridge.
  ;;
esac
