#!/bin/sh
# /init of the harness's dom0 (xen_harness.sh): starts the Xen toolstack, runs each test of
# /tests.txt ("NAME<TAB>COMMAND") with the console attached, reports, and powers off.
export PATH=/usr/lib/xen-4.17/bin:/opt/nanos/bin:/bin:/usr/bin
export LD_LIBRARY_PATH=/lib/x86_64-linux-gnu
export HOME=/root TMPDIR=/tmp
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp
mkdir -p /run/lock /run/xen /run/xenstored
for m in $(cat /modules/order); do
  insmod "/modules/$m" || echo "dom0: insmod $m failed"
done
mount -t xenfs xenfs /proc/xen
# The guests' network: the bridge xenbr0 with dom0 at 10.0.3.1/24 (a vif joins it through
# /etc/xen/scripts/vif-bridge). No STP and forward delay 0: a new port forwards at once.
ip link set lo up
if brctl addbr xenbr0; then
  echo 0 >/sys/class/net/xenbr0/bridge/forward_delay
  ip addr add 10.0.3.1/24 dev xenbr0
  ip link set xenbr0 up
else
  echo "dom0: no bridge xenbr0"
fi
# Later -> earlier: xenstored must answer before xen-init-dom0 writes dom0's keys, and
# xenconsoled reads those keys.
xenstored --pid-file /run/xenstored.pid
xen-init-dom0 >/tmp/init-dom0.log 2>&1 || { echo "dom0: xen-init-dom0 failed"; cat /tmp/init-dom0.log; }
xenconsoled --pid-file=/run/xenconsoled.pid
echo "XENHARNESS-READY"
cd /guest
tab=$(printf '\t')
while IFS="$tab" read -r name command; do
  [ -n "$name" ] || continue
  echo "XENTEST-BEGIN $name"
  sh -c "$command" </dev/console >/dev/console 2>&1
  status=$?
  domains=$(xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0"' | wc -l)
  # A test's leftovers must not disturb the next one.
  for d in $(xl list 2>/dev/null | awk 'NR > 1 && $1 != "Domain-0" {print $1}'); do
    xl destroy "$d" >/dev/null 2>&1
  done
  echo ""
  echo "XENTEST-END $name status=$status domains=$domains"
done </tests.txt
echo "XENHARNESS-DONE"
sync
poweroff -f
