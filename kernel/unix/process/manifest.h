// The manifest keys this kernel reads from the root tuple (spec §4.3): program, arguments,
// environment, cwd, debug_exit, expected_exit_code, noaslr, trace, boot_timing,
// syscall_summary, uname.
#pragma once

#include "lib/error_or.h"
#include "lib/tfs/tfs.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct Manifest {
  const char* program = nullptr; // NUL-terminated copies
  const char** argv = nullptr;
  size_t argc = 0;
  const char** envp = nullptr;
  size_t envc = 0;
  const char* cwd = nullptr;
  bool debug_exit = false;
  bool noaslr = false;
  bool trace = false;
  bool boot_timing = false;
  bool syscall_summary = false;
  const tfs::Value* expected_exit_code = nullptr;
  const char* uname_sysname = "Nanos";
  const char* uname_release = "5.15.0-nanos-unikernel";
};

// Reads the manifest into *out; an error comes after a message saying which key is wrong.
Status read_manifest(const tfs::Value* root, Manifest* out);

// expected_exit_code: a number, "!N", "*", or a vector of numbers. True if status matches.
bool exit_code_expected(const tfs::Value* rule, int status);

} // namespace unix
