// Test loader (see entry.S): loads the kernel ELF module like stage2 does and enters it
// with either the stage2 hand-off (region table at 0x7DAA, RSI = 0; the default) or the
// Linux 64-bit boot protocol (zero page in RSI; loader command line starts with "linux").
// The rest of the loader's command line goes to the kernel: in a CMDLINE region record
// (type 11) for the stage2 hand-off, through the zero page for the Linux protocol.
#include <stddef.h>
#include <stdint.h>

extern "C" [[noreturn]] void jump_to_kernel(uint64_t entry, uint64_t rsi);

namespace {

template <typename T> T rd(uint64_t a) {
  return *reinterpret_cast<const volatile T*>(a);
}
template <typename T> void wr(uint64_t a, T v) {
  *reinterpret_cast<volatile T*>(a) = v;
}

void copy(uint64_t dst, uint64_t src, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i)
    wr<uint8_t>(dst + i, rd<uint8_t>(src + i));
}
void zero(uint64_t dst, uint64_t n) {
  for (uint64_t i = 0; i < n; ++i)
    wr<uint8_t>(dst + i, 0);
}

void putc(char c) {
  asm volatile("outb %0, %1" : : "a"(c), "Nd"(static_cast<uint16_t>(0x3F8)));
}
[[noreturn]] void fail(const char* msg) {
  for (const char* p = "test loader: "; *p; ++p)
    putc(*p);
  for (; *msg; ++msg)
    putc(*msg);
  putc('\n');
  asm volatile("outb %0, %1" : : "a"(static_cast<uint8_t>(99)), "Nd"(static_cast<uint16_t>(0x501)));
  for (;;)
    asm volatile("cli; hlt");
}

bool starts_with(uint64_t s, const char* prefix) {
  for (; *prefix; ++prefix, ++s)
    if (rd<char>(s) != *prefix)
      return false;
  return true;
}

} // namespace

extern "C" [[noreturn]] void loader_main(uint32_t start_info) {
  if (rd<uint32_t>(start_info) != 0x336EC578 || rd<uint32_t>(start_info + 4) < 1)
    fail("bad PVH start_info");
  if (rd<uint32_t>(start_info + 12) < 1)
    fail("no module: pass the kernel with -initrd");
  uint64_t mod = rd<uint64_t>(rd<uint64_t>(start_info + 16));
  uint64_t cmdline = rd<uint64_t>(start_info + 24);
  uint64_t memmap = rd<uint64_t>(start_info + 40);
  uint32_t entries = rd<uint32_t>(start_info + 48);

  // ELF64 x86-64 executable: copy each PT_LOAD to p_paddr, zero its bss.
  if (rd<uint32_t>(mod) != 0x464C457F || rd<uint8_t>(mod + 4) != 2 || rd<uint16_t>(mod + 18) != 62)
    fail("module is not an x86-64 ELF64 file");
  uint64_t entry = rd<uint64_t>(mod + 24);
  uint64_t phoff = rd<uint64_t>(mod + 32);
  uint16_t phentsize = rd<uint16_t>(mod + 54), phnum = rd<uint16_t>(mod + 56);
  for (uint16_t i = 0; i < phnum; ++i) {
    uint64_t ph = mod + phoff + uint64_t{i} * phentsize;
    if (rd<uint32_t>(ph) != 1) // PT_LOAD
      continue;
    uint64_t offset = rd<uint64_t>(ph + 8), paddr = rd<uint64_t>(ph + 24);
    uint64_t filesz = rd<uint64_t>(ph + 32), memsz = rd<uint64_t>(ph + 40);
    copy(paddr, mod + offset, filesz);
    zero(paddr + filesz, memsz - filesz);
  }

  bool linux_protocol = cmdline && starts_with(cmdline, "linux");
  // The kernel's command line: the loader's, without the mode word, at 0x6000.
  constexpr uint64_t kCmdline = 0x6000;
  uint64_t src = cmdline;
  if (linux_protocol)
    src += 5;
  else if (cmdline && starts_with(cmdline, "stage2"))
    src += 6;
  uint64_t n = 0;
  while (src && rd<char>(src) == ' ')
    ++src;
  for (; src && n < 255 && rd<char>(src + n); ++n)
    wr<char>(kCmdline + n, rd<char>(src + n));
  wr<char>(kCmdline + n, 0);

  if (!linux_protocol) {
    // Region table growing down from 0x7DAA: record 0 = the stage2 descriptor (type 12),
    // then the memory map, then a type-0 terminator.
    uint64_t rec = 0x7DAA;
    auto put = [&rec](uint64_t base, uint64_t length, uint32_t type) {
      wr<uint64_t>(rec, base);
      wr<uint64_t>(rec + 8, length);
      wr<uint32_t>(rec + 16, type);
      rec -= 20;
    };
    put(0x8000, 0xC000, 12);
    put(kCmdline, n + 1, 11);
    for (uint32_t i = 0; i < entries; ++i) {
      uint64_t e = memmap + 24ull * i;
      put(rd<uint64_t>(e), rd<uint64_t>(e + 8), rd<uint32_t>(e + 16) == 1 ? 1 : 2);
    }
    put(0, 0, 0);
    jump_to_kernel(entry, 0);
  }

  // Linux zero page at 0x7000.
  constexpr uint64_t kZeroPage = 0x7000;
  zero(kZeroPage, 4096);
  wr<uint16_t>(kZeroPage + 0x1FE, 0xAA55);
  wr<uint32_t>(kZeroPage + 0x202, 0x53726448);
  wr<uint32_t>(kZeroPage + 0x228, static_cast<uint32_t>(kCmdline));
  if (entries > 128)
    entries = 128;
  wr<uint8_t>(kZeroPage + 0x1E8, static_cast<uint8_t>(entries));
  for (uint32_t i = 0; i < entries; ++i) {
    uint64_t e = memmap + 24ull * i, d = kZeroPage + 0x2D0 + 20ull * i;
    wr<uint64_t>(d, rd<uint64_t>(e));
    wr<uint64_t>(d + 8, rd<uint64_t>(e + 8));
    wr<uint32_t>(d + 16, rd<uint32_t>(e + 16));
  }
  jump_to_kernel(entry, kZeroPage);
}
