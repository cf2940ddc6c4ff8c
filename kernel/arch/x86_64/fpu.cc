// FPU/SSE/AVX enablement and per-thread state save/restore (XSAVE or FXSAVE).
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/user.h"
#include "lib/string.h"

namespace arch {
namespace {
bool g_xsave = false;
uint64_t g_xcr0 = 0;
size_t g_size = 512;
alignas(64) uint8_t g_init_area[4096];

bool under_kvm() {
  if (!(cpu::cpuid(1).ecx & (1u << 31)))
    return false; // no hypervisor
  cpu::CpuidResult r = cpu::cpuid(0x40000000);
  return r.ebx == 0x4B4D564B && r.ecx == 0x564B4D56 && r.edx == 0x4D; // "KVMKVMKVM\0\0\0"
}

void xsetbv(uint32_t index, uint64_t value) {
  asm volatile("xsetbv"
               :
               : "c"(index), "a"(static_cast<uint32_t>(value)),
                 "d"(static_cast<uint32_t>(value >> 32)));
}
} // namespace

void init_fpu() {
  uint64_t cr0 = cpu::read_cr0();
  cr0 &= ~((1ull << 2) | (1ull << 3)); // EM, TS off
  cr0 |= (1ull << 1) | (1ull << 5);    // MP, NE
  cpu::write_cr0(cr0);
  uint64_t cr4 = cpu::read_cr4() | (1ull << 9) | (1ull << 10); // OSFXSR, OSXMMEXCPT
  cpu::CpuidResult leaf1 = cpu::cpuid(1);
  // XGETBV/XSETBV fault without CPUID.XSAVE: check before touching XCR0.
  //
  // Not under KVM: this machine's "KVM" (kvm-pvm, running ordinary kernels with an
  // emulated supervisor mode) reports XSAVE and AVX in CPUID and accepts XSETBV, but its
  // emulator cannot execute XSAVE/XRSTOR in the kernel: the VM dies with "KVM internal
  // error: emulation failure" instead of getting #UD, so no probe can detect it. Without
  // CR4.OSXSAVE, CPUID.OSXSAVE reads 0 and user programs (glibc) use FXSAVE and SSE only.
  if ((leaf1.ecx & (1u << 26)) && !under_kvm()) {
    cr4 |= 1ull << 18; // OSXSAVE
    cpu::write_cr4(cr4);
    uint64_t supported = cpu::cpuid(0xD, 0).eax;
    g_xcr0 = 0x3; // x87 + SSE
    if ((leaf1.ecx & (1u << 28)) && (supported & 0x4))
      g_xcr0 |= 0x4; // AVX
    xsetbv(0, g_xcr0);
    g_size = (cpu::cpuid(0xD, 0).ebx + 63) & ~63u; // for the features now in XCR0
    g_xsave = g_size <= sizeof(g_init_area);
    if (!g_xsave)
      g_size = 512;
  } else {
    cpu::write_cr4(cr4);
  }
  fpu_init_area(g_init_area);
}

size_t fpu_state_size() {
  return g_size;
}
bool fpu_uses_xsave() {
  return g_xsave;
}

void fpu_init_area(void* area) {
  auto* a = static_cast<uint8_t*>(area);
  memset(a, 0, g_size);
  uint16_t fcw = 0x37F;
  uint32_t mxcsr = 0x1F80;
  memcpy(a + 0, &fcw, 2);
  memcpy(a + 24, &mxcsr, 4);
  uint32_t mxcsr_mask = 0xFFFF;
  memcpy(a + 28, &mxcsr_mask, 4);
  if (g_xsave) {
    uint64_t xstate_bv = 0x3; // x87 and SSE from this area; AVX upper halves in init state
    memcpy(a + 512, &xstate_bv, 8);
  }
}

void fpu_save(void* area) {
  if (g_xsave) {
    // XSAVE writes only the XSTATE_BV bits of the features it saves and leaves the rest of
    // the header alone, but XRSTOR faults on any stray header bit: start from a zero header
    // (the area may be fresh heap memory).
    memset(static_cast<uint8_t*>(area) + 512, 0, 64);
    asm volatile("xsave64 (%0)"
                 :
                 : "r"(area), "a"(static_cast<uint32_t>(g_xcr0)),
                   "d"(static_cast<uint32_t>(g_xcr0 >> 32))
                 : "memory");
  } else {
    asm volatile("fxsave64 (%0)" : : "r"(area) : "memory");
  }
}

void fpu_restore(const void* area) {
  if (g_xsave) {
    asm volatile("xrstor64 (%0)"
                 :
                 : "r"(area), "a"(static_cast<uint32_t>(g_xcr0)),
                   "d"(static_cast<uint32_t>(g_xcr0 >> 32))
                 : "memory");
  } else {
    asm volatile("fxrstor64 (%0)" : : "r"(area) : "memory");
  }
}

void fpu_reset_for_user() {
  asm volatile("fninit");
  fpu_restore(g_init_area);
}

} // namespace arch
