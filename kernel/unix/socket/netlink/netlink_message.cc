// The netlink wire format (netlink_message.h).
#include "unix/socket/netlink/netlink_message.h"

#include "lib/string.h"

namespace unix::netlink {
namespace {

uint16_t load16(const uint8_t* p) {
  uint16_t v;
  memcpy(&v, p, 2);
  return v;
}
uint32_t load32(const uint8_t* p) {
  uint32_t v;
  memcpy(&v, p, 4);
  return v;
}

} // namespace

bool read_header(const uint8_t* bytes, size_t available, MessageHeader* out) {
  if (available < kHeaderSize)
    return false;
  out->length = load32(bytes);
  out->type = load16(bytes + 4);
  out->flags = load16(bytes + 6);
  out->sequence = load32(bytes + 8);
  out->port_id = load32(bytes + 12);
  return out->length >= kHeaderSize && out->length <= available;
}

void MessageWriter::append(const void* bytes, size_t len) {
  size_t padded = align4(len);
  if (overflow_ || padded > capacity_ - used_) {
    overflow_ = true;
    return;
  }
  if (len)
    memcpy(buffer_ + used_, bytes, len);
  memset(buffer_ + used_ + len, 0, padded - len);
  used_ += padded;
}

void MessageWriter::begin(uint16_t type, uint16_t flags, uint32_t sequence, uint32_t port_id) {
  start_ = used_;
  overflow_ = false;
  uint8_t header[kHeaderSize];
  uint32_t length = 0; // filled in by end()
  memcpy(header, &length, 4);
  memcpy(header + 4, &type, 2);
  memcpy(header + 6, &flags, 2);
  memcpy(header + 8, &sequence, 4);
  memcpy(header + 12, &port_id, 4);
  append(header, sizeof header);
}

void MessageWriter::put(const void* bytes, size_t len) {
  append(bytes, len);
}

void MessageWriter::attribute(uint16_t type, const void* value, size_t len) {
  // The length counts the 4-byte attribute header and the value, not the padding.
  if (len > 0xFFFF - 4) {
    overflow_ = true;
    return;
  }
  auto rta_len = static_cast<uint16_t>(4 + len);
  uint8_t head[4];
  memcpy(head, &rta_len, 2);
  memcpy(head + 2, &type, 2);
  append(head, 4);
  append(value, len);
}

void MessageWriter::attribute_string(uint16_t type, const char* text) {
  attribute(type, text, strlen(text) + 1);
}

bool MessageWriter::end() {
  if (overflow_) {
    used_ = start_;
    overflow_ = false;
    return false;
  }
  auto length = static_cast<uint32_t>(used_ - start_);
  memcpy(buffer_ + start_, &length, 4);
  return true;
}

bool AttributeReader::next(uint16_t* type, const uint8_t** value, size_t* value_len) {
  if (len_ - offset_ < 4)
    return false;
  const uint8_t* p = bytes_ + offset_;
  uint16_t rta_len = load16(p);
  if (rta_len < 4 || rta_len > len_ - offset_)
    return false;
  *type = load16(p + 2);
  *value = p + 4;
  *value_len = rta_len - 4u;
  size_t step = align4(rta_len);
  offset_ = step > len_ - offset_ ? len_ : offset_ + step;
  return true;
}

} // namespace unix::netlink
