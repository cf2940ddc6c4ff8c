// IDT and exception dispatch: user faults go to the unix layer, kernel faults either hit an
// exception fixup (user-copy helpers) or panic with a register dump (exit 126).
#include "arch/x86_64/apic.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/segments.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "lib/kprintf.h"

namespace arch {
bool on_kernel_stack(uint64_t addr, size_t len); // gdt.cc

namespace {

struct __attribute__((packed)) IdtEntry {
  uint16_t offset_low;
  uint16_t selector;
  uint8_t ist;
  uint8_t type_attr;
  uint16_t offset_mid;
  uint32_t offset_high;
  uint32_t zero;
};
static_assert(sizeof(IdtEntry) == 16);

alignas(16) IdtEntry g_idt[256];

void set_gate(int vec, uint64_t handler, uint8_t ist, uint8_t dpl) {
  g_idt[vec] = IdtEntry{static_cast<uint16_t>(handler),
                        kKernelCode,
                        ist,
                        static_cast<uint8_t>(0x8E | (dpl << 5)), // present, interrupt gate
                        static_cast<uint16_t>(handler >> 16),
                        static_cast<uint32_t>(handler >> 32),
                        0};
}

const char* const kNames[32] = {"divide error",
                                "debug",
                                "NMI",
                                "breakpoint",
                                "overflow",
                                "bound range",
                                "invalid opcode",
                                "device not available",
                                "double fault",
                                "coprocessor overrun",
                                "invalid TSS",
                                "segment not present",
                                "stack fault",
                                "general protection",
                                "page fault",
                                "reserved",
                                "x87 floating point",
                                "alignment check",
                                "machine check",
                                "SIMD floating point",
                                "virtualization",
                                "control protection",
                                "reserved",
                                "reserved",
                                "reserved",
                                "reserved",
                                "reserved",
                                "reserved",
                                "hypervisor injection",
                                "VMM communication",
                                "security",
                                "reserved"};

struct ExTableEntry {
  uint64_t insn;
  uint64_t fixup;
};
extern "C" const ExTableEntry __ex_table_start[], __ex_table_end[];

uint64_t find_fixup(uint64_t rip) {
  for (const ExTableEntry* e = __ex_table_start; e < __ex_table_end; ++e)
    if (e->insn == rip)
      return e->fixup;
  return 0;
}

int signal_for_vector(uint64_t vec) {
  switch (vec) {
  case 0:
  case 16:
  case 19:
    return 8; // SIGFPE
  case 1:
  case 3:
    return 5; // SIGTRAP
  case 6:
    return 4; // SIGILL
  case 17:
    return 7; // SIGBUS
  default:
    return 11; // SIGSEGV
  }
}

[[noreturn]] void kernel_fault(const TrapFrame& f, uint64_t cr2) {
  const char* name = f.vector < 32 ? kNames[f.vector] : "unexpected interrupt";
  kprintf("\nkernel fault: %s (vector %lu, error %#lx) at rip %#lx\n", name, f.vector, f.error_code,
          f.rip);
  if (f.vector == 14)
    kprintf("  fault address %#lx\n", cr2);
  kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f.rax, f.rbx, f.rcx, f.rdx);
  kprintf("  rsi %016lx rdi %016lx rbp %016lx rsp %016lx\n", f.rsi, f.rdi, f.rbp, f.rsp);
  kprintf("  r8  %016lx r9  %016lx r10 %016lx r11 %016lx\n", f.r8, f.r9, f.r10, f.r11);
  kprintf("  r12 %016lx r13 %016lx r14 %016lx r15 %016lx\n", f.r12, f.r13, f.r14, f.r15);
  kprintf("  cs %#lx rflags %#lx ss %#lx cr3 %#lx\n", f.cs, f.rflags, f.ss, cpu::read_cr3());
  // Return addresses along the frame-pointer chain (addr2line -e kernel.elf ...), followed
  // only while it stays on a kernel stack.
  kprintf("  backtrace:");
  uint64_t rbp = f.rbp;
  for (int depth = 0; depth < 16 && on_kernel_stack(rbp, 16); ++depth) {
    const auto* frame = reinterpret_cast<const uint64_t*>(rbp);
    kprintf(" %#lx", frame[1]);
    if (frame[0] <= rbp)
      break;
    rbp = frame[0];
  }
  kprintf("\n");
  panic("fatal kernel exception");
}

} // namespace

extern "C" const uint64_t trap_stub_table[32];
extern "C" const uint64_t trap_stub_spurious;
extern "C" const uint64_t trap_stub_timer;
extern "C" const uint64_t trap_device_stubs[]; // traps.S: vectors 0x20..0xEF
extern "C" TrapFrame* current_syscall_frame_ptr;

bool syscalls_via_trampoline(); // user.cc

namespace {
// A SYSCALL that arrived through the trampoline's INT3: RCX/R11 hold the return RIP and
// RFLAGS exactly as SYSCALL left them.
void trampoline_syscall(TrapFrame* f) {
  f->rip = f->rcx;
  f->rflags = (f->r11 & 0xCD5) | 0x202; // IF: user mode stays preemptible
  current_syscall_frame_ptr = f;
  f->rax = static_cast<uint64_t>(user_hooks().syscall(
      static_cast<long>(f->rax), static_cast<long>(f->rdi), static_cast<long>(f->rsi),
      static_cast<long>(f->rdx), static_cast<long>(f->r10), static_cast<long>(f->r8),
      static_cast<long>(f->r9)));
  current_syscall_frame_ptr = nullptr;
}
} // namespace

void init_idt() {
  // Each gate written once (under emulation every instruction of boot counts): the ranges
  // of exceptions, device (and parked-PIC) vectors and the rest tile 0..255.
  static_assert(irq::kFirstStubVector == 32 && irq::kLastDeviceVector < kTimerVector);
  for (int v = 0; v < 32; ++v)
    set_gate(v, trap_stub_table[v], 0, 0);
  for (int v = irq::kFirstStubVector; v <= irq::kLastDeviceVector; ++v)
    set_gate(v, trap_device_stubs[v - irq::kFirstStubVector], 0, 0);
  for (int v = irq::kLastDeviceVector + 1; v < 256; ++v)
    set_gate(v, v == kTimerVector ? trap_stub_timer : trap_stub_spurious, 0, 0);
  set_gate(8, trap_stub_table[8], 1, 0); // double fault on its own stack (IST1)
  set_gate(2, trap_stub_table[2], 2, 0); // NMI (IST2)
  set_gate(3, trap_stub_table[3], 0, 3); // int3 allowed from user mode
  struct __attribute__((packed)) {
    uint16_t limit;
    uint64_t base;
  } idtr{sizeof(g_idt) - 1, reinterpret_cast<uint64_t>(g_idt)};
  asm volatile("lidt %0" : : "m"(idtr));
}

extern "C" void trap_dispatch(TrapFrame* f) {
  if (f->vector == kTimerVector) {
    timer_interrupt(f); // may switch threads (preemption of user mode)
    return;
  }
  if (f->vector >= irq::kFirstStubVector && f->vector <= irq::kLastDeviceVector) {
    irq::dispatch(f); // may switch threads, as the timer does
    return;
  }
  if (f->vector == kSpuriousVector)
    return; // the LAPIC's spurious interrupt: no EOI, nothing to do
  uint64_t cr2 = f->vector == 14 ? cpu::read_cr2() : 0;
  bool from_user = (f->cs & 3) == 3;
  if (from_user) {
    if (f->vector == 3 && f->rip == kSyscallTrampolineVa + 1 && syscalls_via_trampoline()) {
      trampoline_syscall(f);
      return;
    }
    const UserHooks& hooks = user_hooks();
    if (f->vector == 14 && hooks.page_fault(cr2, f->error_code))
      return;
    hooks.fault(*f, signal_for_vector(f->vector), f->vector == 14 ? cr2 : f->rip);
    panic("user fault handler returned");
  }
  if (f->vector == 14) {
    uint64_t fixup = find_fixup(f->rip);
    if (fixup) {
      // A user-copy helper touched user memory: let demand paging run as for a user access
      // (error code with the user bit set), else resume at the helper's -EFAULT path.
      if (cr2 < kUserAddressEnd && user_hooks().page_fault(cr2, f->error_code | 4))
        return;
      f->rip = fixup;
      return;
    }
  }
  kernel_fault(*f, cr2);
}

} // namespace arch
