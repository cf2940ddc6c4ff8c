#include "fs/name_index.h"

#include "fs/tree.h"
#include "lib/hash.h"
#include "lib/string.h"
#include "mm/heap.h"

namespace fs::name_index {
namespace {

constexpr int32_t kEmpty = -1, kDeleted = -2;
// A slot keeps its entry's full hash and name length, so that a probe passing other
// entries compares two words instead of reading their nodes and names.
struct Slot {
  int32_t id;
  uint32_t hash;
  uint32_t len;
};
Slot* g_slots = nullptr;
uint32_t g_cap = 0;     // power of two
uint32_t g_used = 0;    // live entries and deletion markers
uint32_t g_live = 0;
bool g_disabled = false;

// Every path component of every lookup is hashed: klib's word-at-a-time hash, seeded with
// the directory.
uint32_t hash(int32_t dir, const char* name, size_t len) {
  return static_cast<uint32_t>(klib::hash_bytes(name, len, static_cast<uint32_t>(dir)));
}

// The slot's name has the same length: comparing len bytes stays inside it.
bool same(const Slot& s, uint32_t h, int32_t dir, const char* name, size_t len) {
  if (s.hash != h || s.len != len || s.id < 0)
    return false;
  const Node* n = node(s.id);
  return n->parent == dir && !n->removed && memcmp(n->name, name, len) == 0;
}

void place(Slot* slots, uint32_t cap, Slot entry) {
  uint32_t j = entry.hash & (cap - 1);
  while (slots[j].id >= 0)
    j = (j + 1) & (cap - 1);
  slots[j] = entry;
}

Slot slot_for(int32_t id) {
  const Node* n = node(id);
  size_t len = strlen(n->name);
  return Slot{id, hash(n->parent, n->name, len), static_cast<uint32_t>(len)};
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
  auto* slots = static_cast<Slot*>(kmalloc(cap * sizeof(Slot)));
  if (!slots)
    return false;
  for (uint32_t j = 0; j < cap; ++j)
    slots[j].id = kEmpty;
  for (uint32_t j = 0; j < g_cap; ++j)
    if (g_slots[j].id >= 0)
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
  place(g_slots, g_cap, slot_for(id));
  ++g_used;
  ++g_live;
}

void remove(int32_t id) {
  if (g_disabled || !g_cap)
    return;
  for (uint32_t j = slot_for(id).hash & (g_cap - 1); g_slots[j].id != kEmpty;
       j = (j + 1) & (g_cap - 1)) {
    if (g_slots[j].id == id) {
      g_slots[j].id = kDeleted;
      --g_live;
      return;
    }
  }
}

int32_t find(int32_t dir, const char* name, size_t len) {
  if (!g_cap)
    return -1;
  const uint32_t h = hash(dir, name, len);
  for (uint32_t j = h & (g_cap - 1); g_slots[j].id != kEmpty; j = (j + 1) & (g_cap - 1))
    if (same(g_slots[j], h, dir, name, len))
      return g_slots[j].id;
  return -1;
}

} // namespace fs::name_index
