// The path rules the kernel applies to every name it opens, in one place so that the image
// writer (nanos-mkimage) refuses at build time what the kernel would refuse at boot. Linux's
// limits: a component of at most 255 bytes (NAME_MAX) and a path shorter than 4096 bytes
// (PATH_MAX counts the terminating NUL). Header-only and freestanding: the kernel and the
// host tools include it.
//
// The guest paths an image names (the program, `cwd`, every file) are stricter than what a
// program may pass to open(): absolute, without "." or ".." or empty components, so that the
// path in the manifest is the path of the file, with no lookup needed to know which.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace klib {

constexpr size_t kMaxNameLength = 255;
constexpr size_t kMaxPathLength = 4096; // including the NUL: a path has at most 4095 bytes

enum class PathProblem : uint8_t {
  kNone,
  kEmpty,
  kNotAbsolute,
  kNulByte,
  kNameTooLong,
  kPathTooLong,
  kEmptyComponent,
  kDotComponent,
  kDotDotComponent,
};

// What is wrong with a guest path of `len` bytes (which may hold NUL bytes), or kNone. One
// trailing '/' is allowed (it names the directory).
constexpr PathProblem check_guest_path(const char* path, size_t len) {
  if (len == 0)
    return PathProblem::kEmpty;
  for (size_t i = 0; i < len; ++i)
    if (path[i] == '\0')
      return PathProblem::kNulByte;
  if (path[0] != '/')
    return PathProblem::kNotAbsolute;
  if (len >= kMaxPathLength)
    return PathProblem::kPathTooLong;
  size_t end = len > 1 && path[len - 1] == '/' ? len - 1 : len;
  for (size_t start = 1; start < end;) {
    size_t stop = start;
    while (stop < end && path[stop] != '/')
      ++stop;
    size_t n = stop - start;
    if (n == 0)
      return PathProblem::kEmptyComponent;
    if (n > kMaxNameLength)
      return PathProblem::kNameTooLong;
    if (n == 1 && path[start] == '.')
      return PathProblem::kDotComponent;
    if (n == 2 && path[start] == '.' && path[start + 1] == '.')
      return PathProblem::kDotDotComponent;
    start = stop + 1;
  }
  if (end < len && end > 1 && path[end - 1] == '/')
    return PathProblem::kEmptyComponent; // "/a//"
  return PathProblem::kNone;
}

// The message for a problem, as the kernel and the tools print it ("name too long").
constexpr const char* path_problem_text(PathProblem p) {
  switch (p) {
  case PathProblem::kNone:
    return "ok";
  case PathProblem::kEmpty:
    return "is empty";
  case PathProblem::kNotAbsolute:
    return "must be absolute";
  case PathProblem::kNulByte:
    return "contains a NUL byte";
  case PathProblem::kNameTooLong:
    return "name too long (a component over 255 bytes)";
  case PathProblem::kPathTooLong:
    return "path too long (4096 bytes or more)";
  case PathProblem::kEmptyComponent:
    return "has an empty component";
  case PathProblem::kDotComponent:
    return "contains '.'";
  case PathProblem::kDotDotComponent:
    return "contains '..'";
  }
  return "invalid";
}

} // namespace klib
