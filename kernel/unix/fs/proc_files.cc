#include "unix/fs/proc_files.h"

#include "arch/x86_64/cpu.h"
#include "fs/tree.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"
#include "unix/fd/file.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/process/process.h"

namespace unix {

// ---- /proc/self/maps ----
char* render_maps(size_t* len) {
  const VmMap& vm = process().vm;
  size_t cap = vm.size() * 160 + 1;
  auto* buf = static_cast<char*>(kmalloc(cap));
  if (!buf)
    return nullptr;
  size_t used = 0;
  char path[256];
  for (size_t i = 0; i < vm.size(); ++i) {
    const Vma& v = vm.at(i);
    const char* name = "";
    if (v.kind == VmaKind::kHeap)
      name = "[heap]";
    else if (v.kind == VmaKind::kStack)
      name = "[stack]";
    else if (v.node >= 0 && fs::node_path(v.node, path, sizeof path) >= 0)
      name = path;
    used += klib::format(buf + used, cap - used, "%08lx-%08lx %c%c%cp %08lx 00:01 %ld%s%s\n",
                         static_cast<unsigned long>(v.start), static_cast<unsigned long>(v.end),
                         v.prot & 1 ? 'r' : '-', v.prot & 2 ? 'w' : '-', v.prot & 4 ? 'x' : '-',
                         static_cast<unsigned long>(v.node >= 0 ? v.file_offset : 0),
                         static_cast<long>(v.node >= 0 ? v.node + 2 : 0), *name ? "    " : "",
                         name);
    if (used >= cap)
      used = cap - 1;
  }
  *len = used;
  return buf;
}

// ---- /proc/meminfo, /proc/cpuinfo ----
char* render_meminfo(size_t* len) {
  auto* buf = static_cast<char*>(kmalloc(512));
  if (!buf)
    return nullptr;
  unsigned long total = static_cast<unsigned long>(mm::total_page_count() * 4);
  unsigned long free = static_cast<unsigned long>(mm::free_page_count() * 4);
  *len = klib::format(buf, 512,
                      "MemTotal:       %8lu kB\nMemFree:        %8lu kB\nMemAvailable:   %8lu kB\n"
                      "Buffers:               0 kB\nCached:                0 kB\n"
                      "SwapTotal:             0 kB\nSwapFree:              0 kB\n",
                      total, free, free);
  return buf;
}

namespace {
// Linux's names of the CPUID feature bits /proc/cpuinfo lists (nullptr: not shown).
const char* const kLeaf1Edx[32] = {"fpu", "vme", "de", "pse", "tsc", "msr", "pae", "mce", "cx8", "apic",
  nullptr, "sep", "mtrr", "pge", "mca", "cmov", "pat", "pse36", "pn", "clflush", nullptr, "dts", "acpi",
  "mmx", "fxsr", "sse", "sse2", "ss", "ht", "tm", "ia64", "pbe"};
const char* const kLeaf1Ecx[32] = {"pni", "pclmulqdq", "dtes64", "monitor", "ds_cpl", "vmx", "smx",
  "est", "tm2", "ssse3", "cid", "sdbg", "fma", "cx16", "xtpr", "pdcm", nullptr, "pcid", "dca",
  "sse4_1", "sse4_2", "x2apic", "movbe", "popcnt", "tsc_deadline_timer", "aes", "xsave", "osxsave",
  "avx", "f16c", "rdrand", "hypervisor"};
const char* const kLeaf7Ebx[32] = {"fsgsbase", "tsc_adjust", "sgx", "bmi1", "hle", "avx2", nullptr,
  "smep", "bmi2", "erms", "invpcid", "rtm", nullptr, nullptr, "mpx", nullptr, "avx512f", "avx512dq",
  "rdseed", "adx", "smap", "avx512ifma", nullptr, "clflushopt", "clwb", nullptr, nullptr, nullptr,
  "avx512cd", "sha_ni", "avx512bw", "avx512vl"};
const char* const kExtEdx[32] = {nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, nullptr, nullptr, "syscall", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, "nx", nullptr, "mmxext", nullptr, nullptr, "fxsr_opt", "pdpe1gb", "rdtscp",
  nullptr, "lm", nullptr, nullptr};
const char* const kExtEcx[32] = {"lahf_lm", "cmp_legacy", "svm", "extapic", "cr8_legacy", "abm",
  "sse4a", "misalignsse", "3dnowprefetch", nullptr, nullptr, nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, "tbm", nullptr, nullptr, nullptr, nullptr,
  nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};

size_t append_flags(char* buf, size_t cap, size_t used, const char* const names[32], uint32_t bits) {
  for (int i = 0; i < 32; ++i)
    if ((bits >> i & 1) && names[i] && used < cap)
      used += klib::format(buf + used, cap - used, " %s", names[i]);
  return used < cap ? used : cap - 1;
}

} // namespace

char* render_cpuinfo(size_t* len) {
  constexpr size_t kCap = 4096;
  auto* buf = static_cast<char*>(kmalloc(kCap));
  if (!buf)
    return nullptr;
  cpu::CpuidResult v0 = cpu::cpuid(0);
  char vendor[13];
  memcpy(vendor, &v0.ebx, 4);
  memcpy(vendor + 4, &v0.edx, 4);
  memcpy(vendor + 8, &v0.ecx, 4);
  vendor[12] = 0;
  cpu::CpuidResult l1 = cpu::cpuid(1);
  cpu::CpuidResult l7 = v0.eax >= 7 ? cpu::cpuid(7, 0) : cpu::CpuidResult{};
  cpu::CpuidResult ext = cpu::cpuid(0x80000000u).eax >= 0x80000001u ? cpu::cpuid(0x80000001u)
                                                                    : cpu::CpuidResult{};
  char model[49] = {};
  if (cpu::cpuid(0x80000000u).eax >= 0x80000004u) {
    for (uint32_t i = 0; i < 3; ++i) {
      cpu::CpuidResult r = cpu::cpuid(0x80000002u + i);
      memcpy(model + 16 * i, &r.eax, 4);
      memcpy(model + 16 * i + 4, &r.ebx, 4);
      memcpy(model + 16 * i + 8, &r.ecx, 4);
      memcpy(model + 16 * i + 12, &r.edx, 4);
    }
  }
  uint32_t ecx = l1.ecx, ebx7 = l7.ebx;
  if (!(ecx & (1u << 27))) {
    // Without OSXSAVE the AVX state is not enabled: programs must not see AVX as usable.
    ecx &= ~((1u << 12) | (1u << 26) | (1u << 28) | (1u << 29));
    ebx7 &= ~((1u << 5) | (1u << 16) | (1u << 17) | (1u << 21) | (1u << 28) | (1u << 30) | (1u << 31));
  }
  unsigned family = (l1.eax >> 8) & 0xF, model_id = (l1.eax >> 4) & 0xF;
  if (family == 0xF)
    family += (l1.eax >> 20) & 0xFF;
  if (family >= 6)
    model_id |= ((l1.eax >> 16) & 0xF) << 4;
  size_t used = klib::format(buf, kCap,
                             "processor\t: 0\nvendor_id\t: %s\ncpu family\t: %u\nmodel\t\t: %u\n"
                             "model name\t: %s\nstepping\t: %u\ncpu cores\t: 1\nflags\t\t:",
                             vendor, family, model_id, model, l1.eax & 0xF);
  used = append_flags(buf, kCap, used, kLeaf1Edx, l1.edx);
  used = append_flags(buf, kCap, used, kLeaf1Ecx, ecx);
  used = append_flags(buf, kCap, used, kLeaf7Ebx, ebx7);
  used = append_flags(buf, kCap, used, kExtEdx, ext.edx);
  used = append_flags(buf, kCap, used, kExtEcx, ext.ecx);
  used += klib::format(buf + used, kCap - used, "\n\n");
  *len = used < kCap ? used : kCap - 1;
  return buf;
}

// /proc/self/fd: one symlink per open descriptor, naming what it refers to.
void refresh_fd_dir() {
  fs::begin_fd_dir();
  // From the heap, not static: this runs inside open/stat/getdents of a path, which may
  // sleep on the disk while another thread lists the directory too.
  HeapBuffer buffer(kMaxPathLength);
  if (!buffer.ok())
    return; // the listing stays empty rather than wrong
  auto& target = *reinterpret_cast<char(*)[kMaxPathLength]>(buffer.data());
  for (int fd = process().files.next_open(0); fd >= 0; fd = process().files.next_open(fd + 1)) {
    File* f = process().files.get(fd);
    switch (f->kind) {
    case FileKind::kConsole:
      klib::format(target, sizeof target, "/dev/console");
      break;
    case FileKind::kPipeRead:
    case FileKind::kPipeWrite:
      klib::format(target, sizeof target, "pipe:[%lu]",
                   static_cast<unsigned long>(reinterpret_cast<uint64_t>(f->object) & 0xFFFFFFFF));
      break;
    case FileKind::kEventfd:
      klib::format(target, sizeof target, "anon_inode:[eventfd]");
      break;
    default:
      if (f->node < 0 || fs::node_path(f->node, target, sizeof target) < 0)
        klib::format(target, sizeof target, "anon_inode:[unknown]");
      else if (fs::node(f->node)->removed)
        klib::format(target + strlen(target), sizeof target - strlen(target), " (deleted)");
      break;
    }
    fs::add_fd_entry(fd, target);
  }
}

} // namespace unix
