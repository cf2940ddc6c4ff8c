// virtio-rng / entropy device (virtio 1.x §5.4): at attach, 32 bytes from the host's
// random source are mixed into the kernel's generator (krandom::add_entropy), on top of
// RDSEED/RDRAND and TSC jitter. The request is sent at probe and collected (polled, like
// every request at boot) when the kernel first needs random bytes: by then, usually the
// exec of the program after the root mount, the host has long answered.
#include "arch/x86_64/random.h"
#include "drivers/virtio/device.h"
#include "drivers/virtio/drivers.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/layout.h"

namespace virtio {
namespace {

// The generator's key is 256 bits: 32 bytes from the host replace all of it (mixed, not
// substituted), and each further 32 would cost one more ChaCha20 block at boot.
constexpr size_t kSeedBytes = 32;

struct Request {
  uint8_t bytes[kSeedBytes];
  uint32_t written;
  bool done;
  Queue* queue;
};

void mark_done(void* token, uint32_t written) {
  auto* r = static_cast<Request*>(token);
  r->written = written;
  r->done = true;
}

bool request_done(void* r) {
  return static_cast<Request*>(r)->done;
}

// Takes the device's answer (waiting for it if it is still on its way) into the generator.
void collect(void* ctx) {
  auto* req = static_cast<Request*>(ctx);
  Status s = req->queue->wait_until(request_done, req);
  if (!s)
    return; // on a timeout the device may still write into it: leave it allocated
  krandom::add_entropy(req->bytes, req->written < kSeedBytes ? req->written : kSeedBytes);
  memset(req->bytes, 0, sizeof(req->bytes));
  kfree(req);
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
  req->queue = *queue;
  Virtqueue::Segment seg{mm::virt_to_phys(req->bytes), kSeedBytes, true};
  if (!(*queue)->add(&seg, 1, req)) {
    kfree(req);
    return status_ok();
  }
  (*queue)->kick();
  // The host answers while boot goes on; the generator collects it before its first
  // output. A second entropy device (the first one's answer still pending) is waited for.
  if (!krandom::set_pending_entropy(collect, req))
    collect(req);
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
