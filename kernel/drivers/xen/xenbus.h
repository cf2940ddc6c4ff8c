// xenbus: the bus of Xen PV devices in the driver model. Its devices are the directories
// under the domain's device/<type>/<id> in the xenstore (written by the toolstack); each is
// offered to the drivers registered for its type. A front-end then negotiates with its
// back-end through both sides' `state` keys: Initialising -> (back-end InitWait) ->
// Initialised -> (back-end Connected) -> Connected.
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace xenbus {

// The DeviceId.device of a xenbus driver: the front-end type.
enum DeviceType : uint32_t { kVbd = 1, kVif = 2 };

enum State : uint32_t {
  kUnknown = 0,
  kInitialising = 1,
  kInitWait = 2,
  kInitialised = 3,
  kConnected = 4,
  kClosing = 5,
  kClosed = 6,
};

// What a probe gets as FoundDevice::bus_data.
struct Device {
  DeviceType type;
  uint32_t id;         // the <id> in device/<type>/<id> (vbd: the virtual device number)
  char nodename[48];   // "device/vbd/51712": the front-end's directory (relative)
  char backend[128];   // the back-end's directory (absolute)
  uint16_t backend_id; // the back-end's domain
};

// Offers every device in the xenstore to the registered drivers. Returns how many were
// found (0 when not under Xen).
size_t scan();

// A front-end key and its value, for write_keys.
struct Key {
  const char* name; // relative to the front-end's directory
  const char* value;
};
// Writes the keys (what the back-end reads when it connects: rings, event channel, features)
// in one xenstore transaction, redone when it conflicts with another writer (-EAGAIN after
// 10 conflicts).
Status write_keys(const Device& dev, const Key* keys, size_t count);

// Writes the front-end's state key.
Status switch_state(const Device& dev, State state);
// Waits until the back-end's state is `state`, re-reading it at each event of a xenstore
// watch on it; -ETIMEDOUT after timeout_ms; -ENODEV if the back-end closes first.
Status wait_backend_state(const Device& dev, State state, uint64_t timeout_ms);
// Reads "<backend>/<key>" as a number.
ErrorOr<uint64_t> backend_number(const Device& dev, const char* key);

} // namespace xenbus
