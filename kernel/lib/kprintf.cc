#include "lib/kprintf.h"

#include "lib/format.h"

namespace console {
namespace {
OutputHook g_output = nullptr;
ExitHook g_panic_exit = nullptr;
} // namespace

void set_output(OutputHook out) {
  g_output = out;
}
void set_panic_exit(ExitHook exit) {
  g_panic_exit = exit;
}

void write(const char* data, size_t len) {
  if (g_output)
    g_output(data, len);
}
} // namespace console

namespace {
void console_sink(void*, const char* data, size_t len) {
  console::write(data, len);
}
// The status panic exits with (arch/x86_64/exit.h kExitKernelPanic; lib cannot include it).
constexpr int kPanicStatus = 126;
} // namespace

void vkprintf(const char* fmt, va_list ap) {
  klib::vformat_to(console_sink, nullptr, fmt, ap);
}

void kprintf(const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vkprintf(fmt, ap);
  va_end(ap);
}

void panic(const char* fmt, ...) {
  static bool in_panic = false;
  if (!in_panic) {
    in_panic = true;
    kprintf("\nkernel panic: ");
    va_list ap;
    va_start(ap, fmt);
    vkprintf(fmt, ap);
    va_end(ap);
    kprintf("\n");
  }
  if (console::g_panic_exit)
    console::g_panic_exit(kPanicStatus);
  for (;;)
    asm volatile("cli; hlt");
}
