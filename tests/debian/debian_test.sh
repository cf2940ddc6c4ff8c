#!/usr/bin/env bash
# End-to-end proof that unmodified programs from Debian's packages run in the unikernel.
#
#   debian_test.sh CASE ACCEL
#
# Environment (set by tests/debian/CMakeLists.txt): MKIMAGE (nanos-mkimage), NANOS_RUN,
# KERNEL (kernel.img, booted by PVH so that the console carries nothing but the program's
# output), SRC (this directory), WORK (a scratch directory), GEN_INPUT (the 10 MB input
# generator).
#
# Each case builds an image straight from the installed Debian binary (/usr/bin/...) with
# nanos-mkimage, runs the same program with the same arguments, working directory and
# environment on the host to get the expected output and status, boots the image with
# nanos-run and compares the guest's console byte for byte and its exit status exactly.
# The expected values never come from the guest. Exit status 77 means "skipped" (KVM not
# usable here); anything else non-zero is a failure with the reason on stderr.
set -euo pipefail

case_name=${1:?usage: debian_test.sh CASE ACCEL}
accel=${2:?usage: debian_test.sh CASE ACCEL}
: "${MKIMAGE:?}" "${NANOS_RUN:?}" "${KERNEL:?}" "${SRC:?}" "${WORK:?}"
SRC=$(cd "$SRC" && pwd) # the cases cd around
mkdir -p "$WORK" && WORK=$(cd "$WORK" && pwd)

work="$WORK/$case_name.$accel"
rm -rf "$work"
mkdir -p "$work/host"

fail() {
  echo "FAIL ($case_name.$accel): $*" >&2
  exit 1
}

need_program() {
  [[ -x $1 ]] || fail "$1 is not installed (Debian package $2; run .ci/install-deps)"
}

if [[ $accel == kvm ]] &&
   ! "$NANOS_RUN" "$KERNEL" --dry-run --accel auto 2>/dev/null | grep -q -- ' -accel kvm '; then
  echo "SKIPPED: /dev/kvm is not usable"
  exit 77
fi

# The guest runs in /t, the host in $work/host: arguments are relative to the working
# directory so both print the same paths. stage FILE... copies files into both.
guest_files=()
stage() {
  local f
  for f in "$@"; do
    cp "$f" "$work/host/"
    guest_files+=(--file "$f:/t/$(basename "$f")")
  done
}

# set_env K=V...: the same environment for the guest (--env) and the host (env -i).
guest_env=()
host_env=()
set_env() {
  local kv
  for kv in "$@"; do
    guest_env+=(--env "$kv")
    host_env+=("$kv")
  done
}

program=""
program_args=()
extra_mkimage=()
# DEBIAN_TRACE=1: images log every syscall (the manifest's trace flag) -- for bring-up; the
# output then differs from the host's, so the comparison fails by design.
[[ ${DEBIAN_TRACE:-0} == 1 ]] && extra_mkimage+=(--trace t)
memory=256M
timeout=120

build_image() {
  local args=() a
  for a in "${program_args[@]}"; do
    args+=(--arg "$a")
  done
  "$MKIMAGE" build "$program" -o "$work/image.img" --program-path "$program" --cwd /t \
    "${args[@]}" "${guest_env[@]}" "${guest_files[@]}" "${extra_mkimage[@]}" \
    >"$work/mkimage.log" 2>&1 || { cat "$work/mkimage.log" >&2; fail "nanos-mkimage build failed"; }
}

host_run() {
  local status=0
  (cd "$work/host" && env -i "${host_env[@]}" "$program" "${program_args[@]}") \
    >"$work/expected" 2>"$work/host-stderr" || status=$?
  echo "$status" >"$work/expected-status"
  [[ ! -s $work/host-stderr ]] || { cat "$work/host-stderr" >&2; fail "the host run wrote to stderr"; }
}

# boot [NANOS_RUN_ARGS...]: runs the image, leaves console/status in $work. Cases that
# write files boot with --persist so that the image keeps what the program wrote.
boot() {
  local status=0 t0 t1
  t0=$(date +%s%N)
  "$NANOS_RUN" "$work/image.img" --accel "$accel" --kernel "$KERNEL" --memory "$memory" \
    --timeout "$timeout" --quiet "$@" >"$work/console" 2>"$work/stderr" || status=$?
  t1=$(date +%s%N)
  echo "$status" >"$work/status"
  echo "boot took $(((t1 - t0) / 1000000)) ms, status $status"
}

# compare: the guest console must equal the host's stdout byte for byte and the statuses
# must be equal.
compare() {
  local want got
  want=$(cat "$work/expected-status")
  got=$(cat "$work/status")
  local ok=1
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
    cat "$work/stderr" >&2
    fail "output or status differs"
  fi
  echo "PASS $case_name.$accel: $(wc -c <"$work/console") bytes of output identical to the host's, status $got"
}

# guest_file GUEST_PATH OUT: the file as the guest left it in the (persisted) image.
guest_file() {
  "$MKIMAGE" cat "$work/image.img" "$1" >"$2" 2>"$work/cat-stderr" ||
    { cat "$work/cat-stderr" >&2; fail "$1 is not in the image after the boot"; }
}

# same_file WHAT GUEST_COPY HOST_FILE: byte-identical or a failure.
same_file() {
  cmp "$2" "$3" >&2 || fail "$1: the guest's file differs from the host's"
  echo "PASS $case_name.$accel: $1 identical to the host's ($(wc -c <"$3") bytes)"
}

# map_python_modules SCRIPT: the stdlib modules SCRIPT uses, unmodified, at their own paths,
# with unchecked-hash pycs (python_modules.py says why): the host's python runs the same
# script once and lists what it imported. Extension modules bring their libraries (NEEDED).
map_python_modules() {
  local script=$1 module pyc lib
  mkdir -p "$work/modules"
  cp "$SRC/scripts/$script" "$work/modules/"
  (cd "$work/modules" && env -i "$program" "$SRC/python_modules.py" "$work/modules" "$script" \
    >/dev/null) || true
  [[ -s $work/modules/modules.txt ]] || fail "could not list the script's modules on the host"
  while read -r module; do
    extra_mkimage+=(--file "$module:$module")
    if [[ $module == *.py ]]; then
      pyc=$(dirname "$module")/__pycache__/$(basename "$module" .py).cpython-311.pyc
      extra_mkimage+=(--file "$work/modules/pyc$pyc:$pyc")
    else
      for lib in $(readelf -d "$module" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        [[ $lib == libc.so.6 ]] || extra_mkimage+=(--library "$lib")
      done
    fi
  done <"$work/modules/modules.txt"
  echo "python: $(wc -l <"$work/modules/modules.txt") stdlib modules mapped in"
}

case $case_name in
lua)
  program=/usr/bin/lua5.4
  need_program "$program" lua5.4
  stage "$SRC/scripts/program.lua" "$SRC/scripts/input.txt"
  set_env GREETING=hello-from-lua
  program_args=(program.lua input.txt 5)
  build_image
  host_run
  boot
  compare
  ;;
perl)
  program=/usr/bin/perl
  need_program "$program" perl
  stage "$SRC/scripts/program.pl" "$SRC/scripts/input.txt"
  set_env GREETING=hello-from-perl
  program_args=(program.pl input.txt 4)
  # The modules the script loads (from perl-base, and Digest::MD5 from perl), unmodified at
  # their own paths: the host's perl runs the same script once and lists %INC and the XS
  # objects DynaLoader loaded (perl-base's 700 files would cost ~6 s of directory decoding
  # per boot under kvm-pvm).
  mkdir -p "$work/modules"
  cp "$SRC/scripts/program.pl" "$SRC/scripts/input.txt" "$work/modules/"
  (cd "$work/modules" && env -i "${host_env[@]}" "$program" -e '
END {
  open my $out, ">", "modules.txt" or die "modules.txt: $!";
  print $out "$_\n" for grep { m{^/usr/lib/} } values %INC;
  print $out "$_\n" for @DynaLoader::dl_shared_objects;
}
do "./program.pl"; die $@ if $@;' "${program_args[@]:1}" >/dev/null) || true
  [[ -s $work/modules/modules.txt ]] || fail "could not list the script's modules on the host"
  while read -r module; do
    extra_mkimage+=(--file "$module:$module")
  done <"$work/modules/modules.txt"
  echo "perl: $(wc -l <"$work/modules/modules.txt") module files mapped in"
  build_image
  host_run
  boot
  compare
  ;;
python)
  # threading (4 threads, a barrier, sleeps), json, hashlib, time.sleep, and a file written
  # and read back in the working directory.
  program=/usr/bin/python3.11
  need_program "$program" python3.11
  stage "$SRC/scripts/program.py"
  program_args=(program.py)
  memory=512M
  map_python_modules program.py
  build_image
  host_run
  boot --persist
  compare
  guest_file /t/result.json "$work/guest-result.json"
  same_file /t/result.json "$work/guest-result.json" "$work/host/result.json"
  ;;
python-sockets)
  # Python's socket module over the loopback interface (AF_INET TCP and UDP, threads,
  # timeouts, a refused connection): scripts/sockets.py.
  program=/usr/bin/python3.11
  need_program "$program" python3.11
  stage "$SRC/scripts/sockets.py"
  program_args=(sockets.py)
  memory=512M
  map_python_modules sockets.py
  build_image
  host_run
  boot
  compare
  ;;
python-http-server)
  # Unmodified `python3.11 -m http.server` serving /t, reached through nanos-run -p: the
  # directory listing names the staged file and GET returns it byte for byte.
  program=/usr/bin/python3.11
  need_program "$program" python3.11
  command -v curl >/dev/null || fail "curl is not installed (.ci/install-deps)"
  source "$SRC/../net/lib.sh"
  stage "$SRC/scripts/input.txt"
  program_args=(-m http.server 8080)
  memory=512M
  map_python_modules http_server_imports.py
  build_image
  port=$(free_port)
  "$NANOS_RUN" "$work/image.img" --accel "$accel" --kernel "$KERNEL" --memory "$memory" \
    --timeout "$timeout" --quiet -p "$port:8080" >"$work/console" 2>&1 &
  vm=$!
  wait_http "http://127.0.0.1:$port/" 100 "$vm" "$work/console" || fail "http.server did not answer"
  listing=$(curl -sS --max-time 30 "http://127.0.0.1:$port/") || { stop_vm "$vm"; fail "GET / failed"; }
  curl -sS --max-time 30 -o "$work/fetched.txt" "http://127.0.0.1:$port/input.txt" ||
    { stop_vm "$vm"; fail "GET /input.txt failed"; }
  stop_vm "$vm"
  [[ $listing == *'href="input.txt"'* ]] || fail "the directory listing does not name input.txt: $listing"
  cmp "$work/fetched.txt" "$SRC/scripts/input.txt" >&2 || fail "GET /input.txt differs from the file"
  grep -q '"GET /input.txt HTTP/1.1" 200' "$work/console" || fail "the server's log line is missing"
  echo "PASS $case_name.$accel: the listing names input.txt, the file came back identical"
  ;;
redis-server)
  # Unmodified redis-server (Debian's redis-server package) with scripts/redis.conf (no
  # persistence, no protected mode), reached through nanos-run -p by the host's redis-cli: SET/GET of a short
  # string, a 266 KB value back byte for byte, 100 pipelined INCRs, DBSIZE, then SHUTDOWN
  # NOSAVE, after which the program exits 0 and so does nanos-run. The expected answers are
  # the test's own values, never read from the guest first.
  program=/usr/bin/redis-server
  need_program "$program" redis-server
  command -v redis-cli >/dev/null || fail "redis-cli is not installed (Debian package redis-tools)"
  source "$SRC/../net/lib.sh"
  stage "$SRC/scripts/redis.conf"
  program_args=(redis.conf)
  build_image
  port=$(free_port)
  "$NANOS_RUN" "$work/image.img" --accel "$accel" --kernel "$KERNEL" --memory "$memory" \
    --timeout "$timeout" --quiet -p "$port:6379" >"$work/console" 2>&1 &
  vm=$!
  cli() { timeout 30 redis-cli -p "$port" "$@"; }
  # QEMU accepts forwarded connections before the guest listens: only PONG counts.
  deadline=$((SECONDS + 100))
  until [[ $(timeout 5 redis-cli -p "$port" PING 2>/dev/null) == PONG ]]; do
    kill -0 "$vm" 2>/dev/null || { cat "$work/console" >&2; fail "redis-server exited before answering"; }
    ((SECONDS < deadline)) || { stop_vm "$vm"; cat "$work/console" >&2; fail "redis-server did not answer PING"; }
    sleep 0.5
  done
  check() { # WHAT GOT WANT
    [[ $2 == "$3" ]] || { stop_vm "$vm"; cat "$work/console" >&2; fail "$1: got '$2', expected '$3'"; }
  }
  check "SET" "$(cli SET greeting 'hello from a unikernel')" OK
  check "GET" "$(cli GET greeting)" "hello from a unikernel"
  head -c 200000 /dev/urandom | base64 -w0 >"$work/value"
  check "SET of $(wc -c <"$work/value") bytes" "$(cli -x SET big <"$work/value")" OK
  cli --raw GET big | head -c -1 >"$work/value.back" # --raw adds a newline
  cmp "$work/value" "$work/value.back" >&2 || { stop_vm "$vm"; fail "GET big differs from the value SET"; }
  check "100 pipelined INCRs" "$(for _ in $(seq 100); do echo "INCR counter"; done | cli | tail -1)" 100
  check "DBSIZE" "$(cli DBSIZE)" 3
  cli SHUTDOWN NOSAVE >/dev/null 2>&1 || true # the connection closes without an answer
  status=0
  deadline=$((SECONDS + 60))
  while kill -0 "$vm" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  kill -0 "$vm" 2>/dev/null && { stop_vm "$vm"; fail "redis-server still runs 60 s after SHUTDOWN"; }
  wait "$vm" || status=$?
  [[ $status == 0 ]] || { cat "$work/console" >&2; fail "nanos-run returned $status after SHUTDOWN"; }
  grep -q 'Ready to accept connections' "$work/console" || fail "redis-server's log lacks its ready line"
  echo "PASS $case_name.$accel: SET/GET, a $(wc -c <"$work/value")-byte value intact, INCR, DBSIZE, SHUTDOWN exit 0"
  ;;
sqlite)
  # A database file created in the image: 10 000 INSERTs in one transaction, then
  # aggregates. Afterwards the host's sqlite3 opens the guest's database file: it must pass
  # integrity_check and hold the same rows as the database the host run made.
  program=/usr/bin/sqlite3
  need_program "$program" sqlite3
  {
    echo "CREATE TABLE item(id INTEGER PRIMARY KEY, name TEXT NOT NULL, category INTEGER, value INTEGER);"
    echo "BEGIN;"
    awk 'BEGIN { for (i = 1; i <= 10000; i++)
      printf "INSERT INTO item(name, category, value) VALUES (%c%s-%05d%c, %d, %d);\n", 39,
        (i % 3 ? "part" : "tool"), i, 39, i % 7, (i * 7919) % 10007 }'
    echo "COMMIT;"
    cat "$SRC/scripts/queries.sql"
  } >"$work/program.sql"
  stage "$work/program.sql"
  program_args=(-bail test.db ".read program.sql")
  build_image
  host_run
  boot --persist
  compare
  guest_file /t/test.db "$work/guest.db"
  check_db='PRAGMA integrity_check; SELECT count(*), sum(value), group_concat(name, "") FROM item;'
  "$program" "$work/guest.db" "$check_db" | sha256sum >"$work/guest-db.sum"
  "$program" "$work/host/test.db" "$check_db" | sha256sum >"$work/host-db.sum"
  same_file "rows of /t/test.db read by the host's sqlite3" "$work/guest-db.sum" "$work/host-db.sum"
  ;;
gzip)
  # gzip compresses a 10 MiB file (generated at test time) in the image. Checked: the guest's
  # input.dat.gz is byte-identical to the host's (so its CRC-32 and length trailer are
  # too), and a second boot runs gzip -tv on the guest's file (decompresses it and checks the
  # CRC), with the host's gzip -tv output as the expectation.
  program=/usr/bin/gzip
  need_program "$program" gzip
  "${GEN_INPUT:?}" "$work/input.dat"
  stage "$work/input.dat"
  program_args=(-k -n -6 input.dat)
  build_image
  host_run
  boot --persist
  compare
  guest_file /t/input.dat.gz "$work/guest-input.dat.gz"
  same_file /t/input.dat.gz "$work/guest-input.dat.gz" "$work/host/input.dat.gz"
  echo "gzip trailer: CRC-32 $(tail -c 8 "$work/host/input.dat.gz" | od -An -tx4 | awk '{print $1}')"
  # Second boot: test the guest's file. gzip -tv reports on stderr: merge it on the host.
  rm -f "$work/host/input.dat"
  guest_files=(--file "$work/guest-input.dat.gz:/t/input.dat.gz")
  program_args=(-tv input.dat.gz)
  build_image
  (cd "$work/host" && env -i "$program" "${program_args[@]}") >"$work/expected" 2>&1 &&
    echo 0 >"$work/expected-status" || echo $? >"$work/expected-status"
  boot
  compare
  ;;
*)
  fail "unknown case $case_name"
  ;;
esac
