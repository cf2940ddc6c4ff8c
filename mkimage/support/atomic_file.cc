#include "support/atomic_file.h"

#include "llvm/Support/Errc.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage {

static llvm::Error errnoError(llvm::StringRef path, llvm::StringRef what, int err) {
  return llvm::createStringError(std::error_code(err, std::generic_category()), "%s: %s: %s",
                                 path.str().c_str(), what.str().c_str(), std::strerror(err));
}

llvm::Expected<AtomicFile> AtomicFile::create(llvm::StringRef path) {
  llvm::StringRef dir = llvm::sys::path::parent_path(path);
  std::string temp = (dir.empty() ? std::string(".") : dir.str()) + "/." +
                     llvm::sys::path::filename(path).str() + ".tmp-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0)
    return errnoError(path, "cannot create output file", errno);
  return AtomicFile(path.str(), std::move(temp), fd);
}

AtomicFile::AtomicFile(AtomicFile&& other) noexcept
    : path_(std::move(other.path_)), tempPath_(std::move(other.tempPath_)), fd_(other.fd_) {
  other.fd_ = -1;
  other.tempPath_.clear();
}

AtomicFile::~AtomicFile() {
  if (fd_ >= 0)
    ::close(fd_);
  if (!tempPath_.empty())
    ::unlink(tempPath_.c_str());
}

llvm::Error AtomicFile::writeAt(uint64_t offset, llvm::StringRef data) {
  const char* p = data.data();
  size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(offset));
    if (n < 0) {
      if (errno == EINTR)
        continue;
      return errnoError(path_, "write failed", errno);
    }
    p += n;
    left -= static_cast<size_t>(n);
    offset += static_cast<uint64_t>(n);
  }
  return llvm::Error::success();
}

llvm::Error AtomicFile::commit(unsigned mode) {
  // mkstemp creates 0600; give the file the mode a normal create would (minus umask).
  mode_t mask = ::umask(0);
  ::umask(mask);
  if (::fchmod(fd_, static_cast<mode_t>(mode) & ~mask) != 0)
    return errnoError(path_, "chmod failed", errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return errnoError(path_, "write failed", errno);
  }
  fd_ = -1;
  if (::rename(tempPath_.c_str(), path_.c_str()) != 0)
    return errnoError(path_, "cannot rename temporary file into place", errno);
  tempPath_.clear();
  return llvm::Error::success();
}

llvm::Error writeFileAtomically(llvm::StringRef path, llvm::StringRef contents) {
  auto file = AtomicFile::create(path);
  if (!file)
    return file.takeError();
  if (auto err = file->writeAt(0, contents))
    return err;
  return file->commit();
}

}  // namespace mkimage
