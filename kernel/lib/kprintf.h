// Kernel console output (COM1 serial; see drivers/serial.h) and panic.
#pragma once

#include <stdarg.h>
#include <stddef.h>

// Formats like printf (lib/format.h) and writes to the console. Thread-unsafe by design:
// the kernel runs one CPU with interrupts off.
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char* fmt, va_list ap);

namespace console {
// Writes bytes unchanged (no "\n" translation): the program's stdout/stderr go here.
void write(const char* data, size_t len);
} // namespace console

// Prints "kernel panic: <reason>" and exits the machine with status 126.
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

#define KASSERT(cond)                                                                              \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);                            \
  } while (0)
