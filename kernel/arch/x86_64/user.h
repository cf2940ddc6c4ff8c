// User mode: entering it, SYSCALL/SYSRET, user exceptions, FS base, per-thread FPU state.
//
// Hooks implemented by kernel-unix (weak defaults in arch/x86_64/default_hooks.cc):
//   extern "C" long unix_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
//   bool unix::handle_user_page_fault(uint64_t addr, uint64_t error_code);
//   [[noreturn]] void unix::handle_user_fault(const arch::TrapFrame&, int signal, uint64_t addr);
//   void unix::start();
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace arch {

// Registers saved on entry from user mode (syscall or exception), in this order on the
// kernel stack. For syscalls, rip/rflags come from rcx/r11 (which the SYSCALL instruction
// clobbers) and vector/error_code are 0xFFFF/0.
struct TrapFrame {
  uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
  uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
  uint64_t vector, error_code;
  uint64_t rip, cs, rflags, rsp, ss;
};
static_assert(sizeof(TrapFrame) == 22 * 8);

// The frame of the current syscall (valid inside unix_syscall): lets unix read or change
// the user registers that SYSRET restores (e.g. rt_sigreturn, signal delivery). Per
// thread: the scheduler saves and restores it on every switch.
TrapFrame* current_syscall_frame();
void set_current_syscall_frame(TrapFrame* frame);

// Leaves the kernel for good on this stack: clears all general registers and jumps to
// rip with rsp in ring 3 (RFLAGS = IF|reserved bit: user mode runs with interrupts on, so
// the timer can preempt it; the FPU/SSE state is reset to its power-on default with MXCSR
// 0x1F80 and FCW 0x37F).
[[noreturn]] void enter_user_mode(uint64_t rip, uint64_t rsp);

// Resumes user mode with every register taken from frame (after signal delivery etc.).
[[noreturn]] void return_to_user(const TrapFrame& frame);

// FS base (TLS) of the running thread: arch_prctl(ARCH_SET_FS/ARCH_GET_FS).
void set_fs_base(uint64_t base);
uint64_t fs_base();
void set_gs_base(uint64_t base); // user GS (ARCH_SET_GS)
uint64_t gs_base();

// FPU/SSE/AVX state of a thread. XSAVE (with the XCR0 features enabled at boot) when the
// CPU has it (and not under KVM, see docs/kernel.md), FXSAVE otherwise. Areas must be
// fpu_state_size() bytes (a multiple of 64), 64-byte aligned; the first 512 bytes are the
// FXSAVE layout in both cases (FCW at 0, MXCSR at 24, XMM0 at 160).
size_t fpu_state_size();
bool fpu_uses_xsave();
void fpu_save(void* area);
void fpu_restore(const void* area);
// Writes the power-on default state (FCW 0x37F, MXCSR 0x1F80) into an area.
void fpu_init_area(void* area);

// The boot thread's kernel stack (64 KiB in the kernel image, above a guard page).
uint64_t kernel_stack_top();
uint64_t kernel_stack_bottom();
// Makes [bottom, top) the stack that SYSCALL, interrupts and exceptions from ring 3 use
// (TSS.RSP0 and the SYSCALL entry's stack pointer): called by the scheduler on every
// switch to the next thread's own kernel stack.
void set_kernel_stack(uint64_t bottom, uint64_t top);

// The last page of the user half is reserved: on hypervisors where SYSCALL from user mode
// does not enter the kernel (this machine's kvm-pvm, detected at boot by a probe), every
// address space maps a user-executable trampoline there that enters the kernel with INT3
// instead. kernel/unix must not place user mappings at or above this address.
constexpr uint64_t kSyscallTrampolineVa = 0x00007FFFFFFFF000ull;
constexpr uint64_t kUserMappableEnd = kSyscallTrampolineVa;
// Physical page of the trampoline when it is in use, else 0 (mm maps it; no one else).
uint64_t syscall_trampoline_phys();
bool syscalls_via_trampoline();

// Test seam: where user events go. Defaults to the unix:: hooks below; only the kernel-core
// self-test (PVH command line `core.selftest`) installs its own.
struct UserHooks {
  long (*syscall)(long nr, long a0, long a1, long a2, long a3, long a4, long a5);
  bool (*page_fault)(uint64_t addr, uint64_t error_code);
  void (*fault)(const TrapFrame& frame, int signal, uint64_t addr); // must not return
};
void set_user_hooks(const UserHooks& hooks);
const UserHooks& user_hooks();

} // namespace arch

// Implemented by kernel-unix (kernel/unix). Called with interrupts off on the calling
// thread's kernel stack; the return value goes to RAX.
extern "C" long unix_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5);

namespace unix {
// Entry from kernel_main after the machine is up: mount root, exec, enter user mode.
[[noreturn]] void start();
// #PF from user mode (or from a user-copy helper touching a user address). Returns true
// if the fault was resolved (page mapped) and the instruction should be retried.
bool handle_user_page_fault(uint64_t addr, uint64_t error_code);
// Any other fault in user mode (or an unresolved page fault): deliver `signal` or exit.
// signal: 11 SIGSEGV, 4 SIGILL, 8 SIGFPE, 5 SIGTRAP, 7 SIGBUS. addr: CR2 for #PF, else rip.
[[noreturn]] void handle_user_fault(const arch::TrapFrame& frame, int signal, uint64_t addr);
} // namespace unix
