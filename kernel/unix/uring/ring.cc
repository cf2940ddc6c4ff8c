// The ring memory, completions and the io_uring file (see ring.h).
#include "unix/uring/ring.h"

#include "lib/errno.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "unix/fd/event_file.h"
#include "unix/fd/memfd.h"
#include "unix/syscall/linux_abi.h"

namespace unix::uring {
namespace {

constexpr uint64_t kPage = 4096;

// The kernel address of byte `offset` of the ring memory. Every field of the ring is
// naturally aligned and no wider than 64 bytes, so none crosses a page.
void* address_of(const Ring& r, uint64_t offset) {
  return r.pages[offset / kPage] + offset % kPage;
}

Readiness ring_readiness(File& f) {
  Ring& r = *static_cast<Ring*>(f.object);
  progress(r); // a poll or epoll of the ring fd is one of the moments requests advance
  Readiness ready;
  if (completions_ready(r))
    ready.events |= kEpollIn | kEpollRdNorm;
  uint32_t sq_head = load_word(r, r.layout.sq.head), sq_tail = load_word(r, r.layout.sq.tail);
  if (ring_count(sq_head, sq_tail, r.layout.sizes.sq_entries) < r.layout.sizes.sq_entries)
    ready.events |= kEpollOut | kEpollWrNorm;
  ready.in_gen = r.posted;
  ready.out_gen = r.consumed;
  return ready;
}

void ring_release(File& f) {
  Ring* r = static_cast<Ring*>(f.object);
  sched::timer_cancel(&r->timeout_timer);
  drop_in_flight(*r);
  for (uint32_t i = 0; i < r->fixed_count; ++i)
    if (r->fixed_files[i])
      release_file(r->fixed_files[i]);
  delete[] r->fixed_files;
  delete[] r->pages;
  if (r->eventfd)
    release_file(r->eventfd);
  memfd_drop_name(r->memory); // the pages stay while the program still maps them
  delete r;
}

// Neither read nor written (EINVAL, as Linux); an anonymous inode.
const FileOps kRingOps{
    .kind = FileKind::kIoUring,
    .mode = 0600,
    .seek = seek_nowhere,
    .readiness = ring_readiness,
    .release = ring_release,
};

void wake_for_timeouts(sched::Timer*) {
  sched::wake_all(sched::io_events()); // waiters re-run progress(), which expires timeouts
}

} // namespace

Ring* ring_of(File& f) {
  return f.kind == FileKind::kIoUring ? static_cast<Ring*>(f.object) : nullptr;
}

uint32_t load_word(const Ring& r, uint32_t offset) {
  return __atomic_load_n(static_cast<uint32_t*>(address_of(r, offset)), __ATOMIC_ACQUIRE);
}

void store_word(Ring& r, uint32_t offset, uint32_t value) {
  __atomic_store_n(static_cast<uint32_t*>(address_of(r, offset)), value, __ATOMIC_RELEASE);
}

Sqe load_sqe(const Ring& r, uint32_t index) {
  Sqe sqe;
  memcpy(&sqe, address_of(r, r.layout.sqes_offset + uint64_t{index} * sizeof(Sqe)), sizeof sqe);
  return sqe;
}

uint32_t completions_ready(const Ring& r) {
  return ring_count(load_word(r, r.layout.cq.head), load_word(r, r.layout.cq.tail),
                    r.layout.sizes.cq_entries);
}

void post_completion(Ring& r, uint64_t user_data, int32_t res, bool is_timeout) {
  const CqRingOffsets& cq = r.layout.cq;
  uint32_t tail = load_word(r, cq.tail), head = load_word(r, cq.head);
  if (!is_timeout)
    ++r.completions;
  if (tail - head >= r.layout.sizes.cq_entries) {
    store_word(r, cq.overflow, load_word(r, cq.overflow) + 1);
    return;
  }
  uint32_t slot = tail & (r.layout.sizes.cq_entries - 1);
  Cqe cqe{user_data, res, 0};
  memcpy(address_of(r, cq.cqes + uint64_t{slot} * sizeof(Cqe)), &cqe, sizeof cqe);
  store_word(r, cq.tail, tail + 1); // release: the entry is visible before the new tail
  ++r.posted;
  if (r.eventfd && !(load_word(r, cq.flags) & kCqEventfdDisabled))
    eventfd_signal(*r.eventfd, 1);
  sched::wake_all(sched::io_events());
}

ErrorOr<int> create_ring_file(const RingLayout& layout) {
  Memfd* memory = memfd_new_named();
  if (!memory)
    return Err(-ENOMEM);
  // Every page now: an out-of-memory ring fails here, not at a completion.
  if (!memfd_truncate(memory, layout.total_bytes).ok()) {
    memfd_drop_name(memory);
    return Err(-ENOMEM);
  }
  for (uint64_t page = 0; page < layout.total_bytes / kPage; ++page) {
    if (!memfd_page(memory, page)) {
      memfd_drop_name(memory);
      return Err(-ENOMEM);
    }
  }
  auto* r = new (std::nothrow) Ring;
  uint64_t page_count = layout.total_bytes / kPage;
  auto** pages = new (std::nothrow) uint8_t*[page_count];
  if (!r || !pages) {
    delete r;
    delete[] pages;
    memfd_drop_name(memory);
    return Err(-ENOMEM);
  }
  for (uint64_t page = 0; page < page_count; ++page)
    pages[page] = static_cast<uint8_t*>(mm::phys_to_virt(memfd_page(memory, page)));
  r->layout = layout;
  r->memory = memory;
  r->pages = pages;
  r->timeout_timer.fire = wake_for_timeouts;
  store_word(*r, layout.sq.ring_mask, layout.sizes.sq_entries - 1);
  store_word(*r, layout.sq.ring_entries, layout.sizes.sq_entries);
  store_word(*r, layout.cq.ring_mask, layout.sizes.cq_entries - 1);
  store_word(*r, layout.cq.ring_entries, layout.sizes.cq_entries);
  int fd = install_object_file(kRingOps, r, linux::O_RDWR, true);
  if (fd < 0) {
    memfd_drop_name(memory);
    delete[] r->pages;
    delete r;
    return Err(fd);
  }
  return fd;
}

ErrorOr<RingMapping> ring_mapping(File& f, uint64_t offset, uint64_t len) {
  Ring* r = ring_of(f);
  if (!r)
    return Err(-ENODEV);
  MapTarget t = TRY(map_target(r->layout, offset, len));
  return RingMapping{r->memory, t.memory_offset};
}

} // namespace unix::uring
