#include "arch/x86_64/time.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fixed_point.h"
#include "arch/x86_64/vdso.h"
#include "arch/x86_64/xen/pvclock.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/vm.h"

namespace ktime {
namespace {

uint64_t g_tsc_hz = 0;
uint64_t g_initial_tsc_hz = 0;
const char* g_source = "none";
// monotonic ns = base_ns + ((tsc - base_tsc) * mul) >> 32 (mul = (1e9 << 32) / tsc_hz);
// realtime = monotonic + realtime_offset_ns. The base moves only when the PIT calibration
// is refined (see PitWindow), so the clock stays continuous when its rate changes.
ClockParams g_clock = {0, 0, 0, 0, 0};
uint64_t g_tsc_per_ns_q32 = 0; // TSC ticks per ns, 32.32 fixed point (ns_to_tsc)

struct __attribute__((packed)) PvclockInfo {
  uint32_t version;
  uint32_t pad0;
  uint64_t tsc_timestamp;
  uint64_t system_time;
  uint32_t tsc_to_system_mul;
  int8_t tsc_shift;
  uint8_t flags;
  uint8_t pad[2];
};
alignas(64) PvclockInfo g_pvclock;

uint64_t kvmclock_hz() {
  cpu::CpuidResult base = cpu::cpuid(0x40000000);
  char sig[13] = {};
  memcpy(sig, &base.ebx, 4);
  memcpy(sig + 4, &base.ecx, 4);
  memcpy(sig + 8, &base.edx, 4);
  if (memcmp(sig, "KVMKVMKVM", 9) != 0)
    return 0;
  uint32_t features = cpu::cpuid(0x40000001).eax;
  uint32_t msr;
  if (features & (1u << 3))
    msr = 0x4B564D01; // MSR_KVM_SYSTEM_TIME_NEW
  else if (features & 1u)
    msr = 0x12; // MSR_KVM_SYSTEM_TIME
  else
    return 0;
  cpu::wrmsr(msr, mm::virt_to_phys(&g_pvclock) | 1);
  volatile PvclockInfo* p = &g_pvclock;
  uint32_t mul = 0;
  int8_t shift = 0;
  for (int tries = 0; tries < 1000; ++tries) {
    uint32_t v = p->version;
    asm volatile("" ::: "memory");
    mul = p->tsc_to_system_mul;
    shift = p->tsc_shift;
    asm volatile("" ::: "memory");
    if (!(v & 1) && v == p->version && mul)
      break;
  }
  cpu::wrmsr(msr, 0);
  if (!mul)
    return 0;
  // ns = ((tsc << shift) * mul) >> 32  ⇒  hz = (1e9 << 32) / mul, shifted back.
  uint64_t hz = (1000000000ull << 32) / mul;
  return shift >= 0 ? hz >> shift : hz << -shift;
}

uint64_t cpuid_hz() {
  if (cpu::cpuid(0).eax < 0x15)
    return 0;
  cpu::CpuidResult r = cpu::cpuid(0x15);
  if (!r.eax || !r.ebx || !r.ecx)
    return 0;
  return static_cast<uint64_t>(r.ecx) * r.ebx / r.eax;
}

// A plausible TSC rate; anything else means the reference clock did not work.
bool plausible_hz(uint64_t hz) {
  return hz >= 100000000ull && hz <= 20000000000ull;
}

// Calibration against a reference counter in two steps, so that it costs boot almost
// nothing yet ends up precise. At boot, three short intervals (~120 us each; median) give
// an estimate good to a fraction of a percent; the first kernel clock read at least 40 ms
// later (10 ms with the PIT) measures the whole interval since the first sample, and the clock is rebased
// onto that rate (refine_calibration). Reading a free-running counter needs no
// busy-waiting, so the long window costs nothing.
// References: the HPET's main counter (exact period, 64 or 32 bits: never or rarely
// wraps) where there is one, else PIT channel 2 counting down once from 0xFFFF (54.9 ms:
// a refinement that comes too late starts a new countdown and tries again).
enum class Reference { kNone, kHpet, kPit };
struct Sample {
  uint64_t ticks; // reference ticks since the reference was started
  uint64_t tsc;   // TSC at that moment
};
struct Calibration {
  Reference ref = Reference::kNone;
  uint64_t ref_hz = 0;
  uint64_t window_ns = 0; // how long `first` stays usable (the counter's wrap, with margin)
  uint64_t refine_after_ns = 0; // the shortest interval worth refining with
  bool active = false;    // a refinement is still to come
  Sample first;           // reference sample, right after start
  uint64_t start_ns = 0;  // monotonic time of `first` (estimated rate)
};
Calibration g_cal;
volatile uint64_t* g_hpet = nullptr;
constexpr uint64_t kPitHz = 1193182;

// The HPET at its conventional address (QEMU pc/q35, PCs). Its capabilities register
// gives the period in femtoseconds; absent devices read as all zeros or all ones.
bool hpet_start() {
  auto* h = static_cast<volatile uint64_t*>(mm::map_mmio(0xFED00000ull, 1024));
  if (!h)
    return false;
  uint64_t caps = h[0];
  uint64_t period_fs = caps >> 32;
  // 10 MHz (the HPET minimum) to 1 GHz: rate() needs ticks * ref_hz < 2^64 over a window.
  if (caps == ~0ull || period_fs < 1000000ull || period_fs > 100000000ull)
    return false;
  h[0x10 / 8] = h[0x10 / 8] | 1; // ENABLE_CNF: the main counter runs
  g_hpet = h;
  g_cal.ref_hz = 1000000000000000ull / period_fs;
  bool wide = caps & (1u << 13); // COUNT_SIZE_CAP
  // A window of at most 10 s (a 32-bit counter at 100 MHz wraps in 43 s) keeps rate()'s
  // products in 64 bits; a later refinement restarts from a fresh sample.
  uint64_t wrap_ns = (0xFFFFFFFFull / g_cal.ref_hz) * 1000000000ull / 2;
  g_cal.window_ns = wide || wrap_ns > 10000000000ull ? 10000000000ull : wrap_ns;
  g_cal.refine_after_ns = 40000000; // 40 ms of a >= 10 MHz counter: better than 1 ppm
  return true;
}

void pit_start_countdown() {
  uint8_t p61 = cpu::inb(0x61);
  cpu::outb(0x61, static_cast<uint8_t>((p61 & ~0x02) | 0x01)); // gate on, speaker off
  cpu::outb(0x43, 0xB0);                                       // channel 2, lo/hi byte, mode 0
  cpu::outb(0x42, 0xFF);
  cpu::outb(0x42, 0xFF); // counting starts after the high byte
}

uint64_t read_reference() {
  if (g_cal.ref == Reference::kHpet)
    return g_hpet[0xF0 / 8];
  cpu::outb(0x43, 0x80); // latch PIT channel 2
  uint8_t lo = cpu::inb(0x42);
  uint8_t hi = cpu::inb(0x42);
  return 0xFFFFull - (static_cast<uint64_t>(hi) << 8 | lo);
}

// The reference read between two TSC reads; of three tries, the tightest bracket (a vCPU
// descheduled between the reads would skew the pairing).
Sample sample() {
  Sample best = {0, 0};
  uint64_t best_width = ~0ull;
  for (int i = 0; i < 3; ++i) {
    uint64_t a = cpu::rdtsc();
    uint64_t ticks = read_reference();
    uint64_t b = cpu::rdtsc();
    if (b - a < best_width) {
      best_width = b - a;
      best = {ticks, a + (b - a) / 2};
    }
  }
  return best;
}

uint64_t rate(const Sample& from, const Sample& to) {
  if (to.ticks <= from.ticks || to.tsc <= from.tsc)
    return 0;
  uint64_t dt = to.tsc - from.tsc, dr = to.ticks - from.ticks;
  // No overflow: dr <= window * ref_hz and ref_hz <= 1 GHz (see hpet_start, PIT 1.2 MHz).
  uint64_t hz = dt / dr * g_cal.ref_hz + dt % dr * g_cal.ref_hz / dr;
  return plausible_hz(hz) ? hz : 0;
}

// Starts the reference and returns the short-window estimate; 0 when there is neither an
// HPET nor a working PIT (QEMU microvm: OUT2 of a mode-0 countdown reads high).
uint64_t reference_estimate() {
  if (hpet_start()) {
    g_cal.ref = Reference::kHpet;
  } else {
    pit_start_countdown();
    if (cpu::inb(0x61) & 0x20)
      return 0;
    g_cal.ref = Reference::kPit;
    g_cal.ref_hz = kPitHz;
    g_cal.window_ns = 50000000;       // of the 54.9 ms countdown
    g_cal.refine_after_ns = 10000000; // from 10 ms (about 100 ppm): more reads qualify
  }
  uint64_t step = g_cal.ref_hz * 120 / 1000000; // ticks in ~120 us
  Sample s[4];
  s[0] = sample();
  for (int i = 1; i < 4; ++i) {
    uint64_t spins = 0;
    do {
      s[i] = sample();
    } while (s[i].ticks < s[0].ticks + step * i && ++spins < 10000000);
    if (spins >= 10000000)
      return 0; // the counter does not move
  }
  uint64_t a = rate(s[0], s[1]), b = rate(s[1], s[2]), c = rate(s[2], s[3]);
  if (!a || !b || !c)
    return 0;
  uint64_t median = (a <= b && b <= c) || (c <= b && b <= a) ? b
                    : (b <= a && a <= c) || (c <= a && a <= b) ? a
                                                                : c;
  g_cal.first = s[0];
  g_cal.active = true;
  return median;
}

uint8_t cmos(uint8_t reg);
void cmos_write(uint8_t reg, uint8_t value) {
  cpu::outb(0x70, reg);
  cpu::outb(0x71, value);
}

// The CMOS RTC's periodic flag (register C, bit 6) at 1024 Hz, polled: 4 periods ≈ 3.9 ms.
// For machines without a usable PIT.
uint64_t rtc_hz() {
  uint8_t old_a = cmos(0x0A);
  uint8_t old_b = cmos(0x0B);
  cmos_write(0x0A, static_cast<uint8_t>((old_a & 0xF0) | 6)); // rate 6: 1024 Hz
  // QEMU runs the periodic timer only with its interrupt enabled (PIE); the interrupt
  // itself never arrives (interrupts stay off).
  cmos_write(0x0B, static_cast<uint8_t>(old_b | 0x40));
  auto wait_tick = [] {
    for (uint64_t i = 0; i < 200000; ++i)
      if (cmos(0x0C) & 0x40)
        return true;
    return false;
  };
  (void)cmos(0x0C);
  bool ok = wait_tick();
  uint64_t t0 = cpu::rdtsc();
  for (int i = 0; ok && i < 4; ++i)
    ok = wait_tick();
  uint64_t t1 = cpu::rdtsc();
  cmos_write(0x0B, old_b);
  cmos_write(0x0A, old_a);
  (void)cmos(0x0C);
  if (!ok)
    return 0;
  uint64_t hz = (t1 - t0) * 1024 / 4;
  return plausible_hz(hz) ? hz : 0;
}

uint8_t cmos(uint8_t reg) {
  cpu::outb(0x70, reg);
  return cpu::inb(0x71);
}

// Days since 1970-01-01 of a proleptic Gregorian date.
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

uint64_t read_rtc_unix_seconds() {
  struct Raw {
    uint8_t sec, min, hour, day, mon, year, century;
    bool operator==(const Raw& o) const {
      return sec == o.sec && min == o.min && hour == o.hour && day == o.day && mon == o.mon &&
             year == o.year && century == o.century;
    }
  };
  auto read = [] {
    for (int i = 0; i < 100000 && (cmos(0x0A) & 0x80); ++i)
      cpu::pause(); // update in progress
    return Raw{cmos(0), cmos(2), cmos(4), cmos(7), cmos(8), cmos(9), cmos(0x32)};
  };
  Raw a = read(), b = read();
  for (int i = 0; i < 5 && !(a == b); ++i)
    a = b, b = read();
  uint8_t regb = cmos(0x0B);
  bool bcd = !(regb & 0x04);
  bool pm = (b.hour & 0x80) != 0;
  b.hour &= 0x7F;
  auto conv = [bcd](uint8_t v) -> unsigned { return bcd ? (v & 0x0F) + (v >> 4) * 10 : v; };
  unsigned hour = conv(b.hour);
  if (!(regb & 0x02)) { // 12-hour clock
    hour %= 12;
    if (pm)
      hour += 12;
  }
  unsigned century = conv(b.century);
  int64_t year = conv(b.year) + (century >= 19 && century <= 30 ? century * 100 : 2000);
  int64_t days = days_from_civil(year, conv(b.mon), conv(b.day));
  int64_t secs = days * 86400 + hour * 3600 + conv(b.min) * 60 + conv(b.sec);
  return secs > 0 ? static_cast<uint64_t>(secs) : 0;
}

uint64_t convert(uint64_t tsc) {
  const ClockParams& c = g_clock;
  if (tsc >= c.base_tsc)
    return c.base_ns + mul_shift32(tsc - c.base_tsc, c.mul);
  uint64_t back = mul_shift32(c.base_tsc - tsc, c.mul); // a stamp older than the last rebase
  return back < c.base_ns ? c.base_ns - back : 0;
}

void set_rate(uint64_t hz, uint64_t now_tsc) {
  uint64_t now_ns = g_clock.mul ? convert(now_tsc) : 0;
  g_clock.seq += 2; // even: readers compare it before and after (vDSO)
  g_clock.base_tsc = g_clock.mul ? now_tsc : boot_tsc_at_entry;
  g_clock.base_ns = now_ns;
  g_clock.mul = (1000000000ull << 32) / hz;
  g_tsc_hz = hz;
  g_tsc_per_ns_q32 = ratio_q32(hz, 1000000000ull);
}

void refine_calibration() {
  if (!g_cal.active)
    return;
  Sample now = sample();
  uint64_t elapsed_ns = convert(now.tsc) - g_cal.start_ns;
  uint64_t expected = elapsed_ns / 1000 * g_cal.ref_hz / 1000000; // ticks, by the estimate
  uint64_t ticks = now.ticks - g_cal.first.ticks;
  // Past the reference's window (or far from what the estimate predicts: it wrapped), the
  // sample means nothing: restart the reference and refine against it later.
  if (elapsed_ns > g_cal.window_ns || now.ticks <= g_cal.first.ticks ||
      ticks + ticks / 8 < expected || ticks > expected + expected / 8) {
    if (g_cal.ref == Reference::kPit)
      pit_start_countdown();
    g_cal.first = sample();
    g_cal.start_ns = convert(g_cal.first.tsc);
    return;
  }
  uint64_t hz = rate(g_cal.first, now);
  g_cal.active = false;
  if (!hz)
    return;
  set_rate(hz, now.tsc);
  arch::vdso_refresh_clock();
}

void maybe_refine(uint64_t now_tsc) {
  if (g_cal.active && convert(now_tsc) - g_cal.start_ns >= g_cal.refine_after_ns)
    refine_calibration();
}

} // namespace

void init() {
  const char* source = "kvmclock";
  uint64_t hz = kvmclock_hz();
  if (!hz)
    source = "xen", hz = xen::tsc_hz(); // PVH: no HPET, PIT or RTC to calibrate against
  if (!hz)
    source = "cpuid", hz = cpuid_hz();
  if (!hz)
    hz = reference_estimate(), source = g_cal.ref == Reference::kHpet ? "hpet" : "pit";
  if (!hz)
    source = "rtc", hz = rtc_hz();
  if (!hz)
    source = "guess", hz = 1000000000;
  set_rate(hz, cpu::rdtsc());
  g_initial_tsc_hz = hz;
  g_cal.start_ns = convert(g_cal.first.tsc);
  g_source = source;
  uint64_t boot_unix_ns = xen::wallclock_unix_ns();
  if (!boot_unix_ns)
    boot_unix_ns = read_rtc_unix_seconds() * 1000000000ull;
  g_clock.realtime_offset_ns = boot_unix_ns - convert(cpu::rdtsc());
}

void poll_calibration() {
  if (g_cal.active)
    maybe_refine(cpu::rdtsc());
}

const ClockParams& clock_params() {
  return g_clock;
}

uint64_t initial_tsc_hz() {
  return g_initial_tsc_hz;
}

uint64_t tsc_hz() {
  return g_tsc_hz;
}

uint64_t tsc_to_ns(uint64_t tsc) {
  return convert(tsc);
}

uint64_t ns_to_tsc(uint64_t ns) {
  const ClockParams& c = g_clock;
  if (ns >= c.base_ns)
    return c.base_tsc + mul_shift32(ns - c.base_ns, g_tsc_per_ns_q32);
  uint64_t back = mul_shift32(c.base_ns - ns, g_tsc_per_ns_q32);
  return back < c.base_tsc ? c.base_tsc - back : 0;
}

uint64_t monotonic_ns() {
  uint64_t now = cpu::rdtsc();
  maybe_refine(now);
  return convert(now);
}

uint64_t realtime_ns() {
  return monotonic_ns() + g_clock.realtime_offset_ns;
}

void delay_ns(uint64_t ns) {
  uint64_t end = monotonic_ns() + ns;
  while (monotonic_ns() < end)
    cpu::pause();
}

const char* clock_source() {
  return g_source;
}
} // namespace ktime
