// Serial console, halting, memory primitives and the arena for stage2; the UEFI loader links
// the console, fail() and the memory primitives too (set_loader_identity names it).
#include "stage2.h"

namespace {
const char* g_loader_name = "stage2";
void (*g_last_resort)() = nullptr;

constexpr uint16_t kCom1 = 0x3F8;
constexpr uint16_t kCom2 = 0x2F8; // the exit channel (kernel/drivers/exit_channel.h)
constexpr uint16_t kDebugExitPort = 0x501;
constexpr uint8_t kExitBootFailure = 126; // as the kernel's kExitKernelPanic

inline void outb(uint16_t port, uint8_t v) {
  asm volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
inline uint8_t inb(uint16_t port) {
  uint8_t v;
  asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
  return v;
}

void putc_to(uint16_t uart, char c) {
  // Bounded wait: with no UART behind the port the boot goes on silently instead of hanging.
  for (int i = 0; i < 100000 && !(inb(uart + 5) & 0x20); ++i) {
  }
  outb(uart, static_cast<uint8_t>(c));
}

void putc(char c) {
  putc_to(kCom1, c);
}

// The boot loader's exit record on the exit channel (format: kernel/drivers/exit_record.h),
// written only when a UART answers there (its scratch register keeps what was written).
void report_boot_failure() {
  outb(kCom2 + 7, 0x5A);
  if (inb(kCom2 + 7) != 0x5A)
    return;
  for (const char* s = "nanos-exit: boot-failure 126\n"; *s; ++s)
    putc_to(kCom2, *s);
}
} // namespace

extern "C" void* memcpy(void* dst, const void* src, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  const auto* s = static_cast<const uint8_t*>(src);
  asm volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
  return dst;
}

extern "C" void* memset(void* dst, int c, size_t n) {
  auto* d = static_cast<uint8_t*>(dst);
  asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
  return dst;
}

extern "C" int memcmp(const void* a, const void* b, size_t n) {
  const auto* x = static_cast<const uint8_t*>(a);
  const auto* y = static_cast<const uint8_t*>(b);
  for (size_t i = 0; i < n; ++i)
    if (x[i] != y[i])
      return x[i] < y[i] ? -1 : 1;
  return 0;
}

// The TFS reader's tfs::get(tuple, "name") measures its name with it when not inlined.
extern "C" size_t strlen(const char* s) {
  size_t n = 0;
  while (s[n])
    ++n;
  return n;
}

namespace stage2 {

void serial_init() {
  outb(kCom1 + 1, 0x00); // no interrupts
  outb(kCom1 + 3, 0x80); // DLAB
  outb(kCom1 + 0, 0x01); // 115200 baud
  outb(kCom1 + 1, 0x00);
  outb(kCom1 + 3, 0x03); // 8N1
  outb(kCom1 + 2, 0xC7); // FIFO on, cleared
  outb(kCom1 + 4, 0x03); // DTR, RTS
}

void print(const char* s) {
  for (; *s; ++s)
    putc(*s);
}

void print_hex(uint64_t v) {
  char buf[19];
  int n = 0;
  buf[n++] = '0';
  buf[n++] = 'x';
  bool started = false;
  for (int shift = 60; shift >= 0; shift -= 4) {
    unsigned d = static_cast<unsigned>(v >> shift) & 0xF;
    if (d || started || shift == 0) {
      started = true;
      buf[n++] = static_cast<char>(d < 10 ? '0' + d : 'a' + d - 10);
    }
  }
  buf[n] = 0;
  print(buf);
}

void print_dec(uint32_t v) {
  char buf[11];
  int n = 10;
  buf[n] = 0;
  do {
    buf[--n] = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  print(buf + n);
}

void set_loader_identity(const char* name, void (*last_resort)()) {
  g_loader_name = name;
  g_last_resort = last_resort;
}

void fail(const char* message) {
  print(g_loader_name);
  print(": ");
  print(message);
  print("\n");
  // A failure status instead of a hang until the host's timeout: QEMU's isa-debug-exit at
  // 0x501 (nanos-run and the tests add it) ends the VM with (126 << 1) | 1, the status of a
  // guest kernel failure (kExitKernelPanic). Without the device the write goes nowhere and
  // the CPU halts for good. The exit channel, when nanos-run attached one, says precisely
  // that the boot loader failed.
  report_boot_failure();
  outb(kDebugExitPort, kExitBootFailure);
  if (g_last_resort)
    g_last_resort();
  for (;;)
    asm volatile("cli; hlt");
}

void* Arena::alloc(uint32_t size, uint32_t align) {
  uint32_t start = (next_ - size) & ~(align - 1);
  if (size > next_ - floor_ || start < floor_)
    fail("out of memory for the boot loader's work area");
  next_ = start;
  return memset(reinterpret_cast<void*>(static_cast<uintptr_t>(start)), 0, size);
}

} // namespace stage2
