// Kernel heap: kmalloc/kfree (16-byte aligned; page-aligned for sizes >= 4096) and the
// global operator new/delete built on them. Memory comes from the direct map.
#pragma once

#include <stddef.h>

void* kmalloc(size_t size); // nullptr when out of memory
void* kzalloc(size_t size); // zeroed
void kfree(void* p);        // nullptr is fine
void* krealloc(void* p, size_t size);
// A NUL-terminated heap copy of len bytes (which need not be terminated); nullptr when out
// of memory.
char* kstrndup(const void* bytes, size_t len);
