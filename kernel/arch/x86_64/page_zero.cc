#include "arch/x86_64/page_zero.h"

#include "arch/x86_64/user.h"
#include "lib/string.h"
#include "mm/vm.h"

#include <stdint.h>

namespace arch {
namespace {

constexpr size_t kPage = 4096;
bool g_use_fxsave = false;
// A valid FXSAVE image whose every byte FXSAVE writes back as zero, except the control
// fields it always sets (FCW at 0, MXCSR and MXCSR_MASK at 24..31), which the chunk
// routine overwrites. fpu.cc's default FCW/MXCSR keep every exception masked.
alignas(16) uint8_t g_zero_state[512];
alignas(16) uint8_t g_saved_state[512]; // the registers of whoever was running

void stosq_zero(void* p, size_t bytes) {
  size_t words = bytes / 8;
  asm volatile("rep stosq" : "+D"(p), "+c"(words) : "a"(0ull) : "memory");
}

// One FXSAVE (416 bytes in 64-bit mode under the emulator; hardware may write up to 512,
// which the layout below keeps inside the page) and the two stores that clear what is not
// zero in it.
inline void zero_chunk(uint8_t* at) {
  asm volatile("fxsave64 (%0)\n\t"
               "movw $0, (%0)\n\t"
               "movq $0, 24(%0)"
               :
               : "r"(at)
               : "memory");
}

void fxsave_zero(uint8_t* page, size_t count) {
  asm volatile("fxsave64 %0" : "=m"(g_saved_state));
  asm volatile("fxrstor64 %0" : : "m"(g_zero_state));
  for (size_t i = 0; i < count; ++i, page += kPage) {
    // Chunks at 0, 416, ..., 3328 cover [0, 3744); the one at 3584 covers [3584, 4000)
    // and the last 96 bytes are stored directly. Every write stays inside the page even if
    // FXSAVE writes all 512 bytes of its area.
    for (size_t off = 0; off <= 3328; off += 416)
      zero_chunk(page + off);
    zero_chunk(page + 3584);
    stosq_zero(page + 4000, kPage - 4000);
  }
  asm volatile("fxrstor64 %0" : : "m"(g_saved_state));
}

// True if [p, p + bytes) (8-byte multiple) holds only `byte`. `repe scasq` is one
// instruction however long the range.
bool all_bytes(const void* p, size_t bytes, uint8_t byte) {
  uint64_t pattern = byte * 0x0101010101010101ull;
  size_t words = bytes / 8;
  const void* d = p;
  bool equal;
  asm volatile("repe scasq" : "+D"(d), "+c"(words), "=@ccz"(equal) : "a"(pattern) : "memory");
  return words == 0 && equal;
}

// Zeroes the middle page of three with the FXSAVE routine: it must come out all zero and
// the bytes around it untouched.
bool fxsave_zero_works() {
  uint64_t phys = mm::alloc_pages(3);
  if (!phys)
    return false;
  auto* area = static_cast<uint8_t*>(mm::phys_to_virt(phys));
  uint8_t* page = area + kPage;
  memset(page - 64, 0xA5, 64);
  memset(page, 0xFF, kPage);
  memset(page + kPage, 0xA5, 512);
  fxsave_zero(page, 1);
  bool ok = all_bytes(page, kPage, 0) && all_bytes(page - 64, 64, 0xA5) &&
            all_bytes(page + kPage, 512, 0xA5);
  mm::free_pages(phys, 3);
  return ok;
}

} // namespace

void init_page_zero() {
  if (!syscalls_via_trampoline())
    return; // not emulated: rep stosq is faster
  memset(g_zero_state, 0, sizeof g_zero_state);
  uint16_t fcw = 0x37F;
  uint32_t mxcsr = 0x1F80;
  memcpy(g_zero_state, &fcw, 2);
  memcpy(g_zero_state + 24, &mxcsr, 4);
  g_use_fxsave = fxsave_zero_works();
}

void zero_pages(void* page, size_t count) {
  if (g_use_fxsave)
    fxsave_zero(static_cast<uint8_t*>(page), count);
  else
    stosq_zero(page, count * kPage);
}

const char* page_zero_method() {
  return g_use_fxsave ? "fxsave" : "stosq";
}

} // namespace arch
