// virtio-rng / entropy device (virtio 1.x §5.4): at attach, 64 bytes from the host's
// random source are mixed into the kernel's generator (krandom::add_entropy), on top of
// RDSEED/RDRAND and TSC jitter. One request, so it is polled at boot like every probe.
#include "arch/x86_64/random.h"
#include "drivers/virtio/device.h"
#include "drivers/virtio/drivers.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"

namespace virtio {
namespace {

constexpr size_t kSeedBytes = 64;

struct Request {
  uint8_t bytes[kSeedBytes];
  uint32_t written;
  bool done;
};

void mark_done(void* token, uint32_t written) {
  auto* r = static_cast<Request*>(token);
  r->written = written;
  r->done = true;
}

bool request_done(void* r) {
  return static_cast<Request*>(r)->done;
}

Status probe(const drivers::FoundDevice& found) {
  auto dev = Device::start(found, kFeatureEventIdx, "virtio-rng");
  if (!dev)
    return Err(dev.error());
  auto queue = (*dev)->add_queue(0, 8, 1);
  if (!queue)
    return (*dev)->fail(Err(queue.error()));
  (*queue)->set_completion(mark_done);
  (*dev)->ready();
  (*dev)->describe("entropy source");
  auto* req = static_cast<Request*>(kzalloc(sizeof(Request)));
  if (!req)
    return status_ok();
  Virtqueue::Segment seg{mm::virt_to_phys(req->bytes), kSeedBytes, true};
  Status s = (*queue)->add(&seg, 1, req);
  if (s) {
    (*queue)->kick();
    s = (*queue)->wait_until(request_done, req);
  }
  if (s && req->written) {
    krandom::add_entropy(req->bytes, req->written < kSeedBytes ? req->written : kSeedBytes);
    memset(req->bytes, 0, sizeof(req->bytes));
  }
  if (s) // on a timeout the device may still write into it: leave it allocated
    kfree(req);
  return status_ok();
}

constexpr drivers::DeviceId kIds[] = {
    {drivers::Bus::kPci, 0x1AF4, 0x1005},
    {drivers::Bus::kPci, 0x1AF4, 0x1040 + kDeviceEntropy},
    {drivers::Bus::kVirtioMmio, drivers::kAnyId, kDeviceEntropy},
};

} // namespace

const drivers::Driver rng_driver{"virtio-rng", kIds, sizeof(kIds) / sizeof(kIds[0]), probe};

} // namespace virtio
