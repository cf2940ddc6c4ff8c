// Local APIC (xAPIC, memory-mapped registers) and its timer. x2APIC is not used: the
// MMIO interface works everywhere this kernel runs, including this machine's kvm-pvm.
#include "arch/x86_64/apic.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fixed_point.h"
#include "arch/x86_64/time.h"
#include "lib/kprintf.h"
#include "mm/vm.h"

namespace arch {
namespace {

enum : uint32_t {
  kRegId = 0x20,
  kRegTaskPriority = 0x80,
  kRegEoi = 0xB0,
  kRegIcrLow = 0x300,
  kRegSpurious = 0xF0,
  kRegLvtTimer = 0x320,
  kRegInitialCount = 0x380,
  kRegCurrentCount = 0x390,
  kRegDivide = 0x3E0,
};
constexpr uint32_t kMsrApicBase = 0x1B;
constexpr uint32_t kMsrTscDeadline = 0x6E0;
constexpr uint32_t kLvtMasked = 1u << 16;
constexpr uint32_t kLvtTscDeadline = 2u << 17;

enum class Mode { kUnprobed, kNone, kTscDeadline, kOneShot };
Mode g_mode = Mode::kUnprobed;
volatile uint32_t* g_apic = nullptr;
uint64_t g_count_per_ns_q32 = 0; // LAPIC timer counts (divide by 16) per ns, 32.32
TimerHandler g_handler = nullptr;
volatile bool g_probe_fired = false;

uint32_t rd(uint32_t reg) {
  return g_apic[reg / 4];
}
void wr(uint32_t reg, uint32_t v) {
  g_apic[reg / 4] = v;
}

uint64_t mul_q32(uint64_t a, uint64_t q32) {
  return static_cast<uint64_t>((static_cast<unsigned __int128>(a) * q32) >> 32);
}

void probe_handler(TrapFrame*, bool) {
  g_probe_fired = true;
}

void program(uint64_t deadline_ns) {
  uint64_t now = ktime::monotonic_ns();
  uint64_t delta = deadline_ns > now ? deadline_ns - now : 0;
  if (g_mode == Mode::kTscDeadline) {
    uint64_t tsc = ktime::ns_to_tsc(now + delta);
    cpu::wrmsr(kMsrTscDeadline, tsc ? tsc : 1);
    return;
  }
  uint64_t count = mul_q32(delta, g_count_per_ns_q32);
  if (count == 0)
    count = 1;
  if (count > 0xFFFFFFFFull)
    count = 0xFFFFFFFFull; // the interrupt comes early; the scheduler re-arms
  wr(kRegInitialCount, static_cast<uint32_t>(count));
}

// Arms the timer 20 us ahead and gives it `patience_ns` to raise its interrupt: 10 ms for
// TSC-deadline mode (the probe runs in the boot path of every program that sleeps or
// starts a thread, and TCG's TSC-deadline mode never fires, so this wait is paid there in
// full), 200 ms for the one-shot mode, the last resort, where a working timer ends the
// wait at once and only a TCG vCPU starved by a loaded host needs the margin (10 ms was
// seen to miss there). The LAPIC's
// interrupt request register is polled with interrupts off (enabling them in a polling
// loop is unreliable: TCG only takes interrupts at translated-block starts, and kvm-pvm's
// emulated kernel mode may not open an interrupt window); once the request is seen,
// `sti; hlt` takes it, so the probe handler proves delivery.
bool timer_fires(uint64_t patience_ns) {
  TimerHandler saved = g_handler;
  g_handler = probe_handler;
  g_probe_fired = false;
  uint64_t start = ktime::monotonic_ns();
  program(start + 20000); // 20 us: long enough to be a real deadline, short for boot
  constexpr uint32_t kIrrReg = 0x200 + 0x10 * (kTimerVector / 32);
  constexpr uint32_t kIrrBit = 1u << (kTimerVector % 32);
  bool requested = false;
  while (!requested && ktime::monotonic_ns() - start < patience_ns)
    requested = rd(kIrrReg) & kIrrBit;
  // Only the timer's priority class may interrupt the probe: a device interrupt already
  // pending stays pending (its top half could wake threads and re-arm this very timer).
  wr(kRegTaskPriority, (kTimerVector & 0xF0u) - 0x10);
  if (requested)
    wait_for_interrupt();
  wr(kRegTaskPriority, 0);
  g_handler = saved;
  return g_probe_fired;
}

} // namespace

bool lapic_init() {
  if (g_apic)
    return true;
  if (!(cpu::cpuid(1).edx & (1u << 9)))
    return false; // no local APIC
  uint64_t base = cpu::rdmsr(kMsrApicBase);
  cpu::wrmsr(kMsrApicBase, base | (1u << 11)); // globally enabled, xAPIC mode
  g_apic = static_cast<volatile uint32_t*>(mm::map_mmio(base & 0xFFFFF000ull, 4096));
  wr(kRegSpurious, 0x100 | kSpuriousVector); // software enable
  return true;
}

void lapic_eoi() {
  if (g_apic)
    wr(kRegEoi, 0);
}

uint8_t lapic_id() {
  return g_apic ? static_cast<uint8_t>(rd(kRegId) >> 24) : 0;
}

void lapic_self_ipi(uint8_t vector) {
  constexpr uint32_t kLevelAssert = 1u << 14, kShorthandSelf = 1u << 18;
  if (g_apic)
    wr(kRegIcrLow, vector | kLevelAssert | kShorthandSelf);
}

namespace {
void (*g_timer_ready_hook)() = nullptr;
bool probe_timer();
} // namespace

void set_timer_ready_hook(void (*hook)()) {
  if (timer_available())
    hook();
  else
    g_timer_ready_hook = hook;
}

bool timer_init() {
  if (g_mode != Mode::kUnprobed)
    return g_mode != Mode::kNone;
  bool ok = probe_timer();
  if (ok && g_timer_ready_hook) {
    void (*hook)() = g_timer_ready_hook;
    g_timer_ready_hook = nullptr;
    hook();
  }
  return ok;
}

namespace {
bool probe_timer() {
  g_mode = Mode::kNone;
  if (!ktime::tsc_hz() || !lapic_init())
    return false;

  if (cpu::cpuid(1).ecx & (1u << 24)) {
    g_mode = Mode::kTscDeadline;
    wr(kRegLvtTimer, kTimerVector | kLvtTscDeadline);
    if (timer_fires(10000000))
      return true;
    cpu::wrmsr(kMsrTscDeadline, 0);
  }
  // One-shot count-down: count how far the timer (divide by 16) runs in 1 ms of TSC time
  // (a rate off by 0.1% only moves interrupts; the scheduler re-arms early ones).
  wr(kRegLvtTimer, kTimerVector | kLvtMasked);
  wr(kRegDivide, 0x3); // divide by 16
  wr(kRegInitialCount, 0xFFFFFFFFu);
  uint64_t t0 = ktime::monotonic_ns();
  while (ktime::monotonic_ns() - t0 < 1000000)
    cpu::pause();
  uint32_t left = rd(kRegCurrentCount);
  uint64_t elapsed = ktime::monotonic_ns() - t0;
  wr(kRegInitialCount, 0);
  uint64_t counted = 0xFFFFFFFFull - left;
  if (counted == 0 || elapsed == 0)
    return false;
  g_count_per_ns_q32 = ratio_q32(counted, elapsed);
  g_mode = Mode::kOneShot;
  wr(kRegLvtTimer, kTimerVector); // one-shot, unmasked
  if (timer_fires(200000000))
    return true;
  wr(kRegLvtTimer, kTimerVector | kLvtMasked);
  g_mode = Mode::kNone;
  kprintf("kernel: the local APIC timer never interrupts; no preemption, waits busy-wait\n");
  return false;
}
} // namespace

bool timer_available() {
  return g_mode == Mode::kTscDeadline || g_mode == Mode::kOneShot;
}

const char* timer_mode() {
  switch (g_mode) {
  case Mode::kTscDeadline: return "tsc-deadline";
  case Mode::kOneShot: return "one-shot";
  default: return "none";
  }
}

void timer_program(uint64_t deadline_ns) {
  if (!timer_available())
    return;
  if (deadline_ns == ~0ull) {
    if (g_mode == Mode::kTscDeadline)
      cpu::wrmsr(kMsrTscDeadline, 0);
    else
      wr(kRegInitialCount, 0);
    return;
  }
  program(deadline_ns);
}

void set_timer_handler(TimerHandler handler) {
  g_handler = handler;
}

void timer_interrupt(TrapFrame* frame) {
  lapic_eoi();
  if (g_handler)
    g_handler(frame, (frame->cs & 3) == 3);
}

} // namespace arch
