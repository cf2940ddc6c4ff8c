#include "support/output_paths.h"

#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

static const char* kindOf(mode_t mode) {
  if (S_ISCHR(mode))
    return "a character device";
  if (S_ISBLK(mode))
    return "a block device";
  if (S_ISFIFO(mode))
    return "a FIFO";
  if (S_ISSOCK(mode))
    return "a socket";
  if (S_ISDIR(mode))
    return "a directory";
  if (S_ISLNK(mode))
    return "a symbolic link";
  return "not a regular file";
}

static bool sameFile(const struct stat& a, const struct stat& b) {
  return a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

// The input (if any) that `st` is.
static const std::string* matchingInput(const struct stat& st, llvm::ArrayRef<std::string> inputs) {
  for (const std::string& in : inputs) {
    struct stat ist;
    if (!in.empty() && ::stat(in.c_str(), &ist) == 0 && sameFile(st, ist))
      return &in;
  }
  return nullptr;
}

llvm::Error checkOutputPaths(llvm::ArrayRef<OutputPath> outputs,
                             llvm::ArrayRef<std::string> inputs) {
  std::vector<std::pair<const OutputPath*, struct stat>> existing;
  for (const OutputPath& out : outputs) {
    if (out.path.empty())
      continue;
    for (const OutputPath& other : outputs)
      if (&other < &out && other.path == out.path)
        return fail(out.option + " " + out.path + ": also given as " + other.option +
                    " (every output must be a different file)");
    struct stat st;
    if (::lstat(out.path.c_str(), &st) != 0)
      continue; // absent (or unreachable: creating the temporary file reports why)
    if (S_ISLNK(st.st_mode))
      return fail(out.option + " " + out.path +
                  ": is a symbolic link; refusing to replace it (name the file itself)");
    if (!S_ISREG(st.st_mode))
      return fail(out.option + " " + out.path + ": exists and is " + kindOf(st.st_mode) +
                  ", not a regular file; refusing to replace it");
    if (const std::string* in = matchingInput(st, inputs))
      return fail(out.option + " " + out.path + ": is the input " + *in +
                  "; refusing to overwrite it");
    for (const auto& [prev, pst] : existing)
      if (sameFile(st, pst))
        return fail(out.option + " " + out.path + ": is the same file as " + prev->option + " " +
                    prev->path);
    existing.emplace_back(&out, st);
  }
  return llvm::Error::success();
}

void removeFailedOutputs(llvm::ArrayRef<OutputPath> outputs, llvm::ArrayRef<std::string> inputs) {
  for (const OutputPath& out : outputs) {
    struct stat st;
    if (out.path.empty() || ::lstat(out.path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
      continue;
    if (matchingInput(st, inputs))
      continue;
    ::unlink(out.path.c_str());
  }
}

} // namespace mkimage
