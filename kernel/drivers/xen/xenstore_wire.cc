#include "drivers/xen/xenstore_wire.h"

#include "lib/errno.h"

namespace xenstore {

uint32_t Ring::load(size_t offset) const {
  return __atomic_load_n(reinterpret_cast<volatile uint32_t*>(page_ + offset), __ATOMIC_ACQUIRE);
}

void Ring::store(size_t offset, uint32_t value) {
  __atomic_store_n(reinterpret_cast<volatile uint32_t*>(page_ + offset), value, __ATOMIC_RELEASE);
}

namespace {
// Copies into a ring at `base` from the producer index on; the caller checked the room.
void copy_in(volatile uint8_t* base, uint32_t prod, const void* data, size_t n) {
  auto* src = static_cast<const uint8_t*>(data);
  for (size_t i = 0; i < n; ++i)
    base[(prod + i) % Ring::kSize] = src[i];
}
void copy_out(const volatile uint8_t* base, uint32_t cons, void* out, size_t n) {
  auto* dst = static_cast<uint8_t*>(out);
  for (size_t i = 0; i < n; ++i)
    dst[i] = base[(cons + i) % Ring::kSize];
}
size_t room(uint32_t cons, uint32_t prod) {
  uint32_t used = prod - cons;
  return used >= Ring::kSize ? 0 : Ring::kSize - used;
}
size_t waiting(uint32_t cons, uint32_t prod) {
  uint32_t n = prod - cons;
  return n > Ring::kSize ? 0 : n; // more than a ring: corrupt, read nothing
}
} // namespace

size_t Ring::produce(size_t ring, size_t cons_offset, size_t prod_offset, const void* data,
                     size_t len) {
  uint32_t cons = load(cons_offset), prod = load(prod_offset);
  size_t n = room(cons, prod);
  if (n > len)
    n = len;
  copy_in(page_ + ring, prod, data, n);
  store(prod_offset, prod + static_cast<uint32_t>(n)); // after the bytes (release)
  return n;
}

size_t Ring::consume(size_t ring, size_t cons_offset, size_t prod_offset, void* out, size_t len) {
  uint32_t cons = load(cons_offset), prod = load(prod_offset);
  size_t n = waiting(cons, prod);
  if (n > len)
    n = len;
  copy_out(page_ + ring, cons, out, n);
  store(cons_offset, cons + static_cast<uint32_t>(n));
  return n;
}

size_t Ring::put(const void* data, size_t len) {
  return produce(0, kReqConsOffset, kReqProdOffset, data, len);
}

size_t Ring::available() const {
  return waiting(load(kRspConsOffset), load(kRspProdOffset));
}

bool Ring::peek(void* out, size_t len) const {
  uint32_t cons = load(kRspConsOffset), prod = load(kRspProdOffset);
  if (waiting(cons, prod) < len)
    return false;
  copy_out(page_ + kSize, cons, out, len);
  return true;
}

size_t Ring::get(void* out, size_t len) {
  return consume(kSize, kRspConsOffset, kRspProdOffset, out, len);
}

size_t Ring::daemon_get(void* out, size_t len) {
  return consume(0, kReqConsOffset, kReqProdOffset, out, len);
}

size_t Ring::daemon_put(const void* data, size_t len) {
  return produce(kSize, kRspConsOffset, kRspProdOffset, data, len);
}

int error_from_name(const char* name, size_t len) {
  struct Entry {
    const char* name;
    int err;
  };
  static const Entry kErrors[] = {
      {"EINVAL", EINVAL},       {"EACCES", EACCES},   {"EEXIST", EEXIST}, {"EISDIR", EISDIR},
      {"ENOENT", ENOENT},       {"ENOMEM", ENOMEM},   {"ENOSPC", ENOSPC}, {"EIO", EIO},
      {"ENOTEMPTY", ENOTEMPTY}, {"ENOSYS", ENOSYS},   {"EROFS", EROFS},   {"EBUSY", EBUSY},
      {"EAGAIN", EAGAIN},       {"EISCONN", EISCONN}, {"E2BIG", E2BIG},   {"EPERM", EPERM},
  };
  while (len && name[len - 1] == '\0')
    --len;
  for (const Entry& e : kErrors) {
    size_t i = 0;
    while (i < len && e.name[i] && e.name[i] == name[i])
      ++i;
    if (i == len && e.name[i] == '\0')
      return -e.err;
  }
  return -EIO;
}

void for_each_name(const char* payload, size_t len,
                   void (*fn)(void* ctx, const char* name, size_t len), void* ctx) {
  size_t start = 0;
  for (size_t i = 0; i < len; ++i) {
    if (payload[i] != '\0')
      continue;
    if (i > start)
      fn(ctx, payload + start, i - start);
    start = i + 1;
  }
  if (start < len) // a last name without its NUL
    fn(ctx, payload + start, len - start);
}

} // namespace xenstore
