# Toolchain for the freestanding x86-64 kernel (kernel/, built as an external project).
#
# clang + ld.lld from Debian's packages. Kernel code uses no SSE (-mgeneral-regs-only) so
# user FPU/SSE state survives system calls untouched; the kernel code model places it in
# the top 2 GiB of the address space. GNU as syntax .S files go through clang's assembler.
# A target may add --target=i386-unknown-none-elf (the 32-bit stage2 loader does);
# clang lets a later --target override this default one.
set(CMAKE_SYSTEM_NAME Generic)
set(CMAKE_SYSTEM_PROCESSOR x86_64)

find_program(KERNEL_CLANG NAMES clang clang-14 clang-15 clang-16 REQUIRED)
find_program(KERNEL_CLANGXX NAMES clang++ clang++-14 clang++-15 clang++-16 REQUIRED)
find_program(KERNEL_LLD NAMES ld.lld ld.lld-14 ld.lld-15 ld.lld-16 REQUIRED)
find_program(KERNEL_OBJCOPY NAMES llvm-objcopy llvm-objcopy-14 objcopy REQUIRED)

set(CMAKE_C_COMPILER ${KERNEL_CLANG})
set(CMAKE_CXX_COMPILER ${KERNEL_CLANGXX})
set(CMAKE_ASM_COMPILER ${KERNEL_CLANG})
set(CMAKE_OBJCOPY ${KERNEL_OBJCOPY} CACHE FILEPATH "objcopy for kernel images")
set(CMAKE_C_COMPILER_TARGET x86_64-unknown-none-elf)
set(CMAKE_CXX_COMPILER_TARGET x86_64-unknown-none-elf)
set(CMAKE_ASM_COMPILER_TARGET x86_64-unknown-none-elf)

# Nothing from the host may leak in: no libc, no crt files, no builtin libraries.
set(CMAKE_TRY_COMPILE_TARGET_TYPE STATIC_LIBRARY)

set(_kernel_common "-ffreestanding -fno-builtin -nostdlib -fno-stack-protector -fno-pic -fno-pie \
-mno-red-zone -mcmodel=kernel -mgeneral-regs-only -fno-omit-frame-pointer -fno-asynchronous-unwind-tables")
set(CMAKE_C_FLAGS_INIT "${_kernel_common}")
set(CMAKE_CXX_FLAGS_INIT "${_kernel_common} -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit")
set(CMAKE_ASM_FLAGS_INIT "-fno-pic")
# Link with ld.lld itself (for a "none" target the clang driver would call the host gcc).
# Link options are therefore ld.lld options: -T script, -m elf_i386, --no-pie ...
set(CMAKE_EXE_LINKER_FLAGS_INIT "-nostdlib -static --build-id=none -z max-page-size=4096")
foreach(lang C CXX ASM)
  set(CMAKE_${lang}_LINK_EXECUTABLE
    "${KERNEL_LLD} <CMAKE_${lang}_LINK_FLAGS> <LINK_FLAGS> <OBJECTS> -o <TARGET> <LINK_LIBRARIES>")
endforeach()

set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
