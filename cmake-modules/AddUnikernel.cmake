# add_unikernel() and add_unikernel_test(): turn an executable target into a bootable Nanos
# image and boot it. Reference: docs/cmake.md.
#
# Needs two executable targets: Unikernel::mkimage and Unikernel::run (imported by
# UnikernelConfig.cmake, or aliases of the real tools inside the nanos-unikernel build).
# Nothing here sets global state: every setting hangs off the targets it creates.
include_guard(GLOBAL)
if(CMAKE_VERSION VERSION_LESS 3.20)
  message(FATAL_ERROR "add_unikernel needs CMake >= 3.20 (DEPFILE with Makefile generators)")
endif()
# Functions keep the policies in effect where they are defined: CMP0116 NEW (depfile paths
# handled by CMake for Ninja) whatever the calling project's cmake_minimum_required says.
# cmake_policy, not cmake_minimum_required: the latter would reset the caller's variables.
cmake_policy(VERSION 3.20...3.25)

# A HOST:GUEST pair with HOST made absolute (relative to the calling CMakeLists' source dir).
# Split at the last ':' so that host paths may contain ':'.
function(_unikernel_host_guest out spec what)
  string(FIND "${spec}" ":" colon REVERSE)
  if(colon LESS 1)
    message(FATAL_ERROR "add_unikernel: ${what} '${spec}' must be HOST:GUEST, e.g. conf.txt:/etc/app.conf")
  endif()
  string(SUBSTRING "${spec}" 0 ${colon} host)
  math(EXPR guest_start "${colon} + 1")
  string(SUBSTRING "${spec}" ${guest_start} -1 guest)
  if(NOT guest MATCHES "^/")
    message(FATAL_ERROR "add_unikernel: ${what} '${spec}': the guest path must be absolute")
  endif()
  _unikernel_resolve_host(host "${host}")
  set(${out} "${host}:${guest}" PARENT_SCOPE)
  set(${out}_HOST "${host}" PARENT_SCOPE)
endfunction()

# Configure-time checks report one line each: CMake re-wraps a message at 80 columns unless
# it starts with a space (then it is printed as it is).
# The arguments are concatenated through ARGV<n>, which keeps their ';' (ARGN would split).
function(_unikernel_message type)
  set(text "")
  math(EXPR last "${ARGC} - 1")
  foreach(i RANGE 1 ${last})
    string(APPEND text "${ARGV${i}}")
  endforeach()
  message(${type} " ${text}")
endfunction()

# MEMORY: the sizes nanos-run --memory accepts (256M, 1G, 65536K, a bare number of MiB),
# checked here so that a typo stops the configure instead of the first boot.
function(_unikernel_check_memory name value)
  # The smallest guest the kernel runs a program in; nanos-run refuses less too
  # (runner/run_options.h kMinMemoryMiB).
  set(min_mib 16)
  set(bad "add_unikernel(${name}): MEMORY '${value}'")
  if(NOT value MATCHES "^([1-9][0-9]*)([KkMmGg]?)$")
    _unikernel_message(FATAL_ERROR "${bad}: expected a size such as 256M or 1G")
  endif()
  set(n "${CMAKE_MATCH_1}")
  string(TOUPPER "${CMAKE_MATCH_2}" unit)
  if(n GREATER 1000000000)
    _unikernel_message(FATAL_ERROR "${bad}: too large")
  elseif(unit STREQUAL "K")
    math(EXPR rest "${n} % 1024")
    if(NOT rest EQUAL 0)
      _unikernel_message(FATAL_ERROR "${bad}: not a whole number of MiB")
    endif()
    math(EXPR mib "${n} / 1024")
  elseif(unit STREQUAL "G")
    math(EXPR mib "${n} * 1024")
  else()
    set(mib "${n}")
  endif()
  if(mib LESS min_mib)
    _unikernel_message(FATAL_ERROR "${bad}: the guest needs at least ${min_mib}M")
  endif()
endfunction()

function(_unikernel_check_cpus name value)
  if(NOT value MATCHES "^[1-9][0-9]*$" OR value GREATER 288)
    _unikernel_message(FATAL_ERROR "add_unikernel(${name}): CPUS '${value}': expected a number from 1 to 288")
  endif()
  # The kernel brings up only the boot CPU for now (docs/kernel.md).
  if(value GREATER 1)
    _unikernel_message(WARNING "add_unikernel(${name}): CPUS ${value}: the kernel runs programs on "
      "one CPU for now; QEMU gets ${value}, the others stay idle")
  endif()
endfunction()

function(_unikernel_check_port name value)
  set(bad "add_unikernel(${name}): PORTS '${value}'")
  if(NOT value MATCHES "^([0-9]+):([0-9]+)(/(tcp|udp))?$")
    _unikernel_message(FATAL_ERROR "${bad}: expected HOST:GUEST[/udp], e.g. 8080:80")
  endif()
  foreach(p "${CMAKE_MATCH_1}" "${CMAKE_MATCH_2}")
    if(p LESS 1 OR p GREATER 65535)
      _unikernel_message(FATAL_ERROR "${bad}: ports must be numbers from 1 to 65535")
    endif()
  endforeach()
endfunction()

# Deferred to the end of the calling directory, so that an add_custom_command() written
# after add_unikernel() counts: each FILES/DIRS host path must exist or be an output of
# a custom command in that directory (which the image then depends on).
function(_unikernel_check_host_paths name)
  get_property(specs TARGET ${name}-image PROPERTY _UNIKERNEL_HOST_PATHS)
  foreach(spec IN LISTS specs)
    string(REPLACE "|" ";" spec "${spec}")
    list(GET spec 0 what)
    list(GET spec 1 host)
    if(EXISTS "${host}")
      if(what STREQUAL "DIRS" AND NOT IS_DIRECTORY "${host}")
        _unikernel_message(FATAL_ERROR "add_unikernel(${name}): DIRS '${host}' is a file, not a directory (use FILES)")
      elseif(what STREQUAL "FILES" AND IS_DIRECTORY "${host}")
        _unikernel_message(FATAL_ERROR "add_unikernel(${name}): FILES '${host}' is a directory (use DIRS)")
      endif()
      continue()
    endif()
    get_source_file_property(generated "${host}" GENERATED)
    if(NOT generated)
      _unikernel_message(FATAL_ERROR "add_unikernel(${name}): ${what} '${host}' does not exist "
        "and no add_custom_command(OUTPUT) in ${CMAKE_CURRENT_SOURCE_DIR} makes it")
    endif()
  endforeach()
endfunction()

# A relative FILES/DIRS host path names a file of the source directory, or failing that an
# output (relative to the binary directory, as add_custom_command's OUTPUT) declared before.
function(_unikernel_resolve_host out host)
  if(IS_ABSOLUTE "${host}")
    cmake_path(NORMAL_PATH host)
    set(${out} "${host}" PARENT_SCOPE)
    return()
  endif()
  cmake_path(ABSOLUTE_PATH host BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE
    OUTPUT_VARIABLE in_source)
  cmake_path(ABSOLUTE_PATH host BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" NORMALIZE
    OUTPUT_VARIABLE in_binary)
  set(${out} "${in_source}" PARENT_SCOPE)
  if(NOT EXISTS "${in_source}")
    get_source_file_property(generated "${in_binary}" GENERATED)
    if(generated)
      set(${out} "${in_binary}" PARENT_SCOPE)
    endif()
  endif()
endfunction()

# Network settings (issue 13), checked at configure time like nanos-mkimage checks them at
# build time, so a typo fails `cmake` with one line instead of a build step later.
# _unikernel_ipv4(OUT TEXT WHAT): OUT = the address as a number, or a fatal error.
function(_unikernel_ipv4 out text what)
  if(NOT text MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)\\.([0-9]+)$")
    _unikernel_message(FATAL_ERROR "${what} '${text}': not an IPv4 address (four numbers 0-255 separated by dots)")
  endif()
  set(value 0)
  foreach(i 1 2 3 4)
    set(part "${CMAKE_MATCH_${i}}")
    string(LENGTH "${part}" len)
    if(len GREATER 3 OR part GREATER 255)
      _unikernel_message(FATAL_ERROR "${what} '${text}': not an IPv4 address (four numbers 0-255 separated by dots)")
    endif()
    math(EXPR value "${value} * 256 + ${part}")
  endforeach()
  set(${out} ${value} PARENT_SCOPE)
endfunction()

# IPADDR/NETMASK/GATEWAY/NAMESERVERS -> nanos-mkimage options (appended to list OUT_MK), and
# NET/PORTS consistency. `ctx` names the call in errors.
function(_unikernel_network out_mk ctx ipaddr netmask gateway nameservers net ports)
  set(mk)
  if((NOT "${netmask}" STREQUAL "" OR NOT "${gateway}" STREQUAL "") AND "${ipaddr}" STREQUAL "")
    _unikernel_message(FATAL_ERROR "${ctx}: NETMASK and GATEWAY need IPADDR (without an address the interface is configured by DHCP)")
  endif()
  if(NOT "${ipaddr}" STREQUAL "")
    _unikernel_ipv4(ip "${ipaddr}" "${ctx}: IPADDR")
    set(mask 4294967040) # 255.255.255.0, the kernel's default (as Nanos')
    set(shown_mask "255.255.255.0 (the default)")
    if(NOT "${netmask}" STREQUAL "")
      _unikernel_ipv4(mask "${netmask}" "${ctx}: NETMASK")
      # contiguous: the host part (~mask) plus one is a power of two
      math(EXPR host "4294967295 - ${mask}")
      math(EXPR check "${host} & (${host} + 1)")
      if(NOT check EQUAL 0)
        _unikernel_message(FATAL_ERROR "${ctx}: NETMASK '${netmask}': not a netmask (its one bits must be leading)")
      endif()
      if(mask EQUAL 0)
        _unikernel_message(FATAL_ERROR "${ctx}: NETMASK '${netmask}': a /0 netmask puts every address on the link")
      endif()
      set(shown_mask "${netmask}")
      list(APPEND mk --netmask "${netmask}")
    endif()
    list(APPEND mk --ipaddr "${ipaddr}")
    if(NOT "${gateway}" STREQUAL "")
      _unikernel_ipv4(gw "${gateway}" "${ctx}: GATEWAY")
      math(EXPR net_ip "${ip} & ${mask}")
      math(EXPR net_gw "${gw} & ${mask}")
      if(NOT net_ip EQUAL net_gw)
        _unikernel_message(FATAL_ERROR "${ctx}: GATEWAY '${gateway}' is not reachable from IPADDR ${ipaddr} with netmask ${shown_mask} (different subnet)")
      endif()
      list(APPEND mk --gateway "${gateway}")
    endif()
  endif()
  list(LENGTH nameservers n)
  if(n GREATER 3)
    _unikernel_message(FATAL_ERROR "${ctx}: NAMESERVERS: at most 3 servers (the C library's resolver uses only the first 3), got ${n}")
  endif()
  foreach(ns IN LISTS nameservers)
    _unikernel_ipv4(unused "${ns}" "${ctx}: NAMESERVERS")
    list(APPEND mk --nameserver "${ns}")
  endforeach()
  if(NOT "${net}" STREQUAL "")
    if(NOT net MATCHES "^(user|none|tap:[^/,: ]+)$")
      _unikernel_message(FATAL_ERROR "${ctx}: NET '${net}': expected user, tap:IFNAME or none")
    endif()
    string(LENGTH "${net}" len)
    if(len GREATER 19) # "tap:" + at most 15 characters
      _unikernel_message(FATAL_ERROR "${ctx}: NET '${net}': an interface name has at most 15 characters")
    endif()
    if(ports AND NOT net STREQUAL "user")
      _unikernel_message(FATAL_ERROR "${ctx}: PORTS need NET user (QEMU's port forwarding), not NET ${net}")
    endif()
  endif()
  set(${out_mk} "${mk}" PARENT_SCOPE)
endfunction()

function(add_unikernel name)
  set(flags NO_ALL UEFI)
  set(one MEMORY CPUS KERNEL BOOT SIZE SYSROOT CONFIG PROGRAM_PATH CWD OUTPUT SEED
    IPADDR NETMASK GATEWAY NET RUN_EXPECT_EXIT CONTAINER_IMAGE PROGRAM)
  set(multi SOURCES ARGS ENV FILES DIRS PORTS MANIFEST MKIMAGE_ARGS RUN_ARGS NAMESERVERS DEPENDS
    FORMATS PACKAGES)
  cmake_parse_arguments(PARSE_ARGV 1 U "${flags}" "${one}" "${multi}")
  if(U_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_unikernel(${name}): unknown arguments: ${U_UNPARSED_ARGUMENTS}")
  endif()
  foreach(tool Unikernel::mkimage Unikernel::run)
    if(NOT TARGET ${tool})
      message(FATAL_ERROR "add_unikernel(${name}): ${tool} is not defined; call find_package(Unikernel) first")
    endif()
  endforeach()

  # PROGRAM: an installed program (a language runtime such as /usr/bin/python3.11) imaged
  # instead of a target built here; NAME is then a custom target that only names the image.
  if(DEFINED U_PROGRAM)
    if(U_SOURCES OR TARGET ${name})
      _unikernel_message(FATAL_ERROR "add_unikernel(${name}): PROGRAM and an executable target "
        "(or SOURCES) exclude each other")
    endif()
    if(NOT IS_ABSOLUTE "${U_PROGRAM}" OR NOT EXISTS "${U_PROGRAM}" OR IS_DIRECTORY "${U_PROGRAM}")
      _unikernel_message(FATAL_ERROR "add_unikernel(${name}): PROGRAM '${U_PROGRAM}' must be an "
        "absolute path of an existing program (e.g. /usr/bin/python3.11)")
    endif()
    add_custom_target(${name})
    set(program_file "${U_PROGRAM}")
    set(program_depends "${U_PROGRAM}")
    if(NOT DEFINED U_PROGRAM_PATH)
      set(U_PROGRAM_PATH "${U_PROGRAM}") # where the runtime looks for its own files
    endif()
  elseif(U_SOURCES)
    add_executable(${name} ${U_SOURCES})
  elseif(NOT TARGET ${name})
    message(FATAL_ERROR "add_unikernel(${name}): no executable target '${name}' (or pass SOURCES to create it)")
  endif()
  if(NOT DEFINED U_PROGRAM)
    get_target_property(type ${name} TYPE)
    if(NOT type STREQUAL "EXECUTABLE")
      message(FATAL_ERROR "add_unikernel(${name}): '${name}' is a ${type}, not an executable")
    endif()
    set(program_file "$<TARGET_FILE:${name}>")
    set(program_depends ${name})
  endif()

  if(U_OUTPUT)
    cmake_path(ABSOLUTE_PATH U_OUTPUT BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" OUTPUT_VARIABLE image)
  else()
    set(image "${CMAKE_CURRENT_BINARY_DIR}/${name}.img")
  endif()
  set(depfile "${image}.d")

  # nanos-mkimage's options after `build PROGRAM -o IMAGE --depfile D` (shared by the
  # image and the debug image).
  set(mk_opts)
  foreach(a IN LISTS U_ARGS)
    list(APPEND mk_opts --arg "${a}")
  endforeach()
  foreach(e IN LISTS U_ENV)
    if(NOT e MATCHES "^[^=]+=")
      message(FATAL_ERROR "add_unikernel(${name}): ENV '${e}' must be NAME=VALUE")
    endif()
    list(APPEND mk_opts --env "${e}")
  endforeach()
  # Host paths of FILES/DIRS are dependencies of the image (a generated file is made
  # first) and are checked at the end of the directory (_unikernel_check_host_paths).
  set(host_paths)
  set(host_checks)
  foreach(f IN LISTS U_FILES)
    _unikernel_host_guest(spec "${f}" FILES)
    list(APPEND mk_opts --file "${spec}")
    list(APPEND host_paths "${spec_HOST}")
    list(APPEND host_checks "FILES|${spec_HOST}")
  endforeach()
  foreach(d IN LISTS U_DIRS)
    _unikernel_host_guest(spec "${d}" DIRS)
    list(APPEND mk_opts --dir "${spec}")
    list(APPEND host_paths "${spec_HOST}")
    list(APPEND host_checks "DIRS|${spec_HOST}")
  endforeach()
  # PACKAGES: installed Debian packages of the target (docs/mkimage.md, "Debian packages");
  # the depfile names their files, so an upgrade rebuilds the image.
  foreach(p IN LISTS U_PACKAGES)
    if(NOT p MATCHES "^[a-z0-9][a-z0-9+.-]*(:[a-z0-9-]+)?$")
      _unikernel_message(FATAL_ERROR "add_unikernel(${name}): PACKAGES '${p}': not a Debian package "
        "name (NAME or NAME:ARCH)")
    endif()
    list(APPEND mk_opts --package "${p}")
  endforeach()
  foreach(kv IN LISTS U_MANIFEST)
    if(NOT kv MATCHES "^[^=]+=")
      message(FATAL_ERROR "add_unikernel(${name}): MANIFEST '${kv}' must be KEY=VALUE")
    endif()
    list(APPEND mk_opts --set "${kv}")
  endforeach()
  foreach(opt KERNEL BOOT SYSROOT CONFIG)
    if(U_${opt})
      cmake_path(ABSOLUTE_PATH U_${opt} BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    endif()
  endforeach()
  if(U_KERNEL)
    list(APPEND mk_opts --kernel "${U_KERNEL}")
  endif()
  if(U_BOOT)
    list(APPEND mk_opts --boot "${U_BOOT}")
  endif()
  if(U_UEFI) # the BIOS+UEFI layout: also boots with nanos-run --firmware uefi
    list(APPEND mk_opts --uefi)
  endif()
  if(U_SYSROOT)
    list(APPEND mk_opts --sysroot "${U_SYSROOT}")
  elseif(UNIKERNEL_SYSROOT)  # set by toolchain/unikernel-app.cmake for cross builds
    list(APPEND mk_opts --sysroot "${UNIKERNEL_SYSROOT}")
  endif()
  if(U_CONFIG)
    list(APPEND mk_opts -c "${U_CONFIG}")
  endif()
  foreach(pair SIZE:--size PROGRAM_PATH:--program-path CWD:--cwd SEED:--seed)
    string(REPLACE ":" ";" pair "${pair}")
    list(GET pair 0 opt)
    list(GET pair 1 flag)
    if(DEFINED U_${opt})
      list(APPEND mk_opts ${flag} "${U_${opt}}")
    endif()
  endforeach()
  _unikernel_network(net_mk "add_unikernel(${name})" "${U_IPADDR}" "${U_NETMASK}" "${U_GATEWAY}"
    "${U_NAMESERVERS}" "${U_NET}" "${U_PORTS}")
  list(APPEND mk_opts ${net_mk})
  list(APPEND mk_opts ${U_MKIMAGE_ARGS})

  # Inside the nanos-unikernel build the kernel and boot image are built by other targets.
  get_target_property(data_targets Unikernel::mkimage UNIKERNEL_DATA_TARGETS)
  if(NOT data_targets)
    set(data_targets "")
  endif()
  cmake_path(GET image FILENAME image_name)
  set(mk build "${program_file}" -o "${image}" --depfile "${depfile}" ${mk_opts})
  add_custom_command(OUTPUT "${image}"
    COMMAND Unikernel::mkimage ${mk}
    DEPENDS ${program_depends} Unikernel::mkimage ${data_targets} ${host_paths} ${U_DEPENDS}
    DEPFILE "${depfile}"
    COMMENT "Building unikernel image ${image_name}"
    VERBATIM COMMAND_EXPAND_LISTS)
  if(U_NO_ALL)
    add_custom_target(${name}-image DEPENDS "${image}")
  else()
    add_custom_target(${name}-image ALL DEPENDS "${image}")
  endif()
  set_property(TARGET ${name}-image PROPERTY _UNIKERNEL_HOST_PATHS "${host_checks}")
  cmake_language(EVAL CODE "cmake_language(DEFER CALL _unikernel_check_host_paths [[${name}]])")

  _unikernel_add_artifacts(${name} "${image}")

  # UNIKERNEL_HYPERVISOR=xen: run-<name> boots the image as a Xen PVH guest through xl
  # (nanos-run --hypervisor xen, docs/xen.md) with the kernel the image was built for. PORTS
  # and NET are QEMU networking, which Xen guests do not have: run-<name> leaves them out.
  set(UNIKERNEL_HYPERVISOR "qemu" CACHE STRING "Hypervisor of run-<name> targets: qemu or xen")
  set_property(CACHE UNIKERNEL_HYPERVISOR PROPERTY STRINGS qemu xen)
  if(NOT UNIKERNEL_HYPERVISOR MATCHES "^(qemu|xen)$")
    _unikernel_message(FATAL_ERROR "UNIKERNEL_HYPERVISOR '${UNIKERNEL_HYPERVISOR}': expected qemu or xen")
  endif()

  # Run defaults (run-<name>, add_unikernel_test).
  set(run)
  set(qemu_network) # -p and --net: QEMU only
  if(DEFINED U_MEMORY)
    _unikernel_check_memory(${name} "${U_MEMORY}")
    list(APPEND run --memory "${U_MEMORY}")
  endif()
  if(DEFINED U_CPUS)
    _unikernel_check_cpus(${name} "${U_CPUS}")
    list(APPEND run --cpus "${U_CPUS}")
  endif()
  foreach(p IN LISTS U_PORTS)
    _unikernel_check_port(${name} "${p}")
    list(APPEND qemu_network -p "${p}")
  endforeach()
  if(U_NET)
    list(APPEND qemu_network --net "${U_NET}")
  endif()
  if(NOT DEFINED U_RUN_EXPECT_EXIT)
    set(U_RUN_EXPECT_EXIT 0)
  elseif(NOT U_RUN_EXPECT_EXIT MATCHES "^[0-9]+$" OR U_RUN_EXPECT_EXIT GREATER 255)
    _unikernel_message(FATAL_ERROR "add_unikernel(${name}): RUN_EXPECT_EXIT '${U_RUN_EXPECT_EXIT}': expected a status from 0 to 255")
  endif()
  set(run_xen ${run} ${U_RUN_ARGS}) # run-<name> under Xen
  list(APPEND run ${qemu_network} ${U_RUN_ARGS})

  set(kernel_for_direct_boot "${U_KERNEL}")
  if(NOT kernel_for_direct_boot)
    get_target_property(kernel_for_direct_boot Unikernel::mkimage UNIKERNEL_DEFAULT_KERNEL)
  endif()
  foreach(t ${name} ${name}-image)
    set_target_properties(${t} PROPERTIES
      UNIKERNEL_IMAGE "${image}"
      UNIKERNEL_RUN_ARGS "${run}"
      UNIKERNEL_KERNEL "${kernel_for_direct_boot}")
  endforeach()

  # UNIKERNEL_RUN_ARGS (cache, a ;-list) adds runner arguments to every run-<name> target,
  # e.g. -DUNIKERNEL_RUN_ARGS="--accel;tcg;--timeout;30".
  # The environment variable UNIKERNEL_RUN_ARGS (shell words) is read when the target runs:
  # UNIKERNEL_RUN_ARGS="--timeout 5" cmake --build . --target run-<name>.
  # UnikernelRunTarget.cmake boots the image and prints one line when the program's status
  # is not RUN_EXPECT_EXIT (the build tool's own failure message never names the status).
  set(UNIKERNEL_RUN_ARGS "" CACHE STRING "Extra nanos-run arguments for run-<name> targets (;-list)")
  if(UNIKERNEL_HYPERVISOR STREQUAL "xen")
    set(run_target_args ${run_xen} --hypervisor xen --kernel "${kernel_for_direct_boot}"
      ${UNIKERNEL_RUN_ARGS})
  else()
    set(run_target_args ${run} ${UNIKERNEL_RUN_ARGS})
  endif()
  set(verdict_dir "${CMAKE_CURRENT_BINARY_DIR}/unikernel-run")
  file(WRITE "${verdict_dir}/ok" "ok")
  _unikernel_add_debug_target(${name} "${run_target_args}" "${mk_opts}" "${data_targets}"
    "${host_paths}" "${verdict_dir}")

  add_custom_target(run-${name}
    COMMAND ${CMAKE_COMMAND}
      "-DNANOS_RUN=$<TARGET_FILE:Unikernel::run>"
      "-DIMAGE=${image}"
      "-DRUN_ARGS=${run_target_args}"
      "-DEXPECT_EXIT=${U_RUN_EXPECT_EXIT}"
      "-DTARGET=run-${name}"
      "-DVERDICT=${verdict_dir}/${name}.verdict"
      -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/UnikernelRunTarget.cmake"
    COMMAND ${CMAKE_COMMAND} -E compare_files "${verdict_dir}/${name}.verdict" "${verdict_dir}/ok"
    DEPENDS ${name}-image
    USES_TERMINAL
    COMMENT "Booting ${image_name} (nanos-run)"
    VERBATIM)
endfunction()

# debug-<name>: the image again with ASLR off (<name>-debug.img, built only for this target)
# booted by nanos-run --gdb-attach, which starts gdb with the kernel's, the program's and its
# libraries' symbols (docs/cmake.md, "Debugging"). Runner arguments come as for run-<name>:
# UNIKERNEL_RUN_ARGS="--gdb-batch cmds.gdb" runs gdb in batch mode. Reads the caller's U_*,
# program_file and program_depends.
function(_unikernel_add_debug_target name run_args mk_opts data_targets host_paths verdict_dir)
  set(image "${CMAKE_CURRENT_BINARY_DIR}/${name}-debug.img")
  add_custom_command(OUTPUT "${image}"
    COMMAND Unikernel::mkimage build "${program_file}" -o "${image}"
      --depfile "${image}.d" ${mk_opts} --noaslr
    DEPENDS ${program_depends} Unikernel::mkimage ${data_targets} ${host_paths} ${U_DEPENDS}
    DEPFILE "${image}.d"
    COMMENT "Building unikernel image ${name}-debug.img (ASLR off, for gdb)"
    VERBATIM COMMAND_EXPAND_LISTS)
  add_custom_target(${name}-debug-image DEPENDS "${image}")
  # The libraries' host files: the sysroot the image took them from.
  set(sysroot "/")
  if(U_SYSROOT)
    set(sysroot "${U_SYSROOT}")
  elseif(UNIKERNEL_SYSROOT)
    set(sysroot "${UNIKERNEL_SYSROOT}")
  endif()
  set(debug_args ${run_args} --gdb-attach --symbols "${program_file}" --sysroot "${sysroot}")
  if(U_KERNEL) # its symbols, and the same kernel booted directly
    list(APPEND debug_args --kernel "${U_KERNEL}")
  endif()
  add_custom_target(debug-${name}
    COMMAND ${CMAKE_COMMAND}
      "-DNANOS_RUN=$<TARGET_FILE:Unikernel::run>"
      "-DIMAGE=${image}"
      "-DRUN_ARGS=${debug_args}"
      "-DEXPECT_EXIT=0"
      "-DTARGET=debug-${name}"
      "-DVERDICT=${verdict_dir}/${name}-debug.verdict"
      -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/UnikernelRunTarget.cmake"
    COMMAND ${CMAKE_COMMAND} -E compare_files "${verdict_dir}/${name}-debug.verdict" "${verdict_dir}/ok"
    DEPENDS ${name}-debug-image
    USES_TERMINAL
    COMMENT "Debugging ${name}-debug.img (nanos-run --gdb-attach)"
    VERBATIM)
endfunction()

# Once per directory: add_unikernel_test() without enable_testing() registers tests that
# ctest never sees ("No tests were found!!!"). Checked at the end of the directory, so
# enable_testing() may come after the add_unikernel_test() calls.
function(_unikernel_check_testing_enabled)
  if(NOT CMAKE_TESTING_ENABLED)
    _unikernel_message(WARNING "add_unikernel_test: testing is not enabled in ${CMAKE_CURRENT_SOURCE_DIR}, "
      "so ctest will not find these tests; add enable_testing() (or include(CTest)) to the "
      "top-level CMakeLists.txt")
  endif()
endfunction()

# FORMATS: one `nanos-mkimage export` per format, beside the image (docs/cmake.md, "Artifacts").
# Each artifact depends on the image and the tool only, and its depfile (written by export) says
# so; containerdisk also writes <name>.vm.yaml (KubeVirt) from MEMORY, CPUS, PORTS and
# CONTAINER_IMAGE. Reads the caller's U_* variables.
# The cache variable UNIKERNEL_FORMATS (a ;-list, empty by default) adds formats to every
# add_unikernel of the project: a release build (the `release` preset) makes the artifacts
# of each unikernel without editing its FORMATS.
function(_unikernel_add_artifacts name image)
  set(known raw qcow2 vmdk vhd vhdx gce oci containerdisk)
  set(UNIKERNEL_FORMATS "" CACHE STRING
    "Artifact formats added to every add_unikernel() (;-list of: ${known})")
  foreach(format IN LISTS UNIKERNEL_FORMATS)
    if(NOT format IN_LIST known)
      _unikernel_message(FATAL_ERROR "UNIKERNEL_FORMATS: unknown format '${format}' (known: ${known})")
    endif()
  endforeach()
  set(formats ${U_FORMATS} ${UNIKERNEL_FORMATS})
  list(REMOVE_DUPLICATES formats)
  set(artifacts)
  cmake_path(REMOVE_EXTENSION image LAST_ONLY OUTPUT_VARIABLE stem)
  foreach(format IN LISTS formats)
    if(NOT format IN_LIST known)
      message(FATAL_ERROR "add_unikernel(${name}): unknown format '${format}' (known: ${known})")
    endif()
    set(suffix ".${format}")
    if(format STREQUAL "gce")
      set(suffix ".gce.tar.gz")
    elseif(format STREQUAL "oci" OR format STREQUAL "containerdisk")
      set(suffix ".${format}.tar") # an OCI archive: one file, a clean custom-command OUTPUT
    endif()
    set(artifact "${stem}${suffix}")
    set(outputs "${artifact}")
    set(args export "${image}" --format ${format} -o "${artifact}" --depfile "${artifact}.d")
    if(format STREQUAL "containerdisk")
      set(manifest "${stem}.vm.yaml")
      list(APPEND outputs "${manifest}")
      list(APPEND args --kubevirt-manifest "${manifest}" --kubevirt-name "${name}")
      if(U_CONTAINER_IMAGE)
        list(APPEND args --container-image "${U_CONTAINER_IMAGE}")
      endif()
      if(U_MEMORY)
        list(APPEND args --kubevirt-memory "${U_MEMORY}")
      endif()
      if(U_CPUS)
        list(APPEND args --kubevirt-cpus "${U_CPUS}")
      endif()
      foreach(p IN LISTS U_PORTS) # HOST:GUEST[/udp] -> the guest port
        string(REGEX REPLACE "^[0-9]+:" "" guest "${p}")
        list(APPEND args --kubevirt-port "${guest}")
      endforeach()
    endif()
    cmake_path(GET artifact FILENAME artifact_name)
    add_custom_command(OUTPUT ${outputs}
      COMMAND Unikernel::mkimage ${args}
      DEPENDS "${image}" Unikernel::mkimage
      DEPFILE "${artifact}.d"
      COMMENT "Exporting ${artifact_name}"
      VERBATIM)
    list(APPEND artifacts ${outputs})
  endforeach()
  if(artifacts)
    if(U_NO_ALL)
      add_custom_target(${name}-artifacts DEPENDS ${artifacts})
    else()
      add_custom_target(${name}-artifacts ALL DEPENDS ${artifacts})
    endif()
    set_target_properties(${name}-artifacts PROPERTIES UNIKERNEL_ARTIFACTS "${artifacts}")
  endif()
endfunction()

# add_unikernel_test(NAME IMAGE <unikernel> [EXPECT_OUTPUT text] [EXPECT_OUTPUT_REGEX re]
#                    [EXPECT_EXIT n] [TIMEOUT s] [ACCEL auto|kvm|tcg] [DIRECT_KERNEL]
#                    [MACHINE m] [DISK virtio-blk|virtio-scsi|nvme] [FIRMWARE bios|uefi]
#                    [RUN_ARGS ...] [LABELS ...])
function(add_unikernel_test name)
  set(flags DIRECT_KERNEL)
  set(one IMAGE EXPECT_OUTPUT EXPECT_OUTPUT_REGEX EXPECT_EXIT TIMEOUT ACCEL MACHINE DISK FIRMWARE)
  set(multi RUN_ARGS LABELS)
  cmake_parse_arguments(PARSE_ARGV 1 U "${flags}" "${one}" "${multi}")
  if(U_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_unikernel_test(${name}): unknown arguments: ${U_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT U_IMAGE OR NOT TARGET ${U_IMAGE}-image)
    message(FATAL_ERROR "add_unikernel_test(${name}): IMAGE must name an add_unikernel() target")
  endif()
  get_property(testing_checked DIRECTORY PROPERTY _UNIKERNEL_TESTING_CHECKED)
  if(NOT testing_checked)
    set_property(DIRECTORY PROPERTY _UNIKERNEL_TESTING_CHECKED ON)
    cmake_language(DEFER CALL _unikernel_check_testing_enabled)
  endif()
  if(NOT DEFINED U_EXPECT_EXIT)
    set(U_EXPECT_EXIT 0)
  endif()
  if(NOT U_TIMEOUT)
    set(U_TIMEOUT 60)
  endif()
  if(NOT U_LABELS)
    set(U_LABELS boot)
  endif()
  get_target_property(image ${U_IMAGE}-image UNIKERNEL_IMAGE)
  get_target_property(run ${U_IMAGE}-image UNIKERNEL_RUN_ARGS)
  if(NOT run)
    set(run "")
  endif()
  list(APPEND run --timeout "${U_TIMEOUT}")
  if(U_ACCEL)
    list(APPEND run --accel "${U_ACCEL}")
  endif()
  if(U_MACHINE)
    list(APPEND run --machine "${U_MACHINE}")
  endif()
  if(U_DISK)
    list(APPEND run --disk "${U_DISK}")
  endif()
  if(U_FIRMWARE)
    list(APPEND run --firmware "${U_FIRMWARE}")
  endif()
  if(U_DIRECT_KERNEL)
    get_target_property(kernel ${U_IMAGE}-image UNIKERNEL_KERNEL)
    list(APPEND run --kernel "${kernel}")
  endif()
  list(APPEND run ${U_RUN_ARGS})
  # The expectations travel in files: no quoting issues with any text.
  set(dir "${CMAKE_CURRENT_BINARY_DIR}/unikernel-tests")
  file(WRITE "${dir}/${name}.expect" "${U_EXPECT_OUTPUT}")
  file(WRITE "${dir}/${name}.expect-regex" "${U_EXPECT_OUTPUT_REGEX}")
  add_test(NAME ${name}
    COMMAND ${CMAKE_COMMAND}
      "-DNANOS_RUN=$<TARGET_FILE:Unikernel::run>"
      "-DIMAGE=${image}"
      "-DRUN_ARGS=${run}"
      "-DEXPECT_FILE=${dir}/${name}.expect"
      "-DEXPECT_REGEX_FILE=${dir}/${name}.expect-regex"
      "-DEXPECT_EXIT=${U_EXPECT_EXIT}"
      "-DIMAGE_TARGET=${U_IMAGE}-image"
      -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/UnikernelRunTest.cmake")
  math(EXPR ctest_timeout "${U_TIMEOUT} + 30")
  set_tests_properties(${name} PROPERTIES LABELS "${U_LABELS}" TIMEOUT ${ctest_timeout}
    SKIP_REGULAR_EXPRESSION "SKIPPED: /dev/kvm is not usable")
endfunction()
