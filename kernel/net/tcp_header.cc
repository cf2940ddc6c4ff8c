#include "net/tcp_header.h"

namespace net::tcp {
namespace {

enum OptionKind : uint8_t {
  kOptEnd = 0,
  kOptNop = 1,
  kOptMss = 2,
  kOptWscale = 3,
  kOptSackPermitted = 4,
  kOptSack = 5,
  kOptTimestamps = 8,
};

uint16_t get16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] << 8 | p[1]);
}
uint32_t get32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}
void put16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void put32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

void parse_options(const uint8_t* p, size_t len, Options& o) {
  size_t i = 0;
  while (i < len) {
    uint8_t kind = p[i];
    if (kind == kOptEnd)
      return;
    if (kind == kOptNop) {
      ++i;
      continue;
    }
    if (i + 1 >= len)
      return;
    size_t olen = p[i + 1];
    if (olen < 2 || i + olen > len)
      return; // malformed: trust nothing after it
    const uint8_t* v = p + i + 2;
    switch (kind) {
    case kOptMss:
      if (olen == 4) {
        o.has_mss = true;
        o.mss = get16(v);
      }
      break;
    case kOptWscale:
      if (olen == 3) {
        o.has_wscale = true;
        o.wscale = v[0] > 14 ? 14 : v[0]; // RFC 7323 2.3: larger shifts are taken as 14
      }
      break;
    case kOptSackPermitted:
      if (olen == 2)
        o.sack_permitted = true;
      break;
    case kOptTimestamps:
      if (olen == 10) {
        o.has_timestamps = true;
        o.ts_val = get32(v);
        o.ts_ecr = get32(v + 4);
      }
      break;
    case kOptSack:
      if ((olen - 2) % 8 == 0) {
        int n = static_cast<int>((olen - 2) / 8);
        for (int b = 0; b < n && o.sack_count < kMaxSackBlocks; ++b) {
          o.sack[o.sack_count++] = {get32(v + 8 * b), get32(v + 8 * b + 4)};
        }
      }
      break;
    default:
      break;
    }
    i += olen;
  }
}

} // namespace

bool parse_header(const uint8_t* data, size_t len, Header& out) {
  if (len < kMinHeader)
    return false;
  size_t hlen = static_cast<size_t>(data[12] >> 4) * 4;
  if (hlen < kMinHeader || hlen > len)
    return false;
  out = Header{};
  out.src_port = get16(data);
  out.dst_port = get16(data + 2);
  out.seq = get32(data + 4);
  out.ack = get32(data + 8);
  out.flags = data[13] & 0x3F;
  out.window = get16(data + 14);
  out.urgent = get16(data + 18);
  out.length = hlen;
  parse_options(data + kMinHeader, hlen - kMinHeader, out.options);
  return true;
}

size_t write_header(uint8_t* out, const Header& h) {
  const Options& o = h.options;
  uint8_t* p = out + kMinHeader;
  // Each option is padded with NOPs to a 4-byte boundary so the header length works out.
  if (o.has_mss) {
    p[0] = kOptMss;
    p[1] = 4;
    put16(p + 2, o.mss);
    p += 4;
  }
  if (o.has_wscale) {
    p[0] = kOptNop;
    p[1] = kOptWscale;
    p[2] = 3;
    p[3] = o.wscale;
    p += 4;
  }
  if (o.sack_permitted) {
    p[0] = kOptNop;
    p[1] = kOptNop;
    p[2] = kOptSackPermitted;
    p[3] = 2;
    p += 4;
  }
  if (o.has_timestamps) {
    p[0] = kOptNop;
    p[1] = kOptNop;
    p[2] = kOptTimestamps;
    p[3] = 10;
    put32(p + 4, o.ts_val);
    put32(p + 8, o.ts_ecr);
    p += 12;
  }
  if (o.sack_count > 0) {
    size_t room = kMaxHeader - static_cast<size_t>(p - out);
    int fit = room >= 4 ? static_cast<int>((room - 4) / 8) : 0;
    int n = o.sack_count < fit ? o.sack_count : fit;
    if (n > 0) {
      p[0] = kOptNop;
      p[1] = kOptNop;
      p[2] = kOptSack;
      p[3] = static_cast<uint8_t>(2 + 8 * n);
      for (int b = 0; b < n; ++b) {
        put32(p + 4 + 8 * b, o.sack[b].start);
        put32(p + 8 + 8 * b, o.sack[b].end);
      }
      p += 4 + 8 * n;
    }
  }
  size_t hlen = static_cast<size_t>(p - out);
  put16(out, h.src_port);
  put16(out + 2, h.dst_port);
  put32(out + 4, h.seq);
  put32(out + 8, h.ack);
  out[12] = static_cast<uint8_t>((hlen / 4) << 4);
  out[13] = h.flags;
  put16(out + 14, h.window);
  put16(out + 16, 0); // checksum: the IP layer's job (see tcp_link.h)
  put16(out + 18, h.urgent);
  return hlen;
}

} // namespace net::tcp
