#include "drivers/nvme/identify.h"

namespace nvme {

namespace {
uint64_t le(const uint8_t* p, size_t bytes) {
  uint64_t v = 0;
  for (size_t i = bytes; i-- > 0;)
    v = v << 8 | p[i];
  return v;
}
// ASCII fields are padded with spaces.
void copy_trimmed(char* out, const uint8_t* in, size_t n) {
  size_t len = n;
  while (len && (in[len - 1] == ' ' || in[len - 1] == 0))
    --len;
  for (size_t i = 0; i < len; ++i)
    out[i] = (in[i] >= 0x20 && in[i] < 0x7F) ? static_cast<char>(in[i]) : '?';
  out[len] = '\0';
}
} // namespace

ControllerInfo parse_controller(const uint8_t* data, uint32_t min_page_size) {
  ControllerInfo c{};
  copy_trimmed(c.serial, data + 4, 20);
  copy_trimmed(c.model, data + 24, 40);
  uint8_t mdts = data[77];
  c.max_transfer_bytes = mdts ? static_cast<uint64_t>(min_page_size) << mdts : 0;
  c.namespace_count = static_cast<uint32_t>(le(data + 516, 4));
  c.volatile_write_cache = data[525] & 1;
  return c;
}

uint32_t first_active_namespace(const uint8_t* data) {
  return static_cast<uint32_t>(le(data, 4));
}

ErrorOr<NamespaceInfo> parse_namespace(const uint8_t* data) {
  NamespaceInfo ns{};
  ns.blocks = le(data + 0, 8);
  if (ns.blocks == 0)
    return Err(-ENODEV);
  uint8_t format_count = static_cast<uint8_t>(data[25] + 1); // NLBAF is 0-based
  uint8_t flbas = data[26];
  // FLBAS: format index in bits 3:0, its high bits (past 16 formats) in 6:5.
  uint8_t index = static_cast<uint8_t>((flbas & 0xF) | ((flbas >> 5) & 3) << 4);
  if (index >= format_count)
    return Err(-EINVAL);
  const uint8_t* format = data + 128 + 4 * index;
  ns.metadata_size = static_cast<uint16_t>(le(format, 2));
  uint8_t lbads = format[2];
  if (lbads < 9 || lbads > 31)
    return Err(-EINVAL); // the specification requires at least 512 bytes
  ns.block_size = 1u << lbads;
  ns.write_protected = data[99] & 1;
  return ns;
}

} // namespace nvme
