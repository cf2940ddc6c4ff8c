// Directory lookups by hash: (directory, name) -> node, one open-addressing table over every
// attached node. Scanning a directory's children costs one compare per entry, which under
// kvm-pvm (every kernel instruction emulated) made a lookup in a 200-entry directory take
// about 9 ms; the hash makes it a few compares. Without memory for the table the index
// turns itself off and callers scan.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace fs::name_index {

// Adds node `id` under its parent (both read from the node table). On failure (out of
// memory) the index is disabled for good.
void insert(int32_t id);
void remove(int32_t id);
bool enabled();
// Empties the index (a tree being built from scratch).
void clear();
// The attached node called name[0..len) in dir, or -1.
int32_t find(int32_t dir, const char* name, size_t len);

} // namespace fs::name_index
