#!/usr/bin/env bash
# CMake integration tests, each on a fresh copy of tests/cmake/consumer:
#   cmake_test.sh CMAKE BUILD_DIR SOURCE_DIR WORK_DIR CASE
# install       cmake --install to a temp prefix, then configure + build the consumer there
# build-tree    the consumer finds the build tree through Unikernel_DIR (Ninja and Makefiles)
# depfile-ninja / depfile-make   touching a mapped file rebuilds the image; nothing else does
# test-script   add_unikernel_test's checker passes and fails as it should (boot sector)
# toolchain     toolchain/unikernel-app.cmake + UNIKERNEL_SYSROOT
# subdirectory  add_subdirectory() of this source tree (configure + ninja -n)
# run-exit      run-<name> fails when the guest's status is not RUN_EXPECT_EXIT (default 0)
#               with one line naming it (QEMU stand-in via NANOS_RUN_QEMU), passes the
#               declared run defaults, UNIKERNEL_RUN_ARGS (cache) and $UNIKERNEL_RUN_ARGS
#               (environment, shell words); Ninja and Unix Makefiles
# validation    bad MEMORY/CPUS/PORTS/FILES/DIRS/RUN_EXPECT_EXIT stop the configure with one
#               line naming the value; CPUS 2 warns; generated FILES pass
# testing       add_unikernel_test without enable_testing() warns once per directory; with it
#               (also after the tests) no warning and ctest sees the tests; the examples of
#               README.md, docs/getting-started.md and docs/cmake.md configure and build as
#               pasted, and getting-started's test boots and passes
# package       cpack -G DEB from the build tree: dpkg-deb shows the fields, the files under
#               /usr only, no maintainer scripts; extracted into a scratch root, a consumer
#               project configures and builds against it
# tools-preset  `cmake --preset tools` configures without tests, samples or GTest
# release-preset  `cmake --preset release` configures the samples without tests or GTest, each
#               with an artifact target for every format (UNIKERNEL_FORMATS)
# formats-option  UNIKERNEL_FORMATS=qcow2;gce adds those artifacts to every add_unikernel
#               (built with the image, beside it); an unknown format fails the configure
# generated-ninja / generated-make   FILES naming add_custom_command outputs (declared before
#               or after add_unikernel) are built before the image; DEPENDS runs a target first
# debug         debug-<name> builds <name>-debug.img with noaslr and runs gdb through
#               nanos-run --gdb-attach, in batch mode from $UNIKERNEL_RUN_ARGS: a stop at
#               main with a backtrace, the libraries listed
# run-xen       UNIKERNEL_HYPERVISOR=xen: run-<name> drives (stand-ins for) xl and
#               xenstore-read through nanos-run --hypervisor xen; other values are refused
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
    export NANOS_RUN_QEMU=$work/fake-qemu FAKE_ARGV_FILE=$work/argv.txt
    run_target() {  # run_target pass|fail STATUS TARGET
      local want=$1 status=$2 target=$3
      rm -f "$work/argv.txt"
      if FAKE_GUEST_STATUS=$status "$cmake" --build "$work/b" --target "$target" >"$log" 2>&1; then
        [[ $want == pass ]] || { cat "$log"; fail "[$gen] $target succeeded although the guest exited $status"; }
      else
        [[ $want == fail ]] || { cat "$log"; fail "[$gen] $target failed although the guest exited $status"; }
      fi
      grep -q "fake guest console" "$log" || { cat "$log"; fail "[$gen] console not shown"; }
      tr '\n' ' ' <"$work/argv.txt" >"$work/argv1.txt"
    }
    for gen in Ninja "Unix Makefiles"; do
      rm -rf "$work/b"
      configure "$gen" -DUnikernel_DIR="$build/lib/cmake/Unikernel" "-DUNIKERNEL_RUN_ARGS=--accel;tcg"
      build
      unset UNIKERNEL_RUN_ARGS
      # Not the expected status: one line with the status (the build tool's own lines never
      # name it), and no "CMake Error" block around it.
      run_target fail 3 run-app
      grep -qx "run-app: app.img ended with exit status 3, expected 0 (statuses: docs/nanos-run.md)" "$log" ||
        { cat "$log"; fail "[$gen] no status line"; }
      ! grep -q "CMake Error" "$log" || { cat "$log"; fail "[$gen] a CMake Error block"; }
      run_target pass 0 run-app
      ! grep -q "ended with" "$log" || { cat "$log"; fail "[$gen] a status line although the status was expected"; }
      for want in "-m 96M" "-smp 2" "hostfwd=tcp::8080-:80" "-accel tcg" "file=$work/b/app.img,"; do
        grep -qF -- "$want" "$work/argv1.txt" || fail "[$gen] QEMU argv lacks '$want': $(cat "$work/argv1.txt")"
      done
      # RUN_EXPECT_EXIT 3: 3 passes, 0 fails naming both.
      run_target pass 3 run-exits-3
      run_target fail 0 run-exits-3
      grep -qx "run-exits-3: exits-3.img ended with exit status 0, expected 3 (statuses: docs/nanos-run.md)" "$log" ||
        { cat "$log"; fail "[$gen] no status line for RUN_EXPECT_EXIT 3"; }
      # Runner arguments from the environment at build time, split like a shell: they come
      # after the declared ones (the last --memory wins) and quoted words stay one argument.
      UNIKERNEL_RUN_ARGS="--memory 128M --machine pc -- -name 'two words'" run_target pass 0 run-app
      for want in "-m 128M" "-machine pc" "-accel tcg" "-name two words "; do
        grep -qF -- "$want" "$work/argv1.txt" || fail "[$gen] \$UNIKERNEL_RUN_ARGS: QEMU argv lacks '$want': $(cat "$work/argv1.txt")"
      done
      grep -qx "two words" "$work/argv.txt" || fail "[$gen] 'two words' was split: $(cat "$work/argv1.txt")"
      # A bad environment argument is nanos-run's usage error (125), named in the status line.
      UNIKERNEL_RUN_ARGS="--memory 1M" FAKE_GUEST_STATUS=0 "$cmake" --build "$work/b" --target run-app >"$log" 2>&1 &&
        { cat "$log"; fail "[$gen] --memory 1M from the environment was accepted"; }
      grep -q "the guest needs at least 16M" "$log" && grep -q "ended with exit status 125" "$log" ||
        { cat "$log"; fail "[$gen] --memory 1M: no minimum or no status line"; }
    done
    ;;
  run-xen)
    # UNIKERNEL_HYPERVISOR=xen: run-<name> runs nanos-run --hypervisor xen with the image's
    # kernel; stand-ins for xl (create -F -c / destroy) and xenstore-read give the status.
    mkdir -p "$work/bin"
    cat >"$work/bin/xl" <<'FAKE'
#!/bin/sh
case $1 in
create)
  printf '%s\n' "$@" >"$FAKE_ARGV_FILE"; cp "$4" "$FAKE_CONFIG"
  echo "fake guest console"
  echo "Domain 9 has shut down, reason code 0 0x0" >&2
  while [ ! -f "$FAKE_CONFIG.destroyed" ]; do sleep 0.1; done ;;
destroy) touch "$FAKE_CONFIG.destroyed" ;;
esac
FAKE
    printf '#!/bin/sh\necho "$FAKE_GUEST_STATUS"\n' >"$work/bin/xenstore-read"
    chmod +x "$work/bin/xl" "$work/bin/xenstore-read"
    export PATH=$work/bin:$PATH NANOS_RUN_XL=$work/bin/xl FAKE_ARGV_FILE=$work/argv.txt \
      FAKE_CONFIG=$work/xl.cfg
    rm -rf "$work/b"
    configure Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" -DUNIKERNEL_HYPERVISOR=xen
    build
    for status in 0 3; do
      rm -f "$work/xl.cfg.destroyed"
      if FAKE_GUEST_STATUS=$status "$cmake" --build "$work/b" --target run-app >"$log" 2>&1; then
        [[ $status == 0 ]] || { cat "$log"; fail "run-app passed although the guest exited $status"; }
      else
        [[ $status == 3 ]] || { cat "$log"; fail "run-app failed although the guest exited 0"; }
        grep -qx "run-app: app.img ended with exit status 3, expected 0 (statuses: docs/nanos-run.md)" "$log" ||
          { cat "$log"; fail "no status line"; }
      fi
      grep -q "fake guest console" "$log" || { cat "$log"; fail "console not shown"; }
      [[ -f $work/xl.cfg.destroyed ]] || fail "the domain was not destroyed"
    done
    grep -qx -- "-F" "$work/argv.txt" || fail "xl not run with create -F: $(cat "$work/argv.txt")"
    grep -qE '^kernel      = ".*/kernel\.img"$' "$work/xl.cfg" || fail "no kernel in $(cat "$work/xl.cfg")"
    grep -qx 'memory      = 96' "$work/xl.cfg" || fail "MEMORY not passed: $(cat "$work/xl.cfg")"
    # Anything but qemu or xen stops the configure with one line.
    rm -rf "$work/b"
    if "$cmake" -S "$work/src" -B "$work/b" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" \
      -DUNIKERNEL_HYPERVISOR=kvm >"$log" 2>&1; then
      fail "UNIKERNEL_HYPERVISOR=kvm was accepted"
    fi
    grep -q "UNIKERNEL_HYPERVISOR 'kvm': expected qemu or xen" "$log" || { cat "$log"; fail "no message for kvm"; }
    ;;
  validation)
    # Each value in a fresh project: a bad one stops the configure with one line naming it.
    try() {  # try ok|fail "CMake code" "expected line"
      local want=$1 call=$2 message=$3
      printf '%s\n' "cmake_minimum_required(VERSION 3.25)" "project(validation C)" \
        "find_package(Unikernel REQUIRED)" "add_executable(app app.c)" "$call" >"$work/src/CMakeLists.txt"
      rm -rf "$work/b"
      if "$cmake" -S "$work/src" -B "$work/b" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" >"$log" 2>&1; then
        [[ $want == ok ]] || { cat "$log"; fail "configure accepted: $call"; }
      else
        [[ $want == fail ]] || { cat "$log"; fail "configure failed: $call"; }
      fi
      grep -qF -- "$message" "$log" || { cat "$log"; fail "$call: no line '$message'"; }
    }
    try fail "add_unikernel(app MEMORY 256Q)" "  add_unikernel(app): MEMORY '256Q': expected a size such as 256M or 1G"
    try fail "add_unikernel(app MEMORY 1M)" "  add_unikernel(app): MEMORY '1M': the guest needs at least 16M"
    try fail "add_unikernel(app MEMORY 1000K)" "MEMORY '1000K': not a whole number of MiB"
    try ok "add_unikernel(app MEMORY 16384K)" "Generating done"
    try fail "add_unikernel(app CPUS 0)" "  add_unikernel(app): CPUS '0': expected a number from 1 to 288"
    try fail "add_unikernel(app CPUS two)" "CPUS 'two': expected a number from 1 to 288"
    try ok "add_unikernel(app CPUS 2)" "  add_unikernel(app): CPUS 2: the kernel runs programs on one CPU for now"
    try fail "add_unikernel(app PORTS 8080)" "  add_unikernel(app): PORTS '8080': expected HOST:GUEST[/udp], e.g. 8080:80"
    try fail "add_unikernel(app PORTS 8080:80 70000:80)" "PORTS '70000:80': ports must be numbers from 1 to 65535"
    try ok "add_unikernel(app PORTS 5353:53/udp)" "Generating done"
    try fail "add_unikernel(app FILES missing.txt:/etc/m)" \
      "  add_unikernel(app): FILES '$work/src/missing.txt' does not exist and no add_custom_command(OUTPUT) in $work/src makes it"
    try fail "add_unikernel(app DIRS mapped.txt:/srv)" "  add_unikernel(app): DIRS '$work/src/mapped.txt' is a file, not a directory (use FILES)"
    try fail "add_unikernel(app FILES assets:/srv)" "  add_unikernel(app): FILES '$work/src/assets' is a directory (use DIRS)"
    try fail "add_unikernel(app RUN_EXPECT_EXIT 256)" "RUN_EXPECT_EXIT '256': expected a status from 0 to 255"
    try ok 'add_unikernel(app FILES ${CMAKE_CURRENT_BINARY_DIR}/g.txt:/etc/g)
add_custom_command(OUTPUT g.txt COMMAND ${CMAKE_COMMAND} -E touch g.txt)' "Generating done"
    ;;
  testing)
    cat >"$work/src/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(testing C)
find_package(Unikernel REQUIRED)
add_unikernel(app SOURCES app.c)
add_unikernel_test(first IMAGE app)
add_unikernel_test(second IMAGE app)
if(LATE_ENABLE)
  enable_testing()
endif()
EOF
    configure Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel"
    [[ $(grep -c "testing is not enabled in $work/src" "$log") == 1 ]] ||
      { cat "$log"; fail "expected one warning for two tests without enable_testing()"; }
    rm -rf "$work/b"
    configure Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" -DLATE_ENABLE=ON
    ! grep -q "testing is not enabled" "$log" || { cat "$log"; fail "a warning although testing is enabled"; }
    ctest --test-dir "$work/b" -N >"$log" 2>&1
    grep -q "Total Tests: 2" "$log" || { cat "$log"; fail "ctest does not see the tests"; }
    # The documentation's examples, pasted: the first ```cmake block of each file, with the
    # C source of getting-started.md under the names they use.
    first_block() { awk -v lang="$2" '$0 == "```" lang {inb=1; next} /^```/ && inb {exit} inb' "$1"; }
    root=$(cd "$src/../.." && pwd)
    for example in "README.md hello hello-greets" "docs/getting-started.md hello hello-runs" \
      "docs/cmake.md main myapp-greets"; do
      read -r file source testname <<<"$example"
      d=$work/doc && rm -rf "$d" && mkdir -p "$d/src/assets"
      first_block "$root/$file" cmake >"$d/src/CMakeLists.txt"
      first_block "$root/docs/getting-started.md" c >"$d/src/$source.c"
      [[ -s $d/src/CMakeLists.txt && -s $d/src/$source.c ]] || fail "no example in $file"
      for f in config.txt asset.txt assets/logo.txt; do echo "mapped" >"$d/src/$f"; done
      "$cmake" -S "$d/src" -B "$d/b" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" >"$log" 2>&1 ||
        { cat "$log" "$d/src/CMakeLists.txt"; fail "the example of $file does not configure"; }
      ! grep -q "testing is not enabled" "$log" || { cat "$log"; fail "the example of $file lacks enable_testing()"; }
      "$cmake" --build "$d/b" >"$log" 2>&1 || { cat "$log"; fail "the example of $file does not build"; }
      ctest --test-dir "$d/b" -N >"$log" 2>&1
      grep -q "Test *#1: $testname\$" "$log" || { cat "$log"; fail "ctest does not see $testname of $file"; }
    done
    # getting-started's test boots for real (TCG) and passes.
    rm -rf "$d" && mkdir -p "$d/src"
    first_block "$root/docs/getting-started.md" cmake >"$d/src/CMakeLists.txt"
    first_block "$root/docs/getting-started.md" c >"$d/src/hello.c"
    "$cmake" -S "$d/src" -B "$d/b" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" >"$log" 2>&1 &&
      "$cmake" --build "$d/b" >"$log" 2>&1 || { cat "$log"; fail "getting-started's example does not build"; }
    ctest --test-dir "$d/b" --output-on-failure >"$log" 2>&1 || { cat "$log"; fail "getting-started's test fails"; }
    grep -q "100% tests passed, 0 tests failed out of 1" "$log" || { cat "$log"; fail "getting-started's test did not run"; }
    ;;
  generated-ninja | generated-make)
    gen=Ninja
    [[ $case == generated-make ]] && gen="Unix Makefiles"
    cat >"$work/src/CMakeLists.txt" <<'EOF'
cmake_minimum_required(VERSION 3.25)
project(generated C)
find_package(Unikernel REQUIRED)
# Declared before add_unikernel: a relative FILES path finds the output.
add_custom_command(OUTPUT before.txt
  COMMAND ${CMAKE_COMMAND} -E echo "generated before, version 1" > before.txt)
add_executable(app app.c)
add_unikernel(app
  FILES before.txt:/etc/before.txt ${CMAKE_CURRENT_BINARY_DIR}/after.txt:/etc/after.txt
  DEPENDS make-stamp)
# Declared after: named by its absolute path.
add_custom_command(OUTPUT after.txt
  COMMAND ${CMAKE_COMMAND} -E echo "generated after" > after.txt)
add_custom_target(make-stamp COMMAND ${CMAKE_COMMAND} -E touch ${CMAKE_CURRENT_BINARY_DIR}/stamp)
EOF
    configure "$gen" -DUnikernel_DIR="$build/lib/cmake/Unikernel"
    build --target app-image
    for text in "generated before, version 1" "generated after"; do
      grep -aq "$text" "$work/b/app.img" || fail "[$gen] the image lacks '$text'"
    done
    [[ -e $work/b/stamp ]] || fail "[$gen] DEPENDS make-stamp did not run first"
    # The generated file is an input: regenerating it rebuilds the image.
    sed -i 's/version 1/version 2/' "$work/src/CMakeLists.txt"
    sleep 1.1
    build --target app-image
    grep -aq "generated before, version 2" "$work/b/app.img" || fail "[$gen] the image has the old generated file"
    ;;
  package)
    cpack=$(dirname "$(command -v "$cmake")")/cpack
    (cd "$work" && "$cpack" --config "$build/CPackConfig.cmake" -G DEB -B "$work/pkg") >"$log" 2>&1 ||
      { cat "$log"; fail "cpack -G DEB failed"; }
    debs=("$work"/pkg/nanos-unikernel_*.deb)
    [[ ${#debs[@]} == 1 && -s ${debs[0]} ]] || fail "no single .deb in $work/pkg: $(ls "$work/pkg")"
    deb=${debs[0]}
    [[ $(dpkg-deb -f "$deb" Package) == nanos-unikernel ]] || fail "Package: $(dpkg-deb -f "$deb" Package)"
    [[ $(dpkg-deb -f "$deb" Architecture) == amd64 ]] || fail "Architecture: $(dpkg-deb -f "$deb" Architecture)"
    [[ $(dpkg-deb -f "$deb" Version) == [0-9]*.[0-9]*.[0-9]* ]] || fail "Version: $(dpkg-deb -f "$deb" Version)"
    dpkg-deb -f "$deb" Depends | grep -q "libc6" || fail "Depends lacks libc6: $(dpkg-deb -f "$deb" Depends)"
    dpkg-deb -f "$deb" Suggests | grep -q "gdb" || fail "Suggests lacks gdb (nanos-run --gdb-attach)"
    dpkg-deb -c "$deb" | awk '{print $6}' >"$work/contents.txt"
    for f in bin/nanos-mkimage bin/nanos-run share/nanos-unikernel/kernel.img share/nanos-unikernel/boot.img \
      lib/cmake/Unikernel/UnikernelConfig.cmake lib/cmake/Unikernel/UnikernelConfigVersion.cmake \
      lib/cmake/Unikernel/AddUnikernel.cmake lib/cmake/Unikernel/UnikernelRunTarget.cmake \
      lib/cmake/Unikernel/UnikernelRunTest.cmake lib/cmake/Unikernel/unikernel-app.cmake \
      share/nanos-unikernel/nanos-gdb.py; do
      grep -qx "./usr/$f" "$work/contents.txt" || { cat "$work/contents.txt"; fail "the package lacks /usr/$f"; }
    done
    ! grep -v -e '^\./$' -e '^\./usr/' "$work/contents.txt" || fail "files outside /usr"
    ! grep -q -e '_test$' -e 'sample' "$work/contents.txt" || { cat "$work/contents.txt"; fail "tests or samples packaged"; }
    # Removal deletes the listed files and runs nothing: no maintainer scripts.
    dpkg-deb --ctrl-tarfile "$deb" | tar -t | grep -v -x -e './' -e './control' -e './md5sums' &&
      fail "the package has maintainer scripts"
    dpkg-deb -x "$deb" "$work/root"
    "$work/root/usr/bin/nanos-run" --version | grep -q "^nanos-run " || fail "the packaged nanos-run does not run"
    configure Ninja -DCMAKE_PREFIX_PATH="$work/root/usr"
    grep -q "$work/root/usr/bin/nanos-mkimage" "$work/b/build.ninja" || fail "the consumer does not use the packaged nanos-mkimage"
    build
    check_image
    ;;
  tools-preset)
    root=$(cd "$src/../.." && pwd)
    (cd "$root" && "$cmake" --preset tools -B "$work/tools") >"$log" 2>&1 || { cat "$log"; fail "cmake --preset tools failed"; }
    grep -q "^BUILD_TESTING:BOOL=OFF" "$work/tools/CMakeCache.txt" || fail "BUILD_TESTING is not OFF"
    grep -q "^UNIKERNEL_BUILD_SAMPLES:BOOL=OFF" "$work/tools/CMakeCache.txt" || fail "samples are on"
    ! grep -q "^GTest_DIR" "$work/tools/CMakeCache.txt" || fail "GTest was looked for"
    [[ ! -d $work/tools/tests && ! -d $work/tools/samples ]] || fail "tests or samples were configured"
    for t in nanos-mkimage nanos-run kernel_image; do
      grep -q "^build $t:" "$work/tools/build.ninja" || fail "no $t target"
    done
    ;;
  release-preset)
    root=$(cd "$src/../.." && pwd)
    (cd "$root" && "$cmake" --preset release -B "$work/release") >"$log" 2>&1 || { cat "$log"; fail "cmake --preset release failed"; }
    grep -q "^BUILD_TESTING:BOOL=OFF" "$work/release/CMakeCache.txt" || fail "BUILD_TESTING is not OFF"
    grep -q "^UNIKERNEL_FORMATS:STRING=qcow2;vmdk;vhd;vhdx;gce;oci;containerdisk$" "$work/release/CMakeCache.txt" ||
      fail "UNIKERNEL_FORMATS is not every format"
    [[ ! -d $work/release/tests ]] || fail "tests were configured"
    for t in hello-artifacts exit-status-artifacts; do
      grep -q "^build $t:" "$work/release/build.ninja" || fail "no $t target"
    done
    for f in hello.qcow2 hello.vmdk hello.vhd hello.vhdx hello.gce.tar.gz hello.oci.tar hello.containerdisk.tar hello.vm.yaml; do
      grep -q "^build [^:]*samples/hello/$f[ :]" "$work/release/build.ninja" || fail "no rule for $f"
    done
    ;;
  formats-option)
    configure Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" "-DUNIKERNEL_FORMATS=qcow2;gce"
    build --target app-artifacts
    [[ -s $work/b/app.qcow2 && -s $work/b/app.gce.tar.gz ]] || fail "app.qcow2 or app.gce.tar.gz missing"
    [[ ! -e $work/b/app.vmdk ]] || fail "a format that was not asked for was built"
    qemu-img compare -f raw -F qcow2 "$work/b/app.img" "$work/b/app.qcow2" >/dev/null || fail "app.qcow2 differs from app.img"
    grep -q "^build made-here-artifacts:" "$work/b/build.ninja" || fail "NO_ALL unikernels get no artifacts"
    rm -rf "$work/b"
    if "$cmake" -S "$work/src" -B "$work/b" -G Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" -DUNIKERNEL_FORMATS=floppy >"$log" 2>&1; then
      fail "UNIKERNEL_FORMATS=floppy was accepted"
    fi
    grep -q "UNIKERNEL_FORMATS: unknown format 'floppy'" "$log" || { cat "$log"; fail "no message naming the bad format"; }
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
  debug)
    command -v gdb >/dev/null || fail "gdb is not installed (.ci/install-deps installs it)"
    configure Ninja -DUnikernel_DIR="$build/lib/cmake/Unikernel" "-DUNIKERNEL_RUN_ARGS=--accel;tcg"
    printf '%s\n' "break main" "continue" "bt" "nanos-libraries" >"$work/batch.gdb"
    # made-here sets no noaslr key itself: its debug image must have one anyway.
    UNIKERNEL_RUN_ARGS="--gdb-batch $work/batch.gdb --timeout 240" \
      "$cmake" --build "$work/b" --target debug-made-here >"$log" 2>&1 || { cat "$log"; fail "debug-made-here failed"; }
    "$build/bin/nanos-mkimage" manifest "$work/b/made-here-debug.img" | grep -q "noaslr:t" ||
      fail "made-here-debug.img has no noaslr key"
    ! "$build/bin/nanos-mkimage" manifest "$work/b/made-here.img" 2>/dev/null | grep -q "noaslr" ||
      fail "the debug build changed the regular image"
    grep -Eq "^Breakpoint 1, (0x[0-9a-f]+ in )?main \(" "$log" || { cat "$log"; fail "no stop at main"; }
    grep -Eq "^#0 +(0x[0-9a-f]+ in )?main \(" "$log" || { cat "$log"; fail "no backtrace with main"; }
    grep -q "libc.so.6" "$log" || { cat "$log"; fail "the libraries are not listed"; }
    # A failing gdb session fails the target with the status line of run-<name>.
    printf '%s\n' "this-is-not-a-gdb-command" >"$work/bad.gdb"
    UNIKERNEL_RUN_ARGS="--gdb-batch $work/bad.gdb --timeout 240" \
      "$cmake" --build "$work/b" --target debug-made-here >"$log" 2>&1 && { cat "$log"; fail "a failing gdb session passed"; }
    grep -q "debug-made-here: made-here-debug.img ended with exit status 1" "$log" || { cat "$log"; fail "no status line"; }
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
    # A test run before its image exists names the target that builds it.
    "$cmake" -DNANOS_RUN="$build/bin/nanos-run" -DIMAGE="$work/none.img" -DRUN_ARGS= \
      -DEXPECT_FILE="$work/expect" -DEXPECT_REGEX_FILE="$work/regex" -DEXPECT_EXIT=0 \
      -DIMAGE_TARGET=app-image -P "$build/lib/cmake/Unikernel/UnikernelRunTest.cmake" >"$log" 2>&1 &&
      fail "a missing image passed"
    grep -qF "image $work/none.img does not exist: build it before running the tests (cmake --build <build dir> --target app-image, or the whole build)" "$log" ||
      { cat "$log"; fail "the missing-image message"; }
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
