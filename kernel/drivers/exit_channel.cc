#include "drivers/exit_channel.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/exit.h"
#include "drivers/exit_record.h"

namespace exit_channel {
namespace {

constexpr uint16_t kCom2 = 0x2F8;
constexpr uint16_t kScratch = kCom2 + 7;    // 16550 scratch register: read back as written
constexpr uint16_t kLineStatus = kCom2 + 5; // bit 5: transmit holding register empty

// A UART is there when its scratch register keeps two different patterns; an unused ISA
// port reads 0xFF whatever was written.
bool uart_present() {
  constexpr uint8_t kPatterns[] = {0x5A, 0xA5};
  for (uint8_t pattern : kPatterns) {
    cpu::outb(kScratch, pattern);
    if (cpu::inb(kScratch) != pattern)
      return false;
  }
  return true;
}

void write_record(const ExitReport& report) {
  char record[kMaxRecordLength];
  size_t n = format_record(report, record, sizeof record);
  for (size_t i = 0; i < n; ++i) {
    // Bounded wait: a UART that stops draining must not keep the VM from ending.
    for (int spin = 0; spin < 100000 && !(cpu::inb(kLineStatus) & 0x20); ++spin)
      cpu::pause();
    cpu::outb(kCom2, static_cast<uint8_t>(record[i]));
  }
}

} // namespace

void init() {
  if (!uart_present())
    return;
  cpu::outb(kCom2 + 1, 0x00); // no interrupts: the channel is written polled, once
  cpu::outb(kCom2 + 3, 0x03); // 8N1 (the baud rate means nothing to an emulated UART)
  cpu::outb(kCom2 + 2, 0x07); // FIFO on, cleared
  add_exit_reporter(write_record);
}

} // namespace exit_channel
