# Runs one add_unikernel_test(): boots IMAGE with nanos-run and checks its exit status and
# console output. Invoked as cmake -DNANOS_RUN=... -DIMAGE=... -DRUN_ARGS=... -DEXPECT_FILE=...
#   -DEXPECT_REGEX_FILE=... -DEXPECT_EXIT=n -DIMAGE_TARGET=<name>-image -P UnikernelRunTest.cmake
# EXPECT_OUTPUT text must appear in the output as whole consecutive lines; the regex, when
# given, must match the output; the exit status must equal EXPECT_EXIT exactly.
cmake_minimum_required(VERSION 3.20)
if(NOT EXISTS "${IMAGE}")
  set(how "")
  if(IMAGE_TARGET)
    set(how " (cmake --build <build dir> --target ${IMAGE_TARGET}, or the whole build)")
  endif()
  # The leading space keeps CMake from re-wrapping the line.
  message(FATAL_ERROR " image ${IMAGE} does not exist: build it before running the tests${how}")
endif()
# ACCEL kvm where KVM is not usable: report a skip (the test's SKIP_REGULAR_EXPRESSION).
list(FIND RUN_ARGS "kvm" kvm_at)
if(kvm_at GREATER 0)
  math(EXPR accel_at "${kvm_at} - 1")
  list(GET RUN_ARGS ${accel_at} accel_flag)
  if(accel_flag STREQUAL "--accel")
    execute_process(COMMAND "${NANOS_RUN}" "${IMAGE}" --dry-run --accel auto
      OUTPUT_VARIABLE probe ERROR_QUIET)
    if(NOT probe MATCHES " -accel kvm ")
      message("SKIPPED: /dev/kvm is not usable")
      return()
    endif()
  endif()
endif()
execute_process(COMMAND "${NANOS_RUN}" "${IMAGE}" ${RUN_ARGS}
  OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
string(REPLACE "\r\n" "\n" out "${out}")
message("---- console ----\n${out}---- stderr ----\n${err}---- exit status ${status} ----")
set(failed "")
if(NOT status STREQUAL "${EXPECT_EXIT}")
  string(APPEND failed "exit status ${status}, expected ${EXPECT_EXIT}\n")
endif()
file(READ "${EXPECT_FILE}" expect)
if(NOT expect STREQUAL "")
  string(REGEX REPLACE "\n$" "" expect "${expect}")
  # Whole lines: compare with newline-delimited haystack and needle.
  string(FIND "\n${out}\n" "\n${expect}\n" at)
  if(at EQUAL -1)
    string(APPEND failed "output lacks the expected lines:\n${expect}\n")
  endif()
endif()
file(READ "${EXPECT_REGEX_FILE}" regex)
if(NOT regex STREQUAL "" AND NOT out MATCHES "${regex}")
  string(APPEND failed "output does not match the regex: ${regex}\n")
endif()
if(failed)
  message(FATAL_ERROR "${failed}")
endif()
