// memfd_create: an anonymous file in memory, with file seals (F_ADD_SEALS/F_GET_SEALS).
// Its data is an array of physical pages, allocated as written or faulted; a MAP_SHARED
// mapping maps those very pages, so stores through the mapping and write() see each other.
//
// Lifetime: the file's pages go with its last descriptor, unless a region of the program
// still maps it then: the memfd and its pages stay until the program ends (mappings are
// split and moved by mprotect/mremap without telling their owner, so nothing notices the
// last munmap). memfd_owns_page() lets the unmapping code leave a mapped memfd's pages
// alone.
#pragma once

#include "lib/error_or.h"
#include "unix/fd/file.h"

#include <stddef.h>
#include <stdint.h>

namespace unix {

struct Memfd;

// F_SEAL_* bits.
constexpr uint32_t kSealSeal = 1, kSealShrink = 2, kSealGrow = 4, kSealWrite = 8,
                   kSealFutureWrite = 16;

bool is_memfd(const File& f);

// Memory files with names (/dev/shm, shm_files.h): a Memfd stays while a description is
// open on it, a name holds it, or a region maps it.
Memfd* memfd_new_named();                   // with one name; nullptr when out of memory
File* memfd_new_file(Memfd* m, int flags); // a new description of m; nullptr when out of memory
void memfd_add_name(Memfd* m);
void memfd_drop_name(Memfd* m); // the last hold gone: frees it
Memfd* memfd_of(const File& f);
uint64_t memfd_size(const Memfd* m);
// ftruncate: -EPERM where a seal forbids the change.
Status memfd_truncate(Memfd* m, uint64_t size);
ErrorOr<long> memfd_get_seals(const File& f);
// -EPERM once F_SEAL_SEAL is set (or sealing was not allowed), -EBUSY for F_SEAL_WRITE
// while a writable shared mapping exists, -EINVAL for unknown bits.
ErrorOr<long> memfd_add_seals(File& f, uint32_t seals);

// For mmap: whether a mapping with these properties is allowed by the seals (-EPERM), and
// the bookkeeping that keeps a mapped memfd alive.
Status memfd_mapped(Memfd* m, bool shared, bool writable);
// The physical page at page index `index`, allocated (zeroed) when absent; 0 when out of
// memory.
uint64_t memfd_page(Memfd* m, uint64_t index);
// True for a physical page that belongs to a mapped memfd: unmapping must not free it.
bool memfd_owns_page(uint64_t phys);

} // namespace unix
