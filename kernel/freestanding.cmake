# The freestanding kernel build (kernel/ configured as its own project with
# toolchain/kernel-freestanding.cmake; see CMakeLists.txt). Produces:
#   <build>/kernel.elf                 with debug info (for gdb / addr2line)
#   ${UNIKERNEL_DATA_DIR}/kernel.img   stripped of debug info; symbols kept
# and, through boot/, ${UNIKERNEL_DATA_DIR}/boot.img.
set(KERNEL_FREESTANDING ON)
if(NOT UNIKERNEL_DATA_DIR)
  set(UNIKERNEL_DATA_DIR ${CMAKE_BINARY_DIR}/share/nanos-unikernel)
endif()
file(MAKE_DIRECTORY ${UNIKERNEL_DATA_DIR})
option(UNIKERNEL_WERROR "Treat compiler warnings as errors" OFF)
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)

# Warnings for freestanding targets (the host build's unikernel_host_target equivalent).
function(kernel_target_flags target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wshadow -Wnon-virtual-dtor -Wold-style-cast
      -Wimplicit-fallthrough -Wno-unused-parameter>
    $<$<COMPILE_LANGUAGE:C>:-Wall -Wextra>)
  if(UNIKERNEL_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:C,CXX>:-Werror>)
  endif()
endfunction()

add_executable(kernel
  main.cc
  selftest.cc
  selftest_edu.cc
  selftest_msix.cc
  selftest_user.S
  arch/x86_64/boot.S
  arch/x86_64/boot_info.cc
  arch/x86_64/acpi.cc
  arch/x86_64/exit.cc
  arch/x86_64/gdt.cc
  arch/x86_64/traps.S
  arch/x86_64/traps.cc
  arch/x86_64/user.S
  arch/x86_64/user.cc
  arch/x86_64/fpu.cc
  arch/x86_64/page_zero.cc
  arch/x86_64/apic.cc
  arch/x86_64/irq.cc
  arch/x86_64/irq_table.cc
  arch/x86_64/ioapic.cc
  arch/x86_64/madt.cc
  arch/x86_64/context_switch.S
  arch/x86_64/vdso.cc
  arch/x86_64/vdso/vdso_image.S
  arch/x86_64/usercopy.S
  arch/x86_64/usercopy.cc
  arch/x86_64/time.cc
  arch/x86_64/random.cc
  arch/x86_64/default_hooks.cc
  arch/x86_64/xen/hypercall.cc
  arch/x86_64/xen/hypercall_page.S
  arch/x86_64/xen/console_ring.cc
  arch/x86_64/xen/console.cc
  arch/x86_64/xen/platform.cc
  arch/x86_64/xen/grant_table.cc
  arch/x86_64/xen/pvclock.cc
  arch/x86_64/xen/shared_info.cc
  arch/x86_64/xen/events.cc
  mm/region_table.cc
  mm/page_allocator.cc
  mm/vm.cc
  mm/heap.cc
  sched/wait.cc
  sched/mutex.cc
  sched/deferred.cc
  sched/scheduler.cc
  sched/timer_list.cc
  sched/hooks.cc
  lib/string.cc
  lib/format.cc
  lib/kprintf.cc
  mm/cxx_runtime.cc)
set_target_properties(kernel PROPERTIES OUTPUT_NAME kernel.elf SUFFIX "")

# The vDSO: user-mode code (position independent, no kernel code model), linked as a
# shared object and embedded with .incbin (arch/x86_64/vdso/vdso_image.S).
set(_vdso_dir ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/vdso)
set(_vdso_so ${CMAKE_CURRENT_BINARY_DIR}/vdso.so)
set(_vdso_werror)
if(UNIKERNEL_WERROR)
  set(_vdso_werror -Werror)
endif()
add_custom_command(OUTPUT ${_vdso_so}
  COMMAND ${CMAKE_C_COMPILER} --target=x86_64-unknown-none-elf -O2 -fPIC -ffreestanding
    -fno-builtin -nostdlib -fno-stack-protector -mgeneral-regs-only
    -fno-asynchronous-unwind-tables -Wall -Wextra ${_vdso_werror}
    -c ${_vdso_dir}/vdso.c -o ${CMAKE_CURRENT_BINARY_DIR}/vdso.o
  COMMAND ${KERNEL_LLD} -shared -T ${_vdso_dir}/vdso.lds --version-script ${_vdso_dir}/vdso.map
    -soname linux-vdso.so.1 --hash-style=both --build-id=none -z max-page-size=4096
    -o ${_vdso_so} ${CMAKE_CURRENT_BINARY_DIR}/vdso.o
  DEPENDS ${_vdso_dir}/vdso.c ${_vdso_dir}/vdso_data.h ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/fixed_point.h ${_vdso_dir}/vdso.lds ${_vdso_dir}/vdso.map
  COMMENT "vDSO (vdso.so)"
  VERBATIM)
set_source_files_properties(arch/x86_64/vdso/vdso_image.S PROPERTIES
  COMPILE_DEFINITIONS "VDSO_SO_PATH=\"${_vdso_so}\""
  OBJECT_DEPENDS ${_vdso_so})
target_include_directories(kernel PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
kernel_target_flags(kernel)
target_link_options(kernel PRIVATE -T ${CMAKE_CURRENT_SOURCE_DIR}/kernel.ld --no-pie)
set_property(TARGET kernel APPEND PROPERTY LINK_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/kernel.ld)

# The TFS codec (freestanding-portable, shared with nanos-mkimage) for kernel/fs.
add_subdirectory(lib/tfs)
# XXH3-128 (shared with nanos-mkimage) for the image content digest checked at mount.
add_subdirectory(lib/xxh3)
add_subdirectory(drivers)
add_subdirectory(unix)
add_subdirectory(fs)
add_subdirectory(net)
add_subdirectory(boot)

add_custom_command(TARGET kernel POST_BUILD
  COMMAND ${CMAKE_OBJCOPY} --strip-debug $<TARGET_FILE:kernel> ${UNIKERNEL_DATA_DIR}/kernel.img
  COMMENT "kernel.img (debug info stripped)")

# Test loader (not installed): enters kernel.img through its 64-bit entry the way stage2 and
# Linux-protocol VMMs do, for tests/kernel-core. Identity-mapped at 16 MiB, so the small
# code model.
add_executable(test_loader arch/x86_64/test_loader/entry.S arch/x86_64/test_loader/loader.cc)
set_target_properties(test_loader PROPERTIES OUTPUT_NAME test_loader.elf SUFFIX "")
target_compile_options(test_loader PRIVATE -mcmodel=small)
kernel_target_flags(test_loader)
target_link_options(test_loader PRIVATE -T ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/test_loader/loader.ld
  --no-pie)
set_property(TARGET test_loader APPEND PROPERTY LINK_DEPENDS
  ${CMAKE_CURRENT_SOURCE_DIR}/arch/x86_64/test_loader/loader.ld)
