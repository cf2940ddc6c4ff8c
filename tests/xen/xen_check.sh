#!/usr/bin/env bash
# Checks one guest run of the xen.dom0 fixture (xen_harness.sh's results):
#   xen_check.sh WORK NAME EXPECTED-STATUS [REGEX]...
# The guest's status must be EXPECTED-STATUS, no domain may be left in `xl list` after it,
# and its output (console and nanos-run's stderr) must match each extended REGEX.
set -uo pipefail
work=$1 name=$2 expected=$3
shift 3
if [[ -f $work/skipped ]]; then
  cat "$work/skipped"
  exit 77
fi
line=$(grep -m1 "^$name " "$work/results" 2>/dev/null) || {
  echo "FAIL: no result for $name in $work/results (dom0 did not run it)"
  exit 1
}
read -r _ status domains <<<"$line"
out=$work/output/$name
fail=0
echo "--- $name: status $status, domains left $domains; output:"
grep -v -E '^\((XEN|d[0-9]+)\)' "$out"
if [[ $status != "$expected" ]]; then
  echo "FAIL: status $status, expected $expected"
  fail=1
fi
if [[ $domains != 0 ]]; then
  echo "FAIL: $domains domain(s) left in xl list after nanos-run returned"
  fail=1
fi
for regex in "$@"; do
  if ! grep -q -E -- "$regex" "$out"; then
    echo "FAIL: output does not match: $regex"
    fail=1
  fi
done
exit $fail
