// One io_uring instance: the ring memory the program maps (a memory file's pages, so the
// kernel and the program share them), the requests still in flight, the registered files
// and eventfd. ring.cc owns the memory and completions; requests.cc submits and progresses
// requests; sys_io_uring.cc holds the three syscalls.
//
// How requests that cannot finish at once complete: a request that would block (POLL_ADD
// on a file not ready, RECV or ACCEPT with nothing queued, READ of an empty pipe, a
// TIMEOUT) stays in the ring's in-flight list and is tried again whenever readiness may
// have changed and the program looks: on every io_uring_enter, while io_uring_enter waits
// for completions (it sleeps on sched::io_events(), which every readiness change wakes),
// and when poll/select/epoll ask the ring file whether it is readable. A kernel timer at
// the earliest TIMEOUT deadline wakes those waiters.
#pragma once

#include "lib/error_or.h"
#include "sched/wait.h"
#include "unix/events/epoll_interest.h"
#include "unix/fd/file.h"
#include "unix/uring/ring_logic.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {
struct Memfd;
}

namespace unix::uring {

struct Request;

struct Ring {
  RingLayout layout;
  Memfd* memory = nullptr; // the ring memory, mapped by the program through the ring fd
  // The kernel address of each page of `memory`, taken once at setup (the pages are all
  // allocated then and never change), so a ring access costs no page lookup.
  uint8_t** pages = nullptr;
  Request* spare = nullptr; // finished request records kept for the next SQEs
  uint32_t spare_count = 0;
  Request* in_flight = nullptr;
  File** fixed_files = nullptr; // REGISTER_FILES (each holds a reference; null: empty slot)
  uint32_t fixed_count = 0;
  File* eventfd = nullptr;    // REGISTER_EVENTFD (holds a reference)
  uint64_t completions = 0;   // CQEs posted for requests other than TIMEOUT: their sequence
  uint64_t posted = 0;        // every CQE posted: the readiness change counter
  uint64_t consumed = 0;      // SQEs consumed
  sched::Timer timeout_timer; // at the earliest TIMEOUT deadline in flight
  bool progressing = false;   // progress() is running: no re-entry through readiness
};

// The ring behind an io_uring file, or nullptr for any other file.
Ring* ring_of(File& f);

// A 32-bit word of the ring memory (offsets from RingLayout; always 4-byte aligned).
uint32_t load_word(const Ring& r, uint32_t offset);
void store_word(Ring& r, uint32_t offset, uint32_t value);
// The SQE at index i of the SQE array, copied out of shared memory.
Sqe load_sqe(const Ring& r, uint32_t index);

// Posts a completion (dropped, counting the overflow, when the CQ ring is full: this
// kernel does not claim IORING_FEAT_NODROP), signals the registered eventfd unless the
// program disabled it, and wakes every waiter of readiness.
void post_completion(Ring& r, uint64_t user_data, int32_t res, bool is_timeout);
// CQEs the program has not consumed yet.
uint32_t completions_ready(const Ring& r);

// Creates the ring memory and file (O_RDWR|O_CLOEXEC, as Linux). Returns the descriptor.
ErrorOr<int> create_ring_file(const RingLayout& layout);

// For mmap of an io_uring file at `offset` for `len` bytes: the memory file and the offset
// in it to map shared. EINVAL for other offsets or too long a length.
struct RingMapping {
  Memfd* memory;
  uint64_t memory_offset;
};
ErrorOr<RingMapping> ring_mapping(File& f, uint64_t offset, uint64_t len);

// ---- requests.cc ----
// Consumes up to `count` SQEs and starts them; returns how many were consumed.
uint32_t submit(Ring& r, uint32_t count);
// Tries every in-flight request again, completing those that can finish now, and re-arms
// the timeout timer.
void progress(Ring& r);
// Frees every in-flight request without completing it, and the spare request records
// (the ring is being destroyed).
void drop_in_flight(Ring& r);

} // namespace unix::uring
