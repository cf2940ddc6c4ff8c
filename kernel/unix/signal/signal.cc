#include "unix/signal/signal.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "sched/thread.h"
#include "unix/fd/event_file.h"
#include "unix/process/exit.h"
#include "unix/process/process.h"

namespace unix {
namespace {

constexpr uint64_t kSigDefault = 0, kSigIgnore = 1;
constexpr uint64_t kSaRestart = 0x10000000;
constexpr uint64_t kSaOnstack = 0x08000000, kSaRestorer = 0x04000000,
                   kSaNodefer = 0x40000000, kSaResethand = 0x80000000;
constexpr int kSsOnstack = 1, kSsDisable = 2;

// struct sigcontext (uc_mcontext) in Linux's order.
struct SigContext {
  uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
  uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
  uint16_t cs, gs, fs, ss;
  uint64_t err, trapno, oldmask, cr2;
  uint64_t fpstate; // user pointer to the saved FPU area
  uint64_t reserved[8];
};
static_assert(sizeof(SigContext) == 256);

struct UContext {
  uint64_t flags;
  uint64_t link;
  linux::stack_t stack;
  SigContext mcontext;
  uint64_t sigmask;
};

struct SigInfo {
  int32_t signo, errno_, code, pad;
  uint64_t addr; // si_addr for faults; si_pid/si_uid for kill
  uint8_t rest[128 - 24];
};
static_assert(sizeof(SigInfo) == 128);

// The frame as it sits on the user stack, lowest address first; rsp points at `restorer`
// when the handler starts (as if called from it).
struct SigFrame {
  uint64_t restorer;
  UContext uc;
  SigInfo info;
};

uint64_t bit(int sig) {
  return 1ull << (sig - 1);
}

} // namespace

bool signal_ignored(int sig) {
  uint64_t h = process().actions[sig].handler;
  bool default_ignore = sig == 17 || sig == 18 || sig == 23 || sig == 28; // CHLD CONT URG WINCH
  return h == kSigIgnore || (h == kSigDefault && default_ignore);
}

bool deliver_signal(int sig, arch::TrapFrame* f, int code, uint64_t addr) {
  Process& proc = process();
  Task& p = current_task(); // mask and alternate stack are per thread
  if (sig < 1 || sig > kMaxSignal)
    return false;
  linux::sigaction& act = proc.actions[sig];
  if (act.handler == kSigDefault || act.handler == kSigIgnore || (p.signal_mask & bit(sig)))
    return false;
  // After rt_sigsuspend the handler's frame carries the mask from before the suspend.
  uint64_t return_mask = p.restore_saved_mask ? p.saved_mask : p.signal_mask;
  // Which stack: the alternate one if asked for, set up, and not already in use.
  uint64_t sp = f->rsp;
  bool on_alt = p.altstack.size && sp > p.altstack.sp && sp <= p.altstack.sp + p.altstack.size;
  if ((act.flags & kSaOnstack) && !(p.altstack.flags & kSsDisable) && !on_alt)
    sp = p.altstack.sp + p.altstack.size;
  else
    sp -= 128; // the red zone of the interrupted code
  size_t fpu_size = arch::fpu_state_size();
  uint64_t fpu_at = (sp - fpu_size) & ~63ull;
  uint64_t frame_at = ((fpu_at - sizeof(SigFrame)) & ~15ull) - 8; // rsp % 16 == 8 at entry
  SigFrame fr;
  memset(&fr, 0, sizeof fr);
  fr.restorer = act.flags & kSaRestorer ? act.restorer : 0;
  fr.uc.stack = p.altstack;
  fr.uc.stack.flags = on_alt ? kSsOnstack : p.altstack.flags;
  SigContext& c = fr.uc.mcontext;
  c.r8 = f->r8, c.r9 = f->r9, c.r10 = f->r10, c.r11 = f->r11, c.r12 = f->r12, c.r13 = f->r13;
  c.r14 = f->r14, c.r15 = f->r15, c.rdi = f->rdi, c.rsi = f->rsi, c.rbp = f->rbp;
  c.rbx = f->rbx, c.rdx = f->rdx, c.rax = f->rax, c.rcx = f->rcx, c.rsp = f->rsp;
  c.rip = f->rip, c.eflags = f->rflags, c.cs = 0x33, c.ss = 0x2b;
  c.err = f->vector == 0xFFFF ? 0 : f->error_code;
  c.trapno = f->vector == 0xFFFF ? 0 : f->vector;
  c.oldmask = return_mask;
  c.cr2 = f->vector == 14 ? addr : 0;
  c.fpstate = fpu_at;
  fr.uc.sigmask = return_mask;
  fr.info.signo = sig;
  fr.info.code = code;
  fr.info.addr = code > 0 ? addr : static_cast<uint64_t>(kPid); // si_addr or si_pid
  void* fpu = kmalloc(fpu_size + 64);
  if (!fpu)
    return false;
  auto* area = reinterpret_cast<void*>((reinterpret_cast<uint64_t>(fpu) + 63) & ~63ull);
  arch::fpu_save(area);
  bool ok = copy_to_user(UserPtr<void>(fpu_at), area, fpu_size).ok() &&
            copy_to_user(UserPtr<SigFrame>(frame_at), &fr).ok();
  kfree(fpu);
  if (!ok)
    return false; // no room for the frame: the caller applies the default action
  if (p.restore_saved_mask) {
    p.signal_mask = p.saved_mask;
    p.restore_saved_mask = false;
  }
  if (!(act.flags & kSaNodefer))
    p.signal_mask |= bit(sig);
  p.signal_mask |= act.mask;
  p.signal_mask &= ~(bit(9) | bit(19));
  uint64_t handler = act.handler;
  if (act.flags & kSaResethand)
    act.handler = kSigDefault;
  f->rsp = frame_at;
  f->rip = handler;
  f->rdi = static_cast<uint64_t>(sig);
  f->rsi = frame_at + __builtin_offsetof(SigFrame, info);
  f->rdx = frame_at + __builtin_offsetof(SigFrame, uc);
  f->rax = 0;
  f->rflags &= ~0x400ull; // DF clear, as the ABI wants at function entry
  return true;
}

ErrorOr<long> sigreturn(arch::TrapFrame* f) {
  // The handler's `ret` popped `restorer`: rsp points at the ucontext.
  uint64_t uc_at = f->rsp - 8 + __builtin_offsetof(SigFrame, uc);
  UContext uc = TRY(copy_from_user(UserPtr<UContext>(uc_at)));
  const SigContext& c = uc.mcontext;
  if (c.rip >= kUserAddressEnd) // iret to a non-canonical address would fault in the kernel
    kill_program(11, f, c.rip);
  if (c.fpstate) {
    // Only the 512-byte legacy (x87/SSE) part comes from user memory; the rest, including
    // the XSAVE header, from a fresh save, so a forged frame cannot make XRSTOR/FXRSTOR
    // fault in the kernel.
    size_t fpu_size = arch::fpu_state_size();
    void* fpu = kmalloc(fpu_size + 64);
    if (!fpu)
      return Err(-ENOMEM);
    auto* area = reinterpret_cast<uint8_t*>((reinterpret_cast<uint64_t>(fpu) + 63) & ~63ull);
    arch::fpu_save(area);
    uint8_t legacy[512];
    bool ok = copy_from_user(legacy, UserPtr<uint8_t>(c.fpstate), sizeof legacy).ok();
    uint32_t mxcsr;
    memcpy(&mxcsr, legacy + 24, 4);
    if (ok && !(mxcsr & 0xFFFF0000u)) { // reserved MXCSR bits would fault
      memcpy(area, legacy, sizeof legacy);
      if (arch::fpu_uses_xsave())
        area[512] |= 3; // XSTATE_BV: load x87 and SSE from the area
      arch::fpu_restore(area);
    }
    kfree(fpu);
    if (!ok)
      return Err(-EFAULT);
  }
  f->r8 = c.r8, f->r9 = c.r9, f->r10 = c.r10, f->r11 = c.r11, f->r12 = c.r12, f->r13 = c.r13;
  f->r14 = c.r14, f->r15 = c.r15, f->rdi = c.rdi, f->rsi = c.rsi, f->rbp = c.rbp;
  f->rbx = c.rbx, f->rdx = c.rdx, f->rcx = c.rcx, f->rsp = c.rsp, f->rip = c.rip;
  f->rflags = (f->rflags & ~0xCD5ull) | (c.eflags & 0xCD5);
  current_task().signal_mask = uc.sigmask & ~(bit(9) | bit(19));
  return static_cast<long>(c.rax);
}

namespace {
// Ends t's wait if sig could end it: not blocked (a handler or default action), or one
// of the signals its rt_sigtimedwait takes.
void kick(Task& t, int sig) {
  if (t.thread && (!(t.signal_mask & bit(sig)) || (t.sigwait_set & bit(sig))))
    sched::interrupt_wait(t.thread);
}

// Signals the current thread would act on now, lowest first: its own, then the process'.
uint64_t deliverable(const Task& t) {
  return (t.pending_signals | process().pending_signals) & ~t.signal_mask;
}
} // namespace

void raise_process_signal(int sig) {
  if (sig < 1 || sig > kMaxSignal)
    return;
  Process& p = process();
  p.pending_signals |= bit(sig);
  // The thread that takes it: one in rt_sigtimedwait for it, else one not blocking it.
  Task* taker = nullptr;
  for (Task* t = p.tasks; t && !taker; t = t->next)
    if (t->sigwait_set & bit(sig))
      taker = t;
  for (Task* t = p.tasks; t && !taker; t = t->next)
    if (!(t->signal_mask & bit(sig)))
      taker = t;
  if (taker)
    kick(*taker, sig);
  signal_raised_notify(); // signalfd readers and pollers (sys_signalfd.cc)
}

void raise_thread_signal(Task& t, int sig) {
  if (sig < 1 || sig > kMaxSignal)
    return;
  t.pending_signals |= bit(sig);
  kick(t, sig);
  signal_raised_notify(); // signalfd readers and pollers (sys_signalfd.cc)
}

int take_pending_signal(uint64_t set) {
  Task& t = current_task();
  Process& p = process();
  uint64_t mine = t.pending_signals & set, shared = p.pending_signals & set;
  if (mine) {
    int sig = __builtin_ctzll(mine) + 1;
    t.pending_signals &= ~bit(sig);
    return sig;
  }
  if (shared) {
    int sig = __builtin_ctzll(shared) + 1;
    p.pending_signals &= ~bit(sig);
    return sig;
  }
  return 0;
}

uint64_t pending_signals_of_current() {
  return current_task().pending_signals | process().pending_signals;
}

bool signal_wakes_wait() {
  uint64_t ready = deliverable(current_task());
  for (int sig = 1; ready; ++sig, ready >>= 1)
    if ((ready & 1) && !signal_ignored(sig))
      return true;
  return false;
}

namespace {
// Delivers one deliverable signal into frame f (ignored ones are discarded on the way).
// restart_nr >= 0: f is a restartable syscall that was interrupted (see deliver_pending).
void deliver_one(arch::TrapFrame* f, long restart_nr) {
  Task& t = current_task();
  for (;;) {
    uint64_t ready = deliverable(t);
    if (!ready)
      break;
    int sig = take_pending_signal(ready & -ready);
    if (signal_ignored(sig))
      continue;
    uint64_t h = process().actions[sig].handler;
    if (restart_nr >= 0 && h != kSigDefault && h != kSigIgnore &&
        (process().actions[sig].flags & kSaRestart)) {
      // The handler returns to the syscall instruction (2 bytes, 0F 05) with the number in
      // RAX again; the argument registers are as the program left them.
      f->rax = static_cast<uint64_t>(restart_nr);
      f->rip -= 2;
    }
    if (!deliver_signal(sig, f, 0 /* SI_USER */, 0))
      kill_program(sig, nullptr, 0);
    break;
  }
  if (t.restore_saved_mask) { // rt_sigsuspend ended without running a handler
    t.signal_mask = t.saved_mask;
    t.restore_saved_mask = false;
  }
}
} // namespace

long deliver_pending(long result, long restart_nr) {
  // Every system call ends here; nearly always nothing is pending: return at once.
  const Task& t = current_task();
  if (!deliverable(t) && !t.restore_saved_mask)
    return result;
  arch::TrapFrame* f = arch::current_syscall_frame();
  if (!f)
    return result;
  f->rax = static_cast<uint64_t>(result);
  deliver_one(f, result == -EINTR ? restart_nr : -1);
  return static_cast<long>(f->rax);
}

void deliver_pending_on_interrupt(arch::TrapFrame* f) {
  deliver_one(f, -1);
}

} // namespace unix
