#include "unix/syscall/syscall_table.h"

#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

// Linux's name for every number (linux_syscall_names.def), implemented or not.
struct NameTable {
  const char* names[kSyscallSlots];
};

// Called only while building the tables at compile time: reaching it makes the
// initializer non-constant, so a bad row is a build error that names this function.
void bad_syscall_row(const char*) {}

constexpr bool same_name(const char* a, const char* b) {
  while (*a && *a == *b)
    ++a, ++b;
  return *a == *b;
}

constexpr NameTable build_names() {
  NameTable t{};
#define LINUX_SYSCALL(number, name)                                                                \
  if (number >= kSyscallSlots || t.names[number])                                                  \
    bad_syscall_row(#name);                                                                        \
  t.names[number] = #name;
#include "unix/syscall/linux_syscall_names.def"
  return t;
}

constexpr NameTable g_linux_names = build_names();

constexpr void add(SyscallTable& t, int nr, const char* name, SyscallHandler fn, int nargs,
                   unsigned string_args, uint8_t flags) {
  // Out of range, a duplicate number, a string mask beyond nargs, or a number whose Linux
  // name differs from the row's (a typo in the number).
  if (nr < 0 || nr >= kSyscallSlots || t.rows[nr].handler || nargs > 6 || string_args >> nargs ||
      !g_linux_names.names[nr] || !same_name(g_linux_names.names[nr], name))
    bad_syscall_row(name);
  t.rows[nr] =
      SyscallEntry{name, fn, static_cast<uint8_t>(nargs), static_cast<uint8_t>(string_args), flags};
}

constexpr SyscallTable build_table() {
  SyscallTable t{};
#define SYSCALL(number, name, nargs, string_args, flags)                                           \
  add(t, number, #name, sys_##name, nargs, string_args, flags);
#include "unix/syscall/syscall_table.def"
  return t;
}

} // namespace

constinit const SyscallTable g_syscall_table = build_table();

const char* syscall_name(long nr) {
  if (nr < 0 || nr >= kSyscallSlots)
    return nullptr;
  return g_linux_names.names[nr];
}

} // namespace unix
