// COM1 (0x3F8) 16550 UART, polled, 115200 8N1.
#pragma once

#include <stddef.h>

namespace serial {
void init();
void write(const char* data, size_t len);
} // namespace serial
