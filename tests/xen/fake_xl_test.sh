#!/usr/bin/env bash
# nanos-run --hypervisor xen against stand-ins for xl and xenstore-read (no Xen needed):
# the status read from the preserved domain's xenstore key, crash = panic, a missing key,
# xl's errors in one line, --timeout and SIGTERM destroying the domain, the config it wrote
# (with a vif for --net bridge:NAME).
#   fake_xl_test.sh NANOS-RUN WORK
set -uo pipefail
nanos_run=$1 work=$2
rm -rf "$work" && mkdir -p "$work/bin"
export FAKE_DIR=$work
cat >"$work/bin/xl" <<'FAKE'
#!/bin/bash
# create -F -c CFG: acts out $FAKE_MODE; destroy X: records X.
case $1 in
create)
  cp "$4" "$FAKE_DIR/config"
  echo "$*" >"$FAKE_DIR/create-args"
  echo "Parsing config from $4" >&2
  case $FAKE_MODE in
  exit:*)
    echo "fake guest console"
    echo -n "${FAKE_MODE#exit:}" >"$FAKE_DIR/key"
    echo "Domain 7 has shut down, reason code 0 0x0" >&2 ;;
  nokey) echo "Domain 7 has shut down, reason code 0 0x0" >&2 ;;
  crash) echo "Domain 7 has shut down, reason code 3 0x3" >&2 ;;
  hang) exec sleep 1000 ;;
  fail)
    echo "libxl: error: libxl_dom.c:1:build: Domain 7:the kernel is not a PVH ELF" >&2
    echo "libxl: error: libxl_create.c:2:done: Domain 7:cannot (re-)build domain: -3" >&2
    exit 3 ;;
  esac
  # Like xl with a console attached: it ends once the domain is destroyed.
  for _ in $(seq 100); do [[ -f $FAKE_DIR/destroyed ]] && exit 0; sleep 0.1; done
  exit 9 ;;
destroy) echo "$2" >>"$FAKE_DIR/destroyed" ;;
esac
FAKE
cat >"$work/bin/xenstore-read" <<'FAKE'
#!/bin/bash
echo "$1" >"$FAKE_DIR/read-path"
[[ -f $FAKE_DIR/key ]] && { cat "$FAKE_DIR/key"; echo; }
FAKE
chmod +x "$work/bin/xl" "$work/bin/xenstore-read"
export PATH=$work/bin:$PATH NANOS_RUN_XL=$work/bin/xl
truncate -s 1M "$work/app.img"
echo kernel >"$work/kernel.elf"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

run() { # run MODE EXPECTED-STATUS STDERR-REGEX [nanos-run args...]
  local mode=$1 want=$2 regex=$3
  shift 3
  rm -f "$work"/{key,destroyed,read-path,config,create-args}
  FAKE_MODE=$mode "$nanos_run" "$work/app.img" --hypervisor xen --kernel "$work/kernel.elf" "$@" \
    >"$work/out" 2>"$work/err"
  local status=$?
  [[ $status == "$want" ]] || fail "$mode: status $status, expected $want ($(cat "$work/err"))"
  if [[ -n $regex ]]; then
    grep -qE "$regex" "$work/err" || fail "$mode: stderr '$(cat "$work/err")' !~ $regex"
    [[ $(wc -l <"$work/err") == 1 ]] || fail "$mode: stderr is not one line: $(cat "$work/err")"
  else
    [[ ! -s $work/err ]] || fail "$mode: unexpected stderr: $(cat "$work/err")"
  fi
  [[ -s $work/destroyed ]] || fail "$mode: the domain was not destroyed"
}

for n in 0 3 255; do
  run "exit:$n" "$n" ""
  grep -qx "fake guest console" "$work/out" || fail "exit:$n: console output missing"
  [[ $(cat "$work/read-path") == /local/domain/7/data/nanos/exit ]] ||
    fail "exit:$n: read $(cat "$work/read-path")"
  [[ $(cat "$work/destroyed") == 7 ]] || fail "exit:$n: destroyed '$(cat "$work/destroyed")'"
done
grep -q '^create -F -c ' "$work/create-args" || fail "xl was not run as create -F -c"
grep -qx 'on_poweroff = "preserve"' "$work/config" || fail "config does not preserve the domain"
grep -qE '^name        = "nanos-app-[0-9]+"$' "$work/config" || fail "domain name: $(grep name "$work/config")"
grep -q '^vif' "$work/config" && fail "a vif without --net bridge:"
# --net bridge:NAME: the vif in the config xl gets, and in --dry-run's.
run "exit:0" 0 "" --net bridge:xenbr0
grep -qx 'vif         = \[ "bridge=xenbr0" \]' "$work/config" || fail "--net bridge: no vif line"
"$nanos_run" "$work/app.img" --hypervisor xen --kernel "$work/kernel.elf" --net bridge:br1 \
  --dry-run 2>&1 | grep -qx 'vif         = \[ "bridge=br1" \]' || fail "--dry-run: no vif line"
run crash 126 '^nanos-run: guest kernel panic \(the Xen domain crashed\)$'
run nokey 122 'without an exit status'
run fail 122 '^nanos-run: xl failed \(exit status 3\): the kernel is not a PVH ELF$'
grep -qE '^nanos-app-[0-9]+$' "$work/destroyed" || fail "fail: destroy by name missing"
run hang 124 '^nanos-run: timeout: .* destroyed the domain$' --timeout 1
grep -qE '^nanos-app-[0-9]+$' "$work/destroyed" || fail "hang: destroy by name missing"

# SIGTERM while the guest runs: 143, and the domain destroyed.
rm -f "$work/destroyed"
FAKE_MODE=hang "$nanos_run" "$work/app.img" --hypervisor xen --kernel "$work/kernel.elf" \
  >"$work/out" 2>"$work/err" &
pid=$!
sleep 1
kill -TERM $pid
wait $pid
status=$?
[[ $status == 143 ]] || fail "SIGTERM: status $status"
[[ -s $work/destroyed ]] || fail "SIGTERM: the domain was not destroyed"
# No temporary config or image copy left behind (TMPDIR is ours).
export TMPDIR=$work/tmp
mkdir -p "$TMPDIR"
run "exit:0" 0 ""
[[ -z $(ls "$TMPDIR") ]] || fail "temporary files left: $(ls "$TMPDIR")"

((fails == 0)) && echo "fake xl: all passed"
exit $((fails > 0))
