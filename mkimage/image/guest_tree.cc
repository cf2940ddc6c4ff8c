#include "image/guest_tree.h"

#include "lib/path_rules.h"
#include "resolver/error_text.h"

#include "llvm/ADT/StringExtras.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace mkimage {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

llvm::Expected<std::string> validateGuestPath(llvm::StringRef path, llvm::StringRef origin) {
  // The kernel's own rules (kernel/lib/path_rules.h): what passes here, the kernel can open.
  klib::PathProblem problem = klib::check_guest_path(path.data(), path.size());
  if (problem != klib::PathProblem::kNone) {
    std::string shown;
    for (char c : path.take_front(200))
      shown += c == '\0' ? std::string("\\0") : std::string(1, c);
    if (path.size() > 200)
      shown += "... (" + std::to_string(path.size()) + " bytes)";
    return fail(origin + ": invalid guest path '" + oneLine(shown) +
                "': " + klib::path_problem_text(problem));
  }
  if (path.size() > 1 && path.endswith("/"))
    path = path.drop_back();
  return path.str();
}

static std::string parentOf(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 ? std::string("/") : path.substr(0, slash);
}

static const char* kindName(GuestNode::Kind k) {
  switch (k) {
  case GuestNode::Kind::Directory:
    return "directory";
  case GuestNode::Kind::File:
    return "file";
  case GuestNode::Kind::Symlink:
    return "symlink";
  case GuestNode::Kind::Generated:
    return "generated file";
  }
  return "?";
}

// Compares two regular files byte by byte (sizes first, so different files rarely cost a read).
static llvm::Expected<bool> sameBytes(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  if (::stat(a.c_str(), &sa) != 0)
    return fail(a + ": " + std::strerror(errno));
  if (::stat(b.c_str(), &sb) != 0)
    return fail(b + ": " + std::strerror(errno));
  if (sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino)
    return true; // one host file (through a symlink, a hard link or another spelling)
  if (!S_ISREG(sa.st_mode) || !S_ISREG(sb.st_mode) || sa.st_size != sb.st_size)
    return false;
  int fa = ::open(a.c_str(), O_RDONLY | O_CLOEXEC);
  if (fa < 0)
    return fail(a + ": " + std::strerror(errno));
  int fb = ::open(b.c_str(), O_RDONLY | O_CLOEXEC);
  if (fb < 0) {
    int err = errno;
    ::close(fa);
    return fail(b + ": " + std::strerror(err));
  }
  std::vector<char> ba(1 << 16), bb(1 << 16);
  bool equal = true;
  for (;;) {
    ssize_t na = ::read(fa, ba.data(), ba.size());
    ssize_t nb = na > 0 ? ::read(fb, bb.data(), static_cast<size_t>(na)) : 0;
    if (na <= 0 || nb != na) {
      equal = na == 0 && nb == 0;
      break;
    }
    if (std::memcmp(ba.data(), bb.data(), static_cast<size_t>(na)) != 0) {
      equal = false;
      break;
    }
  }
  ::close(fa);
  ::close(fb);
  return equal;
}

llvm::Expected<bool> sameContent(const GuestNode& a, const GuestNode& b) {
  if (a.kind != b.kind)
    return false;
  switch (a.kind) {
  case GuestNode::Kind::Directory:
    return true;
  case GuestNode::Kind::Symlink:
    return a.linkTarget == b.linkTarget;
  case GuestNode::Kind::Generated:
    return a.contents == b.contents;
  case GuestNode::Kind::File:
    return sameBytes(a.hostPath, b.hostPath);
  }
  return false;
}

GuestTree::GuestTree() {
  GuestNode root;
  root.source = "image root";
  root.implicit = true;
  nodes_.emplace("/", std::move(root));
}

llvm::Error GuestTree::add(const std::string& path, GuestNode node) {
  // Parents first: each must be (or become) a directory.
  if (path != "/") {
    std::string parent = parentOf(path);
    auto it = nodes_.find(parent);
    if (it == nodes_.end()) {
      GuestNode dir;
      dir.implicit = true;
      dir.source = node.source;
      if (auto e = add(parent, std::move(dir)))
        return e;
    } else if (it->second.kind != GuestNode::Kind::Directory) {
      return fail("guest path " + path + " (from " + node.source + ") needs " + parent +
                  " to be a directory, but it is a " + kindName(it->second.kind) + " from " +
                  it->second.source);
    }
  }
  auto [it, inserted] = nodes_.emplace(path, node);
  if (inserted)
    return llvm::Error::success();
  GuestNode& old = it->second;
  if (old.kind == GuestNode::Kind::Directory && node.kind == GuestNode::Kind::Directory) {
    if (old.implicit && !node.implicit) {
      old.implicit = false;
      old.source = node.source;
    }
    return llvm::Error::success();
  }
  if (old.overridable && !node.overridable && node.kind != GuestNode::Kind::Directory) {
    old = std::move(node);
    return llvm::Error::success();
  }
  if (node.overridable && !old.overridable)
    return llvm::Error::success(); // a user mapping already replaced the generated file
  // Two ways to the same content are one entry: a --dir holding the program or one of the
  // libraries the resolver found, two packages shipping one symlink, a --package over a
  // --file of the same file. Only a real difference of content is a clash.
  auto same = sameContent(old, node);
  if (!same)
    return same.takeError();
  if (*same)
    return llvm::Error::success();
  return fail("guest path " + path + " clashes: " + kindName(old.kind) + " from " + old.source +
              " and " + kindName(node.kind) + " from " + node.source);
}

llvm::Error GuestTree::addHostDirectory(const std::string& host, const std::string& guest,
                                        const std::string& origin,
                                        std::vector<std::string>& consulted) {
  struct stat st;
  if (::stat(host.c_str(), &st) != 0)
    return fail(origin + ": " + host + ": " + std::strerror(errno));
  if (!S_ISDIR(st.st_mode))
    return fail(origin + ": " + host + ": not a directory");
  consulted.push_back(host);
  GuestNode dir;
  dir.source = origin;
  if (auto e = add(guest, dir))
    return e;
  DIR* d = ::opendir(host.c_str());
  if (!d)
    return fail(origin + ": " + host + ": cannot list directory: " + std::strerror(errno));
  std::vector<std::string> names;
  while (dirent* ent = ::readdir(d)) {
    std::string name = ent->d_name;
    if (name != "." && name != "..")
      names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    std::string h = host + "/" + name;
    std::string g = (guest == "/" ? "" : guest) + "/" + name;
    if (::lstat(h.c_str(), &st) != 0)
      return fail(origin + ": " + h + ": " + std::strerror(errno));
    GuestNode node;
    node.source = origin;
    node.hostPath = h;
    if (S_ISDIR(st.st_mode)) {
      if (auto e = addHostDirectory(h, g, origin, consulted))
        return e;
      continue;
    }
    if (S_ISLNK(st.st_mode)) {
      std::string target(static_cast<size_t>(st.st_size) + 1, '\0');
      ssize_t n = ::readlink(h.c_str(), target.data(), target.size());
      if (n < 0)
        return fail(origin + ": " + h + ": cannot read link: " + std::strerror(errno));
      target.resize(static_cast<size_t>(n));
      node.kind = GuestNode::Kind::Symlink;
      node.linkTarget = target;
    } else if (S_ISREG(st.st_mode)) {
      node.kind = GuestNode::Kind::File;
    } else {
      return fail(origin + ": " + h + ": not a regular file, directory or symlink");
    }
    consulted.push_back(h);
    if (auto e = add(g, std::move(node)))
      return e;
  }
  return llvm::Error::success();
}

} // namespace mkimage
