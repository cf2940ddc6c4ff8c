// The TCP header and its options (RFC 9293 section 3.1, RFC 7323 window scale and timestamps,
// RFC 2018 SACK): parsed from and written to wire bytes. The checksum field is written as
// zero: the IP layer below fills it in (or hands it to the NIC), and has already verified it
// on segments it passes up.
#pragma once

#include "net/tcp_seq.h"

#include <stddef.h>
#include <stdint.h>

namespace net::tcp {

enum Flags : uint8_t {
  kFin = 0x01,
  kSyn = 0x02,
  kRst = 0x04,
  kPsh = 0x08,
  kAck = 0x10,
  kUrg = 0x20,
};

struct SackBlock {
  Seq start;
  Seq end; // one past the last byte
};

inline constexpr size_t kMinHeader = 20;
inline constexpr size_t kMaxHeader = 60;
// With timestamps (12 bytes of the 40 for options) three SACK blocks fit; without, four.
inline constexpr int kMaxSackBlocks = 4;

struct Options {
  bool has_mss = false;
  uint16_t mss = 0;
  bool has_wscale = false;
  uint8_t wscale = 0;
  bool sack_permitted = false;
  bool has_timestamps = false;
  uint32_t ts_val = 0;
  uint32_t ts_ecr = 0;
  int sack_count = 0;
  SackBlock sack[kMaxSackBlocks] = {};
};

struct Header {
  uint16_t src_port = 0;
  uint16_t dst_port = 0;
  Seq seq = 0;
  Seq ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0; // as on the wire (not yet scaled)
  uint16_t urgent = 0;
  size_t length = 0; // header length with options, in bytes (set by parse / write)
  Options options;
};

// Parses the header at data[0..len). False for a segment too short or with a bad data
// offset; unknown options are skipped, malformed option lists end option parsing.
bool parse_header(const uint8_t* data, size_t len, Header& out);

// Writes h (with the options it carries) to out (room for kMaxHeader bytes) and returns the
// header length. SACK blocks that do not fit in the 40 option bytes are left out.
size_t write_header(uint8_t* out, const Header& h);

} // namespace net::tcp
