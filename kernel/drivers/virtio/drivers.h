// The virtio drivers, for the registry (drivers/devices.cc).
#pragma once

#include "drivers/bus/driver.h"

namespace virtio {
extern const drivers::Driver blk_driver;  // blk.cc: block::Device
extern const drivers::Driver scsi_driver; // scsi.cc: block::Device for target 0 LUN 0
extern const drivers::Driver rng_driver;  // rng.cc: entropy into krandom
extern const drivers::Driver net_driver;  // net.cc: a net::Interface ("en1"...) for the stack
} // namespace virtio
