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

function(add_unikernel name)
  set(flags NO_ALL)
  set(one MEMORY CPUS KERNEL BOOT SIZE SYSROOT CONFIG PROGRAM_PATH CWD OUTPUT SEED CONTAINER_IMAGE)
  set(multi SOURCES ARGS ENV FILES DIRS PORTS MANIFEST MKIMAGE_ARGS RUN_ARGS FORMATS)
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

  _unikernel_add_artifacts(${name} "${image}")

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

# FORMATS: one `nanos-mkimage export` per format, beside the image (docs/cmake.md, "Artifacts").
# Each artifact depends on the image and the tool only, and its depfile (written by export) says
# so; containerdisk also writes <name>.vm.yaml (KubeVirt) from MEMORY, CPUS, PORTS and
# CONTAINER_IMAGE. Reads the caller's U_* variables.
function(_unikernel_add_artifacts name image)
  set(known raw qcow2 vmdk vhd vhdx gce oci containerdisk)
  set(artifacts)
  cmake_path(REMOVE_EXTENSION image LAST_ONLY OUTPUT_VARIABLE stem)
  foreach(format IN LISTS U_FORMATS)
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
