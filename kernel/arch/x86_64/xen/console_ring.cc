#include "arch/x86_64/xen/console_ring.h"

namespace xen {

uint32_t ConsoleRing::load(size_t offset) const {
  // Acquire: the bytes the other side wrote before moving its index are visible after.
  return __atomic_load_n(reinterpret_cast<volatile uint32_t*>(page_ + offset), __ATOMIC_ACQUIRE);
}

void ConsoleRing::store(size_t offset, uint32_t value) {
  // Release: our bytes are in the ring before the other side can see the new index.
  __atomic_store_n(reinterpret_cast<volatile uint32_t*>(page_ + offset), value, __ATOMIC_RELEASE);
}

size_t ConsoleRing::write(const char* data, size_t len) {
  uint32_t cons = load(kOutConsOffset);
  uint32_t prod = load(kOutProdOffset);
  size_t used = static_cast<uint32_t>(prod - cons);
  if (used >= kOutSize)
    return 0;
  size_t n = kOutSize - used;
  if (n > len)
    n = len;
  volatile uint8_t* out = page_ + kInSize;
  for (size_t i = 0; i < n; ++i)
    out[(prod + i) % kOutSize] = static_cast<uint8_t>(data[i]);
  store(kOutProdOffset, prod + static_cast<uint32_t>(n));
  return n;
}

size_t ConsoleRing::unread_output() const {
  return static_cast<uint32_t>(load(kOutProdOffset) - load(kOutConsOffset));
}

size_t ConsoleRing::read(char* out, size_t max) {
  uint32_t cons = load(kInConsOffset);
  uint32_t prod = load(kInProdOffset);
  size_t avail = static_cast<uint32_t>(prod - cons);
  if (avail > kInSize)
    return 0; // corrupt indexes: take nothing rather than read stale bytes
  size_t n = avail < max ? avail : max;
  for (size_t i = 0; i < n; ++i)
    out[i] = static_cast<char>(page_[(cons + i) % kInSize]);
  store(kInConsOffset, cons + static_cast<uint32_t>(n));
  return n;
}

bool ConsoleRing::sane() const {
  return static_cast<uint32_t>(load(kOutProdOffset) - load(kOutConsOffset)) <= kOutSize &&
         static_cast<uint32_t>(load(kInProdOffset) - load(kInConsOffset)) <= kInSize;
}

} // namespace xen
