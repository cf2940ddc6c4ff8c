#!/usr/bin/env bash
# nanos-run --gdb-attach end to end (docs/nanos-run.md, "Debugging with gdb"):
#   gdb_attach_test.sh NANOS_RUN NANOS_MKIMAGE PROGRAM WORK_DIR
# gdb in batch mode stops a dynamic program (PROGRAM, linked against its own shared library)
# at main, at a function of its library, at printf in libc and at the kernel's write system
# call, and prints a backtrace at each. An image built with ASLR is refused.
set -uo pipefail
run=$1 mkimage=$2 program=$3 work=$4
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v gdb >/dev/null || fail "gdb is not installed (.ci/install-deps installs it)"

cat >"$work/batch.gdb" <<'GDB'
break main
break greet_twice
break printf
break unix::sys_write
continue
bt
continue
bt
continue
bt
continue
bt
nanos-libraries
GDB
"$run" "$program" --gdb-attach --gdb-batch "$work/batch.gdb" --accel tcg --timeout 240 \
  >"$work/out.txt" 2>&1
status=$?
cat "$work/out.txt"
[[ $status == 0 ]] || fail "nanos-run --gdb-attach exited $status"
out=$(tr -s ' ' <"$work/out.txt")
expect() {  # expect REGEX WHAT
  grep -Eq -- "$1" <<<"$out" || fail "$2 (no line matching '$1')"
}
expect "^Breakpoint 1, main \(argc=.*\) at .*gdb_app\.c:[0-9]+" "no stop at main"
expect "^Breakpoint 2, greet_twice \(x=1\) at .*gdb_greet\.c:[0-9]+" "no stop in the library function"
expect "^#0 greet_twice \(x=1\) at .*gdb_greet\.c" "the backtrace lacks the library function"
expect "^#1 0x[0-9a-f]+ in main \(argc=1, argv=0x[0-9a-f]+\) at .*gdb_app\.c" \
  "the backtrace from the library function lacks main"
# libc has no line information unless its debug package is installed: both forms.
expect "^Breakpoint 3, (0x[0-9a-f]+ in )?_*printf \(" "no stop in libc's printf"
expect "^#0 (0x[0-9a-f]+ in )?_*printf \(" "the backtrace lacks printf"
expect "^#1 0x[0-9a-f]+ in main \(argc=1" "the backtrace from printf lacks main"
expect "^Breakpoint 4, (0x[0-9a-f]+ in )?unix::sys_write" "no stop in the kernel's write system call"
expect "^#0 (0x[0-9a-f]+ in )?unix::sys_write" "the kernel backtrace lacks sys_write"
expect "libgdb_greet\.so" "nanos-libraries does not list the program's library"
expect "libc\.so\.6" "nanos-libraries does not list libc"

# An image with ASLR on: refused with a message, before anything boots.
"$mkimage" build "$program" -o "$work/aslr.img" >"$work/mk.txt" 2>&1 || { cat "$work/mk.txt"; fail "mkimage"; }
"$run" "$work/aslr.img" --gdb-attach --symbols "$program" >"$work/out.txt" 2>&1
status=$?
[[ $status == 125 ]] || { cat "$work/out.txt"; fail "an ASLR image gave status $status, not 125"; }
grep -q "was built with ASLR" "$work/out.txt" || { cat "$work/out.txt"; fail "no ASLR message"; }
"$run" "$work/aslr.img" --gdb-attach >"$work/out.txt" 2>&1
[[ $? == 125 ]] && grep -q "needs --symbols PROGRAM" "$work/out.txt" ||
  { cat "$work/out.txt"; fail "an image without --symbols was not refused"; }
rm -rf "$work"
echo "PASS"
