// The C++ runtime pieces a freestanding kernel needs: operator new/delete on the kernel
// heap (out of memory is fatal: exit 127, as Nanos' OOM halt) and pure-virtual traps.
#include "arch/x86_64/exit.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "mm/heap.h"

#include <stddef.h>

namespace {
void* checked_alloc(size_t n) {
  void* p = kmalloc(n ? n : 1);
  if (!p) {
    kprintf("\nkernel: out of memory (allocating %zu bytes)\n", n);
    kernel_panic_exit(kExitKernelHalt);
  }
  return p;
}
} // namespace

void* operator new(size_t n) {
  return checked_alloc(n);
}
void* operator new[](size_t n) {
  return checked_alloc(n);
}
void* operator new(size_t n, const std::nothrow_t&) noexcept {
  return kmalloc(n ? n : 1);
}
void* operator new[](size_t n, const std::nothrow_t&) noexcept {
  return kmalloc(n ? n : 1);
}
void operator delete(void* p) noexcept {
  kfree(p);
}
void operator delete[](void* p) noexcept {
  kfree(p);
}
void operator delete(void* p, size_t) noexcept {
  kfree(p);
}
void operator delete[](void* p, size_t) noexcept {
  kfree(p);
}

extern "C" void __cxa_pure_virtual() {
  panic("pure virtual function called");
}
