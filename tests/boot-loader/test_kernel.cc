// A 64-bit test kernel for the boot loader (tests/boot-loader): checks what stage2 promises
// (KERNEL-CONTRACT.md, "Boot hand-off") and prints a deterministic summary of the region table
// on COM1, then exits through QEMU's isa-debug-exit (port 0x501) with kExitCode.
#include <stddef.h>
#include <stdint.h>

namespace {
constexpr uint64_t kKernelVma = 0xFFFFFFFF80000000ull;
constexpr uint8_t kExitCode = 33; // QEMU exits (33 << 1) | 1 = 67
constexpr uint8_t kFailCode = 2;  // QEMU exits 5

inline void outb(uint16_t port, uint8_t v) {
  asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

void putc(char c) {
  while (!(inb(0x3F8 + 5) & 0x20)) {
  }
  outb(0x3F8, static_cast<uint8_t>(c));
}
void print(const char* s) {
  while (*s)
    putc(*s++);
}
void print_dec(uint64_t v) {
  char buf[21];
  int n = 20;
  buf[n] = 0;
  do {
    buf[--n] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  print(buf + n);
}

[[noreturn]] void exit_qemu(uint8_t code) {
  outb(0x501, code);
  for (;;)
    asm volatile("cli; hlt");
}

[[noreturn]] void fail(const char* what) {
  print("test-kernel: FAIL ");
  print(what);
  print("\n");
  exit_qemu(kFailCode);
}

void check(bool ok, const char* what) {
  if (!ok)
    fail(what);
}

struct [[gnu::packed]] Region {
  uint64_t base;
  uint64_t length;
  uint32_t type;
};

const Region* region(int i) {
  return reinterpret_cast<const Region*>(0x7DAA - 20 * i);
}

bool overlaps(const Region& a, const Region& b) {
  return a.base < b.base + b.length && b.base < a.base + a.length;
}

bool inside_ram(const Region& r, int count) {
  for (int i = 1; i < count; ++i) {
    const Region& ram = *region(i);
    if (ram.type == 1 && r.base >= ram.base && r.base + r.length <= ram.base + ram.length)
      return true;
  }
  return false;
}

volatile uint64_t g_marker = 0x1122334455667788ull; // .data: checked through the identity map
uint8_t g_bss[64 * 1024];                           // .bss: stage2 must zero it
} // namespace

extern "C" char test_kernel_entry[];
extern "C" [[noreturn]] void test_kernel_main(uint64_t rdi, uint64_t rsi, uint64_t rdx,
                                              uint64_t rip) {
  check(rdi == 0 && rsi == 0 && rdx == 0, "RDI/RSI/RDX are not 0");
  check(rip >= kKernelVma, "not entered at the higher-half address");
  print("test-kernel: entered in long mode at the higher-half entry, RDI=RSI=RDX=0\n");

  uint64_t efer_lo, efer_hi, cr3;
  asm volatile("rdmsr" : "=a"(efer_lo), "=d"(efer_hi) : "c"(0xC0000080u));
  check(efer_lo & 0x800, "EFER.NXE is off");
  asm volatile("mov %%cr3, %0" : "=r"(cr3));

  // The segments: p_vaddr maps to p_paddr (0x200000 + offset), seen through the identity map.
  uint64_t phys = reinterpret_cast<uint64_t>(&g_marker) - kKernelVma;
  check(*reinterpret_cast<volatile uint64_t*>(phys) == 0x1122334455667788ull,
        ".data is not at its p_paddr");
  g_marker = 42;
  check(*reinterpret_cast<volatile uint64_t*>(phys) == 42, "p_vaddr does not map to p_paddr");
  for (size_t i = 0; i < sizeof(g_bss); ++i)
    check(g_bss[i] == 0, ".bss is not zeroed");
  // The identity map covers the first 4 GiB (read just below 4 GiB: the BIOS ROM alias).
  (void)*reinterpret_cast<volatile uint8_t*>(0xFFFFFFF0ull);
  print("test-kernel: segments at p_paddr, .bss zeroed, first 4 GiB identity-mapped, NXE on\n");

  // Region table.
  int count = 0;
  while (region(count)->type != 0)
    check(++count < 100, "region table has no end");
  const Region& s2 = *region(0);
  check(s2.type == 12 && s2.base == 0x8000 && s2.length && !(s2.length % 512),
        "record 0 is not the stage2 descriptor");
  int ram = 0, initial = 0, kernimage = 0, reclaim = 0;
  for (int i = 1; i < count; ++i) {
    const Region& r = *region(i);
    if (r.type == 1 && r.base + r.length > 0x100000)
      ++ram;
    if (r.type == 10 || r.type == 13 || r.type == 14) {
      check(r.length > 0 && !(r.base & 0xFFF), "a stage2 region is empty or unaligned");
      check(r.base < 0x100000 || inside_ram(r, count), "a stage2 region is outside RAM");
      for (int j = 1; j < i; ++j)
        if (region(j)->type >= 10)
          check(!overlaps(r, *region(j)), "stage2 regions overlap");
      Region image{0x200000,
                   reinterpret_cast<uint64_t>(g_bss + sizeof(g_bss)) - kKernelVma - 0x200000, 0};
      check(!overlaps(r, image), "a stage2 region overlaps the kernel's segments");
    }
    if (r.type == 10) {
      ++initial;
      check(cr3 >= r.base && cr3 < r.base + r.length, "CR3 is not in INITIAL_PAGES");
    } else if (r.type == 13) {
      ++kernimage;
      const auto* elf = reinterpret_cast<const uint8_t*>(r.base);
      check(elf[0] == 0x7F && elf[1] == 'E' && elf[2] == 'L' && elf[3] == 'F',
            "KERNIMAGE does not hold the ELF file");
      uint64_t entry;
      __builtin_memcpy(&entry, elf + 24, 8);
      check(entry == reinterpret_cast<uint64_t>(test_kernel_entry),
            "KERNIMAGE is not this kernel's file");
    } else if (r.type == 14) {
      ++reclaim;
    }
  }
  check(ram >= 1, "no RAM above 1 MiB");
  print("test-kernel: regions: stage2 descriptor 0x8000 type 12; RAM above 1 MiB: ");
  print_dec(ram);
  print("; INITIAL_PAGES (holds CR3): ");
  print_dec(initial);
  print("; KERNIMAGE (this ELF): ");
  print_dec(kernimage);
  print("; RECLAIM: ");
  print_dec(reclaim);
  print("\n");
  exit_qemu(kExitCode);
}

// Entry: RDI/RSI/RDX as stage2 left them; the current RIP shows which mapping we run on.
asm(R"(
  .section .text.entry, "ax"
  .globl test_kernel_entry
test_kernel_entry:
  lea stack_top(%rip), %rsp
  lea test_kernel_entry(%rip), %rcx
  call test_kernel_main
  .section .bss
  .p2align 4
  .skip 16384
stack_top:
)");

// nanos-mkimage accepts only kernels with the PVH entry note (XEN_ELFNOTE_PHYS32_ENTRY). This
// kernel tests stage2's hand-off only: entered through PVH (QEMU -kernel) it says so and ends
// the VM with status 126 through the isa-debug-exit port the tests use.
asm(R"(
  .section .text, "ax"
  .code32
pvh_unsupported:
  mov $0x7E, %al
  mov $0x501, %dx
  out %al, %dx
1:
  cli
  hlt
  jmp 1b
  .code64
  .section .note.Xen, "a", @note
  .p2align 2
  .long 4, 4, 18
  .asciz "Xen"
  .long pvh_unsupported - 0xFFFFFFFF80000000
)");
