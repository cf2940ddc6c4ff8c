#include "drivers/xen/xenstore_wire.h"

#include "lib/errno.h"

namespace xenstore {

size_t Ring::put(const void* data, size_t len) {
  return requests_.produce(data, len);
}
size_t Ring::available() const {
  return responses_.waiting();
}
bool Ring::peek(void* out, size_t len) const {
  return responses_.peek(out, len);
}
size_t Ring::get(void* out, size_t len) {
  return responses_.consume(out, len);
}
size_t Ring::daemon_get(void* out, size_t len) {
  return requests_.consume(out, len);
}
size_t Ring::daemon_put(const void* data, size_t len) {
  return responses_.produce(data, len);
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
