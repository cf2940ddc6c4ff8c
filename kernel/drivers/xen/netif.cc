#include "drivers/xen/netif.h"

namespace netif {

RxPart check_rx_response(uint16_t offset, uint16_t flags, int16_t status) {
  RxPart part{};
  part.more = (flags & kRxMoreData) != 0;
  part.extra = (flags & kRxExtraInfo) != 0;
  part.checksum_ok = (flags & (kRxDataValidated | kRxChecksumBlank)) != 0;
  // A zero-length part is legal only inside a frame that continues; an error is negative.
  if (status < 0 || (status == 0 && !part.more))
    return part;
  if (offset >= kPageSize || static_cast<size_t>(status) > kPageSize - offset)
    return part;
  part.valid = true;
  part.offset = offset;
  part.length = static_cast<uint16_t>(status);
  return part;
}

namespace {
int hex_digit(char c) {
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}
} // namespace

bool parse_mac(const char* text, uint8_t mac[6]) {
  for (int i = 0; i < 6; ++i) {
    int hi = hex_digit(text[0]);
    int lo = hi < 0 ? -1 : hex_digit(text[1]);
    if (lo < 0)
      return false;
    char sep = text[2];
    if (i < 5 ? sep != ':' : sep != '\0')
      return false;
    mac[i] = static_cast<uint8_t>(hi << 4 | lo);
    text += 3;
  }
  return true;
}

} // namespace netif
