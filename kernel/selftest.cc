// Kernel-core self-test, run instead of unix::start() when the PVH command line has
// `core.selftest` (tests/kernel-core boots it under QEMU and compares the serial output).
// `core.selftest.panic` instead checks that a kernel fault is reported and exits 126.
// Output lines are deterministic; anything machine-dependent is only checked, not printed.
#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "arch/x86_64/irq.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "drivers/block.h"
#include "lib/kprintf.h"
#include "lib/noclear.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "sched/deferred.h"
#include "sched/thread.h"
#include "selftest_edu.h"
#include "selftest_msix.h"

extern "C" const char selftest_user_start[], selftest_user_end[], selftest_user_spin[];

namespace selftest {
namespace {

int g_failures = 0;
int g_passed = 0;
int g_expected_checks = 22; // plus the edu/e1000e checks when those devices are present
mm::AddressSpace* g_as = nullptr;
constexpr uint64_t kCodeVa = 0x400000;
constexpr uint64_t kStackVa = 0x7FFF0000;
constexpr uint64_t kDemandVa = 0x10000000;     // touched by the user program
constexpr uint64_t kCopyDemandVa = 0x10001000; // touched first by copy_to_user

void check(bool ok, const char* what) {
  kprintf("%s: %s\n", what, ok ? "ok" : "FAILED");
  if (!ok)
    ++g_failures;
  else
    ++g_passed;
}

void test_heap() {
  void* small[64];
  bool ok = true;
  for (int i = 0; i < 64; ++i) {
    small[i] = kmalloc(static_cast<size_t>(i * 24 + 1));
    ok = ok && small[i] && (reinterpret_cast<uint64_t>(small[i]) & 15) == 0;
    if (small[i])
      memset(small[i], i, static_cast<size_t>(i * 24 + 1));
  }
  for (int i = 0; i < 64; ++i) {
    const auto* b = static_cast<const uint8_t*>(small[i]);
    for (int k = 0; k < i * 24 + 1; ++k)
      ok = ok && b[k] == i;
  }
  for (int i = 0; i < 64; ++i)
    kfree(small[i]);
  size_t before = mm::free_page_count();
  void* big = kmalloc(100000);
  ok = ok && big && mm::free_page_count() < before;
  kfree(big);
  ok = ok && mm::free_page_count() == before;
  auto* arr = new uint64_t[1000];
  arr[999] = 5;
  ok = ok && arr[999] == 5;
  delete[] arr;
  check(ok, "heap");
}

void test_address_space() {
  auto as = mm::AddressSpace::create();
  bool ok = as.ok();
  g_as = *as;
  uint64_t code = mm::alloc_zeroed_page();
  uint64_t stack = mm::alloc_zeroed_page();
  memcpy(mm::phys_to_virt(code), selftest_user_start,
         static_cast<size_t>(selftest_user_end - selftest_user_start));
  ok = ok && g_as->map(kCodeVa, code, mm::kProtRead | mm::kProtExec).ok();
  ok = ok && g_as->map(kStackVa, stack, mm::kProtRead | mm::kProtWrite).ok();
  auto t = g_as->translate(kCodeVa + 5);
  ok = ok && t.ok() && t->phys == code && t->prot == (mm::kProtRead | mm::kProtExec);
  ok = ok && !g_as->translate(kDemandVa).ok();
  ok = ok && g_as->map(0x123, code, mm::kProtRead).error() == -EINVAL;
  g_as->activate();
  check(ok, "address space");
}

void test_usercopy() {
  bool ok = true;
  char buf[16] = {};
  ok = ok && copy_to_user(reinterpret_cast<void*>(kStackVa + 8), "hello", 6) == 0;
  ok = ok && copy_from_user(buf, reinterpret_cast<void*>(kStackVa + 8), 6) == 0;
  ok = ok && memcmp(buf, "hello", 6) == 0;
  ok = ok && strncpy_from_user(buf, reinterpret_cast<const char*>(kStackVa + 8), 16) == 5;
  ok =
      ok && strncpy_from_user(buf, reinterpret_cast<const char*>(kStackVa + 8), 3) == -ENAMETOOLONG;
  // Unmapped user memory, a range running into the kernel half, a kernel pointer.
  ok = ok && copy_from_user(buf, reinterpret_cast<void*>(0x5000), 4) == -EFAULT;
  ok = ok && copy_to_user(reinterpret_cast<void*>(kStackVa + 4090), buf, 16) == -EFAULT;
  ok = ok && copy_from_user(buf, reinterpret_cast<void*>(0x00007FFFFFFFFFF8), 16) == -EFAULT;
  ok = ok && copy_from_user(buf, selftest_user_start, 4) == -EFAULT;
  // protect/unmap on the live address space take effect at once (TLB invalidated).
  constexpr uint64_t kScratchVa = 0x20000000;
  uint64_t scratch = mm::alloc_zeroed_page();
  auto* user_scratch = reinterpret_cast<void*>(kScratchVa);
  ok = ok && g_as->map(kScratchVa, scratch, mm::kProtRead | mm::kProtWrite).ok();
  ok = ok && copy_to_user(user_scratch, "rw", 2) == 0;
  ok = ok && g_as->protect(kScratchVa, mm::kProtRead).ok();
  ok = ok && copy_to_user(user_scratch, "ro", 2) == -EFAULT;
  ok = ok && copy_from_user(buf, user_scratch, 2) == 0 && memcmp(buf, "rw", 2) == 0;
  auto unmapped = g_as->unmap(kScratchVa);
  ok = ok && unmapped.ok() && *unmapped == scratch;
  ok = ok && copy_from_user(buf, user_scratch, 2) == -EFAULT;
  ok = ok && g_as->unmap(kScratchVa).error() == -ENOENT;
  ok = ok && g_as->map(arch::kSyscallTrampolineVa, scratch, mm::kProtRead).error() == -EINVAL;
  mm::free_pages(scratch);
  ok = ok && clear_user(reinterpret_cast<void*>(kStackVa + 8), 6) == 0;
  ok = ok && copy_from_user(buf, reinterpret_cast<void*>(kStackVa + 8), 6) == 0 && buf[0] == 0;
  ok = ok && strncpy_from_user(buf, reinterpret_cast<const char*>(0x5000), 16) == -EFAULT;
  // The typed forms (UserPtr, ErrorOr) the syscall handlers use.
  UserPtr<uint64_t> word(kStackVa + 16);
  uint64_t value = 0x1122334455667788;
  ok = ok && copy_to_user(word, &value).ok();
  auto back = copy_from_user(word);
  ok = ok && back.ok() && *back == value;
  ok = ok && copy_from_user(UserPtr<uint64_t>(0x5000)).error() == -EFAULT;
  ok = ok && copy_to_user(UserPtr<uint64_t>(0x00007FFFFFFFFFF8), &value, 2).error() == -EFAULT;
  ok = ok && copy_to_user(word, &value, ~0ull / 4).error() == -EFAULT; // size overflows
  ok = ok && copy_to_user(UserPtr<char>(kStackVa + 8), "typed", 6).ok();
  auto len = strncpy_from_user(buf, UserPtr<const char>(kStackVa + 8), 16);
  ok = ok && len.ok() && *len == 5 && memcmp(buf, "typed", 6) == 0;
  ok = ok && strncpy_from_user(buf, UserPtr<const char>(kStackVa + 8), 3).error() == -ENAMETOOLONG;
  ok = ok && copy_to_user_if_set(UserPtr<uint64_t>(), value).ok(); // null: nothing written
  check(ok, "usercopy");
}

// Only fpu_save/fpu_restore touch the FPU here: kvm-pvm's emulated kernel mode runs
// FXSAVE/FXRSTOR but not STMXCSR/LDMXCSR.
void test_fpu_state() {
  size_t size = arch::fpu_state_size();
  auto* mem = static_cast<uint8_t*>(kmalloc(4 * size + 64));
  auto* a = reinterpret_cast<uint8_t*>((reinterpret_cast<uint64_t>(mem) + 63) & ~63ull);
  uint8_t *b = a + size, *c = b + size, *d = c + size; // size is a multiple of 64
  arch::fpu_save(a);
  memcpy(b, a, size);
  uint32_t mxcsr;
  memcpy(&mxcsr, a + 24, 4);
  mxcsr ^= 0x6000; // another rounding mode
  memcpy(b + 24, &mxcsr, 4);
  arch::fpu_restore(b);
  arch::fpu_save(c); // the modified state took effect...
  uint32_t seen;
  memcpy(&seen, c + 24, 4);
  arch::fpu_restore(a);
  arch::fpu_save(d); // ...and the original is back
  bool ok = size >= 512 && size % 64 == 0 && seen == mxcsr && memcmp(a, d, 512) == 0;
  kfree(mem);
  check(ok, "FPU state save/restore");
}

void test_time_and_random() {
  uint64_t a = ktime::monotonic_ns();
  ktime::delay_ns(100000);
  uint64_t b = ktime::monotonic_ns();
  uint64_t wall = ktime::realtime_ns();
  check(b - a >= 100000 && b - a < 100000000 && wall > 1600000000ull * 1000000000ull, "clocks");
  uint8_t x[32], y[32];
  random_bytes(x, sizeof(x));
  random_bytes(y, sizeof(y));
  check(memcmp(x, y, sizeof(x)) != 0, "random");
}

void test_block() {
  block::Device* disk = block::root_disk();
  if (!disk) {
    check(false, "block: no disk");
    return;
  }
  kprintf("disk: %s\n", disk->name());
  auto* w = static_cast<uint8_t*>(kmalloc(3 * 512));
  auto* r = static_cast<uint8_t*>(kmalloc(3 * 512));
  for (int i = 0; i < 3 * 512; ++i)
    w[i] = static_cast<uint8_t>(i * 7 + 1);
  bool ok = disk->write(1, 3, w).ok() && disk->flush().ok();
  ok = ok && disk->read(1, 3, r).ok() && memcmp(w, r, 3 * 512) == 0;
  ok = ok && disk->read(disk->capacity_sectors(), 1, r).error() == -EINVAL;
  // A buffer on the boot stack lives in the kernel image: also valid DMA memory.
  uint8_t sector[512];
  ok = ok && disk->read(2, 1, sector).ok() && memcmp(sector, w + 512, 512) == 0;
  kfree(w);
  kfree(r);
  check(ok, "block read/write");
}

// A second kernel thread: the switch there and back keeps each thread's FS base and
// FPU state. (FPU state is changed only through fpu_restore: kvm-pvm cannot emulate x87
// instructions such as FLDCW in kernel mode, but FXSAVE/FXRSTOR work.)
volatile bool g_other_ran = false;
alignas(64) KERNEL_NOCLEAR uint8_t g_fpu_other[4096], g_fpu_before[4096], g_fpu_after[4096];
uint16_t fcw_of(const uint8_t* area) {
  return static_cast<uint16_t>(area[0] | area[1] << 8);
}
void other_thread(void*) {
  arch::set_fs_base(0x5000);
  arch::fpu_init_area(g_fpu_other);
  g_fpu_other[0] = 0x7F; // FCW 0x27F: another precision control than the boot thread's
  g_fpu_other[1] = 0x02;
  arch::fpu_restore(g_fpu_other);
  g_other_ran = true;
  for (;;)
    sched::yield();
}

void test_context_switch() {
  arch::set_fs_base(0x4000);
  arch::fpu_save(g_fpu_before);
  auto t = sched::create_thread(other_thread, nullptr);
  bool ok = t.ok();
  if (ok) {
    sched::make_runnable(*t);
    sched::yield();
    arch::fpu_save(g_fpu_after);
  }
  check(ok && g_other_ran && arch::fs_base() == 0x4000 &&
            fcw_of(g_fpu_after) == fcw_of(g_fpu_before) && fcw_of(g_fpu_before) != 0x27F,
        "context switch");
}

[[noreturn]] void finish_rest();

// A device interrupt taken in user mode: a self-IPI is pending when the CPU enters the
// user-mode busy loop, so it arrives at the first user instruction. Its top half defers a
// work item and wakes a thread sleeping on a wait queue; on the way out the scheduler runs
// the deferred work and, since a thread was woken, hands the CPU over at once (wakeup
// preemption); the woken thread records that the work ran first. The timer interrupt that
// ends the busy loop then checks all of it.
struct UserModeIrq {
  sched::WaitQueue queue{nullptr, nullptr, true};
  sched::Work work{};
  volatile int top_halves = 0;
  volatile bool work_ran = false;
  volatile bool waiter_woke_after_work = false;
  volatile bool waiter_waiting = false;
  uint8_t vector = 0;
};
UserModeIrq g_user_irq;

void user_irq_top_half(void*) {
  g_user_irq.top_halves = g_user_irq.top_halves + 1;
  sched::defer(&g_user_irq.work);
  sched::wake_one(g_user_irq.queue);
}

void user_irq_waiter(void*) {
  g_user_irq.waiter_waiting = true;
  int r = sched::wait(g_user_irq.queue, sched::kNoDeadline, "selftest device wait");
  g_user_irq.waiter_woke_after_work = r == 0 && g_user_irq.work_ran;
  for (;;) // nothing wakes it again; the other threads keep the CPU busy meanwhile
    sched::wait(g_user_irq.queue, sched::kNoDeadline, "selftest device wait");
}

// Starts the waiter (it runs until it sleeps) and leaves the self-IPI pending.
bool arm_user_mode_irq() {
  g_user_irq.work.run = [](sched::Work*) { g_user_irq.work_ran = true; };
  auto vector = irq::allocate(user_irq_top_half, nullptr, "selftest user-mode");
  auto waiter = sched::create_thread(user_irq_waiter, nullptr);
  if (!vector.ok() || !waiter.ok())
    return false;
  g_user_irq.vector = *vector;
  sched::make_runnable(*waiter);
  while (!g_user_irq.waiter_waiting)
    sched::yield();
  arch::lapic_self_ipi(*vector);
  return true;
}

// The LAPIC timer interrupts a user-mode busy loop (interrupts are on in ring 3).
void on_user_timer(arch::TrapFrame* f, bool from_user) {
  if (!from_user)
    return;
  // A timer interrupt already pending on entry outranks the device vector (0xF0 is the
  // highest priority class): let the busy loop run on until the device interrupt was taken.
  static int early_ticks = 0;
  if (!g_user_irq.work_ran && ++early_ticks < 100) {
    arch::timer_program(ktime::monotonic_ns() + 2000000);
    return;
  }
  check(g_user_irq.top_halves == 1 && g_user_irq.work_ran && g_user_irq.waiter_woke_after_work &&
            irq::count(g_user_irq.vector) == 1,
        "device interrupt in user mode (deferred work, wakeup preemption)");
  irq::release(g_user_irq.vector);
  uint64_t spin = kCodeVa + static_cast<uint64_t>(selftest_user_spin - selftest_user_start);
  check(f->rip == spin || f->rip == spin + 2, "timer interrupt in user mode");
  finish_rest();
}

[[noreturn]] void finish() {
  test_context_switch();
  bool timer = arch::timer_init();
  bool armed = timer && arm_user_mode_irq();
  arch::set_timer_handler(on_user_timer);
  if (!armed) {
    check(false, "device interrupt in user mode (deferred work, wakeup preemption)");
    check(false, "timer interrupt in user mode");
    finish_rest();
  }
  arch::timer_program(ktime::monotonic_ns() + 2000000);
  arch::enter_user_mode(kCodeVa + static_cast<uint64_t>(selftest_user_spin - selftest_user_start),
                        kStackVa + mm::kPageSize);
}

// Device interrupts through the registry: a self-IPI on an allocated vector (LAPIC, trap
// stub, dispatch, EOI), then ISA devices through the I/O APIC: the CMOS RTC's periodic
// interrupt on ISA IRQ 8 (identity-mapped everywhere) and, where the MADT overrides ISA
// IRQ 0 (pc, q35: GSI 2), the PIT's one-shot through that override. (QEMU's microvm
// delivers IRQ 0 on GSI 2 as well but its MADT has no override, so the PIT is skipped
// there.) The LAPIC timer is armed as a backstop: a lost interrupt ends the halt and fails
// the check instead of hanging.
void count_device_interrupt(void* counter) {
  auto* n = static_cast<volatile int*>(counter);
  *n = *n + 1;
}
void ignore_timer(arch::TrapFrame*, bool) {}

// Halts until *counter is non-zero or 2 s pass (a loaded host can starve the QEMU thread
// that raises device interrupts for a long while).
bool await_device_interrupt(volatile int* counter) {
  uint64_t give_up = ktime::monotonic_ns() + 2000000000;
  while (*counter == 0 && ktime::monotonic_ns() < give_up) {
    arch::timer_program(give_up);
    arch::wait_for_interrupt();
  }
  return *counter > 0;
}

uint8_t cmos_read(uint8_t reg) {
  cpu::outb(0x70, static_cast<uint8_t>(0x80 | reg)); // bit 7: NMIs stay off
  return cpu::inb(0x71);
}
void cmos_write(uint8_t reg, uint8_t value) {
  cpu::outb(0x70, static_cast<uint8_t>(0x80 | reg));
  cpu::outb(0x71, value);
}

uint32_t gsi_of_isa_irq(uint8_t isa_irq) {
  return acpi::resolve_isa_irq(*acpi::interrupt_model(boot::info().rsdp_phys), isa_irq).gsi;
}

// A periodic interrupt of the RTC (at the rate firmware left, 1024 Hz) on ISA IRQ 8. The
// handler does not acknowledge it (register C), so the line stays up after the first one;
// QEMU may still re-raise ticks it counts as lost, hence "at least one".
bool rtc_interrupts(uint8_t vector, volatile int* counter) {
  constexpr uint8_t kRegB = 0x0B, kRegC = 0x0C, kPeriodicEnable = 0x40;
  if (!irq::route_isa_irq(8, vector).ok())
    return false;
  uint8_t b = cmos_read(kRegB);
  cmos_read(kRegC); // clears pending flags: the next period raises the line anew
  cmos_write(kRegB, static_cast<uint8_t>(b | kPeriodicEnable));
  bool ok = await_device_interrupt(counter);
  irq::mask_gsi(gsi_of_isa_irq(8));
  cmos_write(kRegB, static_cast<uint8_t>(b & ~kPeriodicEnable));
  cmos_read(kRegC);
  return ok;
}

// The PIT's channel 0 counting down 1 ms once (mode 0) on ISA IRQ 0. The mode is set
// before the route: firmware leaves channel 0 periodic, and writing the mode stops it with
// its output low, so no stray period reaches the newly unmasked entry.
bool pit_interrupts(uint8_t vector, volatile int* counter) {
  constexpr uint16_t kPitChannel0 = 0x40, kPitCommand = 0x43;
  constexpr uint16_t kCount = 1193; // 1 ms at 1.193182 MHz
  cpu::outb(kPitCommand, 0x30);     // channel 0, low then high byte, mode 0 (one-shot)
  if (!irq::route_isa_irq(0, vector).ok())
    return false;
  cpu::outb(kPitChannel0, kCount & 0xFF);
  cpu::outb(kPitChannel0, kCount >> 8);
  bool ok = await_device_interrupt(counter);
  irq::mask_gsi(gsi_of_isa_irq(0));
  return ok;
}

// Runs one source on a vector of its own; false if any step fails.
bool source_interrupts(bool (*run)(uint8_t, volatile int*), const char* name) {
  static volatile int counter;
  counter = 0;
  auto vector = irq::allocate(count_device_interrupt, const_cast<int*>(&counter), name);
  if (!vector.ok())
    return false;
  bool ok = run(*vector, &counter) && irq::count(*vector) == static_cast<uint64_t>(counter);
  irq::release(*vector);
  return ok;
}

bool self_ipi(uint8_t vector, volatile int* counter) {
  arch::lapic_self_ipi(vector);
  return await_device_interrupt(counter) && *counter == 1;
}

void test_device_interrupts() {
  arch::set_timer_handler(ignore_timer);
  check(source_interrupts(self_ipi, "selftest ipi"), "device interrupt (self-IPI)");
  bool isa_ok = acpi::interrupt_model(boot::info().rsdp_phys) &&
                source_interrupts(rtc_interrupts, "selftest rtc");
  if (isa_ok && gsi_of_isa_irq(0) != 0) // the MADT overrides IRQ 0 (pc, q35)
    isa_ok = source_interrupts(pit_interrupts, "selftest pit");
  check(isa_ok, "I/O APIC (ISA IRQs)");
  arch::timer_program(~0ull);
  int before = g_passed + g_failures;
  test_edu(check);
  test_msix(check);
  g_expected_checks += g_passed + g_failures - before; // only with -device edu / e1000e
}

[[noreturn]] void finish_rest() {
  test_device_interrupts();
  test_time_and_random();
  test_block();
  bool ok = g_failures == 0 && g_passed == g_expected_checks;
  kprintf("selftest: %s\n", ok ? "passed" : "FAILED");
  machine_exit({ExitReport::Kind::kProgramExit, ok ? 0 : 1});
}

long user_syscall(long nr, long a0, long a1, long a2, long a3, long a4, long a5) {
  switch (nr) {
  case 42:
    check(a0 == 1 && a1 == 2 && a2 == 3 && a3 == 4 && a4 == 5 && a5 == 6, "syscall arguments");
    return 7;
  case 43:
    check(a0 == 7, "syscall return value");
    return 0;
  case 44:
    check(a0 == 0x12345678, "demand paging");
    return 0;
  case 45:
    check(a0 == 9, "user SSE");
    return 0;
  case 47: {
    // What signal delivery and rt_sigreturn do: change the registers SYSRET would restore.
    arch::TrapFrame* f = arch::current_syscall_frame();
    if (!f)
      return -EINVAL;
    f->rip += 2; // skip the ud2 after the syscall
    f->rdi = 77;
    return 0;
  }
  case 48:
    check(a0 == 77, "syscall frame rewrite");
    return 0;
  case 49:
    check(a0 == 0x55, "resume after user fault");
    return 0;
  case 46:
    check(static_cast<uint64_t>(a0) == 0x0123456789ABCDEFull && arch::fs_base() == kStackVa + 0x800,
          "user FS base");
    return 0;
  default:
    return -ENOSYS;
  }
}

bool user_page_fault(uint64_t addr, uint64_t) {
  uint64_t page_va = mm::page_round_down(addr);
  if (page_va != kDemandVa && page_va != kCopyDemandVa)
    return false;
  uint64_t page = mm::alloc_zeroed_page();
  return page && g_as->map(page_va, page, mm::kProtRead | mm::kProtWrite).ok();
}

void user_fault(const arch::TrapFrame& frame, int signal, uint64_t addr) {
  if (signal == 11) {
    check(addr == 0xFFFFFFFF80200000ull && frame.vector == 14 && frame.rip > kCodeVa, "user fault");
    // Resume like a signal handler would: after the faulting 3-byte load, rax = 0x55.
    arch::TrapFrame resume = frame;
    resume.rip += 3;
    resume.rax = 0x55;
    arch::return_to_user(resume);
  }
  check(signal == 4 && frame.vector == 6, "user SIGILL");
  finish();
}

} // namespace

// Recursion deeper than any stack: runs into the boot stack's guard page.
__attribute__((noinline)) uint64_t overflow_stack(uint64_t depth) {
  volatile uint8_t frame[512];
  frame[depth % sizeof(frame)] = static_cast<uint8_t>(depth);
  if (depth > (1ull << 40))
    return 0;
  return overflow_stack(depth + 1) + frame[(depth * 7) % sizeof(frame)];
}

void run() {
  if (boot::cmdline_has("core.selftest.overflow")) {
    kprintf("selftest: kernel stack overflow\n");
    kprintf("%lu\n", static_cast<unsigned long>(overflow_stack(0)));
  }
  if (boot::cmdline_has("core.selftest.panic")) {
    kprintf("selftest: kernel fault\n");
    volatile uint64_t* bad = reinterpret_cast<volatile uint64_t*>(0xFFFF900000000000ull);
    *bad = 1;
  }
  boot::Path path = boot::info().path;
  kprintf("boot path: %s\n", path == boot::Path::kPvh     ? "PVH"
                             : path == boot::Path::kLinux ? "Linux boot protocol"
                                                          : "stage2");
  test_heap();
  test_address_space();
  test_usercopy();
  test_fpu_state();
  arch::set_user_hooks({user_syscall, user_page_fault, user_fault});
  // A user-copy helper faulting on a not-yet-mapped user page: demand paging maps it and
  // the copy completes (the user program later uses the same page).
  uint64_t big[64];
  for (int i = 0; i < 64; ++i)
    big[i] = 0x1111111111111111ull * static_cast<uint64_t>(i & 15);
  bool ok = copy_to_user(reinterpret_cast<void*>(kCopyDemandVa + 100), big, sizeof(big)) == 0;
  uint64_t back[64] = {};
  ok = ok && copy_from_user(back, reinterpret_cast<void*>(kCopyDemandVa + 100), sizeof(back)) == 0;
  ok = ok && memcmp(big, back, sizeof(big)) == 0 && g_as->translate(kCopyDemandVa).ok() &&
       !g_as->translate(kDemandVa).ok();
  check(ok, "usercopy demand paging");
  uint64_t tls_word = 0x0123456789ABCDEFull;
  if (copy_to_user(reinterpret_cast<void*>(kStackVa + 0x808), &tls_word, 8) != 0)
    check(false, "user FS base setup");
  arch::set_fs_base(kStackVa + 0x800);
  arch::enter_user_mode(kCodeVa, kStackVa + mm::kPageSize);
}

} // namespace selftest
