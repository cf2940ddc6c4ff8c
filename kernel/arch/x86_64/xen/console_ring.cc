#include "arch/x86_64/xen/console_ring.h"

namespace xen {

size_t ConsoleRing::write(const char* data, size_t len) {
  return out_.produce(data, len);
}

size_t ConsoleRing::unread_output() const {
  return out_.waiting();
}

size_t ConsoleRing::read(char* out, size_t max) {
  return in_.consume(out, max);
}

bool ConsoleRing::sane() const {
  return out_.sane() && in_.sane();
}

} // namespace xen
