#!/usr/bin/env bash
# Proof that language runtimes from Debian's packages run in the unikernel as users bring
# them (issue 14): each image holds the runtime's installed package(s) through
# `nanos-mkimage build --package`, with no library listed by hand (the resolver closes over
# every ELF object the packages place, plug-ins included), and the program's output and exit
# status must equal the same command's on the host.
#
#   runtime_test.sh CASE
#
# Environment (tests/runtimes/CMakeLists.txt): MKIMAGE, NANOS_RUN, KERNEL, SRC (this
# directory), WORK (scratch). Exit status 77 = skipped (the runtime is not installed).
set -euo pipefail

case_name=${1:?usage: runtime_test.sh CASE}
: "${MKIMAGE:?}" "${NANOS_RUN:?}" "${KERNEL:?}" "${SRC:?}" "${WORK:?}"
SRC=$(cd "$SRC" && pwd)
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)
work="$WORK/$case_name"
rm -rf "$work"
mkdir -p "$work/host"

fail() {
  echo "FAIL ($case_name): $*" >&2
  exit 1
}
skip() {
  echo "SKIPPED: $*"
  exit 77
}

program=""
program_args=()
packages=()
guest_files=()
memory=512M
timeout=240
extra=()
# BOOT_IMAGE=FILE: build with --kernel $KERNEL --boot FILE instead of the tool's defaults.
[[ -n ${BOOT_IMAGE:-} ]] && extra+=(--kernel "$KERNEL" --boot "$BOOT_IMAGE")
# RUNTIME_TRACE=1: the image logs every syscall (the manifest's trace flag), for bring-up.
[[ ${RUNTIME_TRACE:-0} == 1 ]] && extra+=(--trace t)

# stage FILE...: into the host's working directory and into /t of the image.
stage() {
  local f
  for f in "$@"; do
    cp "$f" "$work/host/"
    guest_files+=(--file "$f:/t/$(basename "$f")")
  done
}

build_image() {
  local args=() a p t0 t1
  for a in "${program_args[@]}"; do args+=(--arg "$a"); done
  for p in "${packages[@]}"; do args+=(--package "$p"); done
  t0=$(date +%s%N)
  "$MKIMAGE" build "$program" -o "$work/image.img" --program-path "$program" --cwd /t \
    "${args[@]}" "${guest_files[@]}" "${extra[@]}" --bom "$work/bom.json" \
    >"$work/mkimage.log" 2>&1 || { cat "$work/mkimage.log" >&2; fail "nanos-mkimage build failed"; }
  t1=$(date +%s%N)
  echo "image: $(du -h --apparent-size "$work/image.img" | cut -f1) built in $(((t1 - t0) / 1000000)) ms" \
    "from ${packages[*]:-no package (the program alone)}"
  [[ ! -s $work/mkimage.log ]] && return
  echo "---- nanos-mkimage said ----"
  cat "$work/mkimage.log"
}

host_run() {
  local status=0
  (cd "$work/host" && env -i "$program" "${program_args[@]}") >"$work/expected" \
    2>"$work/host-stderr" || status=$?
  echo "$status" >"$work/expected-status"
  [[ ! -s $work/host-stderr ]] || { cat "$work/host-stderr" >&2; fail "the host run wrote to stderr"; }
}

boot() {
  local status=0 t0 t1
  t0=$(date +%s%N)
  "$NANOS_RUN" "$work/image.img" --accel tcg --kernel "$KERNEL" --memory "$memory" \
    --timeout "$timeout" --quiet >"$work/console" 2>"$work/stderr" || status=$?
  t1=$(date +%s%N)
  echo "$status" >"$work/status"
  echo "boot (TCG) took $(((t1 - t0) / 1000000)) ms, status $status"
}

compare() {
  local want got ok=1
  want=$(cat "$work/expected-status")
  got=$(cat "$work/status")
  if ! cmp -s "$work/expected" "$work/console"; then
    ok=0
    echo "---- guest console differs from the host's output (diff expected guest) ----" >&2
    diff -a "$work/expected" "$work/console" | head -60 >&2 || true
  fi
  if [[ $want != "$got" ]]; then
    ok=0
    echo "exit status $got, expected $want (from the host run)" >&2
  fi
  if ((!ok)); then
    echo "---- guest stderr ----" >&2
    head -c 4000 "$work/stderr" >&2
    fail "output or status differs"
  fi
  echo "PASS $case_name: $(wc -l <"$work/console") lines identical to the host's, status $got"
}

# bom_sources WHAT MARK NAME...: each library NAME (file name NAME or NAME.*) is in the image
# and the BOM source of every copy contains MARK. WHAT names the rule in the messages.
bom_sources() {
  local what=$1 mark=$2
  shift 2
  python3 - "$work/bom.json" "$what" "$mark" "$@" <<'PY' || fail "libraries not brought by $what (see $work/bom.json)"
import json, sys
bom, what, mark, names = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
files = [f for f in json.load(open(bom))["files"] if f["kind"] == "file"]
ok = True
for name in names:
    base = lambda f: f["path"].rsplit("/", 1)[1]
    hits = [f for f in files if base(f) == name or base(f).startswith(name + ".")]
    if hits and all(mark in f["source"] for f in hits):
        print(what + ":", name, "<-", hits[0]["source"])
    else:
        print("not from " + what + ":", name, hits)
        ok = False
sys.exit(0 if ok else 1)
PY
}

# Checks of the BOM, set by the cases. closure_libraries: brought by the closure of the
# packages' ELF objects (the proof that no --library was needed: a plug-in needed them).
# libc_dlopens: brought because glibc dlopen()s them by name (libgcc_s.so.1: pthread_exit).
closure_libraries=()
libc_dlopens=()

case $case_name in
python | python-threadpool)
  # python-threadpool: multiprocessing.pool.ThreadPool needs POSIX semaphores (glibc's
  # sem_open() maps /dev/shm/sem.* MAP_SHARED), and its threads end through pthread_exit,
  # for which glibc dlopen()s libgcc_s.so.1 by name: the resolver adds it for libc.
  program=/usr/bin/python3.11
  [[ -x $program ]] || skip "python3.11 is not installed"
  packages=(python3.11)
  stage "$SRC/scripts/runtime.py"
  program_args=(runtime.py)
  [[ $case_name == python-threadpool ]] && program_args+=(threadpool)
  # (Debian's _decimal has libmpdec built in: nothing to resolve for it.)
  closure_libraries=(libssl.so.3 libcrypto.so.3 libsqlite3.so.0 libffi.so.8 liblzma.so.5)
  libc_dlopens=(libgcc_s.so.1)
  ;;
java)
  jdk=/usr/lib/jvm/java-17-openjdk-amd64
  program=$jdk/bin/java
  [[ -x $program ]] || skip "openjdk-17-jre-headless is not installed"
  command -v javac >/dev/null || skip "javac (openjdk-17-jdk-headless) is not installed"
  mkdir -p "$work/classes"
  javac -d "$work/classes" "$SRC/scripts/Runtime.java" || fail "javac failed"
  stage "$work/classes/Runtime.class"
  packages=(openjdk-17-jre-headless)
  # A small heap and the client compiler only: what a container would set, and TCG's pace.
  # The JVM's hsperfdata file needs flock() (ENOSYS before the kernel's flock: the JVM then
  # prints a warning the host run does not, and the comparison fails).
  program_args=(-Xmx128m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp . Runtime)
  memory=1G
  closure_libraries=(libstdc++.so.6)
  ;;
node)
  program=/usr/bin/node
  [[ -x $program ]] || skip "nodejs is not installed"
  packages=(nodejs)
  stage "$SRC/scripts/runtime.js"
  program_args=(runtime.js)
  memory=1G
  ;;
ruby)
  program=/usr/bin/ruby3.1
  [[ -x $program ]] || skip "ruby3.1 is not installed"
  # libruby3.1 holds the standard library and its C extensions (zlib.so, digest, openssl);
  # rubygems-integration the Debian defaults rubygems reads at start.
  packages=(ruby3.1 libruby3.1 rubygems-integration)
  stage "$SRC/scripts/runtime.rb"
  program_args=(runtime.rb)
  closure_libraries=(libssl.so.3)
  ;;
php)
  program=/usr/bin/php8.2
  [[ -x $program ]] || skip "php8.2-cli is not installed"
  # php8.2-common holds the shared extensions. The packages ship no php.ini (the maintainer
  # scripts create it and the conf.d links), so the image has none: the host runs with -n too,
  # and both load the same two extensions by name.
  # Debian builds PHP against the system's time zone database (tzdata), not a bundled one:
  # without it PHP warns at start that its default zone "UTC" is invalid.
  packages=(php8.2-cli php8.2-common tzdata)
  stage "$SRC/scripts/runtime.php"
  program_args=(-n -d extension=ffi -d extension=ctype -d ffi.enable=1 runtime.php)
  closure_libraries=(libffi.so.8)
  ;;
perl)
  program=/usr/bin/perl
  [[ -x $program ]] || skip "perl is not installed"
  [[ -f /usr/lib/x86_64-linux-gnu/perl5/5.36/JSON/XS.pm ]] || skip "libjson-xs-perl is not installed"
  # XS modules: List::Util (perl-base), Digest::MD5 (libperl5.36), JSON::XS with its pure-Perl
  # dependencies (Types::Serialiser, common::sense).
  packages=(perl-base libperl5.36 libjson-xs-perl libtypes-serialiser-perl libcommon-sense-perl)
  stage "$SRC/scripts/runtime.pl"
  program_args=(runtime.pl)
  ;;
go-static | go-cgo)
  command -v go >/dev/null || skip "golang-go is not installed"
  mkdir -p "$work/src"
  cp "$SRC/scripts/runtime.go" "$SRC/scripts/cgo_libc.go" "$SRC/scripts/nocgo_libc.go" "$work/src/"
  printf 'module runtimetest\n\ngo 1.19\n' >"$work/src/go.mod"
  program=$work/runtime-$case_name
  cgo=0
  [[ $case_name == go-cgo ]] && cgo=1
  (cd "$work/src" && env HOME="$work" GOCACHE="$WORK/go-cache" GOPATH="$work/gopath" GOPROXY=off \
    GOFLAGS=-mod=mod CGO_ENABLED=$cgo go build -o "$program" .) || fail "go build failed"
  if [[ $case_name == go-static ]]; then
    ! readelf -l "$program" | grep -q INTERP || fail "the static build has a PT_INTERP"
  else
    readelf -d "$program" | grep -q 'NEEDED.*libc.so.6' || fail "the cgo build does not use libc.so.6"
  fi
  stage "$SRC/scripts/runtime.go" # the working directory /t, with the program's source
  ;;
rust)
  # Debian's rustc (a rustup toolchain earlier in PATH would be another compiler).
  rustc=/usr/bin/rustc
  [[ -x $rustc ]] || skip "rustc is not installed"
  program=$work/runtime-rust
  "$rustc" -C opt-level=1 -o "$program" "$SRC/scripts/runtime.rs" || fail "rustc failed"
  stage "$SRC/scripts/runtime.rs" # the working directory /t, with the program's source
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac

build_image
((${#closure_libraries[@]} == 0)) || bom_sources "the plug-in closure" "needed by /" "${closure_libraries[@]}"
((${#libc_dlopens[@]} == 0)) || bom_sources "glibc's dlopen()s" "/libc.so.6: dlopen()ed by glibc" "${libc_dlopens[@]}"
host_run
boot
compare
