#!/usr/bin/env bash
# Exact exit statuses end to end (issue 14), real kernel under TCG, through the exit channel
# (kernel/drivers/exit_channel.h): every status 0-255 comes back unchanged, a death by signal
# N comes back as 128+N with one line naming the signal, as a shell reports the same program
# run natively (checked here too).
#   exact_status_test.sh CASE NANOS_RUN EXIT_WITH SOURCE_DIR WORK_DIR [CMAKE BUILD_DIR]
# CASE nanos-run:  nanos-run PROGRAM (a temporary image) for each way of ending, then a
#                  kernel panic and a boot loader failure, each named on stderr
# CASE run-target: the run-<name> targets of a project (statuses/) built against the build
#                  tree: each passes when the guest's status is the expected one, and one
#                  with a wrong expectation fails naming the real status
set -uo pipefail
case=$1 run=$2 exit_with=$3 src=$4 work=$5
cmake=${6:-} build=${7:-}
mkdir -p "$work"
work=$(cd "$work" && pwd)/$case
rm -rf "$work" && mkdir -p "$work/tmp"
fail() { echo "FAIL [$case]: $*" >&2; exit 1; }

# The way of ending, and the status a shell reports for it.
ends=(0:0 1:1 127:127 128:128 200:200 255:255 return-1:255 segv:139 abort:134)

# The oracle: the same program on the host, as a shell reports it.
for e in "${ends[@]}"; do
  how=${e%%:*} want=${e#*:}
  # (An inner shell, so that this one prints no "Segmentation fault" job report.)
  got=$(bash -c '"$0" "$1" >/dev/null 2>&1; echo $?' "$exit_with" "$how" 2>/dev/null)
  [[ $got -eq $want ]] || fail "on the host, exit_with $how gave $got, expected $want"
done

case $case in
  nanos-run)
    for e in "${ends[@]}"; do
      how=${e%%:*} want=${e#*:}
      TMPDIR=$work/tmp "$run" "$exit_with" --accel tcg --quiet --timeout 120 --memory 64M -- "$how" \
        >"$work/out" 2>"$work/err"
      got=$?
      [[ $got -eq $want ]] ||
        fail "exit_with $how: nanos-run exited $got, expected $want; stderr: $(cat "$work/err"); console: $(cat "$work/out")"
      grep -q "exit_with: $how" "$work/out" || fail "exit_with $how: no console output: $(cat "$work/out")"
      case $how in
        segv) want_line="^nanos-run: the program was killed by SIGSEGV \(status 128\+11\)$" ;;
        abort) want_line="^nanos-run: the program was killed by SIGABRT \(status 128\+6\)$" ;;
        *) want_line="" ;;
      esac
      if [[ -n $want_line ]]; then
        grep -Eq "$want_line" "$work/err" || fail "exit_with $how: stderr lacks the signal line: $(cat "$work/err")"
        [[ $(grep -c '^nanos-run:' "$work/err") -eq 1 ]] || fail "exit_with $how: more than one line: $(cat "$work/err")"
      else
        ! grep -q '^nanos-run:' "$work/err" || fail "exit_with $how: a nanos-run line for a program status: $(cat "$work/err")"
      fi
    done
    # A kernel panic (the manifest's cwd is not in the image) is named, never a status.
    mkimage=$(dirname "$run")/nanos-mkimage
    "$mkimage" build "$exit_with" -o "$work/panic.img" --set cwd=/no/such/dir --arg 0 >"$work/mk.txt" 2>&1 ||
      fail "nanos-mkimage: $(cat "$work/mk.txt")"
    TMPDIR=$work/tmp "$run" "$work/panic.img" --accel tcg --quiet --timeout 120 --memory 64M >"$work/out" 2>"$work/err"
    got=$?
    [[ $got -eq 126 ]] || fail "panic image: status $got, expected 126; stderr: $(cat "$work/err")"
    grep -q "^nanos-run: guest kernel panic" "$work/err" || fail "panic image: stderr: $(cat "$work/err")"
    # A boot loader failure (the boot TFS's first block zeroed, as tests/boot-loader's
    # bad-tfs) is named as such: stage2 writes its own record.
    cp "$work/panic.img" "$work/bad-boot.img"
    lba=$(od -An -t u4 -j $((0x1BE + 8)) -N 4 "$work/bad-boot.img" | tr -d ' ')
    dd if=/dev/zero of="$work/bad-boot.img" bs=512 seek="$lba" count=1 conv=notrunc status=none
    TMPDIR=$work/tmp "$run" "$work/bad-boot.img" --accel tcg --quiet --timeout 120 --memory 64M >"$work/out" 2>"$work/err"
    got=$?
    [[ $got -eq 126 ]] || fail "bad boot TFS: status $got, expected 126; stderr: $(cat "$work/err")"
    grep -q "^nanos-run: guest boot loader failed" "$work/err" || fail "bad boot TFS: stderr: $(cat "$work/err")"
    grep -q "^stage2: " "$work/out" || fail "bad boot TFS: no stage2 line: $(cat "$work/out")"
    # The channel's file is private to the run and removed afterwards.
    [[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left: $(ls "$work/tmp")"
    ;;
  run-target)
    cp -r "$src/statuses" "$work/src"
    log=$work/log.txt
    "$cmake" -S "$work/src" -B "$work/b" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" \
      >"$log" 2>&1 || { cat "$log"; fail "configure failed"; }
    "$cmake" --build "$work/b" >"$log" 2>&1 || { cat "$log"; fail "build failed"; }
    for t in exit-0 exit-1 exit-127 exit-128 exit-200 exit-255 return-minus-1 segv abort; do
      TMPDIR=$work/tmp "$cmake" --build "$work/b" --target "run-$t" >"$log" 2>&1 ||
        { cat "$log"; fail "run-$t failed: the guest's status was not the expected one"; }
      grep -q "exit_with: " "$log" || { cat "$log"; fail "run-$t: no console output"; }
    done
    if TMPDIR=$work/tmp "$cmake" --build "$work/b" --target run-expects-wrong >"$log" 2>&1; then
      cat "$log"; fail "run-expects-wrong passed although the program exits 200, not 72"
    fi
    grep -qx "run-expects-wrong: expects-wrong.img ended with exit status 200, expected 72 (statuses: docs/nanos-run.md)" "$log" ||
      { cat "$log"; fail "run-expects-wrong: no line naming status 200"; }
    [[ -z $(ls -A "$work/tmp") ]] || fail "temporary files left: $(ls "$work/tmp")"
    ;;
  *) fail "unknown case" ;;
esac
rm -rf "$work"
echo "PASS [$case]"
