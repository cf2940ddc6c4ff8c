#include "fs/name_index.h"

#include "fs/tree.h"
#include "lib/hash.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace fs::name_index {
namespace {

constexpr int32_t kEmpty = -1, kDeleted = -2;
int32_t* g_slots = nullptr;
uint32_t g_cap = 0;     // power of two
uint32_t g_used = 0;    // live entries and deletion markers
uint32_t g_live = 0;
bool g_disabled = false;

// Every path component of every lookup is hashed: klib's word-at-a-time hash, seeded with
// the directory.
uint32_t hash(int32_t dir, const char* name, size_t len) {
  return static_cast<uint32_t>(klib::hash_bytes(name, len, static_cast<uint32_t>(dir)));
}

bool same(const Node* n, int32_t dir, const char* name, size_t len) {
  return n->parent == dir && !n->removed && strncmp(n->name, name, len) == 0 && n->name[len] == 0;
}

void place(int32_t* slots, uint32_t cap, int32_t id) {
  const Node* n = node(id);
  uint32_t j = hash(n->parent, n->name, strlen(n->name)) & (cap - 1);
  while (slots[j] >= 0)
    j = (j + 1) & (cap - 1);
  slots[j] = id;
}

void disable() {
  kfree(g_slots);
  g_slots = nullptr;
  g_cap = g_used = g_live = 0;
  g_disabled = true;
}

// Grows (or just cleans out deletion markers) so that at most half the slots are in use.
bool make_room() {
  if ((g_used + 1) * 2 <= g_cap)
    return true;
  // Rehash into a table where the live entries fill at most a quarter (deletion markers
  // are dropped on the way), so that the next rehash is far off.
  uint32_t cap = 1024;
  while ((g_live + 1) * 4 > cap)
    cap *= 2;
  auto* slots = static_cast<int32_t*>(kmalloc(cap * sizeof(int32_t)));
  if (!slots)
    return false;
  for (uint32_t j = 0; j < cap; ++j)
    slots[j] = kEmpty;
  for (uint32_t j = 0; j < g_cap; ++j)
    if (g_slots[j] >= 0)
      place(slots, cap, g_slots[j]);
  kfree(g_slots);
  g_slots = slots;
  g_cap = cap;
  g_used = g_live;
  return true;
}

} // namespace

bool enabled() {
  return !g_disabled;
}

void clear() {
  kfree(g_slots);
  g_slots = nullptr;
  g_cap = g_used = g_live = 0;
  g_disabled = false;
}

void insert(int32_t id) {
  if (g_disabled)
    return;
  if (!make_room()) {
    disable();
    return;
  }
  place(g_slots, g_cap, id);
  ++g_used;
  ++g_live;
}

void remove(int32_t id) {
  if (g_disabled || !g_cap)
    return;
  const Node* n = node(id);
  for (uint32_t j = hash(n->parent, n->name, strlen(n->name)) & (g_cap - 1); g_slots[j] != kEmpty;
       j = (j + 1) & (g_cap - 1)) {
    if (g_slots[j] == id) {
      g_slots[j] = kDeleted;
      --g_live;
      return;
    }
  }
}

int32_t find(int32_t dir, const char* name, size_t len) {
  if (!g_cap)
    return -1;
  for (uint32_t j = hash(dir, name, len) & (g_cap - 1); g_slots[j] != kEmpty;
       j = (j + 1) & (g_cap - 1))
    if (g_slots[j] >= 0 && same(node(g_slots[j]), dir, name, len))
      return g_slots[j];
  return -1;
}

} // namespace fs::name_index
