#include "arch/x86_64/xen/pvclock.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/xen/hypercall.h"
#include "arch/x86_64/xen/shared_info.h"
#include "mm/vm.h"

namespace xen {
namespace {
// A consistent copy of vCPU 0's time record (Xen keeps the version odd while writing).
bool read_time(VcpuTimeInfo* out) {
  volatile uint8_t* si = shared_info();
  if (!si)
    return false;
  auto* t = reinterpret_cast<volatile VcpuTimeInfo*>(si + offsetof(VcpuInfo, time));
  for (int tries = 0; tries < 1000; ++tries) {
    uint32_t v = t->version;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    out->tsc_timestamp = t->tsc_timestamp;
    out->system_time = t->system_time;
    out->tsc_to_system_mul = t->tsc_to_system_mul;
    out->tsc_shift = t->tsc_shift;
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!(v & 1) && v == t->version)
      return out->tsc_to_system_mul != 0;
  }
  return false;
}

uint64_t scale_delta(uint64_t delta, uint32_t mul, int8_t shift) {
  delta = shift >= 0 ? delta << shift : delta >> -shift;
  return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * mul) >> 32);
}
} // namespace

uint64_t tsc_hz() {
  VcpuTimeInfo t;
  if (!read_time(&t))
    return 0;
  // ns = ((tsc << shift) * mul) >> 32, so hz = (1e9 << 32) / mul, shifted back.
  uint64_t hz = (1000000000ull << 32) / t.tsc_to_system_mul;
  return t.tsc_shift >= 0 ? hz >> t.tsc_shift : hz << -t.tsc_shift;
}

uint64_t wallclock_unix_ns() {
  volatile uint8_t* si = shared_info();
  VcpuTimeInfo t;
  if (!si || !read_time(&t))
    return 0;
  auto field = [&](size_t offset) { return *reinterpret_cast<volatile uint32_t*>(si + offset); };
  uint64_t sec = 0, nsec = 0;
  for (int tries = 0; tries < 1000; ++tries) {
    uint32_t v = field(kSharedInfoWcVersionOffset);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    sec = field(kSharedInfoWcSecOffset) | static_cast<uint64_t>(field(kSharedInfoWcSecHiOffset))
                                              << 32;
    nsec = field(kSharedInfoWcNsecOffset);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    if (!(v & 1) && v == field(kSharedInfoWcVersionOffset))
      break;
  }
  if (!sec)
    return 0;
  // The wall clock is the time at system_time 0 (the domain's boot).
  uint64_t system_now =
      t.system_time + scale_delta(cpu::rdtsc() - t.tsc_timestamp, t.tsc_to_system_mul, t.tsc_shift);
  return sec * 1000000000ull + nsec + system_now;
}

} // namespace xen
