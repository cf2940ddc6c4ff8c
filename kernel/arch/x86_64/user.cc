#include "arch/x86_64/user.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/segments.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/vm.h"

extern "C" arch::TrapFrame* current_syscall_frame_ptr;
extern "C" void syscall_entry();
extern "C" char syscall_trampoline_page[];
struct KContext {
  uint64_t regs[8];
};
extern "C" int kcontext_save(KContext* ctx);
extern "C" [[noreturn]] void kcontext_resume(KContext* ctx, int value);
extern "C" [[noreturn]] void return_to_user_frame(const arch::TrapFrame* frame);

extern "C" long (*syscall_handler_ptr)(long, long, long, long, long, long, long);
long (*syscall_handler_ptr)(long, long, long, long, long, long, long) = unix_syscall;

namespace arch {
namespace {
[[noreturn]] void default_fault(const TrapFrame& frame, int signal, uint64_t addr) {
  unix::handle_user_fault(frame, signal, addr);
}
UserHooks g_hooks{unix_syscall, unix::handle_user_page_fault, default_fault};
} // namespace

void set_user_hooks(const UserHooks& hooks) {
  g_hooks = hooks;
  syscall_handler_ptr = hooks.syscall;
}
const UserHooks& user_hooks() {
  return g_hooks;
}

void init_syscalls() {
  cpu::wrmsr(cpu::kMsrEfer, cpu::rdmsr(cpu::kMsrEfer) | 1); // SCE
  cpu::wrmsr(cpu::kMsrStar, (static_cast<uint64_t>(kUserCode32 | 3) << 48) |
                                (static_cast<uint64_t>(kKernelCode) << 32));
  cpu::wrmsr(cpu::kMsrLstar, reinterpret_cast<uint64_t>(&syscall_entry));
  cpu::wrmsr(cpu::kMsrCstar, 0);
  // Cleared on entry: IF, DF, TF, AC, NT.
  cpu::wrmsr(cpu::kMsrFmask, 0x200 | 0x400 | 0x100 | 0x40000 | 0x4000);
}

TrapFrame* current_syscall_frame() {
  return current_syscall_frame_ptr;
}
void set_current_syscall_frame(TrapFrame* frame) {
  current_syscall_frame_ptr = frame;
}

// ---- SYSCALL path probe ----
//
// Under kvm-pvm's mode for ordinary (non-PVM) kernels, SYSCALL from user mode sets RIP to
// LSTAR (RCX/R11 as usual) but leaves the CPU in user mode, so the first fetch at LSTAR
// faults as a user page fault. Exceptions and INT3 do enter the kernel. The probe runs
// `syscall` once from a scratch address space and looks at what happens. (The trampoline
// cannot be forced elsewhere: a real SYSCALL would run it in ring 0.)
namespace {
bool g_syscall_via_trampoline = false;
KContext g_probe_ctx;
enum { kProbeSyscallEntered = 1, kProbeFaultAtLstar = 2, kProbeOther = 3 };
constexpr uint64_t kProbeCodeVa = 0x10000;

long probe_syscall(long, long, long, long, long, long, long) {
  current_syscall_frame_ptr = nullptr;
  kcontext_resume(&g_probe_ctx, kProbeSyscallEntered);
}
bool probe_page_fault(uint64_t, uint64_t) {
  return false;
}
void probe_fault(const TrapFrame& f, int, uint64_t) {
  bool at_lstar = f.vector == 14 && f.rip == reinterpret_cast<uint64_t>(&syscall_entry);
  kcontext_resume(&g_probe_ctx, at_lstar ? kProbeFaultAtLstar : kProbeOther);
}
} // namespace

uint64_t syscall_trampoline_phys() {
  return g_syscall_via_trampoline ? mm::virt_to_phys(syscall_trampoline_page) : 0;
}

void probe_syscall_path() {
  auto as = mm::AddressSpace::create();
  uint64_t code = mm::alloc_zeroed_page();
  if (!as.ok() || !code)
    panic("out of memory probing the SYSCALL path");
  static const uint8_t kProbe[] = {0x0F, 0x05, 0x0F, 0x0B}; // syscall; ud2
  memcpy(mm::phys_to_virt(code), kProbe, sizeof(kProbe));
  if (!(*as)->map(kProbeCodeVa, code, mm::kProtRead | mm::kProtExec).ok())
    panic("out of memory probing the SYSCALL path");
  (*as)->activate();
  UserHooks saved = user_hooks();
  set_user_hooks({probe_syscall, probe_page_fault, probe_fault});
  int result = kcontext_save(&g_probe_ctx);
  if (result == 0)
    enter_user_mode(kProbeCodeVa, kProbeCodeVa);
  set_user_hooks(saved);
  (*as)->destroy();
  mm::free_pages(code);
  if (result == kProbeFaultAtLstar) {
    g_syscall_via_trampoline = true;
    cpu::wrmsr(cpu::kMsrLstar, kSyscallTrampolineVa);
  } else if (result != kProbeSyscallEntered) {
    panic("SYSCALL probe: unexpected result %d", result);
  }
}

bool syscalls_via_trampoline() {
  return g_syscall_via_trampoline;
}

void fpu_reset_for_user(); // fpu.cc

void enter_user_mode(uint64_t rip, uint64_t rsp) {
  fpu_reset_for_user();
  TrapFrame f;
  memset(&f, 0, sizeof(f));
  f.rip = rip;
  f.rsp = rsp;
  f.cs = kUserCodeSelector;
  f.ss = kUserDataSelector;
  f.rflags = 0x202; // IF: user mode runs with interrupts on (the kernel never does)
  f.vector = 0xFFFF;
  return_to_user_frame(&f);
}

void return_to_user(const TrapFrame& frame) {
  TrapFrame f = frame;
  f.cs = kUserCodeSelector; // never let a frame escalate privilege
  f.ss = kUserDataSelector;
  // User-modifiable flags only (CF PF AF ZF SF TF DF OF), and IF: user mode is preemptible.
  f.rflags = (f.rflags & 0xCD5) | 0x202;
  return_to_user_frame(&f);
}

void set_fs_base(uint64_t base) {
  cpu::wrmsr(cpu::kMsrFsBase, base);
}
uint64_t fs_base() {
  return cpu::rdmsr(cpu::kMsrFsBase);
}
void set_gs_base(uint64_t base) {
  cpu::wrmsr(cpu::kMsrGsBase, base);
}
uint64_t gs_base() {
  return cpu::rdmsr(cpu::kMsrGsBase);
}

} // namespace arch
