// The netlink wire format (Linux's AF_NETLINK ABI): a datagram holds messages, each a
// 16-byte header (length, type, flags, sequence, port id; host byte order) and a payload
// aligned to 4 bytes; route messages carry a fixed family header and then attributes
// (2-byte length, 2-byte type, value, padding to 4). MessageWriter builds messages into a
// fixed buffer; read_header/AttributeReader take requests apart without trusting their
// lengths. Freestanding and host-tested (netlink_message_test.cc).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace unix::netlink {

// Message types: control messages, then the route family's.
constexpr uint16_t kNlmsgNoop = 1, kNlmsgError = 2, kNlmsgDone = 3, kNlmsgMinType = 0x10;
constexpr uint16_t kRtmNewLink = 16, kRtmGetLink = 18, kRtmNewAddr = 20, kRtmGetAddr = 22,
                   kRtmNewRoute = 24, kRtmGetRoute = 26;
// Header flags.
constexpr uint16_t kFlagRequest = 0x1, kFlagMulti = 0x2, kFlagAck = 0x4, kFlagDump = 0x300;
constexpr uint16_t kFlagCapped = 0x100; // on an error/ack: the request's payload left out

constexpr size_t kHeaderSize = 16;
constexpr size_t align4(size_t n) {
  return (n + 3) & ~static_cast<size_t>(3);
}

struct MessageHeader {
  uint32_t length = 0;
  uint16_t type = 0, flags = 0;
  uint32_t sequence = 0, port_id = 0;
};

// The header at `bytes` if `available` holds it and the length it claims (at least a
// header, at most `available`).
bool read_header(const uint8_t* bytes, size_t available, MessageHeader* out);

// Builds messages one after another into [buffer, buffer + capacity).
class MessageWriter {
public:
  MessageWriter(uint8_t* buffer, size_t capacity) : buffer_(buffer), capacity_(capacity) {}

  // Starts a message at the end of what is written.
  void begin(uint16_t type, uint16_t flags, uint32_t sequence, uint32_t port_id);
  // The family header (ifinfomsg, ifaddrmsg, rtmsg...) or any payload bytes, padded to 4.
  void put(const void* bytes, size_t len);
  void attribute(uint16_t type, const void* value, size_t len);
  void attribute_u8(uint16_t type, uint8_t value) { attribute(type, &value, 1); }
  void attribute_u32(uint16_t type, uint32_t value) { attribute(type, &value, 4); }
  // A NUL-terminated string attribute.
  void attribute_string(uint16_t type, const char* text);
  // Ends the message: true when all of it fit; otherwise it is taken back (the buffer ends
  // where it ended before begin()) and false says the caller needs a new buffer.
  bool end();

  size_t size() const { return used_; }
  void clear() { used_ = 0; }

private:
  void append(const void* bytes, size_t len);
  uint8_t* buffer_;
  size_t capacity_;
  size_t used_ = 0;
  size_t start_ = 0;
  bool overflow_ = false;
};

// Walks the attributes in [bytes, bytes + len); stops at the first malformed one.
class AttributeReader {
public:
  AttributeReader(const uint8_t* bytes, size_t len) : bytes_(bytes), len_(len) {}
  // The next attribute: its type, value and value length. False at the end.
  bool next(uint16_t* type, const uint8_t** value, size_t* value_len);

private:
  const uint8_t* bytes_;
  size_t len_;
  size_t offset_ = 0;
};

} // namespace unix::netlink
