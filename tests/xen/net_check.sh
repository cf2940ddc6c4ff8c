#!/bin/sh
# dom0's side of the xen.net test (run by xen_dom0_init.sh in /guest): serves a random file
# with busybox httpd on the bridge xenbr0 (10.0.3.1, set up by the init), boots the guest
# (net_roundtrip.c, static address 10.0.3.2) with a vif on that bridge, fetches the file back
# from the guest once it serves it, and compares the SHA-256 digests: the file's, the one the
# guest computed of what it fetched, and that of what dom0 fetched back. Exits with
# nanos-run's status, or 1 when a digest differs or a fetch failed.
#   net_check.sh IMAGE [nanos-run options...]
image=$1
shift
www=/tmp/www
mkdir -p $www
dd if=/dev/urandom of=$www/payload.bin bs=1024 count=192 2>/dev/null
httpd -p 10.0.3.1:8000 -h $www
out=/tmp/guest.out
nanos-run --hypervisor xen --net bridge:xenbr0 "$@" "$image" </dev/console >$out 2>&1 &
guest=$!
back=/tmp/from-guest.bin
rm -f $back
tries=0
# The guest boots, fetches, then listens: until then its address does not answer.
while [ $tries -lt 150 ]; do
  if wget -q -T 10 -O $back http://10.0.3.2:8080/payload.bin 2>/dev/null; then
    break
  fi
  rm -f $back
  kill -0 $guest 2>/dev/null || break
  tries=$((tries + 1))
  sleep 1
done
wait $guest
status=$?
kill "$(pidof httpd)" 2>/dev/null
cat $out
sent=$(sha256sum <$www/payload.bin | cut -d' ' -f1)
echo "dom0: served sha256 $sent"
if ! grep -q "^xen net test: fetched .* sha256 $sent" $out; then
  echo "dom0: FAIL the guest's digest of the fetched file differs (or it printed none)"
  exit 1
fi
if [ ! -f $back ]; then
  echo "dom0: FAIL nothing fetched from the guest"
  exit 1
fi
fetched=$(sha256sum <$back | cut -d' ' -f1)
echo "dom0: fetched from the guest $(wc -c <$back) bytes, sha256 $fetched"
if [ "$sent" != "$fetched" ]; then
  echo "dom0: FAIL the digests differ"
  exit 1
fi
echo "dom0: digests match"
exit $status
