#include "drivers/xen/xenstore.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "arch/x86_64/xen/hypercall.h"
#include "lib/errno.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "mm/vm.h"

namespace xenstore {
namespace {
Ring* g_ring = nullptr;
alignas(Ring) uint8_t g_ring_storage[sizeof(Ring)];
uint32_t g_port = 0;
uint32_t g_next_req_id = 1;
bool g_busy = false;

// Watch events that arrived while a request waited for its reply.
constexpr size_t kMaxQueuedEvents = 16;
struct QueuedEvent { // plain data: a global with a destructor would need atexit
  char* data;
  size_t len;
};
QueuedEvent g_events[kMaxQueuedEvents];
size_t g_event_head = 0, g_event_count = 0;

// A reply the daemon does not give within this many TSC cycles (about 8 s at 2 GHz) is
// taken as lost: the store is gone and waiting longer would hang the kernel.
constexpr uint64_t kReplyCycles = 16ull << 30;

struct Part {
  const void* data;
  size_t len;
};

class BusyScope {
public:
  BusyScope() { g_busy = true; }
  ~BusyScope() { g_busy = false; }
};

// One wait step: let the daemon's domain run.
void pause_for_daemon() {
  xen::sched_yield();
}

Status send_all(const void* data, size_t len) {
  auto* p = static_cast<const uint8_t*>(data);
  uint64_t start = cpu::rdtsc();
  while (len) {
    size_t n = g_ring->put(p, len);
    p += n;
    len -= n;
    if (n) {
      xen::notify(g_port);
      continue;
    }
    if (cpu::rdtsc() - start > kReplyCycles)
      return Err(-ETIMEDOUT);
    pause_for_daemon();
  }
  return status_ok();
}

Status receive_all(void* out, size_t len) {
  auto* p = static_cast<uint8_t*>(out);
  uint64_t start = cpu::rdtsc();
  while (len) {
    size_t n = g_ring->get(p, len);
    p += n;
    len -= n;
    if (n) {
      xen::notify(g_port); // the daemon may be waiting for room to write the rest
      continue;
    }
    if (cpu::rdtsc() - start > kReplyCycles)
      return Err(-ETIMEDOUT);
    pause_for_daemon();
  }
  return status_ok();
}

// Reads one whole message (header and payload) from the response ring.
ErrorOr<Reply> receive_message(Header* header) {
  TRY(receive_all(header, sizeof *header));
  if (header->len > kPayloadMax)
    return Err(-EIO);
  auto* data = static_cast<char*>(kmalloc(header->len + 1));
  if (!data)
    return Err(-ENOMEM);
  Reply reply(data, header->len);
  TRY(receive_all(data, header->len));
  data[header->len] = '\0';
  return reply;
}

void queue_event(Reply event) {
  if (g_event_count == kMaxQueuedEvents)
    return; // the oldest events are kept; a watcher re-reads its keys anyway
  size_t len = event.len();
  g_events[(g_event_head + g_event_count++) % kMaxQueuedEvents] = {event.release(), len};
}

ErrorOr<Reply> request(MessageType type, uint32_t tx, const Part* parts, size_t count) {
  if (!g_ring)
    return Err(-ENODEV);
  if (g_busy)
    return Err(-EBUSY);
  BusyScope busy;
  size_t total = 0;
  for (size_t i = 0; i < count; ++i)
    total += parts[i].len;
  if (total > kPayloadMax)
    return Err(-E2BIG);
  Header header{type, g_next_req_id++, tx, static_cast<uint32_t>(total)};
  TRY(send_all(&header, sizeof header));
  for (size_t i = 0; i < count; ++i)
    TRY(send_all(parts[i].data, parts[i].len));
  for (;;) {
    Header reply_header;
    Reply reply = TRY(receive_message(&reply_header));
    if (reply_header.type == kWatchEvent) {
      queue_event(static_cast<Reply&&>(reply));
      continue;
    }
    if (reply_header.req_id != header.req_id)
      continue; // a reply to a request that timed out earlier
    if (reply_header.type == kError)
      return Err(error_from_name(reply.str(), reply.len()));
    return reply;
  }
}

Part path_part(const char* path) {
  return {path, strlen(path) + 1};
}
} // namespace

Reply& Reply::operator=(Reply&& other) {
  if (this != &other) {
    kfree(data_);
    data_ = other.data_;
    len_ = other.len_;
    other.data_ = nullptr;
  }
  return *this;
}

Reply::~Reply() {
  kfree(data_);
}

bool init() {
  if (g_ring)
    return true;
  if (!xen::present())
    return false;
  auto pfn = xen::hvm_get_param(xen::kHvmParamStorePfn);
  auto port = xen::hvm_get_param(xen::kHvmParamStoreEvtchn);
  if (!pfn || !port || pfn.value() == 0)
    return false;
  uint64_t phys = pfn.value() << 12;
  void* page =
      phys < mm::direct_map_end() ? mm::phys_to_virt(phys) : mm::map_mmio(phys, mm::kPageSize);
  if (!page)
    return false;
  g_port = static_cast<uint32_t>(port.value());
  g_ring = new (g_ring_storage) Ring(static_cast<volatile uint8_t*>(page));
  return true;
}

bool connected() {
  return g_ring != nullptr;
}

bool busy() {
  return g_busy;
}

ErrorOr<Reply> read(const char* path, uint32_t tx) {
  Part part = path_part(path);
  return request(kRead, tx, &part, 1);
}

ErrorOr<uint64_t> read_number(const char* path, uint32_t tx) {
  Reply r = TRY(read(path, tx));
  const char* s = r.str();
  unsigned base = 10;
  if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s += 2;
  }
  if (!*s)
    return Err(-EINVAL);
  uint64_t v = 0;
  for (; *s; ++s) {
    unsigned d;
    if (*s >= '0' && *s <= '9')
      d = static_cast<unsigned>(*s - '0');
    else if (base == 16 && *s >= 'a' && *s <= 'f')
      d = static_cast<unsigned>(*s - 'a' + 10);
    else if (base == 16 && *s >= 'A' && *s <= 'F')
      d = static_cast<unsigned>(*s - 'A' + 10);
    else
      return Err(-EINVAL);
    if (d >= base)
      return Err(-EINVAL);
    v = v * base + d;
  }
  return v;
}

Status write(const char* path, const char* value, uint32_t tx) {
  Part parts[] = {path_part(path), {value, strlen(value)}}; // the value has no NUL
  TRY(request(kWrite, tx, parts, 2));
  return status_ok();
}

Status remove(const char* path, uint32_t tx) {
  Part part = path_part(path);
  TRY(request(kRm, tx, &part, 1));
  return status_ok();
}

ErrorOr<Reply> directory(const char* path, uint32_t tx) {
  Part part = path_part(path);
  return request(kDirectory, tx, &part, 1);
}

ErrorOr<uint32_t> transaction_start() {
  Part part = {"", 1};
  Reply r = TRY(request(kTransactionStart, 0, &part, 1));
  uint32_t id = 0;
  for (const char* s = r.str(); *s >= '0' && *s <= '9'; ++s)
    id = id * 10 + static_cast<uint32_t>(*s - '0');
  if (id == 0)
    return Err(-EIO);
  return id;
}

Status transaction_end(uint32_t tx, bool commit) {
  Part part = commit ? Part{"T", 2} : Part{"F", 2};
  TRY(request(kTransactionEnd, tx, &part, 1));
  return status_ok();
}

Status watch(const char* path, const char* token) {
  Part parts[] = {path_part(path), path_part(token)};
  TRY(request(kWatch, 0, parts, 2));
  return status_ok();
}

Status unwatch(const char* path, const char* token) {
  Part parts[] = {path_part(path), path_part(token)};
  TRY(request(kUnwatch, 0, parts, 2));
  return status_ok();
}

ErrorOr<Reply> wait_watch_event(uint64_t timeout_ms) {
  if (!g_ring)
    return Err(-ENODEV);
  uint64_t deadline = ktime::monotonic_ns() + timeout_ms * 1000000ull;
  for (;;) {
    if (g_event_count) {
      Reply event(g_events[g_event_head].data, g_events[g_event_head].len);
      g_event_head = (g_event_head + 1) % kMaxQueuedEvents;
      --g_event_count;
      return event;
    }
    if (g_busy)
      return Err(-EBUSY);
    Header header;
    if (g_ring->peek(&header, sizeof header)) {
      BusyScope busy;
      Reply message = TRY(receive_message(&header));
      if (header.type == kWatchEvent)
        queue_event(static_cast<Reply&&>(message));
      continue;
    }
    if (ktime::monotonic_ns() > deadline)
      return Err(-ETIMEDOUT);
    pause_for_daemon();
  }
}

} // namespace xenstore
