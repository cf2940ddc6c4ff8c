#include "drivers/virtio/net_header.h"

namespace virtio {
namespace {

void store16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v);
  p[1] = static_cast<uint8_t>(v >> 8);
}
uint16_t load16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | p[1] << 8);
}

} // namespace

void encode_net_header(const NetHeader& h, uint8_t* out, size_t size) {
  out[0] = h.flags;
  out[1] = h.gso_type;
  store16(out + 2, h.hdr_len);
  store16(out + 4, h.gso_size);
  store16(out + 6, h.csum_start);
  store16(out + 8, h.csum_offset);
  if (size >= 12)
    store16(out + 10, h.num_buffers);
}

NetHeader decode_net_header(const uint8_t* in, size_t size) {
  NetHeader h;
  h.flags = in[0];
  h.gso_type = in[1];
  h.hdr_len = load16(in + 2);
  h.gso_size = load16(in + 4);
  h.csum_start = load16(in + 6);
  h.csum_offset = load16(in + 8);
  h.num_buffers = size >= 12 ? load16(in + 10) : 1;
  return h;
}

} // namespace virtio
