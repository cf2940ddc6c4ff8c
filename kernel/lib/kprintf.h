// Kernel console output and panic. lib is the bottom layer, so it knows neither the serial
// driver nor how the machine is stopped: main.cc installs both hooks first thing at boot.
// Until then output is dropped and a panic halts the CPU.
#pragma once

#include <stdarg.h>
#include <stddef.h>

// Formats like printf (lib/format.h) and writes to the console. Thread-unsafe by design:
// the kernel runs one CPU with interrupts off.
void kprintf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
void vkprintf(const char* fmt, va_list ap);

namespace console {
using OutputHook = void (*)(const char* data, size_t len);
using ExitHook = void (*)(int code); // must not return
// Where console output goes (the serial port) and how panic ends the machine.
void set_output(OutputHook out);
void set_panic_exit(ExitHook exit);
// Writes bytes unchanged (no "\n" translation): the program's stdout/stderr go here.
void write(const char* data, size_t len);
} // namespace console

// Prints "kernel panic: <reason>" and exits the machine with status 126 (kExitKernelPanic).
[[noreturn]] void panic(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

#define KASSERT(cond)                                                                              \
  do {                                                                                             \
    if (!(cond))                                                                                   \
      panic("assertion failed: %s (%s:%d)", #cond, __FILE__, __LINE__);                            \
  } while (0)
