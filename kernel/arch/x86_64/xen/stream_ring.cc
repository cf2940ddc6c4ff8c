#include "arch/x86_64/xen/stream_ring.h"

namespace xen {

uint32_t StreamRing::load(volatile uint8_t* index) const {
  // Acquire: the bytes the other side wrote before moving its index are visible after.
  return __atomic_load_n(reinterpret_cast<volatile uint32_t*>(index), __ATOMIC_ACQUIRE);
}

void StreamRing::store(volatile uint8_t* index, uint32_t value) {
  // Release: our bytes (or our reads of the ring) are done before the other side sees it.
  __atomic_store_n(reinterpret_cast<volatile uint32_t*>(index), value, __ATOMIC_RELEASE);
}

void StreamRing::copy_out(uint32_t cons, void* dst, size_t n) const {
  auto* out = static_cast<uint8_t*>(dst);
  for (size_t i = 0; i < n; ++i)
    out[i] = data_[(cons + i) & (size_ - 1)];
}

size_t StreamRing::produce(const void* src, size_t len) {
  uint32_t cons = load(cons_), prod = load(prod_);
  uint32_t used = prod - cons;
  if (used >= size_)
    return 0;
  size_t n = size_ - used;
  if (n > len)
    n = len;
  auto* in = static_cast<const uint8_t*>(src);
  for (size_t i = 0; i < n; ++i)
    data_[(prod + i) & (size_ - 1)] = in[i];
  store(prod_, prod + static_cast<uint32_t>(n));
  return n;
}

size_t StreamRing::waiting() const {
  uint32_t n = load(prod_) - load(cons_);
  return n > size_ ? 0 : n;
}

bool StreamRing::sane() const {
  return static_cast<uint32_t>(load(prod_) - load(cons_)) <= size_;
}

bool StreamRing::peek(void* dst, size_t len) const {
  uint32_t cons = load(cons_), prod = load(prod_);
  uint32_t n = prod - cons;
  if (n > size_ || n < len)
    return false;
  copy_out(cons, dst, len);
  return true;
}

size_t StreamRing::consume(void* dst, size_t len) {
  uint32_t cons = load(cons_), prod = load(prod_);
  uint32_t n = prod - cons;
  if (n > size_)
    return 0; // corrupt indexes: take nothing rather than read stale bytes
  size_t take = n < len ? n : len;
  copy_out(cons, dst, take);
  store(cons_, cons + static_cast<uint32_t>(take));
  return take;
}

} // namespace xen
