#include "drivers/nvme/registers.h"

namespace nvme {

namespace {
constexpr uint64_t bits(uint64_t value, unsigned low, unsigned count) {
  return (value >> low) & ((1ull << count) - 1);
}
} // namespace

Capabilities decode_capabilities(uint64_t cap) {
  Capabilities c{};
  c.max_queue_entries = static_cast<uint32_t>(bits(cap, 0, 16)) + 1; // 0-based field
  c.contiguous_required = bits(cap, 16, 1);
  c.ready_timeout_ms = bits(cap, 24, 8) * 500; // in units of 500 ms
  c.doorbell_stride = 4u << bits(cap, 32, 4);
  c.nvm_command_set = bits(cap, 37, 8) & 1;
  c.min_page_size = 4096u << bits(cap, 48, 4);
  c.max_page_size = 4096u << bits(cap, 52, 4);
  return c;
}

uint32_t enabled_configuration() {
  constexpr uint32_t kCommandSetNvm = 0u << 4; // CSS
  constexpr uint32_t kPageSize4K = 0u << 7;    // MPS: 2^(12 + 0)
  constexpr uint32_t kRoundRobin = 0u << 11;   // AMS
  constexpr uint32_t kSqEntry64 = 6u << 16;    // IOSQES: 2^6 bytes
  constexpr uint32_t kCqEntry16 = 4u << 20;    // IOCQES: 2^4 bytes
  return kCcEnable | kCommandSetNvm | kPageSize4K | kRoundRobin | kSqEntry64 | kCqEntry16;
}

uint32_t admin_queue_attributes(uint32_t sq_entries, uint32_t cq_entries) {
  // Both sizes are 0-based, 12 bits wide: ASQS in 11:0, ACQS in 27:16.
  return ((cq_entries - 1) & 0xFFF) << 16 | ((sq_entries - 1) & 0xFFF);
}

} // namespace nvme
