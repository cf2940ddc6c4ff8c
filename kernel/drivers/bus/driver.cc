#include "drivers/bus/driver.h"

namespace drivers {

namespace {
bool id_matches(uint32_t want, uint32_t have) {
  return want == kAnyId || want == have;
}
} // namespace

bool matches(const Driver& driver, const FoundDevice& dev) {
  for (size_t i = 0; i < driver.id_count; ++i) {
    const DeviceId& id = driver.ids[i];
    if (id.bus == dev.bus && id_matches(id.vendor, dev.vendor) && id_matches(id.device, dev.device))
      return true;
  }
  return false;
}

Status Registry::add(const Driver& driver) {
  for (size_t i = 0; i < count_; ++i)
    if (drivers_[i] == &driver)
      return Err(-EEXIST);
  if (count_ == kMaxDrivers)
    return Err(-ENOSPC);
  drivers_[count_++] = &driver;
  for (size_t i = 0; i < driver.id_count; ++i)
    device_filter_ |= driver.ids[i].device == kAnyId ? ~0ull : 1ull << (driver.ids[i].device & 63);
  return status_ok();
}

const Driver* Registry::attach(const FoundDevice& dev) const {
  if (!may_match(dev))
    return nullptr;
  for (size_t i = 0; i < count_; ++i)
    if (matches(*drivers_[i], dev) && drivers_[i]->probe(dev))
      return drivers_[i];
  return nullptr;
}

Registry& registry() {
  static Registry r;
  return r;
}

} // namespace drivers
