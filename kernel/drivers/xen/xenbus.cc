#include "drivers/xen/xenbus.h"

#include "arch/x86_64/time.h"
#include "arch/x86_64/xen/hypercall.h"
#include "drivers/bus/driver.h"
#include "drivers/xen/xenstore.h"
#include "lib/errno.h"
#include "lib/format.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace xenbus {
namespace {
struct TypeName {
  const char* name;
  DeviceType type;
};
constexpr TypeName kTypes[] = {{"vbd", kVbd}, {"vif", kVif}};

struct ScanContext {
  const TypeName* type;
  size_t found;
};

uint32_t parse_decimal(const char* s, size_t len) {
  uint32_t v = 0;
  for (size_t i = 0; i < len && s[i] >= '0' && s[i] <= '9'; ++i)
    v = v * 10 + static_cast<uint32_t>(s[i] - '0');
  return v;
}

void offer(void* ctx_ptr, const char* name, size_t len) {
  auto* ctx = static_cast<ScanContext*>(ctx_ptr);
  // Devices live as long as the kernel: a driver keeps its bus_data.
  auto* dev = static_cast<Device*>(kzalloc(sizeof(Device)));
  if (!dev)
    return;
  dev->type = ctx->type->type;
  dev->id = parse_decimal(name, len);
  klib::format(dev->nodename, sizeof dev->nodename, "device/%s/%.*s", ctx->type->name,
               static_cast<int>(len), name);
  char key[80];
  klib::format(key, sizeof key, "%s/backend", dev->nodename);
  auto backend = xenstore::read(key);
  klib::format(key, sizeof key, "%s/backend-id", dev->nodename);
  auto backend_id = xenstore::read_number(key);
  if (!backend || !backend_id) {
    kprintf("xenbus: %s has no back-end (%d)\n", dev->nodename,
            backend ? backend_id.error() : backend.error());
    kfree(dev);
    return;
  }
  klib::strlcpy(dev->backend, backend->str(), sizeof dev->backend);
  dev->backend_id = static_cast<uint16_t>(backend_id.value());
  ++ctx->found;
  drivers::FoundDevice found{drivers::Bus::kXenbus, 0, dev->type, dev};
  if (!drivers::registry().attach(found))
    kfree(dev); // no driver for it (or its probe failed)
}
} // namespace

size_t scan() {
  if (!xenstore::connected())
    return 0;
  size_t found = 0;
  for (const TypeName& type : kTypes) {
    char dir[32];
    klib::format(dir, sizeof dir, "device/%s", type.name);
    auto ids = xenstore::directory(dir);
    if (!ids)
      continue; // no device of this type
    ScanContext ctx{&type, 0};
    xenstore::for_each_name(ids->str(), ids->len(), offer, &ctx);
    found += ctx.found;
  }
  return found;
}

Status switch_state(const Device& dev, State state) {
  char key[80], value[4];
  klib::format(key, sizeof key, "%s/state", dev.nodename);
  klib::format(value, sizeof value, "%u", static_cast<unsigned>(state));
  return xenstore::write(key, value);
}

Status write_keys(const Device& dev, const Key* keys, size_t count) {
  for (int attempt = 0; attempt < 10; ++attempt) {
    uint32_t tx = TRY(xenstore::transaction_start());
    Status s = status_ok();
    for (size_t i = 0; i < count && s; ++i) {
      char path[96];
      klib::format(path, sizeof path, "%s/%s", dev.nodename, keys[i].name);
      s = xenstore::write(path, keys[i].value, tx);
    }
    if (!s) {
      (void)xenstore::transaction_end(tx, false);
      return s;
    }
    Status end = xenstore::transaction_end(tx, true);
    if (end)
      return status_ok();
    if (end.error() != -EAGAIN)
      return end;
  }
  return Err(-EAGAIN);
}

ErrorOr<uint64_t> backend_number(const Device& dev, const char* key) {
  char path[192];
  klib::format(path, sizeof path, "%s/%s", dev.backend, key);
  return xenstore::read_number(path);
}

Status wait_backend_state(const Device& dev, State state, uint64_t timeout_ms) {
  // A watch on the back-end's state key: the store tells us when it changes instead of
  // being asked over and over (the watch also fires once when set).
  char key[160];
  klib::format(key, sizeof key, "%s/state", dev.backend);
  bool watching = xenstore::watch(key, dev.nodename).ok();
  uint64_t deadline = ktime::monotonic_ns() + timeout_ms * 1000000ull;
  Status result = Err(-ETIMEDOUT);
  for (;;) {
    auto now_state = backend_number(dev, "state");
    if (now_state && now_state.value() == state) {
      result = status_ok();
      break;
    }
    if (now_state && now_state.value() >= kClosing && state < kClosing) {
      result = Err(-ENODEV);
      break;
    }
    uint64_t now = ktime::monotonic_ns();
    if (now > deadline)
      break;
    if (watching) {
      // Any event (ours or another watch's) is a reason to look again; bounded so a lost
      // event costs 100 ms.
      uint64_t left_ms = (deadline - now) / 1000000 + 1;
      (void)xenstore::wait_watch_event(left_ms < 100 ? left_ms : 100);
    } else {
      xen::sched_yield();
    }
  }
  if (watching)
    (void)xenstore::unwatch(key, dev.nodename);
  return result;
}

} // namespace xenbus
