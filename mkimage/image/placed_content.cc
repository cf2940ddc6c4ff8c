#include "image/placed_content.h"

#include "resolver/debian_packages.h"
#include "resolver/elf_object.h"
#include "resolver/error_text.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <sys/stat.h>
#include <tuple>

namespace mkimage {

static llvm::Error addMappings(const PlacedContent& content, GuestTree& tree,
                               std::vector<std::string>& consulted) {
  std::vector<PathMapping> files = content.files, dirs = content.dirs;
  auto byGuest = [](const PathMapping& a, const PathMapping& b) {
    return std::tie(a.guest, a.host) < std::tie(b.guest, b.host);
  };
  std::sort(files.begin(), files.end(), byGuest);
  std::sort(dirs.begin(), dirs.end(), byGuest);
  for (const PathMapping& m : dirs) {
    auto g = validateGuestPath(m.guest, m.origin);
    if (!g)
      return g.takeError();
    if (auto e = tree.addHostDirectory(m.host, *g, m.origin, consulted))
      return e;
  }
  for (const PathMapping& m : files) {
    auto g = validateGuestPath(m.guest, m.origin);
    if (!g)
      return g.takeError();
    struct stat st;
    if (::stat(m.host.c_str(), &st) != 0)
      return errorLine(m.origin + ": " + m.host + ": " + std::strerror(errno));
    if (!S_ISREG(st.st_mode))
      return errorLine(m.origin + ": " + m.host + ": not a regular file" +
                       (S_ISDIR(st.st_mode) ? " (use --dir for directories)" : ""));
    GuestNode n;
    n.kind = GuestNode::Kind::File;
    n.hostPath = m.host;
    n.source = m.origin;
    consulted.push_back(m.host);
    if (auto e = tree.add(*g, std::move(n)))
      return e;
  }
  return llvm::Error::success();
}

static llvm::Error addPackages(const PlacedContent& content, GuestTree& tree,
                               std::vector<std::string>& consulted) {
  if (content.packages.empty())
    return llvm::Error::success();
  auto set = readDebianPackages(content.packages, content.sysroot);
  if (!set)
    return set.takeError();
  consulted.insert(consulted.end(), set->consulted.begin(), set->consulted.end());
  for (const PackageEntry& entry : set->entries) {
    GuestNode n;
    n.hostPath = entry.hostPath;
    n.source = entry.source;
    switch (entry.kind) {
    case PackageEntry::Kind::Directory:
      n.kind = GuestNode::Kind::Directory;
      break;
    case PackageEntry::Kind::File:
      n.kind = GuestNode::Kind::File;
      consulted.push_back(entry.hostPath);
      break;
    case PackageEntry::Kind::Symlink:
      n.kind = GuestNode::Kind::Symlink;
      n.linkTarget = entry.linkTarget;
      break;
    }
    auto g = validateGuestPath(entry.guestPath, entry.source);
    if (!g)
      return g.takeError();
    if (auto e = tree.add(*g, std::move(n)))
      return e;
  }
  return llvm::Error::success();
}

llvm::Error addPlacedContent(const PlacedContent& content, GuestTree& tree,
                             std::vector<std::string>& consulted) {
  if (auto e = addMappings(content, tree, consulted))
    return e;
  return addPackages(content, tree, consulted);
}

std::vector<ResolveOptions::Plugin> placedElfObjects(const GuestTree& tree,
                                                     const std::string& exceptGuest) {
  std::vector<ResolveOptions::Plugin> plugins;
  for (const auto& [path, node] : tree.nodes())
    if (node.kind == GuestNode::Kind::File && path != exceptGuest &&
        looksLikeX86_64Object(node.hostPath))
      plugins.push_back({path, node.hostPath});
  return plugins;
}

} // namespace mkimage
