#include "unix/fd/shm_files.h"

#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "unix/fd/file.h"
#include "unix/fd/memfd.h"
#include "unix/process/process.h"
#include "unix/syscall/linux_abi.h"

namespace unix {
namespace {

constexpr char kPrefix[] = "/dev/shm/";
constexpr size_t kPrefixLength = sizeof kPrefix - 1;

struct ShmName {
  char name[kNameBuffer];
  Memfd* file; // nullptr: a free slot
};
constexpr int kMaxNames = 128; // programs hold a handful (one per live semaphore)
ShmName g_names[kMaxNames];

ShmName* find(const char* name) {
  for (ShmName& n : g_names)
    if (n.file && strcmp(n.name, name) == 0)
      return &n;
  return nullptr;
}

// A free slot named `name`, or nullptr (the file system is full: ENOSPC, as tmpfs).
ShmName* add(const char* name, Memfd* file) {
  for (ShmName& n : g_names)
    if (!n.file) {
      klib::strlcpy(n.name, name, sizeof n.name);
      n.file = file;
      return &n;
    }
  return nullptr;
}

} // namespace

const char* shm_name_of(const char* path) {
  if (strncmp(path, kPrefix, kPrefixLength) != 0)
    return nullptr;
  const char* name = path + kPrefixLength;
  if (!*name || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0)
    return nullptr;
  return name;
}

ErrorOr<bool> user_shm_name(UserPtr<const char> path, char name[kNameBuffer]) {
  // The prefix first (a short copy on every open), the rest only for /dev/shm paths.
  // (-ENAMETOOLONG: no NUL among the first bytes, which is fine: they are all there.)
  char head[kPrefixLength + 1];
  auto n = strncpy_from_user(head, path, sizeof head);
  if (!n.ok() && n.error() != -ENAMETOOLONG)
    return Err(n.error());
  if ((n.ok() && *n < kPrefixLength) || strncmp(head, kPrefix, kPrefixLength) != 0)
    return false;
  char full[kPrefixLength + kNameBuffer];
  auto m = strncpy_from_user(full, path, sizeof full);
  if (!m.ok())
    return m.error() == -ENAMETOOLONG ? ErrorOr<bool>(false) : ErrorOr<bool>(Err(m.error()));
  const char* shm = shm_name_of(full);
  if (!shm || strlen(shm) >= kNameBuffer - 1)
    return false; // not one component below /dev/shm: the tree answers (ENOENT)
  klib::strlcpy(name, shm, kNameBuffer);
  return true;
}

ErrorOr<long> shm_open_name(const char* name, int flags) {
  if (flags & linux::O_DIRECTORY)
    return Err(-ENOTDIR);
  const int access = flags & linux::O_ACCMODE;
  Memfd* m = nullptr;
  if (ShmName* existing = find(name)) {
    if ((flags & linux::O_CREAT) && (flags & linux::O_EXCL))
      return Err(-EEXIST);
    m = existing->file;
    if ((flags & linux::O_TRUNC) && access != linux::O_RDONLY)
      TRY(memfd_truncate(m, 0));
    memfd_add_name(m); // held while the description is made
  } else {
    if (!(flags & linux::O_CREAT))
      return Err(-ENOENT);
    m = memfd_new_named();
    if (!m)
      return Err(-ENOMEM);
    if (!add(name, m)) {
      memfd_drop_name(m);
      return Err(-ENOSPC);
    }
    memfd_add_name(m);
  }
  File* f = memfd_new_file(m, flags & (linux::O_ACCMODE | linux::O_APPEND | linux::O_NONBLOCK));
  memfd_drop_name(m);
  if (!f)
    return Err(-ENOMEM);
  int fd = process().files.install(f, flags & linux::O_CLOEXEC);
  if (fd < 0) {
    release_file(f);
    return Err(fd);
  }
  return fd;
}

ErrorOr<long> shm_unlink_name(const char* name) {
  ShmName* n = find(name);
  if (!n)
    return Err(-ENOENT);
  Memfd* m = n->file;
  n->file = nullptr;
  memfd_drop_name(m);
  return 0L;
}

ErrorOr<long> shm_link_names(const char* from, const char* to) {
  ShmName* source = find(from);
  if (!source)
    return Err(-ENOENT);
  if (find(to))
    return Err(-EEXIST);
  if (!add(to, source->file))
    return Err(-ENOSPC);
  memfd_add_name(source->file);
  return 0L;
}

} // namespace unix
