#!/usr/bin/env bash
# The network test harness must fail, not pass, when the guest does not answer: runs
# guest_http.sh against the runner's test boot sector (tests/runner/bootsector.S), which
# has no network at all, once spinning (no answer within the wait) and once exiting 3 at
# once (exits before answering). Needs no kernel.
#   harness_test.sh NANOS_RUN RUNNER_TEST_DIR WORK_DIR
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
run=$1 src=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
sector() {
  local name=$1; shift
  as "$@" "$src/bootsector.S" -o "$work/$name.o" && ld -Ttext=0x7c00 --oformat binary \
    "$work/$name.o" -o "$work/$name" && truncate -s 1M "$work/$name" || fail "cannot assemble $name"
}
sector spin.img --defsym SPIN=1
sector exit3.img --defsym EXIT_CODE=3
for c in small download concurrent udp exit; do
  NET_E2E_WAIT=4 "$here/guest_http.sh" "$run" "$work/spin.img" $c --accel tcg >"$work/out" 2>&1 &&
    fail "guest_http.sh $c passed against a guest that never answers: $(cat "$work/out")"
  grep -q "did not answer" "$work/out" || fail "$c, spinning guest: $(cat "$work/out")"
done
NET_E2E_WAIT=60 "$here/guest_http.sh" "$run" "$work/exit3.img" small --accel tcg >"$work/out" 2>&1 &&
  fail "guest_http.sh passed against a guest that exits at once"
grep -q "exited (nanos-run status 3) before answering" "$work/out" || fail "exiting guest: $(cat "$work/out")"
# No QEMU is left behind by the failed runs.
pgrep -f "qemu-system.*$work/" >/dev/null && fail "a QEMU of this test is still running"
echo PASS
