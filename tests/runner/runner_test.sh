#!/usr/bin/env bash
# End-to-end tests of nanos-run against a tiny test boot sector (bootsector.S) instead of a
# real unikernel: exit-status propagation, timeout, signal handling, missing or failing QEMU,
# dry-run output, paths with spaces. Case `program` boots real programs (nanos-run PROGRAM):
# it needs nanos-mkimage and the kernel built beside nanos-run.
#   runner_test.sh NANOS_RUN SOURCE_DIR WORK_DIR CASE
set -uo pipefail
run=$1 src=$2 work=$3 case=$4
mkdir -p "$work"
work=$(cd "$work" && pwd)/$case   # one directory per case: ctest runs them in parallel
rm -rf "$work" && mkdir -p "$work"

run_env=()   # VAR=VALUE settings for nanos-run only (not for the checks)
fail() { echo "FAIL [$case]: $*" >&2; exit 1; }

# sector NAME ASFLAGS...: assembles a padded disk image (SeaBIOS ignores disks of one sector).
sector() {
  local name=$1; shift
  as "$@" "$src/bootsector.S" -o "$work/$name.o" || fail "as failed"
  ld -Ttext=0x7c00 --oformat binary "$work/$name.o" -o "$work/$name" || fail "ld failed"
  truncate -s 1M "$work/$name"
}

# expect STATUS STDERR-REGEX ARGS...: runs nanos-run, checks its status and stderr.
expect() {
  local want=$1 errre=$2; shift 2
  env "${run_env[@]}" "$run" "$@" >"$work/out" 2>"$work/err"
  local got=$?
  [[ $got -eq $want ]] || fail "nanos-run $* exited $got, expected $want; stderr: $(cat "$work/err")"
  if [[ -n $errre ]]; then
    grep -Eq "$errre" "$work/err" || fail "stderr does not match /$errre/: $(cat "$work/err")"
    [[ $(grep -c '^nanos-run:' "$work/err") -eq 1 ]] || fail "expected one nanos-run line: $(cat "$work/err")"
  else
    ! grep -q '^nanos-run:' "$work/err" || fail "unexpected message: $(cat "$work/err")"
  fi
}

# No qemu process may remain that has this case's directory in its command line.
no_leftover_qemu() {
  sleep 0.2
  if pgrep -f -- "$work/" >/dev/null; then
    pgrep -af -- "$work/" >&2
    pkill -KILL -f -- "$work/"
    fail "a QEMU process was left behind"
  fi
}

case $case in
  exit-status)
    for code in 0 3 42; do
      sector "exit$code.img" --defsym "EXIT_CODE=$code"
      expect "$code" "" --accel tcg --quiet "$work/exit$code.img"
      grep -qx "test sector says hello" "$work/out" || fail "console output missing: $(cat "$work/out")"
    done
    ;;
  panic)
    sector panic.img --defsym EXIT_CODE=126
    expect 126 "^nanos-run: guest kernel panic" --accel tcg --quiet "$work/panic.img"
    ;;
  timeout)
    sector spin.img --defsym SPIN=1
    start=$(date +%s%N)
    expect 124 "^nanos-run: timeout: the guest was still running after 1 s" \
      --accel tcg --quiet --timeout 1 "$work/spin.img"
    elapsed=$(( ($(date +%s%N) - start) / 1000000 ))
    (( elapsed < 5000 )) || fail "timeout took ${elapsed} ms"
    # --quiet also hides QEMU's note that nanos-run stopped it; without --quiet it shows.
    ! grep -q "terminating on signal" "$work/err" || fail "--quiet shows QEMU's signal line: $(cat "$work/err")"
    # The guest's output and QEMU's own line need QEMU to be up before the timeout: a 1 s
    # timeout can end a QEMU that a loaded machine has not started yet, so this run gives
    # it 10 s.
    "$run" --accel tcg --timeout 10 "$work/spin.img" >"$work/out" 2>"$work/err"
    grep -qx "test sector says hello" "$work/out" || fail "console output missing"
    grep -q "terminating on signal 15" "$work/err" || fail "no QEMU signal line without --quiet: $(cat "$work/err")"
    no_leftover_qemu
    ;;
  sigterm | sigint)
    sector spin.img --defsym SPIN=1
    sig=TERM want=143
    [[ $case == sigint ]] && sig=INT want=130
    "$run" --accel tcg --quiet "$work/spin.img" >"$work/out" 2>"$work/err" &
    pid=$!
    for _ in $(seq 100); do   # wait until the guest is up (it printed its line)
      grep -q "says hello" "$work/out" 2>/dev/null && break
      sleep 0.05
    done
    grep -q "says hello" "$work/out" || fail "the guest did not start"
    kill -"$sig" "$pid"
    wait "$pid"
    got=$?
    [[ $got -eq $want ]] || fail "nanos-run exited $got after SIG$sig, expected $want"
    grep -q "^nanos-run: interrupted by SIG$sig; stopped the VM" "$work/err" ||
      fail "stderr: $(cat "$work/err")"
    no_leftover_qemu
    ;;
  qemu-missing)
    sector exit0.img --defsym EXIT_CODE=0
    run_env=(PATH=/nonexistent)
    expect 127 "^nanos-run: qemu-system-x86_64 not found" --accel tcg "$work/exit0.img"
    run_env=(NANOS_RUN_QEMU=/nonexistent/qemu)
    expect 127 "^nanos-run: /nonexistent/qemu not found" \
      --accel tcg "$work/exit0.img"
    ;;
  qemu-fails)
    sector exit0.img --defsym EXIT_CODE=0
    # QEMU rejects the option and exits 1: the same status a guest exit(0) produces.
    expect 122 "^nanos-run: QEMU failed" --accel tcg --quiet "$work/exit0.img" -- -no-such-option
    ;;
  usage)
    expect 125 "^nanos-run: error: image '$work/none.img': No such file or directory" \
      "$work/none.img"
    expect 125 "^nanos-run: error: --cpus 'many'" --cpus many x.img
    expect 125 "^nanos-run: error: unknown option '--bogus'" --bogus x.img
    # Too little memory stops at once, naming the minimum (the guest would never start).
    sector exit0.img --defsym EXIT_CODE=0
    expect 125 "^nanos-run: error: --memory 1M is too little: the guest needs at least 16M" \
      --accel tcg --memory 1M "$work/exit0.img"
    expect 125 "^nanos-run: error: --file, --dir and --env build an image from a PROGRAM; '$work/exit0.img' is not an ELF program" \
      --accel tcg --file a:/a "$work/exit0.img"
    ;;
  dry-run)
    mkdir -p "$work/dir with space"
    sector "dir with space/a,b.img" --defsym EXIT_CODE=5
    img="$work/dir with space/a,b.img"
    run_env=(TMPDIR="$work")   # where the dry run places the exit channel's file
    expect 0 "" --dry-run --accel tcg --memory 128M --cpus 2 -p 8080:80 "$img"
    qemu=$(command -v qemu-system-x86_64)
    want="$qemu -machine q35 -accel tcg -cpu max -m 128M -smp 2 -nodefaults -no-user-config"
    want+=" -display none -serial stdio -no-reboot -device isa-debug-exit,iobase=0x501,iosize=0x02"
    want+=" -chardev file,id=nanos-exit,path=$work/nanos-run.exit"
    want+=" -device isa-serial,chardev=nanos-exit,iobase=0x2f8,irq=3"
    want+=" -drive 'file=$img,,format=raw,if=none,id=d0'"
    want="${want/a,b.img,,format/a,,b.img,format}"
    want+=" -device virtio-blk-pci,drive=d0 -device virtio-rng-pci -snapshot"
    want+=" -netdev user,id=n0,hostfwd=tcp::8080-:80 -device virtio-net-pci,netdev=n0,romfile="
    [[ $(cat "$work/out") == "$want" ]] || fail "dry-run printed
$(cat "$work/out")
expected
$want"
    # The printed command, run by a shell, boots the image: nothing was re-split.
    out=$(eval "${want/-netdev user,id=n0,hostfwd=tcp::8080-:80 -device virtio-net-pci,netdev=n0,romfile=/}")
    status=$?
    [[ $status -eq 11 && $out == "test sector says hello" ]] ||
      fail "the dry-run command gave status $status, output '$out'"
    # And nanos-run itself handles the same path.
    expect 5 "" --accel tcg --quiet "$img"
    # --verbose: the boot loader's progress lines, through a fw_cfg file.
    expect 0 "" --dry-run --accel tcg --verbose "$img"
    grep -qF -- " -fw_cfg name=opt/nanos/verbose,string=1 " "$work/out" || fail "--verbose: $(cat "$work/out")"
    # Xen: the xl config.
    expect 0 "" --dry-run --hypervisor xen --kernel "$img" --memory 64M "$img"
    grep -qx 'type        = "pvh"' "$work/out" || fail "xl config: $(cat "$work/out")"
    grep -qx "disk        = \[ \"format=raw, vdev=xvda, access=rw, target=$img\" \]" "$work/out" ||
      fail "xl config disk: $(cat "$work/out")"
    grep -qx 'memory      = 64' "$work/out" || fail "xl config memory: $(cat "$work/out")"
    ;;
  persist)
    # -snapshot keeps the image byte-identical; several runs of one image work at once.
    sector exit7.img --defsym EXIT_CODE=7
    sum=$(sha256sum <"$work/exit7.img")
    "$run" --accel tcg --quiet "$work/exit7.img" >/dev/null 2>&1 & a=$!
    "$run" --accel tcg --quiet "$work/exit7.img" >/dev/null 2>&1 & b=$!
    wait $a; sa=$?; wait $b; sb=$?
    [[ $sa -eq 7 && $sb -eq 7 ]] || fail "concurrent runs exited $sa and $sb, expected 7 and 7"
    [[ $(sha256sum <"$work/exit7.img") == "$sum" ]] || fail "the image changed"
    ;;
  ctrl-c)
    sector spin.img --defsym SPIN=1
    python3 "$src/ctrl_c_test.py" "$run" "$work/spin.img" || fail "see above"
    ;;
  zst)
    # A zstd-compressed image boots from a temporary raw copy that is removed afterwards.
    sector exit3.img --defsym EXIT_CODE=3
    zstd -q "$work/exit3.img" -o "$work/exit3.img.zst" || fail "zstd failed"
    mkdir -p "$work/tmp"
    run_env=(TMPDIR="$work/tmp")
    expect 3 "" --accel tcg --quiet "$work/exit3.img.zst"
    grep -qx "test sector says hello" "$work/out" || fail "console output missing"
    [[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left: $(ls "$work/tmp")"
    printf 'garbage' >"$work/bad.img.zst"
    expect 125 "^nanos-run: error: image '$work/bad.img.zst': not valid zstd data" \
      --accel tcg "$work/bad.img.zst"
    [[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left after an error"
    ;;
  program)
    # nanos-run PROGRAM: a temporary image (nanos-mkimage beside nanos-run, the default kernel),
    # booted, removed; --file/--env for the image, the words after -- for the program.
    mkdir -p "$work/tmp"
    run_env=(TMPDIR="$work/tmp")
    echo "a mapped greeting" >"$work/greeting.txt"
    expect 0 "" --accel tcg --quiet --timeout 120 /bin/cat --file "$work/greeting.txt:/etc/greeting.txt" \
      -- /etc/greeting.txt
    grep -qx "a mapped greeting" <(tr -d '\r' <"$work/out") || fail "cat's output: $(cat "$work/out")"
    expect 0 "" --accel tcg --quiet --timeout 120 /usr/bin/printenv -e GREETING=hi -e OTHER=x -- GREETING
    [[ $(tr -d '\r' <"$work/out") == hi ]] || fail "printenv's output: $(cat "$work/out")"
    expect 1 "" --accel tcg --quiet --timeout 120 /bin/false
    [[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left: $(ls "$work/tmp")"
    # The image cannot be made: nanos-mkimage's message, status 125, nothing left.
    expect 125 "^nanos-run: error: nanos-mkimage could not make an image of '/bin/true'" \
      --accel tcg /bin/true --file "$work/missing.txt:/etc/missing"
    [[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left after an error: $(ls "$work/tmp")"
    # --dry-run: both commands, the image named by a placeholder.
    expect 0 "" --dry-run --accel tcg /bin/echo -e A=1 -- "two words"
    head -1 "$work/out" | grep -qx ".*/nanos-mkimage build /bin/echo -o '<temporary image>' --env A=1 --arg 'two words'" ||
      fail "dry-run: $(cat "$work/out")"
    grep -qF "file=<temporary image>,format=raw" "$work/out" || fail "dry-run QEMU line: $(cat "$work/out")"
    ;;
  *) fail "unknown case" ;;
esac
rm -rf "$work"
echo "PASS [$case]"
