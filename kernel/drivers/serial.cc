#include "drivers/serial.h"

#include "arch/x86_64/cpu.h"

namespace serial {
namespace {
constexpr uint16_t kCom1 = 0x3F8;
bool g_ready = false;
} // namespace

void init() {
  cpu::outb(kCom1 + 1, 0x00); // no interrupts
  cpu::outb(kCom1 + 3, 0x80); // DLAB
  cpu::outb(kCom1 + 0, 0x01); // divisor 1 = 115200 baud
  cpu::outb(kCom1 + 1, 0x00);
  cpu::outb(kCom1 + 3, 0x03); // 8N1
  cpu::outb(kCom1 + 2, 0xC7); // FIFO on, cleared
  cpu::outb(kCom1 + 4, 0x03); // DTR, RTS
  g_ready = true;
}

void write(const char* data, size_t len) {
  if (!g_ready)
    init();
  for (size_t i = 0; i < len; ++i) {
    // Wait for room in the transmit holding register (bounded: a missing UART reads 0xFF).
    for (int spin = 0; spin < 100000 && !(cpu::inb(kCom1 + 5) & 0x20); ++spin)
      cpu::pause();
    cpu::outb(kCom1, static_cast<uint8_t>(data[i]));
  }
}
} // namespace serial
