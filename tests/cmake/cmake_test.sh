#!/usr/bin/env bash
# CMake integration tests, each on a fresh copy of tests/cmake/consumer:
#   cmake_test.sh CMAKE BUILD_DIR SOURCE_DIR WORK_DIR CASE
# install       cmake --install to a temp prefix, then configure + build the consumer there
# build-tree    the consumer finds the build tree through Unikernel_DIR (Ninja and Makefiles)
# depfile-ninja / depfile-make   touching a mapped file rebuilds the image; nothing else does
# test-script   add_unikernel_test's checker passes and fails as it should (boot sector)
# toolchain     toolchain/unikernel-app.cmake + UNIKERNEL_SYSROOT
# subdirectory  add_subdirectory() of this source tree (configure + ninja -n)
# run-exit      run-<name> fails when the guest's status is not 0 (QEMU stand-in via
#               NANOS_RUN_QEMU), passes the declared run defaults and UNIKERNEL_RUN_ARGS
# network       IPADDR/NETMASK/GATEWAY/NAMESERVERS reach the manifest, NET reaches run-<name>;
#               bad values fail at configure time with one line naming the option
set -uo pipefail
cmake=$1 build=$2 src=$3 work=$4 case=$5
work=$work/$case
rm -rf "$work" && mkdir -p "$work"
fail() { echo "FAIL [$case]: $*" >&2; exit 1; }
log=$work/log.txt

cp -r "$src/consumer" "$work/src"
cp -r "$src/subproject" "$work/subproject"
configure() {  # configure GENERATOR ARGS...
  local gen=$1; shift
  "$cmake" -S "$work/src" -B "$work/b" -G "$gen" "$@" >"$log" 2>&1 || { cat "$log"; fail "configure failed"; }
}
build() {
  "$cmake" --build "$work/b" "$@" >"$log" 2>&1 || { cat "$log"; fail "build $* failed"; }
}
check_image() {
  [[ -s $work/b/app.img ]] || fail "app.img was not built"
  "$build/bin/nanos-mkimage" verify "$work/b/app.img" >"$work/verify.txt" 2>&1 ||
    { cat "$work/verify.txt"; fail "nanos-mkimage verify failed on the consumer's image"; }
  # Small files are stored verbatim in the image's file system.
  grep -aq "mapped file, version" "$work/b/app.img" || fail "the mapped file is not in the image"
  grep -q "$work/src/mapped.txt" "$work/b/app.img.d" || fail "the depfile does not list the mapped file"
}
mtime() { stat -c %Y.%y "$1"; }

case $case in
  install)
    prefix=$work/prefix
    "$cmake" --install "$build" --prefix "$prefix" >"$log" 2>&1 || { cat "$log"; fail "install failed"; }
    for f in bin/nanos-mkimage bin/nanos-run share/nanos-unikernel/kernel.img \
      share/nanos-unikernel/boot.img lib/cmake/Unikernel/UnikernelConfig.cmake \
      lib/cmake/Unikernel/AddUnikernel.cmake lib/cmake/Unikernel/unikernel-app.cmake; do
      [[ -e $prefix/$f ]] || fail "$f not installed"
    done
    configure Ninja -DCMAKE_PREFIX_PATH="$prefix"
    grep -q "$prefix/bin/nanos-mkimage" "$work/b/build.ninja" || fail "the consumer does not use the installed nanos-mkimage"
    build
    check_image
    build --target print-image
    grep -q "image=$work/b/app.img" "$log" || { cat "$log"; fail "generator expression"; }
    ;;
  build-tree)
    for gen in Ninja "Unix Makefiles"; do
      rm -rf "$work/b"
      configure "$gen" -DUnikernel_DIR="$build/lib/cmake/Unikernel"
      build
      check_image
      [[ ! -e $work/b/made-here.img ]] || fail "NO_ALL image built by all"
      build --target made-here-image
      [[ -s $work/b/made-here.img ]] || fail "made-here-image did not build the SOURCES form"
    done
    ;;
  depfile-ninja | depfile-make)
    gen=Ninja
    [[ $case == depfile-make ]] && gen="Unix Makefiles"
    configure "$gen" -DUnikernel_DIR="$build/lib/cmake/Unikernel"
    build
    check_image
    before=$(mtime "$work/b/app.img")
    if [[ $gen == Ninja ]]; then
      ninja -C "$work/b" -n >"$log" 2>&1
      grep -q "no work to do" "$log" || { cat "$log"; fail "a no-op build has work to do"; }
    else
      build
      [[ $(mtime "$work/b/app.img") == "$before" ]] || fail "a no-op build rebuilt the image"
    fi
    sleep 1.1   # coarse file systems: make the touch observable
    for touched in mapped.txt assets/asset.txt; do
      touch "$work/src/$touched"
      if [[ $gen == Ninja ]]; then
        ninja -C "$work/b" -n >"$log" 2>&1
        grep -q "Building unikernel image app.img" "$log" || { cat "$log"; fail "touching $touched does not rebuild app.img"; }
        grep -q "made-here" "$log" && fail "touching $touched rebuilds unrelated targets"
      fi
      build
      after=$(mtime "$work/b/app.img")
      [[ $after != "$before" ]] || fail "touching $touched did not rebuild app.img"
      before=$after
      sleep 1.1
    done
    # Changing the mapped file's content reaches the image.
    echo "mapped file, version 2" >"$work/src/mapped.txt"
    build
    grep -aq "mapped file, version 2" "$work/b/app.img" || fail "the image has the old file"
    ;;
  run-exit)
    # A QEMU stand-in: records its argv and exits like QEMU does when the guest wrote
    # FAKE_GUEST_STATUS to isa-debug-exit.
    cat >"$work/fake-qemu" <<'FAKE'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGV_FILE"
echo "fake guest console"
exit $(( (FAKE_GUEST_STATUS << 1) | 1 ))
FAKE
    chmod +x "$work/fake-qemu"
    configure Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" "-DUNIKERNEL_RUN_ARGS=--accel;tcg"
    build
    export NANOS_RUN_QEMU=$work/fake-qemu FAKE_ARGV_FILE=$work/argv.txt
    FAKE_GUEST_STATUS=3 "$cmake" --build "$work/b" --target run-app >"$log" 2>&1 &&
      { cat "$log"; fail "run-app succeeded although the guest exited 3"; }
    grep -q "fake guest console" "$log" || { cat "$log"; fail "console not shown"; }
    FAKE_GUEST_STATUS=0 "$cmake" --build "$work/b" --target run-app >"$log" 2>&1 ||
      { cat "$log"; fail "run-app failed although the guest exited 0"; }
    tr '\n' ' ' <"$work/argv.txt" >"$work/argv1.txt"
    for want in "-m 96M" "-smp 2" "hostfwd=tcp::8080-:80" "-accel tcg" "file=$work/b/app.img,"; do
      grep -qF -- "$want" "$work/argv1.txt" || fail "QEMU argv lacks '$want': $(cat "$work/argv1.txt")"
    done
    ;;
  network)
    # A project of its own: NET_ARGS (a ;-list) is spliced into add_unikernel().
    mkdir -p "$work/net"
    cp "$work/src/app.c" "$work/net/"
    cat >"$work/net/CMakeLists.txt" <<'CML'
cmake_minimum_required(VERSION 3.25)
project(net_consumer C)
find_package(Unikernel REQUIRED)
add_unikernel(app SOURCES app.c ${NET_ARGS})
CML
    netconf() {  # netconf DIR NET_ARGS: configure into $work/DIR
      "$cmake" -S "$work/net" -B "$work/$1" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" \
        "-DNET_ARGS=$2" >"$log" 2>&1
    }
    netconf ok "IPADDR;192.168.9.20;NETMASK;255.255.255.0;GATEWAY;192.168.9.1;NAMESERVERS;192.168.9.53;9.9.9.9;NET;none" ||
      { cat "$log"; fail "configure with a valid network configuration failed"; }
    "$cmake" --build "$work/ok" >"$log" 2>&1 || { cat "$log"; fail "build failed"; }
    manifest=$("$build/bin/nanos-mkimage" manifest "$work/ok/app.img")
    for want in gateway:192.168.9.1 ipaddr:192.168.9.20 netmask:255.255.255.0 \
      'nameservers:[192.168.9.53 9.9.9.9]'; do
      [[ $manifest == *"$want"* ]] || fail "manifest lacks $want: $manifest"
    done
    cat >"$work/fake-qemu" <<'FAKE'
#!/bin/sh
printf '%s\n' "$@" >"$FAKE_ARGV_FILE"
exit 1
FAKE
    chmod +x "$work/fake-qemu"
    NANOS_RUN_QEMU=$work/fake-qemu FAKE_ARGV_FILE=$work/argv.txt \
      "$cmake" --build "$work/ok" --target run-app >"$log" 2>&1 || { cat "$log"; fail "run-app failed"; }
    grep -q -- '^-drive$' "$work/argv.txt" || fail "the QEMU stand-in did not run: $(cat "$log")"
    grep -q -- 'netdev' "$work/argv.txt" && fail "NET none still gave QEMU a NIC: $(cat "$work/argv.txt")"
    bad() {  # bad NET_ARGS EXPECTED-TEXT: configure fails with one line holding the text
      netconf bad "$1" && fail "configure accepted NET_ARGS=$1"
      # CMake wraps a long message over several indented lines: compare it as one.
      tr -s ' \n' '  ' <"$log" | grep -qF -- "$2" || { cat "$log"; fail "no '$2' in the error for NET_ARGS=$1"; }
      rm -rf "$work/bad"
    }
    bad "IPADDR;10.0.2.300" "add_unikernel(app): IPADDR '10.0.2.300': not an IPv4 address"
    bad "IPADDR;10.0.2.15;NETMASK;255.0.255.0" "NETMASK '255.0.255.0': not a netmask"
    bad "IPADDR;10.0.2.15;GATEWAY;10.0.3.1" "GATEWAY '10.0.3.1' is not reachable from IPADDR 10.0.2.15"
    bad "GATEWAY;10.0.2.2" "NETMASK and GATEWAY need IPADDR"
    bad "NAMESERVERS;1.1.1.1;1.0.0.1;8.8.8.8;8.8.4.4" "NAMESERVERS: at most 3 servers"
    bad "NAMESERVERS;dns.example" "NAMESERVERS 'dns.example': not an IPv4 address"
    bad "NET;bridge" "NET 'bridge': expected user, tap:IFNAME or none"
    bad "NET;tap:" "NET 'tap:': expected user, tap:IFNAME or none"
    bad "NET;none;PORTS;8080:80" "PORTS need NET user"
    ;;
  test-script)
    # add_unikernel_test's checker (UnikernelRunTest.cmake) against the runner's test boot
    # sector, which prints one line and exits 3: right expectations pass, wrong ones fail.
    as --defsym EXIT_CODE=3 "$src/../runner/bootsector.S" -o "$work/s.o" &&
      ld -Ttext=0x7c00 --oformat binary "$work/s.o" -o "$work/s.img" && truncate -s 1M "$work/s.img" ||
      fail "cannot assemble the boot sector"
    check() {  # check WANT(pass|fail) EXIT TEXT REGEX [RUN_ARGS]
      printf '%s' "$3" >"$work/expect"
      printf '%s' "$4" >"$work/regex"
      "$cmake" -DNANOS_RUN="$build/bin/nanos-run" -DIMAGE="$work/s.img" \
        "-DRUN_ARGS=--quiet;--timeout;30;${5:---accel;tcg}" -DEXPECT_FILE="$work/expect" \
        -DEXPECT_REGEX_FILE="$work/regex" -DEXPECT_EXIT="$2" \
        -P "$build/lib/cmake/Unikernel/UnikernelRunTest.cmake" >"$log" 2>&1
      local status=$?
      if [[ $1 == pass && $status -ne 0 ]] || [[ $1 == fail && $status -eq 0 ]]; then
        cat "$log"; fail "expected $1 for exit=$2 text='$3' regex='$4'"
      fi
    }
    check pass 3 "test sector says hello" ""
    check pass 3 "" "sector says"
    check fail 0 "test sector says hello" ""           # wrong status
    check fail 3 "test sector says" ""                 # not a whole line
    check fail 3 "another line" ""
    check fail 3 "" "^nothing like this"
    check pass 3 "test sector says hello" "" "--accel;kvm"   # passes, or reports a skip
    ;;
  toolchain)
    # The app toolchain file with the host root as the sysroot: clang for x86_64-linux-gnu,
    # and add_unikernel passes UNIKERNEL_SYSROOT to nanos-mkimage --sysroot.
    configure Ninja -DCMAKE_TOOLCHAIN_FILE="$build/lib/cmake/Unikernel/unikernel-app.cmake" \
      -DUNIKERNEL_SYSROOT=/ -DUnikernel_DIR="$build/lib/cmake/Unikernel"
    grep -q 'set(CMAKE_C_COMPILER ".*clang")' "$work"/b/CMakeFiles/*/CMakeCCompiler.cmake ||
      fail "the toolchain file did not select clang"
    grep -q -- "--sysroot /" "$work/b/build.ninja" || fail "nanos-mkimage does not get --sysroot"
    build
    check_image
    ;;
  subdirectory)
    # Configure only, then a dry run: building nanos-mkimage and the kernel from scratch
    # would take minutes. The plan must build the tool and the kernel, then the image.
    cp -r "$src/consumer" "$work/consumer"
    "$cmake" -S "$work/subproject" -B "$work/b" -G Ninja \
      -DNANOS_UNIKERNEL_SOURCE_DIR="$(cd "$src/../.." && pwd)" >"$log" 2>&1 ||
      { cat "$log"; fail "configure failed"; }
    grep -q "sample" "$work/b/build.ninja" && fail "samples were configured although UNIKERNEL_BUILD_SAMPLES=OFF"
    ninja -C "$work/b" -n app-image >"$log" 2>&1 || { cat "$log"; fail "ninja -n failed"; }
    for step in "Linking CXX executable nanos-unikernel/bin/nanos-mkimage" \
      "Performing build step for 'kernel_image'" "Building unikernel image app.img"; do
      grep -qF "$step" "$log" || { cat "$log"; fail "the plan lacks: $step"; }
    done
    # The image is built after the tool and the kernel.
    tool=$(grep -nF "nanos-unikernel/bin/nanos-mkimage" "$log" | head -1 | cut -d: -f1)
    image=$(grep -nF "Building unikernel image app.img" "$log" | cut -d: -f1)
    (( tool < image )) || fail "the image is built before nanos-mkimage"
    ;;
  *) fail "unknown case" ;;
esac
rm -rf "$work"
echo "PASS [$case]"
