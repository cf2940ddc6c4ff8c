#include "unix/syscall_table.h"

#include "unix/syscall_handlers.h"

namespace unix {
namespace {

struct Table {
  SyscallEntry rows[kSyscallSlots];
};

// Called only while building the table at compile time: reaching it makes the initializer
// non-constant, so a bad row in syscall_table.def is a build error.
void bad_syscall_row(const char*) {}

constexpr void add(Table& t, int nr, const char* name, SyscallHandler fn, int nargs,
                   unsigned string_args, uint8_t flags) {
  if (nr < 0 || nr >= kSyscallSlots || t.rows[nr].handler || nargs > 6 || string_args >> nargs)
    bad_syscall_row(name); // out of range, duplicate number, or a mask beyond nargs
  t.rows[nr] =
      SyscallEntry{name, fn, static_cast<uint8_t>(nargs), static_cast<uint8_t>(string_args), flags};
}

constexpr Table build_table() {
  Table t{};
#define SYSCALL(number, name, nargs, string_args, flags)                                           \
  add(t, number, #name, sys_##name, nargs, string_args, flags);
#include "unix/syscall_table.def"
  return t;
}

constinit const Table g_table = build_table();

} // namespace

const SyscallEntry* syscall_entry(long nr) {
  if (nr < 0 || nr >= kSyscallSlots || !g_table.rows[nr].handler)
    return nullptr;
  return &g_table.rows[nr];
}

const char* syscall_name(long nr) {
  const SyscallEntry* e = syscall_entry(nr);
  return e ? e->name : nullptr;
}

} // namespace unix
