# Persistence of the root TFS across boots (cmake -P driver, run by CTest):
#   1. copies IMAGE, boots the copy three times with nanos-run --persist (fs_persist.c finds
#      out from the disk which boot it is and checks what the earlier boots left; boot 2
#      goes through the boot loader, the others boot KERNEL directly),
#   2. reads the result with nanos-mkimage ls/cat/inspect: the tree and the contents must
#      be exactly what the three boots made, and the image must decode cleanly.
# Variables: NANOS_RUN, MKIMAGE, IMAGE, KERNEL, ACCEL, WORK; optional DISK (nanos-run --disk).
foreach(var NANOS_RUN MKIMAGE IMAGE KERNEL ACCEL WORK)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "fs_persist_test.cmake: -D${var}=... missing")
  endif()
endforeach()
# KVM where it is not usable: a skip (the test's SKIP_REGULAR_EXPRESSION), as
# UnikernelRunTest.cmake does.
if(ACCEL STREQUAL "kvm")
  execute_process(COMMAND "${NANOS_RUN}" "${IMAGE}" --dry-run --accel auto
    OUTPUT_VARIABLE probe ERROR_QUIET)
  if(NOT probe MATCHES " -accel kvm ")
    message("SKIPPED: /dev/kvm is not usable")
    return()
  endif()
endif()
file(MAKE_DIRECTORY "${WORK}")
set(disk_args "")
set(tag "${ACCEL}")
if(DEFINED DISK)
  set(disk_args --disk "${DISK}")
  set(tag "${ACCEL}-${DISK}") # its own copy: the tests may run in parallel
endif()
set(copy "${WORK}/persist-${tag}.img")
file(COPY_FILE "${IMAGE}" "${copy}")

function(fail what)
  message(FATAL_ERROR "FAIL: ${what}")
endfunction()

function(mkimage out_var)
  execute_process(COMMAND "${MKIMAGE}" ${ARGN} OUTPUT_VARIABLE out ERROR_VARIABLE err
    RESULT_VARIABLE status)
  if(NOT status EQUAL 0)
    fail("nanos-mkimage ${ARGN}: status ${status}: ${err}")
  endif()
  set(${out_var} "${out}" PARENT_SCOPE)
endfunction()

# Blocks reserved behind a growing file are given back at close and at exit (boot 1 leaves
# one file open): after boot 1 every extent under /p is exactly as long as its data.
function(expect_no_reservations when)
  mkimage(report inspect "${copy}")
  string(REGEX MATCHALL "file /p/[^\n]*allocated[^\n]*" reserved "${report}")
  if(reserved)
    fail("inspect ${when}: reservations left behind: ${reserved}")
  endif()
endfunction()

# The image as built carries image_digest; the first boot that changes the volume removes it
# (the digest would no longer match, and boots 2 and 3 would be refused).
mkimage(manifest_before manifest "${copy}")
if(NOT manifest_before MATCHES "image_digest")
  fail("manifest before boot 1 has no image_digest:\n${manifest_before}")
endif()

foreach(boot 1 2 3)
  # Boot 2 starts from the disk (stage2 loads the image's own kernel from the boot TFS, which
  # the writes must leave alone); boots 1 and 3 are direct (PVH) boots of KERNEL.
  set(direct --kernel "${KERNEL}")
  if(boot EQUAL 2)
    set(direct "")
  endif()
  execute_process(
    COMMAND "${NANOS_RUN}" "${copy}" --persist --memory 64M --timeout 90 --accel ${ACCEL}
      ${direct} ${disk_args}
    OUTPUT_VARIABLE out ERROR_VARIABLE err RESULT_VARIABLE status)
  string(REPLACE "\r\n" "\n" out "${out}")
  message(STATUS "boot ${boot}:\n${out}${err}")
  if(NOT status EQUAL 0)
    fail("boot ${boot} exited with ${status}")
  endif()
  if(NOT out MATCHES "persist boot ${boot}: all passed: [0-9]+ of [0-9]+ checks passed")
    fail("boot ${boot} did not pass its checks")
  endif()
  expect_no_reservations("after boot ${boot}")
  mkimage(manifest_now manifest "${copy}")
  if(manifest_now MATCHES "image_digest")
    fail("manifest after boot ${boot} still has image_digest")
  endif()
endforeach()

function(expect_ls path expected)
  mkimage(got ls "${copy}" "${path}" -l)
  if(NOT got STREQUAL expected)
    fail("ls -l ${path}:\n${got}expected:\n${expected}")
  endif()
endfunction()
expect_ls(/p "file 250000 big.bin\nfile 12 boot2\ndir 0 dir\ndir 0 empty\nfile 11 hard\nlink 0 link -> dir/a.txt\nfile 22 open-at-exit\nfile 12 replaced\n")
expect_ls(/p/dir "file 11 a.txt\ndir 0 sub\n")
expect_ls(/p/dir/sub "file 6 inner\n")
expect_ls(/p/empty "file 4 trunc\n")

function(expect_cat path expected)
  mkimage(got cat "${copy}" "${path}")
  if(NOT got STREQUAL expected)
    fail("cat ${path}: '${got}', expected '${expected}'")
  endif()
endfunction()
expect_cat(/p/dir/a.txt "alpha\nbeta\n")
expect_cat(/p/hard "alpha\nbeta\n")
expect_cat(/p/link "alpha\nbeta\n")
expect_cat(/p/replaced "new content\n")
expect_cat(/p/boot2 "second boot\n")
expect_cat(/p/empty/trunc "0123")
expect_cat(/p/dir/sub/inner "inner\n")
expect_cat(/p/open-at-exit "written, never closed\n")
# big.bin: 250000 bytes of a pattern whose MD5 the test program's generator gives.
execute_process(COMMAND "${MKIMAGE}" cat "${copy}" /p/big.bin OUTPUT_FILE "${WORK}/big-${tag}.bin"
  RESULT_VARIABLE status)
file(MD5 "${WORK}/big-${tag}.bin" sum)
file(SIZE "${WORK}/big-${tag}.bin" size)
if(NOT status EQUAL 0 OR NOT size EQUAL 250000 OR NOT sum STREQUAL "8efa215658c2d13e5a6341e46d59bab9")
  fail("cat /p/big.bin: status ${status}, ${size} bytes, md5 ${sum}")
endif()

# The whole image decodes, no block is claimed twice, and the hard link is recognised as
# one file with two names (its extents are listed once).
mkimage(report inspect "${copy}")
if(report MATCHES "OVERLAP[^\n]*")
  fail("inspect: ${CMAKE_MATCH_0}")
endif()
if(NOT report MATCHES "file /p/hard: [0-9]+ bytes, hard link of /p/dir/a.txt|file /p/dir/a.txt: [0-9]+ bytes, hard link of /p/hard")
  fail("inspect does not show /p/hard and /p/dir/a.txt as one file:\n${report}")
endif()
file(REMOVE "${copy}" "${WORK}/big-${tag}.bin")
message(STATUS "persistence: 3 boots and the image read back as expected")
