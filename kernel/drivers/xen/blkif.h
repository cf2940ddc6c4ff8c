// The Xen block-device ring (blkif) as the front-end fills it: one shared page, a 64-byte
// header of indexes, then 32 slots of 112 bytes each holding a request or, once served, its
// response. Pure layout and bookkeeping, host-tested (blkif_test.cc).
#pragma once

#include "drivers/xen/shared_ring.h"

#include <stddef.h>
#include <stdint.h>

namespace blkif {

enum Operation : uint8_t { kRead = 0, kWrite = 1, kFlushDiskCache = 3 };
enum Status : int16_t { kOkay = 0, kError = -1, kNotSupported = -2 };

constexpr size_t kMaxSegments = 11; // per request, one page each
constexpr size_t kSectorSize = 512;
constexpr size_t kSectorsPerPage = 4096 / kSectorSize;

struct Segment {
  uint32_t gref;
  uint8_t first_sect; // 512-byte sectors within the granted page
  uint8_t last_sect;  // inclusive
  uint16_t pad;
};
static_assert(sizeof(Segment) == 8);

struct Request {
  uint8_t operation;
  uint8_t nr_segments;
  uint16_t handle;
  uint32_t pad;
  uint64_t id;
  uint64_t sector_number;
  Segment seg[kMaxSegments];
};
static_assert(sizeof(Request) == 112);

struct Response {
  uint64_t id;
  uint8_t operation;
  uint8_t pad;
  int16_t status;
};
static_assert(sizeof(Response) == 12 || sizeof(Response) == 16);

// The shared page (drivers/xen/shared_ring.h): a 64-byte header of indexes, then 32 slots.
using FrontRing = xen_ring::TypedFrontRing<Request, Response>;
constexpr size_t kHeaderSize = xen_ring::kHeaderSize;
constexpr size_t kSlotSize = FrontRing::kEntrySize;
constexpr size_t kSlots = FrontRing::kSlots;
static_assert(kSlotSize == sizeof(Request) && kSlots == 32);

// Fills `req`'s segments for `sectors` sectors starting at the first of `pages` granted
// pages: each page carries up to 8 sectors. Returns the number of sectors covered (at most
// kMaxSegments pages' worth).
size_t fill_segments(volatile Request* req, const uint32_t* grefs, size_t sectors);

} // namespace blkif
