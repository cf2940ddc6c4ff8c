#!/usr/bin/env bash
# nanos-mkimage --package, the plug-in closure and clash rules on the command line (issue 14),
# without booting: the issue's failing JDK command, a real clash, a package that is not
# installed, `deps --json` naming who needed what (and why, for what glibc dlopen()s), and
# --no-plugin-closure.
# Environment: MKIMAGE, KERNEL, BOOT, WORK.
set -euo pipefail
: "${MKIMAGE:?}" "${KERNEL:?}" "${BOOT:?}" "${WORK:?}"
work="$WORK/packages-cli"
rm -rf "$work" && mkdir -p "$work"
fail() {
  echo "FAIL: $*" >&2
  exit 1
}
k=(--kernel "$KERNEL" --boot "$BOOT")
jdk=/usr/lib/jvm/java-17-openjdk-amd64
[[ -x $jdk/bin/java && -x /usr/bin/python3.11 ]] || { echo "SKIPPED: openjdk-17 or python3.11 missing"; exit 77; }

# 1. The issue's command: --dir of the JDK holds the program and libjli.so the resolver adds.
"$MKIMAGE" build $jdk/bin/java --program-path $jdk/bin/java --dir $jdk:$jdk -o "$work/jdk.img" \
  "${k[@]}" 2>"$work/jdk.err" || { cat "$work/jdk.err" >&2; fail "--dir \$J:\$J still clashes"; }
[[ ! -s $work/jdk.err ]] || { cat "$work/jdk.err" >&2; fail "the JDK build printed warnings"; }
"$MKIMAGE" cat "$work/jdk.img" $jdk/lib/libjli.so | cmp - $jdk/lib/libjli.so ||
  fail "libjli.so in the image differs"
echo "PASS: --dir \$J:\$J builds (the program and libjli.so are one entry each)"

# 2. Different content at one guest path stays a one-line error naming both sources.
printf 'not libjli\n' >"$work/fake.so"
if "$MKIMAGE" build $jdk/bin/java --program-path $jdk/bin/java --dir $jdk:$jdk \
  --file "$work/fake.so:$jdk/lib/libjli.so" -o "$work/clash.img" "${k[@]}" 2>"$work/clash.err"; then
  fail "a file of other content over libjli.so was accepted"
fi
[[ $(wc -l <"$work/clash.err") == 1 ]] || { cat "$work/clash.err" >&2; fail "clash error is not one line"; }
grep -q "clashes" "$work/clash.err" && grep -q -- "--file $work/fake.so" "$work/clash.err" &&
  grep -q "$jdk" "$work/clash.err" || { cat "$work/clash.err" >&2; fail "clash error lacks a source"; }
[[ ! -e $work/clash.img ]] || fail "an image was left after the clash"
echo "PASS: different content is a one-line clash: $(cat "$work/clash.err")"

# 3. A package that is not installed: one line naming it and the database.
if "$MKIMAGE" build /usr/bin/python3.11 --package no-such-package -o "$work/none.img" "${k[@]}" \
  2>"$work/none.err"; then
  fail "--package no-such-package was accepted"
fi
grep -qx ".*--package no-such-package: not installed (no such package in /var/lib/dpkg/status)" \
  "$work/none.err" || { cat "$work/none.err" >&2; fail "unexpected error for a missing package"; }
echo "PASS: $(cat "$work/none.err")"

# 4. deps --json: the plug-in _ssl needs libssl.so.3, found by the closure, not the program.
"$MKIMAGE" deps /usr/bin/python3.11 --program-path /usr/bin/python3.11 --package python3.11 --json \
  >"$work/deps.json"
python3 - "$work/deps.json" <<'PY' || fail "deps --json does not show the plug-in closure"
import json, sys
d = json.load(open(sys.argv[1]))
ssl = [p for p in d["plugins"] if "/_ssl." in p["guestPath"]]
assert ssl and "libssl.so.3" in ssl[0]["needed"] and not ssl[0]["missing"], ssl
needer = [o["neededBy"] for o in d["objects"] if o["name"] == "libssl.so.3"]
assert needer == [ssl[0]["guestPath"]], needer
print("PASS: deps --json:", ssl[0]["guestPath"], "needs", ssl[0]["needed"], "; libssl.so.3 needed by", needer[0])
PY

# 4b. The libraries glibc dlopen()s by name: libgcc_s.so.1 (pthread_exit) from libc.so.6,
# with the reason, in objects and entries; --no-libc-dlopens leaves it out.
python3 - "$work/deps.json" <<'PY' || fail "deps --json does not list libgcc_s.so.1 as a dlopen() of glibc"
import json, sys
d = json.load(open(sys.argv[1]))
libc = [o["openedPath"] for o in d["objects"] if o["name"] == "libc.so.6"]
gcc = [o for o in d["objects"] if o["name"] == "libgcc_s.so.1"]
assert libc and gcc and gcc[0]["neededBy"] == libc[0] and "pthread_exit" in gcc[0]["why"], gcc
entry = [e for e in d["entries"] if e["kind"] == "file" and e["guestPath"] == gcc[0]["guestPath"]]
assert entry and entry[0]["why"] == gcc[0]["why"], entry
print("PASS: deps --json:", gcc[0]["openedPath"], "needed by", libc[0] + ":", gcc[0]["why"])
PY
"$MKIMAGE" deps /usr/bin/python3.11 --program-path /usr/bin/python3.11 --no-libc-dlopens --json \
  >"$work/deps-off.json"
! grep -q '"name": "libgcc_s.so.1"' "$work/deps-off.json" || fail "--no-libc-dlopens kept libgcc_s.so.1"
echo "PASS: --no-libc-dlopens leaves libgcc_s.so.1 out"

# 5. --no-plugin-closure: the package's files only; libssl is not in the image.
"$MKIMAGE" build /usr/bin/python3.11 --program-path /usr/bin/python3.11 --package python3.11 \
  --no-plugin-closure --bom "$work/off.json" -o "$work/off.img" "${k[@]}"
"$MKIMAGE" build /usr/bin/python3.11 --program-path /usr/bin/python3.11 --package python3.11 \
  --bom "$work/on.json" -o "$work/on.img" "${k[@]}"
grep -q '"path": "/usr/lib/x86_64-linux-gnu/libssl.so.3"' "$work/on.json" || fail "libssl missing with the closure"
! grep -q '"path": "/usr/lib/x86_64-linux-gnu/libssl.so.3"' "$work/off.json" ||
  fail "libssl present with --no-plugin-closure"
grep -q '"path": "/usr/lib/python3.11/ssl.py"' "$work/off.json" || fail "the package's ssl.py is missing"
! grep -q '"path": "/usr/share/doc/' "$work/on.json" || fail "documentation was mapped"
echo "PASS: --no-plugin-closure leaves libssl.so.3 out; the package's files and no docs either way"
