#include "resolver/target_tree.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/FileSystem.h"

#include <deque>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage {

TargetTree::TargetTree(llvm::StringRef sysroot) {
  llvm::SmallString<256> absolute(sysroot);
  if (!absolute.empty())
    llvm::sys::fs::make_absolute(absolute); // host paths in the closure are absolute
  root_ = absolute.str().str();
  while (!root_.empty() && root_.back() == '/')
    root_.pop_back();
}

const TargetTree::Node& TargetTree::node(const std::string& hostPath) {
  auto [it, inserted] = cache_.try_emplace(hostPath);
  Node& n = it->second;
  if (!inserted)
    return n;
  struct stat st;
  if (lstat(hostPath.empty() ? "/" : hostPath.c_str(), &st) != 0)
    return n;
  n.exists = true;
  if (S_ISLNK(st.st_mode)) {
    n.isLink = true;
    llvm::SmallVector<char, 256> buf;
    buf.resize(st.st_size > 0 ? size_t(st.st_size) + 1 : 256);
    ssize_t len = readlink(hostPath.c_str(), buf.data(), buf.size());
    if (len < 0 || size_t(len) >= buf.size()) {
      n.exists = false; // vanished or changed under us: treat as absent
      return n;
    }
    n.linkTarget.assign(buf.data(), size_t(len));
  } else {
    n.isDir = S_ISDIR(st.st_mode);
    n.isRegular = S_ISREG(st.st_mode);
  }
  return n;
}

static std::string joinComponents(const std::vector<std::string>& parts) {
  std::string s;
  for (const std::string& p : parts)
    s += "/" + p;
  return s.empty() ? "/" : s;
}

GuestLookup TargetTree::lookup(llvm::StringRef guestPath) {
  GuestLookup result;
  std::deque<std::string> pending;
  auto pushFront = [&](llvm::StringRef path) {
    llvm::SmallVector<llvm::StringRef, 16> parts;
    path.split(parts, '/', -1, /*KeepEmpty=*/false);
    for (auto it = parts.rbegin(); it != parts.rend(); ++it)
      pending.push_front(it->str());
  };
  pushFront(guestPath);
  std::vector<std::string> current; // resolved components, all real directories
  unsigned linksFollowed = 0;
  while (!pending.empty()) {
    std::string part = std::move(pending.front());
    pending.pop_front();
    if (part == ".")
      continue;
    if (part == "..") {
      if (!current.empty())
        current.pop_back();
      continue;
    }
    std::string parentGuest = joinComponents(current);
    current.push_back(part);
    std::string guest = joinComponents(current);
    std::string host = root_ + guest;
    const Node& n = node(host);
    if (!n.exists) {
      // A file appearing here later would change the answer: depend on the directory.
      consulted_.insert(parentGuest == "/" ? (root_.empty() ? "/" : root_) : root_ + parentGuest);
      result.status = GuestLookup::Status::NotFound;
      return result;
    }
    if (n.isLink) {
      if (++linksFollowed > 40) {
        result.status = GuestLookup::Status::Loop;
        return result;
      }
      consulted_.insert(host);
      result.links.push_back({guest, host, n.linkTarget});
      current.pop_back();
      if (llvm::StringRef(n.linkTarget).startswith("/"))
        current.clear();
      pushFront(n.linkTarget);
      continue;
    }
    if (!pending.empty() && !n.isDir) {
      result.status = GuestLookup::Status::NotDirectory;
      return result;
    }
    if (pending.empty()) {
      result.isDirectory = n.isDir;
      result.isRegular = n.isRegular;
    }
  }
  if (current.empty()) {
    result.isDirectory = true;
  }
  result.status = GuestLookup::Status::Found;
  result.realGuestPath = joinComponents(current);
  result.hostPath = root_ + result.realGuestPath;
  if (result.hostPath.empty())
    result.hostPath = "/";
  return result;
}

std::string joinGuest(llvm::StringRef dir, llvm::StringRef name) {
  if (dir.empty())
    return name.str();
  if (dir.endswith("/"))
    return dir.str() + name.str();
  return dir.str() + "/" + name.str();
}

std::string normalizeGuest(llvm::StringRef path) {
  llvm::SmallVector<llvm::StringRef, 16> parts, out;
  path.split(parts, '/', -1, false);
  for (llvm::StringRef p : parts) {
    if (p == ".")
      continue;
    if (p == "..") {
      if (!out.empty())
        out.pop_back();
      continue;
    }
    out.push_back(p);
  }
  std::string s;
  for (llvm::StringRef p : out)
    s += "/" + p.str();
  return s.empty() ? "/" : s;
}

} // namespace mkimage
