# Runs one run-<name> target (add_unikernel): boots IMAGE with nanos-run, console on the
# terminal, and fails with one line naming the program's status when it is not EXPECT_EXIT.
# Invoked as cmake -DNANOS_RUN=... -DIMAGE=... -DRUN_ARGS=<;-list> -DEXPECT_EXIT=n
#   -DTARGET=run-<name> -DVERDICT=<file> -P UnikernelRunTarget.cmake
# The script writes "ok" or "failed" to VERDICT and always succeeds; the target's next
# command (cmake -E compare_files VERDICT <a file saying ok>) fails silently. A script
# cannot fail without message(FATAL_ERROR)'s multi-line "CMake Error at" block (CMake
# 3.29's cmake_language(EXIT) is too new).
# The environment variable UNIKERNEL_RUN_ARGS adds nanos-run arguments, split like a shell
# would (UNIKERNEL_RUN_ARGS="--timeout 5" cmake --build . --target run-app): arguments
# after `--target run-app --` go to the build tool, not here.
cmake_minimum_required(VERSION 3.20)
set(args ${RUN_ARGS})
if(DEFINED ENV{UNIKERNEL_RUN_ARGS} AND NOT "$ENV{UNIKERNEL_RUN_ARGS}" STREQUAL "")
  separate_arguments(from_env UNIX_COMMAND "$ENV{UNIKERNEL_RUN_ARGS}")
  list(APPEND args ${from_env})
endif()
# No OUTPUT_VARIABLE/INPUT_FILE: the console, stderr and the keyboard stay nanos-run's.
file(WRITE "${VERDICT}" "failed") # until nanos-run has returned the expected status
execute_process(COMMAND "${NANOS_RUN}" "${IMAGE}" ${args} RESULT_VARIABLE status)
if(status STREQUAL "${EXPECT_EXIT}")
  file(WRITE "${VERDICT}" "ok")
else()
  cmake_path(GET IMAGE FILENAME image_name)
  if(status MATCHES "^[0-9]+$")
    set(what "exit status ${status}")
  else()
    set(what "${status}") # e.g. "No such file or directory" when nanos-run cannot start
  endif()
  message("${TARGET}: ${image_name} ended with ${what}, expected ${EXPECT_EXIT} (statuses: docs/nanos-run.md)")
endif()
