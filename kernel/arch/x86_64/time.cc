#include "arch/x86_64/time.h"

#include "arch/x86_64/cpu.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/layout.h"

namespace ktime {
namespace {

uint64_t g_tsc_hz = 0;
const char* g_source = "none";
uint64_t g_boot_unix_ns = 0; // wall clock at g_rtc_tsc
uint64_t g_rtc_tsc = 0;
// ns = ((tsc - base) * g_mul) >> 32, computed in two halves to avoid 128-bit division.
uint64_t g_mul = 0; // (1e9 << 32) / tsc_hz

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

// PIT channel 2 one-shot of ~1 ms, polled through port 0x61's OUT2 bit.
// A plausible TSC rate; anything else means the reference clock did not work.
bool plausible_hz(uint64_t hz) {
  return hz >= 100000000ull && hz <= 20000000000ull;
}

uint64_t pit_hz() {
  constexpr uint32_t kPitHz = 1193182;
  constexpr uint16_t kTicks = 1193; // ≈ 1 ms
  uint8_t p61 = cpu::inb(0x61);
  cpu::outb(0x61, static_cast<uint8_t>((p61 & ~0x02) | 0x01)); // gate on, speaker off
  cpu::outb(0x43, 0xB0);                                       // channel 2, lo/hi byte, mode 0
  cpu::outb(0x42, kTicks & 0xFF);
  // Mode 0 drives OUT2 low until the count expires; high already means no working PIT
  // behind port 0x61 (QEMU microvm).
  bool works = !(cpu::inb(0x61) & 0x20);
  uint64_t t0 = cpu::rdtsc();
  cpu::outb(0x42, kTicks >> 8); // counting starts after the high byte
  bool done = false;
  for (uint64_t i = 0; works && i < 50000000; ++i) {
    if (cpu::inb(0x61) & 0x20) {
      done = true;
      break;
    }
  }
  uint64_t t1 = cpu::rdtsc();
  cpu::outb(0x61, p61);
  if (!done || t1 <= t0)
    return 0;
  uint64_t hz = (t1 - t0) * kPitHz / kTicks;
  return plausible_hz(hz) ? hz : 0;
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

// Median of three 1 ms windows: under TCG a single window is off by several percent now
// and then (host scheduling), and a longer one would cost boot time.
uint64_t pit_hz_median() {
  uint64_t a = pit_hz();
  if (!a)
    return 0;
  uint64_t b = pit_hz(), c = pit_hz();
  if (!a || !b || !c)
    return a ? a : b ? b : c;
  if ((a <= b && b <= c) || (c <= b && b <= a))
    return b;
  if ((b <= a && a <= c) || (c <= a && a <= b))
    return a;
  return c;
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

uint64_t mul_shift32(uint64_t a, uint64_t mul) {
  // (a * mul) >> 32 without overflow for a < 2^64, mul < 2^64.
  uint64_t hi = a >> 32, lo = a & 0xFFFFFFFF;
  return hi * mul + ((lo * (mul & 0xFFFFFFFF)) >> 32) + lo * (mul >> 32);
}

} // namespace

void init() {
  const char* source = "kvmclock";
  g_tsc_hz = kvmclock_hz();
  if (!g_tsc_hz)
    source = "cpuid", g_tsc_hz = cpuid_hz();
  if (!g_tsc_hz)
    source = "pit", g_tsc_hz = pit_hz_median();
  if (!g_tsc_hz)
    source = "rtc", g_tsc_hz = rtc_hz();
  if (!g_tsc_hz)
    source = "guess", g_tsc_hz = 1000000000;
  g_mul = (1000000000ull << 32) / g_tsc_hz;
  g_rtc_tsc = cpu::rdtsc();
  g_boot_unix_ns = read_rtc_unix_seconds() * 1000000000ull;
  g_source = source;
}

void vdso_clock(uint64_t* boot_tsc, uint64_t* rtc_tsc, uint64_t* boot_unix_ns, uint64_t* mul) {
  *boot_tsc = boot_tsc_at_entry;
  *rtc_tsc = g_rtc_tsc;
  *boot_unix_ns = g_boot_unix_ns;
  *mul = g_mul;
}

uint64_t tsc_hz() {
  return g_tsc_hz;
}

uint64_t tsc_to_ns(uint64_t tsc) {
  uint64_t base = boot_tsc_at_entry;
  return tsc > base ? mul_shift32(tsc - base, g_mul) : 0;
}

uint64_t monotonic_ns() {
  return tsc_to_ns(cpu::rdtsc());
}

uint64_t realtime_ns() {
  uint64_t now = cpu::rdtsc();
  return g_boot_unix_ns + (now > g_rtc_tsc ? mul_shift32(now - g_rtc_tsc, g_mul) : 0);
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
