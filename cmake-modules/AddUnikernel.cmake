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
  cmake_path(ABSOLUTE_PATH host BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
  set(${out} "${host}:${guest}" PARENT_SCOPE)
endfunction()

# Network settings (issue 13), checked at configure time like nanos-mkimage checks them at
# build time, so a typo fails `cmake` with one line instead of a build step later.
# _unikernel_ipv4(OUT TEXT WHAT): OUT = the address as a number, or a fatal error.
function(_unikernel_ipv4 out text what)
  if(NOT text MATCHES "^([0-9]+)\\.([0-9]+)\\.([0-9]+)\\.([0-9]+)$")
    message(FATAL_ERROR "${what} '${text}': not an IPv4 address (four numbers 0-255 separated by dots)")
  endif()
  set(value 0)
  foreach(i 1 2 3 4)
    set(part "${CMAKE_MATCH_${i}}")
    string(LENGTH "${part}" len)
    if(len GREATER 3 OR part GREATER 255)
      message(FATAL_ERROR "${what} '${text}': not an IPv4 address (four numbers 0-255 separated by dots)")
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
    message(FATAL_ERROR "${ctx}: NETMASK and GATEWAY need IPADDR (without an address the interface is configured by DHCP)")
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
        message(FATAL_ERROR "${ctx}: NETMASK '${netmask}': not a netmask (its one bits must be leading)")
      endif()
      if(mask EQUAL 0)
        message(FATAL_ERROR "${ctx}: NETMASK '${netmask}': a /0 netmask puts every address on the link")
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
        message(FATAL_ERROR "${ctx}: GATEWAY '${gateway}' is not reachable from IPADDR ${ipaddr} with netmask ${shown_mask} (different subnet)")
      endif()
      list(APPEND mk --gateway "${gateway}")
    endif()
  endif()
  list(LENGTH nameservers n)
  if(n GREATER 3)
    message(FATAL_ERROR "${ctx}: NAMESERVERS: at most 3 servers (the C library's resolver uses only the first 3), got ${n}")
  endif()
  foreach(ns IN LISTS nameservers)
    _unikernel_ipv4(unused "${ns}" "${ctx}: NAMESERVERS")
    list(APPEND mk --nameserver "${ns}")
  endforeach()
  if(NOT "${net}" STREQUAL "")
    if(NOT net MATCHES "^(user|none|tap:[^/,: ]+)$")
      message(FATAL_ERROR "${ctx}: NET '${net}': expected user, tap:IFNAME or none")
    endif()
    string(LENGTH "${net}" len)
    if(len GREATER 19) # "tap:" + at most 15 characters
      message(FATAL_ERROR "${ctx}: NET '${net}': an interface name has at most 15 characters")
    endif()
    if(ports AND NOT net STREQUAL "user")
      message(FATAL_ERROR "${ctx}: PORTS need NET user (QEMU's port forwarding), not NET ${net}")
    endif()
  endif()
  set(${out_mk} "${mk}" PARENT_SCOPE)
endfunction()

function(add_unikernel name)
  set(flags NO_ALL)
  set(one MEMORY CPUS KERNEL BOOT SIZE SYSROOT CONFIG PROGRAM_PATH CWD OUTPUT SEED
    IPADDR NETMASK GATEWAY NET)
  set(multi SOURCES ARGS ENV FILES DIRS PORTS MANIFEST MKIMAGE_ARGS RUN_ARGS NAMESERVERS)
  cmake_parse_arguments(PARSE_ARGV 1 U "${flags}" "${one}" "${multi}")
  if(U_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_unikernel(${name}): unknown arguments: ${U_UNPARSED_ARGUMENTS}")
  endif()
  foreach(tool Unikernel::mkimage Unikernel::run)
    if(NOT TARGET ${tool})
      message(FATAL_ERROR "add_unikernel(${name}): ${tool} is not defined; call find_package(Unikernel) first")
    endif()
  endforeach()

  if(U_SOURCES)
    add_executable(${name} ${U_SOURCES})
  elseif(NOT TARGET ${name})
    message(FATAL_ERROR "add_unikernel(${name}): no executable target '${name}' (or pass SOURCES to create it)")
  endif()
  get_target_property(type ${name} TYPE)
  if(NOT type STREQUAL "EXECUTABLE")
    message(FATAL_ERROR "add_unikernel(${name}): '${name}' is a ${type}, not an executable")
  endif()

  if(U_OUTPUT)
    cmake_path(ABSOLUTE_PATH U_OUTPUT BASE_DIRECTORY "${CMAKE_CURRENT_BINARY_DIR}" OUTPUT_VARIABLE image)
  else()
    set(image "${CMAKE_CURRENT_BINARY_DIR}/${name}.img")
  endif()
  set(depfile "${image}.d")

  set(mk build "$<TARGET_FILE:${name}>" -o "${image}" --depfile "${depfile}")
  foreach(a IN LISTS U_ARGS)
    list(APPEND mk --arg "${a}")
  endforeach()
  foreach(e IN LISTS U_ENV)
    if(NOT e MATCHES "^[^=]+=")
      message(FATAL_ERROR "add_unikernel(${name}): ENV '${e}' must be NAME=VALUE")
    endif()
    list(APPEND mk --env "${e}")
  endforeach()
  foreach(f IN LISTS U_FILES)
    _unikernel_host_guest(spec "${f}" FILES)
    list(APPEND mk --file "${spec}")
  endforeach()
  foreach(d IN LISTS U_DIRS)
    _unikernel_host_guest(spec "${d}" DIRS)
    list(APPEND mk --dir "${spec}")
  endforeach()
  foreach(kv IN LISTS U_MANIFEST)
    if(NOT kv MATCHES "^[^=]+=")
      message(FATAL_ERROR "add_unikernel(${name}): MANIFEST '${kv}' must be KEY=VALUE")
    endif()
    list(APPEND mk --set "${kv}")
  endforeach()
  foreach(opt KERNEL BOOT SYSROOT CONFIG)
    if(U_${opt})
      cmake_path(ABSOLUTE_PATH U_${opt} BASE_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}" NORMALIZE)
    endif()
  endforeach()
  if(U_KERNEL)
    list(APPEND mk --kernel "${U_KERNEL}")
  endif()
  if(U_BOOT)
    list(APPEND mk --boot "${U_BOOT}")
  endif()
  if(U_SYSROOT)
    list(APPEND mk --sysroot "${U_SYSROOT}")
  elseif(UNIKERNEL_SYSROOT)  # set by toolchain/unikernel-app.cmake for cross builds
    list(APPEND mk --sysroot "${UNIKERNEL_SYSROOT}")
  endif()
  if(U_CONFIG)
    list(APPEND mk -c "${U_CONFIG}")
  endif()
  foreach(pair SIZE:--size PROGRAM_PATH:--program-path CWD:--cwd SEED:--seed)
    string(REPLACE ":" ";" pair "${pair}")
    list(GET pair 0 opt)
    list(GET pair 1 flag)
    if(DEFINED U_${opt})
      list(APPEND mk ${flag} "${U_${opt}}")
    endif()
  endforeach()
  _unikernel_network(net_mk "add_unikernel(${name})" "${U_IPADDR}" "${U_NETMASK}" "${U_GATEWAY}"
    "${U_NAMESERVERS}" "${U_NET}" "${U_PORTS}")
  list(APPEND mk ${net_mk})
  list(APPEND mk ${U_MKIMAGE_ARGS})

  # Inside the nanos-unikernel build the kernel and boot image are built by other targets.
  get_target_property(data_targets Unikernel::mkimage UNIKERNEL_DATA_TARGETS)
  if(NOT data_targets)
    set(data_targets "")
  endif()
  cmake_path(GET image FILENAME image_name)
  add_custom_command(OUTPUT "${image}"
    COMMAND Unikernel::mkimage ${mk}
    DEPENDS ${name} Unikernel::mkimage ${data_targets}
    DEPFILE "${depfile}"
    COMMENT "Building unikernel image ${image_name}"
    VERBATIM COMMAND_EXPAND_LISTS)
  if(U_NO_ALL)
    add_custom_target(${name}-image DEPENDS "${image}")
  else()
    add_custom_target(${name}-image ALL DEPENDS "${image}")
  endif()

  # Run defaults (run-<name>, add_unikernel_test).
  set(run)
  if(U_MEMORY)
    list(APPEND run --memory "${U_MEMORY}")
  endif()
  if(U_CPUS)
    list(APPEND run --cpus "${U_CPUS}")
  endif()
  foreach(p IN LISTS U_PORTS)
    list(APPEND run -p "${p}")
  endforeach()
  if(U_NET)
    list(APPEND run --net "${U_NET}")
  endif()
  list(APPEND run ${U_RUN_ARGS})

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
  set(UNIKERNEL_RUN_ARGS "" CACHE STRING "Extra nanos-run arguments for run-<name> targets (;-list)")
  add_custom_target(run-${name}
    COMMAND Unikernel::run "${image}" ${run} ${UNIKERNEL_RUN_ARGS}
    DEPENDS ${name}-image
    USES_TERMINAL
    COMMENT "Booting ${image_name} (nanos-run)"
    VERBATIM COMMAND_EXPAND_LISTS)
endfunction()

# add_unikernel_test(NAME IMAGE <unikernel> [EXPECT_OUTPUT text] [EXPECT_OUTPUT_REGEX re]
#                    [EXPECT_EXIT n] [TIMEOUT s] [ACCEL auto|kvm|tcg] [DIRECT_KERNEL]
#                    [MACHINE m] [DISK virtio-blk|virtio-scsi] [RUN_ARGS ...] [LABELS ...])
function(add_unikernel_test name)
  set(flags DIRECT_KERNEL)
  set(one IMAGE EXPECT_OUTPUT EXPECT_OUTPUT_REGEX EXPECT_EXIT TIMEOUT ACCEL MACHINE DISK)
  set(multi RUN_ARGS LABELS)
  cmake_parse_arguments(PARSE_ARGV 1 U "${flags}" "${one}" "${multi}")
  if(U_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "add_unikernel_test(${name}): unknown arguments: ${U_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT U_IMAGE OR NOT TARGET ${U_IMAGE}-image)
    message(FATAL_ERROR "add_unikernel_test(${name}): IMAGE must name an add_unikernel() target")
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
      -P "${CMAKE_CURRENT_FUNCTION_LIST_DIR}/UnikernelRunTest.cmake")
  math(EXPR ctest_timeout "${U_TIMEOUT} + 30")
  set_tests_properties(${name} PROPERTIES LABELS "${U_LABELS}" TIMEOUT ${ctest_timeout}
    SKIP_REGULAR_EXPRESSION "SKIPPED: /dev/kvm is not usable")
endfunction()
