# Optional toolchain file for building unikernel applications on a host that is not
# x86-64 Linux, or against a sysroot other than the host's (e.g. a Debian x86-64 sysroot
# on an arm64 or non-Debian machine). Native x86-64 Linux builds do not need it: apps are
# ordinary Linux ELF programs.
#
#   cmake -DCMAKE_TOOLCHAIN_FILE=<prefix>/lib/cmake/Unikernel/unikernel-app.cmake \
#         -DUNIKERNEL_SYSROOT=/path/to/x86_64-sysroot ...
#
# UNIKERNEL_SYSROOT: the target root file system (libc, libstdc++, /etc/ld.so.cache). The
#   compiler links against it, and add_unikernel() passes it to nanos-mkimage --sysroot so
#   the image gets the sysroot's shared libraries, not the host's.
# UNIKERNEL_TARGET_TRIPLE (default x86_64-linux-gnu): the clang --target.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

if(NOT UNIKERNEL_SYSROOT AND DEFINED ENV{UNIKERNEL_SYSROOT})
  set(UNIKERNEL_SYSROOT "$ENV{UNIKERNEL_SYSROOT}")
endif()
set(UNIKERNEL_SYSROOT "${UNIKERNEL_SYSROOT}" CACHE PATH "Target root file system for unikernel apps")
set(UNIKERNEL_TARGET_TRIPLE "x86_64-linux-gnu" CACHE STRING "Target triple for unikernel apps")
# try_compile() projects re-read this file: hand the settings through.
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES UNIKERNEL_SYSROOT UNIKERNEL_TARGET_TRIPLE)

if(NOT CMAKE_C_COMPILER)
  set(CMAKE_C_COMPILER clang)
endif()
if(NOT CMAKE_CXX_COMPILER)
  set(CMAKE_CXX_COMPILER clang++)
endif()
set(CMAKE_C_COMPILER_TARGET ${UNIKERNEL_TARGET_TRIPLE})
set(CMAKE_CXX_COMPILER_TARGET ${UNIKERNEL_TARGET_TRIPLE})
set(CMAKE_EXE_LINKER_FLAGS_INIT "-fuse-ld=lld")

if(UNIKERNEL_SYSROOT)
  set(CMAKE_SYSROOT "${UNIKERNEL_SYSROOT}")
  set(CMAKE_FIND_ROOT_PATH "${UNIKERNEL_SYSROOT}")
  set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)  # build tools run on the host
  set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
  set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)   # find_package(Unikernel) lives on the host
endif()
