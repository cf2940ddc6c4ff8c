#include "drivers/block.h"

namespace block {
namespace {
constexpr size_t kMaxDisks = 8;
Device* g_disks[kMaxDisks];
size_t g_count = 0;
IoStats g_read_stats, g_write_stats;
} // namespace

IoStats& read_stats() {
  return g_read_stats;
}
IoStats& write_stats() {
  return g_write_stats;
}

void register_disk(Device* dev) {
  if (g_count < kMaxDisks)
    g_disks[g_count++] = dev;
}
Device* root_disk() {
  return g_count ? g_disks[0] : nullptr;
}
size_t disk_count() {
  return g_count;
}
Device* disk(size_t index) {
  return index < g_count ? g_disks[index] : nullptr;
}
} // namespace block
