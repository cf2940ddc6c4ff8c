#include "lib/kprintf.h"

#include "arch/x86_64/exit.h"
#include "drivers/serial.h"
#include "lib/format.h"

namespace console {
void write(const char* data, size_t len) {
  serial::write(data, len);
}
} // namespace console

namespace {
void console_sink(void*, const char* data, size_t len) {
  console::write(data, len);
}
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
  machine_exit(kExitKernelPanic);
}
