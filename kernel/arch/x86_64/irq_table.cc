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

bool SharedLine::add(Handler handler, void* ctx) {
  if (!handler || size_ == kMaxHandlers)
    return false;
  for (size_t i = 0; i < size_; ++i)
    if (members_[i].handler == handler && members_[i].ctx == ctx)
      return false;
  members_[size_++] = Member{handler, ctx};
  return true;
}

bool SharedLine::remove(Handler handler, void* ctx) {
  for (size_t i = 0; i < size_; ++i) {
    if (members_[i].handler != handler || members_[i].ctx != ctx)
      continue;
    for (size_t j = i + 1; j < size_; ++j) // keep the order of the others
      members_[j - 1] = members_[j];
    members_[--size_] = Member{};
    return true;
  }
  return false;
}

void SharedLine::run() const {
  for (size_t i = 0; i < size_; ++i)
    members_[i].handler(members_[i].ctx);
}

GsiLineTable::Line* GsiLineTable::find(uint32_t gsi) {
  for (Line& l : lines_)
    if (l.used && l.gsi == gsi)
      return &l;
  return nullptr;
}

ErrorOr<GsiLineTable::Line*> GsiLineTable::find_compatible(uint32_t gsi, Trigger trigger,
                                                           Polarity polarity) {
  Line* l = find(gsi);
  if (l && (l->trigger != trigger || l->polarity != polarity))
    return Err(-EINVAL);
  return l;
}

ErrorOr<GsiLineTable::Line*> GsiLineTable::claim(uint32_t gsi, Trigger trigger, Polarity polarity) {
  if (find(gsi))
    return Err(-EEXIST);
  for (Line& l : lines_) {
    if (l.used)
      continue;
    l = Line{};
    l.used = true;
    l.gsi = gsi;
    l.trigger = trigger;
    l.polarity = polarity;
    return &l;
  }
  return Err(-EBUSY);
}

void GsiLineTable::drop(Line* line) {
  if (line)
    *line = Line{};
}

size_t GsiLineTable::used() const {
  size_t n = 0;
  for (const Line& l : lines_)
    n += l.used ? 1 : 0;
  return n;
}

} // namespace irq
