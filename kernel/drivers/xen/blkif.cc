#include "drivers/xen/blkif.h"

namespace blkif {

size_t fill_segments(volatile Request* req, const uint32_t* grefs, size_t sectors) {
  size_t done = 0;
  uint8_t n = 0;
  while (done < sectors && n < kMaxSegments) {
    size_t here = sectors - done;
    if (here > kSectorsPerPage)
      here = kSectorsPerPage;
    req->seg[n].gref = grefs[n];
    req->seg[n].first_sect = 0;
    req->seg[n].last_sect = static_cast<uint8_t>(here - 1);
    req->seg[n].pad = 0;
    done += here;
    ++n;
  }
  req->nr_segments = n;
  return done;
}

} // namespace blkif
