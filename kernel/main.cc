// kernel_entry: called by arch/x86_64/boot.S on the boot stack with the early page tables.
// Brings up the machine side (console, CPU tables, memory, clocks, randomness, PCI disks),
// then hands over to the unix layer: unix::start() (kernel/unix).
#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/boot_internal.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "arch/x86_64/page_zero.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/xen/platform.h"
#include "drivers/block.h"
#include "drivers/devices.h"
#include "net/host.h"
#include "drivers/serial.h"
#include "lib/kprintf.h"
#include "mm/heap.h"
#include "mm/vm.h"

namespace selftest {
[[noreturn]] void run(); // selftest.cc
}

uint64_t boot_tsc_core_ready;
static_assert(kExitKernelPanic == 126, "lib/kprintf.cc exits a panic with 126");

namespace {
using InitFn = void (*)();
extern "C" const InitFn __init_array_start[], __init_array_end[];

void run_constructors() {
  for (const InitFn* f = __init_array_start; f < __init_array_end; ++f)
    (*f)();
}
} // namespace

// Without kernel/unix (its weak default unix::start): reports what the machine side found.
[[noreturn]] void core_report_and_exit() {
  const mm::MemoryMap& map = mm::memory_map();
  boot::Path path = boot::info().path;
  kprintf("kernel-core: booted via %s\n", path == boot::Path::kPvh     ? "PVH"
                                          : path == boot::Path::kLinux ? "Linux boot protocol"
                                                                       : "stage2");
  kprintf("memory: %lu KiB usable in %zu ranges, %zu pages free\n",
          static_cast<unsigned long>(map.total_ram() / 1024), map.ram_count, mm::free_page_count());
  block::Device* disk = block::root_disk();
  if (!disk) {
    kprintf("disk: none\n");
    machine_exit(0);
  }
  kprintf("disk: %s, %lu sectors\n", disk->name(),
          static_cast<unsigned long>(disk->capacity_sectors()));
  auto* mbr = static_cast<uint8_t*>(kmalloc(512));
  Status s = disk->read(0, 1, mbr);
  if (!s)
    panic("reading sector 0 failed (%d)", s.error());
  if (mbr[510] == 0x55 && mbr[511] == 0xAA) {
    for (int i = 0; i < 4; ++i) {
      const uint8_t* e = mbr + 0x1BE + 16 * i;
      uint32_t lba = e[8] | e[9] << 8 | e[10] << 16 | static_cast<uint32_t>(e[11]) << 24;
      uint32_t n = e[12] | e[13] << 8 | e[14] << 16 | static_cast<uint32_t>(e[15]) << 24;
      if (e[4])
        kprintf("mbr: partition %d type %#x lba %u sectors %u\n", i, e[4], lba, n);
    }
  } else {
    kprintf("mbr: no partition table\n");
  }
  kfree(mbr);
  machine_exit(0);
}

extern "C" [[noreturn]] void kernel_entry(uint32_t path, uint64_t start_info) {
  // Per-stage TSC stamps, printed with `core.boot_timing` (PVH command line).
  uint64_t stamps[10];
  int n = 0;
  run_constructors();
  serial::init();
  // lib/kprintf sits below drivers and arch: tell it where output goes and how to stop.
  console::set_output(serial::write);
  console::set_panic_exit(machine_exit);
  // Under Xen: the PV console and Xen's shutdown replace the above (no-op elsewhere).
  xen::init_platform();
  mm::MemoryMap& map = boot::init(path, start_info);
  stamps[n++] = cpu::rdtsc();
  arch::init_cpu();
  stamps[n++] = cpu::rdtsc();
  mm::init(map);
  stamps[n++] = cpu::rdtsc();
  arch::probe_syscall_path();
  arch::init_page_zero();
  stamps[n++] = cpu::rdtsc();
  ktime::init();
  stamps[n++] = cpu::rdtsc();
  krandom::init();
  stamps[n++] = cpu::rdtsc();
  net::host::init(); // before the drivers: a network device attaches to it in its probe
  pci_drivers::init();
  boot_tsc_core_ready = cpu::rdtsc();
  if (boot::cmdline_has("core.boot_timing")) {
    static const char* const kStages[] = {"boot info",     "cpu",    "mm",
                                          "syscall probe", "clocks", "random"};
    kprintf("kernel-core: stages (us since entry):");
    for (int i = 0; i < n; ++i)
      kprintf(" %s %lu,", kStages[i],
              static_cast<unsigned long>(ktime::tsc_to_ns(stamps[i]) / 1000));
    kprintf(" pci\n");
    kprintf("kernel-core: machine ready %lu us after kernel entry (TSC %lu kHz from %s, pages "
            "zeroed with %s)\n",
            static_cast<unsigned long>(ktime::tsc_to_ns(boot_tsc_core_ready) / 1000),
            static_cast<unsigned long>(ktime::tsc_hz() / 1000), ktime::clock_source(),
            arch::page_zero_method());
  }
  if (boot::cmdline_has("core.selftest") || boot::cmdline_has("core.selftest.panic") ||
      boot::cmdline_has("core.selftest.overflow"))
    selftest::run();
  drivers::start_interrupt_driven_io();
  unix::start();
}
