// Volatile loads and stores of device registers (memory-mapped, uncached).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace virtio {

template <typename T> inline T reg_read(volatile uint8_t* base, size_t offset) {
  return *reinterpret_cast<volatile T*>(base + offset);
}
template <typename T> inline void reg_write(volatile uint8_t* base, size_t offset, T value) {
  *reinterpret_cast<volatile T*>(base + offset) = value;
}

} // namespace virtio
