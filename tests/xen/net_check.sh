#!/bin/sh
# dom0's side of the xen.net test (run by xen_dom0_init.sh in /guest): serves a random file
# with busybox httpd on the bridge xenbr0 (10.0.3.1, set up by the init), boots the guest
# (net_roundtrip.c, static address 10.0.3.2) with a vif on that bridge, fetches the file back
# from the guest (nc) once it serves it, and compares the SHA-256 digests: the file's, the one the
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
response=/tmp/from-guest.http
rm -f $response
# Once the guest says it serves (it fetched first), fetch the file back from it. With nc:
# this busybox's wget crashes in the minimal dom0.
tries=0
while [ $tries -lt 300 ] && kill -0 $guest 2>/dev/null; do
  if grep -q "serving on port" $out; then
    printf 'GET /payload.bin HTTP/1.0\r\nHost: 10.0.3.2\r\n\r\n' |
      nc -w 20 10.0.3.2 8080 >$response && [ -s $response ] && break
    ping -c 1 -W 3 10.0.3.2 | tail -2
    ip neigh
    rm -f $response
  fi
  tries=$((tries + 1))
  sleep 0.5
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
if [ ! -s $response ]; then
  echo "dom0: FAIL nothing fetched from the guest"
  brctl show
  cat /proc/net/dev
  exit 1
fi
# The response is the HTTP header, then the body: the file's size in bytes.
size=$(wc -c <$www/payload.bin)
header=$(($(wc -c <$response) - size))
if [ $header -le 0 ] || ! head -c $header $response | grep -q "^Content-Length: $size"; then
  echo "dom0: FAIL the guest's response is not a $size-byte HTTP body:"
  head -c 300 $response
  exit 1
fi
back=/tmp/from-guest.bin
tail -c $size $response >$back
fetched=$(sha256sum <$back | cut -d' ' -f1)
echo "dom0: fetched from the guest $(wc -c <$back) bytes, sha256 $fetched"
if [ "$sent" != "$fetched" ]; then
  echo "dom0: FAIL the digests differ"
  exit 1
fi
echo "dom0: digests match"
exit $status
