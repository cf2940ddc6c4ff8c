// unix::start: from a booted machine to the program's first instruction. Also the user
// fault hooks and the exit path.
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/user.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "net/host.h"
#include "lib/kprintf.h"
#include "sched/hooks.h"
#include "unix/fd/device_files.h"
#include "unix/process/exec.h"
#include "unix/process/exit.h"
#include "unix/process/manifest.h"
#include "unix/process/network_setup.h"
#include "unix/memory/memory.h"
#include "unix/process/process.h"
#include "unix/process/vsyscall.h"
#include "unix/signal/signal.h"
#include "unix/syscall/syscall_handlers.h"
#include "unix/syscall/syscall_summary.h"

namespace unix {
Process g_process;

namespace {
Manifest g_manifest;
UnameStrings g_uname{"Nanos", "5.15.0"};

const char* signal_name(int sig) {
  switch (sig) {
  case 4: return "SIGILL";
  case 5: return "SIGTRAP";
  case 6: return "SIGABRT";
  case 7: return "SIGBUS";
  case 8: return "SIGFPE";
  case 9: return "SIGKILL";
  case 11: return "SIGSEGV";
  case 13: return "SIGPIPE";
  case 15: return "SIGTERM";
  default: return "signal";
  }
}

void install_console_fds(Process& p) {
  for (int fd = 0; fd < 3; ++fd) {
    File* f = new_file(kConsoleOps, -1, 2 /* O_RDWR */);
    if (!f || p.files.install(f, false) != fd)
      panic("out of memory setting up the console descriptors");
  }
}
} // namespace

const UnameStrings& uname_strings() {
  return g_uname;
}

void end_program(ExitReport report, ExitKind kind) {
  Process& p = process();
  if (p.boot_timing) {
    uint64_t now = cpu::rdtsc();
    kprintf("boot_timing: kernel entry -> first user instruction %lu us, program ran %lu us\n",
            static_cast<unsigned long>(ktime::tsc_to_ns(p.first_user_tsc) / 1000),
            static_cast<unsigned long>((ktime::tsc_to_ns(now) - ktime::tsc_to_ns(p.first_user_tsc)) / 1000));
    kprintf("boot_timing: TSC %lu kHz from %s (first estimate %lu kHz)\n",
            static_cast<unsigned long>(ktime::tsc_hz() / 1000), ktime::clock_source(),
            static_cast<unsigned long>(ktime::initial_tsc_hz() / 1000));
  }
  if (p.syscall_summary)
    print_syscall_summary();
  if (report.kind == ExitReport::Kind::kProgramExit &&
      exit_code_expected(g_manifest.expected_exit_code, report.status))
    report.status = 0;
  if (kind == ExitKind::kOrderly)
    net::host::finish_transmission(2 * 1000000000ull); // its last answers reach the peers
  fs::flush_at_exit(); // what the program wrote reaches the disk (and the log) before power-off
  machine_exit(report);
}

void exit_program(int status, ExitKind kind) {
  end_program({ExitReport::Kind::kProgramExit, status & 0xFF}, kind);
}

void kill_program(int signal, const arch::TrapFrame* f, uint64_t addr) {
  kprintf("\nprogram terminated by signal %d (%s)", signal, signal_name(signal));
  if (signal == 11 || signal == 7)
    kprintf(": %s at address %#lx", signal == 11 ? "segmentation fault" : "bus error",
            static_cast<unsigned long>(addr));
  kprintf("\n");
  if (f) {
    kprintf("  rip %016lx rsp %016lx rflags %08lx error %#lx\n", f->rip, f->rsp, f->rflags,
            f->error_code);
    kprintf("  rax %016lx rbx %016lx rcx %016lx rdx %016lx\n", f->rax, f->rbx, f->rcx, f->rdx);
    kprintf("  rsi %016lx rdi %016lx rbp %016lx r8  %016lx\n", f->rsi, f->rdi, f->rbp, f->r8);
    kprintf("  r9  %016lx r10 %016lx r11 %016lx r12 %016lx\n", f->r9, f->r10, f->r11, f->r12);
    kprintf("  r13 %016lx r14 %016lx r15 %016lx\n", f->r13, f->r14, f->r15);
    const Vma* v = process().vm.find(f->rip);
    char path[128];
    if (v && v->node >= 0 && fs::node_path(v->node, path, sizeof path) >= 0)
      kprintf("  rip is in %s at file offset %#lx\n", path,
              static_cast<unsigned long>(v->file_offset + (f->rip - v->start)));
  }
  end_program({ExitReport::Kind::kKilledBySignal, signal}, ExitKind::kAbrupt);
}

bool handle_user_page_fault(uint64_t addr, uint64_t error_code) {
  if (!process().syscall_summary)
    return fault_in(addr, error_code);
  uint64_t t0 = cpu::rdtsc();
  bool resolved = fault_in(addr, error_code);
  summary_record_fault(cpu::rdtsc() - t0);
  return resolved;
}

namespace {

// si_code and si_addr of a fault, as Linux reports them for each exception. The arch layer
// passes the page-fault address for #PF and the faulting instruction otherwise.
struct FaultReport {
  int signal;
  int code;
  uint64_t addr;
};

FaultReport describe_fault(const arch::TrapFrame& frame, int signal, uint64_t addr) {
  constexpr int kSiKernel = 0x80, kIllIllOpn = 2, kFpeIntDiv = 1, kBusAdrAln = 1;
  switch (frame.vector) {
  case 14: {
    UnresolvedFault u = classify_unresolved_fault(addr);
    return {u.signal, u.code, addr};
  }
  case 0: // #DE: divide error
    return {signal, kFpeIntDiv, addr};
  case 6: // #UD
    return {signal, kIllIllOpn, addr};
  case 17: // #AC
    return {signal, kBusAdrAln, addr};
  case 3:  // int3
  case 4:  // into
  case 5:  // bound
  case 10: // #TS
  case 11: // #NP
  case 12: // #SS
  case 13: // #GP: a non-canonical address, a privileged instruction...
    return {signal, kSiKernel, 0};
  default:
    return {signal, 1, addr};
  }
}

} // namespace

void handle_user_fault(const arch::TrapFrame& frame, int signal, uint64_t addr) {
  arch::TrapFrame f = frame;
  if (frame.vector == 14 && (frame.error_code & 16) && emulate_vsyscall(&f, addr))
    arch::return_to_user(f);
  // A handler, if the program installed one and the signal is not blocked, runs with the
  // fault's siginfo; otherwise (or with no room for the frame) the default action.
  FaultReport r = describe_fault(frame, signal, addr);
  if (deliver_signal(r.signal, &f, r.code, r.addr))
    arch::return_to_user(f);
  kill_program(r.signal, &frame, r.addr);
}

void start() {
  sched::set_upper_hooks({[] { end_program({ExitReport::Kind::kKernelPanic, kExitDeadlock},
                                           ExitKind::kAbrupt); },
                          signal_wakes_wait,
                          deliver_pending_on_interrupt});
  Process& p = process();
  p.vm.set_limit(VmMap::limit_for_memory(mm::total_page_count() * mm::kPageSize));
  uint64_t t_start = cpu::rdtsc();
  if (!fs::mount_root().ok())
    kernel_panic_exit();
  Manifest& m = g_manifest;
  if (!read_manifest(fs::root_tuple(), &m).ok())
    kernel_panic_exit();
  set_debug_exit(m.debug_exit);
  g_uname = {m.uname_sysname, m.uname_release};
  p.program = m.program;
  p.trace = m.trace;
  p.noaslr = m.noaslr;
  p.boot_timing = m.boot_timing;
  p.syscall_summary = m.syscall_summary;
  uint64_t t_mounted = cpu::rdtsc();
  if (fs::build_tree(fs::root_tuple(), m.program) < 0) {
    kprintf("root filesystem: directory tree is malformed or too large\n");
    kernel_panic_exit();
  }
  if (m.cwd) {
    NodeId cwd = walk_path(fs::tree(), 0, m.cwd, true);
    if (cwd < 0 || !fs::tree().is_directory(cwd)) {
      kprintf("manifest: cwd %s is not a directory in the image\n", m.cwd);
      kernel_panic_exit();
    }
    p.cwd = cwd;
  }
  setup_network(fs::root_tuple());
  init_file_syscalls();
  install_console_fds(p);
  wait_for_network();
  ExecArgs args{m.program, m.argv, m.argc, m.envp, m.envc};
  auto loaded = exec_program(args);
  if (!loaded.ok())
    kernel_panic_exit();
  UserEntry entry = *loaded;
  p.first_user_tsc = cpu::rdtsc();
  if (p.boot_timing)
    kprintf("boot_timing: machine ready %lu us, root mounted + manifest %lu us, exec done %lu us "
            "(since kernel entry)\n",
            static_cast<unsigned long>(ktime::tsc_to_ns(t_start) / 1000),
            static_cast<unsigned long>(ktime::tsc_to_ns(t_mounted) / 1000),
            static_cast<unsigned long>(ktime::tsc_to_ns(p.first_user_tsc) / 1000));
  arch::enter_user_mode(entry.rip, entry.rsp);
}

} // namespace unix
