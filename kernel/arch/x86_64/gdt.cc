// GDT, TSS and the control-register setup of the boot CPU.
#include "arch/x86_64/boot_internal.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/segments.h"
#include "lib/noclear.h"
#include "lib/string.h"

namespace arch {

struct __attribute__((packed)) Tss {
  uint32_t reserved0;
  uint64_t rsp[3];
  uint64_t reserved1;
  uint64_t ist[7];
  uint64_t reserved2;
  uint16_t reserved3;
  uint16_t iomap_base;
};
static_assert(sizeof(Tss) == 104);

namespace {
// Stacks need no zeroing (lib/noclear.h).
// Each stack sits above an unmapped guard page (mm::init leaves it out): an overflow is a
// page fault, then a double fault on its own stack, reported instead of corrupting data.
template <size_t N> struct GuardedStack {
  alignas(4096) uint8_t guard[4096];
  uint8_t stack[N];
};
KERNEL_NOCLEAR GuardedStack<64 * 1024> g_kernel_stack_area;
KERNEL_NOCLEAR GuardedStack<16 * 1024> g_double_fault_stack_area;
KERNEL_NOCLEAR GuardedStack<8 * 1024> g_nmi_stack_area;
auto& g_kernel_stack = g_kernel_stack_area.stack;
auto& g_double_fault_stack = g_double_fault_stack_area.stack;
auto& g_nmi_stack = g_nmi_stack_area.stack;
Tss g_tss;
alignas(16) uint64_t g_gdt[10];

struct __attribute__((packed)) DescriptorPointer {
  uint16_t limit;
  uint64_t base;
};
} // namespace

// Read by the SYSCALL entry (user.S).
extern "C" uint64_t syscall_kernel_rsp;
uint64_t syscall_kernel_rsp;

int stack_guard_pages(uint64_t* out, int max) {
  extern char boot_stack_guard[] __asm__("boot_stack_guard");
  const void* guards[] = {boot_stack_guard, g_kernel_stack_area.guard,
                          g_double_fault_stack_area.guard, g_nmi_stack_area.guard};
  int n = 0;
  for (const void* g : guards)
    if (n < max)
      out[n++] = reinterpret_cast<uint64_t>(g);
  return n;
}

namespace {
uint64_t g_thread_stack_bottom = 0, g_thread_stack_top = 0; // set_kernel_stack
} // namespace

void set_kernel_stack(uint64_t bottom, uint64_t top) {
  // Ring 3 -> ring 0 transitions (interrupts, exceptions, SYSCALL) land on the running
  // thread's own stack, so a thread blocked inside the kernel keeps its frames.
  g_tss.rsp[0] = top;
  syscall_kernel_rsp = top;
  g_thread_stack_bottom = bottom;
  g_thread_stack_top = top;
}

bool on_kernel_stack(uint64_t addr, size_t len) {
  extern char boot_stack_bottom[] __asm__("boot_stack_bottom");
  extern char boot_stack_top[] __asm__("boot_stack_top");
  auto in = [addr, len](const void* lo, const void* hi) {
    auto l = reinterpret_cast<uint64_t>(lo), h = reinterpret_cast<uint64_t>(hi);
    return addr >= l && addr + len <= h && addr + len >= addr;
  };
  return in(boot_stack_bottom, boot_stack_top) ||
         in(g_kernel_stack, g_kernel_stack + sizeof(g_kernel_stack)) ||
         (g_thread_stack_top &&
          in(reinterpret_cast<void*>(g_thread_stack_bottom), reinterpret_cast<void*>(g_thread_stack_top)));
}

uint64_t kernel_stack_top() {
  return reinterpret_cast<uint64_t>(g_kernel_stack + sizeof(g_kernel_stack));
}
uint64_t kernel_stack_bottom() {
  return reinterpret_cast<uint64_t>(g_kernel_stack);
}

void init_idt();      // traps.cc
void init_fpu();      // fpu.cc
void init_syscalls(); // user.cc

void init_gdt() {
  g_gdt[0] = 0;
  g_gdt[kKernelCode >> 3] = 0x00AF9A000000FFFFull;
  g_gdt[kKernelData >> 3] = 0x00CF92000000FFFFull;
  g_gdt[kUserCode32 >> 3] = 0x00CFFA000000FFFFull;
  g_gdt[kUserData >> 3] = 0x00CFF2000000FFFFull;
  g_gdt[kUserCode64 >> 3] = 0x00AFFA000000FFFFull;
  memset(&g_tss, 0, sizeof(g_tss));
  g_tss.rsp[0] = kernel_stack_top();
  g_tss.ist[0] = reinterpret_cast<uint64_t>(g_double_fault_stack + sizeof(g_double_fault_stack));
  g_tss.ist[1] = reinterpret_cast<uint64_t>(g_nmi_stack + sizeof(g_nmi_stack));
  g_tss.iomap_base = sizeof(Tss); // no I/O bitmap: ring 3 has no port access
  auto base = reinterpret_cast<uint64_t>(&g_tss);
  uint64_t limit = sizeof(Tss) - 1;
  g_gdt[kTss >> 3] = (limit & 0xFFFF) | ((base & 0xFFFFFF) << 16) | (0x89ull << 40) |
                     (((limit >> 16) & 0xF) << 48) | (((base >> 24) & 0xFF) << 56);
  g_gdt[(kTss >> 3) + 1] = base >> 32;
  syscall_kernel_rsp = kernel_stack_top();

  DescriptorPointer gdtr{sizeof(g_gdt) - 1, reinterpret_cast<uint64_t>(g_gdt)};
  asm volatile("lgdt %0\n\t"
               "pushq %1\n\t"
               "leaq 1f(%%rip), %%rax\n\t"
               "pushq %%rax\n\t"
               "lretq\n"
               "1:\n\t"
               "movl %2, %%eax\n\t"
               "movl %%eax, %%ds\n\t"
               "movl %%eax, %%es\n\t"
               "movl %%eax, %%ss\n\t"
               "xorl %%eax, %%eax\n\t"
               "movl %%eax, %%fs\n\t"
               "movl %%eax, %%gs\n\t"
               "ltr %w3"
               :
               : "m"(gdtr), "i"(kKernelCode), "i"(kKernelData), "r"(kTss)
               : "rax", "memory");
}

void init_cpu() {
  // Mask the legacy PICs after moving their vectors off the exception range: the only
  // interrupt source is the local APIC timer (arch/x86_64/apic.cc), and a spurious IRQ
  // must never look like an exception.
  cpu::outb(0x20, 0x11);
  cpu::outb(0xA0, 0x11);
  cpu::outb(0x21, 0x20);
  cpu::outb(0xA1, 0x28);
  cpu::outb(0x21, 0x04);
  cpu::outb(0xA1, 0x02);
  cpu::outb(0x21, 0x01);
  cpu::outb(0xA1, 0x01);
  cpu::outb(0x21, 0xFF);
  cpu::outb(0xA1, 0xFF);

  init_gdt();
  init_idt();
  uint64_t cr4 = cpu::read_cr4() | (1u << 7); // PGE
  if (cpu::cpuid(7).ebx & (1u << 7))
    cr4 |= 1u << 20; // SMEP: never run user code in ring 0
  cpu::write_cr4(cr4);
  cpu::write_cr0(cpu::read_cr0() | (1u << 16)); // WP: honour read-only pages in ring 0
  init_fpu();
  init_syscalls();
}

} // namespace arch
