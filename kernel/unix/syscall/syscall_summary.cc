#include "unix/syscall/syscall_summary.h"

#include "arch/x86_64/time.h"
#include "drivers/block.h"
#include "lib/kprintf.h"
#include "unix/syscall/syscall_table.h"

namespace unix {
namespace {

constexpr int kSlots = kSyscallSlots;

struct Stats {
  uint64_t calls = 0, errors = 0, tsc = 0;
};
Stats g_calls[kSlots];
Stats g_faults;

uint64_t tsc_to_us(uint64_t tsc) {
  uint64_t per_us = ktime::tsc_hz() / 1000000; // no 128-bit division in the kernel
  return per_us ? tsc / per_us : 0;
}

} // namespace

void summary_record_syscall(long nr, long result, uint64_t tsc_spent) {
  if (nr < 0 || nr >= kSlots)
    return;
  Stats& s = g_calls[nr];
  ++s.calls;
  s.tsc += tsc_spent;
  if (result < 0 && result > -4096)
    ++s.errors;
}

void summary_record_fault(uint64_t tsc_spent) {
  ++g_faults.calls;
  g_faults.tsc += tsc_spent;
}

void print_syscall_summary() {
  // Most expensive first; a selection sort over the used slots is plenty at exit.
  uint16_t order[kSlots];
  int used = 0;
  uint64_t total_tsc = 0, total_calls = 0, total_errors = 0;
  for (int nr = 0; nr < kSlots; ++nr) {
    if (g_calls[nr].calls == 0)
      continue;
    order[used++] = static_cast<uint16_t>(nr);
    total_tsc += g_calls[nr].tsc;
    total_calls += g_calls[nr].calls;
    total_errors += g_calls[nr].errors;
  }
  if (used == 0 && g_faults.calls == 0)
    return;
  for (int i = 0; i < used; ++i) {
    int best = i;
    for (int j = i + 1; j < used; ++j)
      if (g_calls[order[j]].tsc > g_calls[order[best]].tsc)
        best = j;
    uint16_t t = order[i];
    order[i] = order[best];
    order[best] = t;
  }
  kprintf("syscall_summary:  %% time     usecs  usecs/call     calls    errors syscall\n");
  for (int i = 0; i < used; ++i) {
    const Stats& s = g_calls[order[i]];
    const char* name = syscall_name(order[i]);
    uint64_t us = tsc_to_us(s.tsc);
    uint64_t permille = total_tsc ? s.tsc * 1000 / total_tsc : 0;
    kprintf("syscall_summary: %3lu.%lu %9lu %11lu %9lu %9lu %s\n",
            static_cast<unsigned long>(permille / 10), static_cast<unsigned long>(permille % 10),
            static_cast<unsigned long>(us), static_cast<unsigned long>(us / s.calls),
            static_cast<unsigned long>(s.calls), static_cast<unsigned long>(s.errors),
            name ? name : "?");
  }
  kprintf("syscall_summary: 100.0 %9lu %11s %9lu %9lu total\n",
          static_cast<unsigned long>(tsc_to_us(total_tsc)), "",
          static_cast<unsigned long>(total_calls), static_cast<unsigned long>(total_errors));
  uint64_t fault_us = tsc_to_us(g_faults.tsc);
  kprintf("syscall_summary: page faults %lu, %lu usecs in the handler (%lu usecs/fault)\n",
          static_cast<unsigned long>(g_faults.calls), static_cast<unsigned long>(fault_us),
          static_cast<unsigned long>(g_faults.calls ? fault_us / g_faults.calls : 0));
  // Since boot, mount included: under emulation a request is costly whatever its size.
  const block::IoStats* io[2] = {&block::read_stats(), &block::write_stats()};
  for (int w = 0; w < 2; ++w)
    kprintf("syscall_summary: disk %s since boot: %lu requests, %lu KiB, %lu usecs\n",
            w ? "writes" : "reads", static_cast<unsigned long>(io[w]->requests),
            static_cast<unsigned long>(io[w]->sectors / 2),
            static_cast<unsigned long>(tsc_to_us(io[w]->tsc)));
}

} // namespace unix
