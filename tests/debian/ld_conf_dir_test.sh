#!/usr/bin/env bash
# A library that only the target's ld.so.cache finds (it lives in an ld.so.conf directory,
# /usr/local/lib/x86_64-linux-gnu, which is not one of the loader's default directories):
# the image's generated /etc/ld.so.cache must let the guest's loader find it too, and an
# image built with --no-ld-cache must fail the way Linux would.
# Environment: MKIMAGE, NANOS_RUN, KERNEL, WORK.
set -euo pipefail
work=$WORK/ld-conf-dir
rm -rf "$work"
mkdir -p "$work/src"
root=$work/sysroot
mkdir -p "$root/usr/local/lib/x86_64-linux-gnu" "$root/etc" "$root/app"
cat >"$work/src/answer.c" <<'C'
int answer(void) { return 42; }
C
cat >"$work/src/main.c" <<'C'
#include <stdio.h>
int answer(void);
int main(void) {
  printf("answer %d\n", answer());
  return 0;
}
C
cc -shared -fPIC -Wl,-soname,libanswer.so.1 -o "$root/usr/local/lib/x86_64-linux-gnu/libanswer.so.1" \
  "$work/src/answer.c"
cc -o "$root/app/main" "$work/src/main.c" -L"$root/usr/local/lib/x86_64-linux-gnu" -l:libanswer.so.1
# The target tree: glibc's loader and libc, Debian's usrmerge links, and an ld.so.conf
# naming the extra directory; ldconfig -r writes the tree's own cache.
for d in lib lib64; do ln -s "usr/$d" "$root/$d"; done
mkdir -p "$root/usr/lib/x86_64-linux-gnu" "$root/usr/lib64"
cp /lib/x86_64-linux-gnu/libc.so.6 "$root/usr/lib/x86_64-linux-gnu/"
cp /lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib/x86_64-linux-gnu/"
ln -s ../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2 "$root/usr/lib64/ld-linux-x86-64.so.2"
echo /usr/local/lib/x86_64-linux-gnu >"$root/etc/ld.so.conf"
/sbin/ldconfig -r "$root"
/sbin/ldconfig -r "$root" -p | grep -q 'libanswer.so.1 .*=> /usr/local/lib/x86_64-linux-gnu/libanswer.so.1'

run() { # run IMAGE: the guest's output, its status last
  "$NANOS_RUN" "$1" --accel tcg --kernel "$KERNEL" --quiet --timeout 60 2>&1 | tr -d '\r' || true
}
"$MKIMAGE" build "$root/app/main" --sysroot "$root" -o "$work/with.img" >/dev/null
out=$(run "$work/with.img")
if [[ $out != *"answer 42"* ]]; then
  echo "FAIL: with the generated cache the program should run; got:"; echo "$out"; exit 1
fi
"$MKIMAGE" build "$root/app/main" --sysroot "$root" --no-ld-cache -o "$work/without.img" >/dev/null
out=$(run "$work/without.img")
if [[ $out != *"libanswer.so.1: cannot open shared object file"* ]]; then
  echo "FAIL: without a cache the loader should not find libanswer.so.1; got:"; echo "$out"; exit 1
fi
echo "ld.so.conf directory: found through the image's cache, missing without it"
