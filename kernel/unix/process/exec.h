// Starting the program: ELF loading (ET_EXEC, ET_DYN, PT_INTERP), ASLR, the brk heap and the
// initial stack, into a fresh address space of process().
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct ExecArgs {
  const char* path; // absolute path of the program (also AT_EXECFN)
  const char* const* argv;
  size_t argc;
  const char* const* envp;
  size_t envc;
};

struct UserEntry {
  uint64_t rip;
  uint64_t rsp;
};

// Loads the program and returns where user mode starts; on an error a one-line message
// names the file and the problem.
ErrorOr<UserEntry> exec_program(const ExecArgs& args);

} // namespace unix
