#include "arch/x86_64/irq_table.h"

namespace irq {

ErrorOr<uint8_t> VectorTable::allocate(Handler handler, void* ctx, const char* name) {
  if (!handler)
    return Err(-EINVAL);
  for (size_t tried = 0; tried < kDeviceVectorCount; ++tried) {
    size_t i = (next_ + tried) % kDeviceVectorCount;
    Entry& e = entries_[i];
    if (e.handler)
      continue;
    e = Entry{handler, ctx, name, 0};
    ++allocated_;
    next_ = (i + 1) % kDeviceVectorCount;
    return static_cast<uint8_t>(kFirstDeviceVector + i);
  }
  return Err(-EBUSY);
}

void VectorTable::release(uint8_t vector) {
  if (!is_device(vector))
    return;
  Entry& e = entries_[vector - kFirstDeviceVector];
  if (!e.handler)
    return;
  e = Entry{};
  --allocated_;
}

bool VectorTable::dispatch(uint8_t vector) {
  if (!is_device(vector) || !entries_[vector - kFirstDeviceVector].handler) {
    ++unexpected_;
    return false;
  }
  Entry& e = entries_[vector - kFirstDeviceVector];
  ++e.count;
  e.handler(e.ctx);
  return true;
}

const VectorTable::Entry* VectorTable::entry(uint8_t vector) const {
  if (!is_device(vector) || !entries_[vector - kFirstDeviceVector].handler)
    return nullptr;
  return &entries_[vector - kFirstDeviceVector];
}

} // namespace irq
