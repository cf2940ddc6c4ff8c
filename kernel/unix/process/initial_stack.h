// The initial user stack of a new program, laid out as Linux does for x86-64 ELF programs:
//   rsp -> argc, argv[0..argc-1], NULL, envp[..], NULL, auxv pairs ..., AT_NULL 0,
//          padding, 16 AT_RANDOM bytes, "x86_64", strings (argv, envp, execfn) at the top.
// Pure logic (no page tables, no user copies) so it runs unchanged in host unit tests: the
// caller gives a kernel buffer that will be mapped at [stack_top - size, stack_top).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct AuxEntry {
  uint64_t type;
  uint64_t value;
};

// Linux auxv types filled in by the builder itself (the caller must not pass them).
inline constexpr uint64_t kAtNull = 0;
inline constexpr uint64_t kAtRandom = 25;
inline constexpr uint64_t kAtExecfn = 31;
inline constexpr uint64_t kAtPlatform = 15;

struct InitialStackInput {
  const char* const* argv = nullptr; // argc strings
  size_t argc = 0;
  const char* const* envp = nullptr; // envc strings
  size_t envc = 0;
  const AuxEntry* aux = nullptr; // everything except AT_RANDOM/AT_EXECFN/AT_PLATFORM/AT_NULL
  size_t auxc = 0;
  const char* execfn = nullptr;
  uint8_t random[16] = {};
};

// Writes the stack into buf (mapped at user address stack_top - size). Returns the user
// address of argc (16-byte aligned) or 0 when the buffer is too small.
uint64_t build_initial_stack(const InitialStackInput& in, uint8_t* buf, size_t size,
                             uint64_t stack_top);

} // namespace unix
