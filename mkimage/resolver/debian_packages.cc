#include "resolver/debian_packages.h"

#include "resolver/error_text.h"
#include "resolver/target_tree.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cerrno>
#include <cstring>
#include <deque>
#include <set>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage {

namespace {

// "python3 (>= 3.11~), libc6:any | libc6-udeb" -> {"python3", "libc6", "libc6-udeb"}
void addRelationNames(llvm::StringRef value, std::vector<std::string>& into) {
  llvm::SmallVector<llvm::StringRef, 16> groups;
  value.split(groups, ',', -1, false);
  for (llvm::StringRef group : groups) {
    llvm::SmallVector<llvm::StringRef, 4> alternatives;
    group.split(alternatives, '|', -1, false);
    for (llvm::StringRef alt : alternatives) {
      alt = alt.trim();
      size_t end = alt.find_first_of(" (:[<");
      llvm::StringRef name = alt.substr(0, end);
      if (!name.empty())
        into.push_back(name.str());
    }
  }
}

} // namespace

std::vector<DpkgPackage> parseDpkgStatus(llvm::StringRef text) {
  std::vector<DpkgPackage> packages;
  DpkgPackage current;
  bool any = false;
  auto finish = [&] {
    if (any && !current.name.empty()) {
      if (current.source.empty())
        current.source = current.name;
      packages.push_back(std::move(current));
    }
    current = DpkgPackage();
    any = false;
  };
  while (!text.empty()) {
    auto [line, rest] = text.split('\n');
    text = rest;
    if (line.endswith("\r"))
      line = line.drop_back();
    if (line.trim().empty()) {
      finish();
      continue;
    }
    if (line.front() == ' ' || line.front() == '\t')
      continue; // continuation of a multi-line field (Description, Conffiles)
    auto [field, value] = line.split(':');
    value = value.trim();
    any = true;
    if (field.equals_insensitive("Package"))
      current.name = value.str();
    else if (field.equals_insensitive("Architecture"))
      current.architecture = value.str();
    else if (field.equals_insensitive("Status"))
      current.status = value.str();
    else if (field.equals_insensitive("Source"))
      current.source = value.substr(0, value.find(' ')).str(); // "openjdk-17 (17.0.9)"
    else if (field.equals_insensitive("Depends") || field.equals_insensitive("Pre-Depends"))
      addRelationNames(value, current.depends);
  }
  finish();
  return packages;
}

bool isPackageDocumentation(llvm::StringRef guestPath) {
  for (llvm::StringRef dir : {"/usr/share/doc", "/usr/share/doc-base", "/usr/share/man",
                              "/usr/share/info", "/usr/share/lintian"})
    if (guestPath == dir ||
        (guestPath.startswith(dir) && guestPath.drop_front(dir.size()).startswith("/")))
      return true;
  return false;
}

namespace {

class PackageReader {
public:
  explicit PackageReader(llvm::StringRef sysroot)
      : tree_(sysroot == "/" ? "" : sysroot), admin_(tree_.sysroot() + "/var/lib/dpkg") {}

  llvm::Expected<PackageSet> read(const std::vector<std::string>& names);

private:
  llvm::Error loadStatus(const std::string& requested);
  llvm::Expected<const DpkgPackage*> select(llvm::StringRef request);
  llvm::Error addPackage(const DpkgPackage& package);
  void addPath(llvm::StringRef listed, const std::string& source);
  void addEntry(PackageEntry entry);
  void addLinkTargets();

  TargetTree tree_;
  std::string admin_;
  std::vector<DpkgPackage> status_;
  bool statusLoaded_ = false;
  std::string nativeArch_ = "amd64";
  PackageSet result_;
  std::set<std::string> mapped_; // NAME:ARCH
  std::set<std::string> placed_; // guest paths in entries
  std::vector<size_t> symlinks_; // entries of the packages' own symlinks
};

llvm::Error PackageReader::loadStatus(const std::string& requested) {
  if (statusLoaded_)
    return llvm::Error::success();
  std::string path = admin_ + "/status";
  auto buffer = llvm::MemoryBuffer::getFile(path, false, false);
  if (!buffer)
    return errorLine("--package " + requested + ": cannot read the dpkg database " + path + ": " +
                     buffer.getError().message());
  status_ = parseDpkgStatus((*buffer)->getBuffer());
  result_.consulted.push_back(path);
  statusLoaded_ = true;
  // dpkg itself is always of the native architecture.
  for (const DpkgPackage& p : status_)
    if (p.name == "dpkg" && !p.architecture.empty() && p.architecture != "all")
      nativeArch_ = p.architecture;
  return llvm::Error::success();
}

static bool installed(const DpkgPackage& p) {
  return p.status == "install ok installed";
}

llvm::Expected<const DpkgPackage*> PackageReader::select(llvm::StringRef request) {
  auto [name, arch] = request.split(':');
  const DpkgPackage* best = nullptr;
  const DpkgPackage* notInstalled = nullptr;
  for (const DpkgPackage& p : status_) {
    if (p.name != name || (!arch.empty() && p.architecture != arch))
      continue;
    if (!installed(p)) {
      notInstalled = &p;
      continue;
    }
    // Without an architecture: the native one or "all" before a foreign one.
    bool preferred = p.architecture == nativeArch_ || p.architecture == "all";
    if (!best || preferred)
      best = &p;
  }
  if (best)
    return best;
  std::string database = admin_ + "/status";
  if (notInstalled)
    return errorLine("--package " + request + ": not installed (status '" + notInstalled->status +
                     "' in " + database + ")");
  return errorLine("--package " + request + ": not installed (no such package in " + database +
                   ")");
}

void PackageReader::addEntry(PackageEntry entry) {
  if (!placed_.insert(entry.guestPath).second)
    return; // listed by two packages (directories mostly): one entry
  if (entry.kind == PackageEntry::Kind::Symlink)
    symlinks_.push_back(result_.entries.size());
  result_.entries.push_back(std::move(entry));
}

// A listed path as the guest will find it: its directory through the target's symlinks (a
// package of a merged-/usr system still lists /lib/x86_64-linux-gnu/...), and those links
// themselves, so that the listed spelling works in the guest as well.
void PackageReader::addPath(llvm::StringRef listed, const std::string& source) {
  if (listed.empty() || listed == "/." || listed == "/" || !listed.startswith("/"))
    return;
  size_t slash = listed.rfind('/');
  llvm::StringRef parent = slash == 0 ? "/" : listed.substr(0, slash);
  llvm::StringRef name = listed.substr(slash + 1);
  GuestLookup dir = tree_.lookup(parent);
  if (dir.status != GuestLookup::Status::Found || !dir.isDirectory)
    return; // removed since (a slim image's path-exclude, a diversion): nothing to copy
  std::string guest = joinGuest(dir.realGuestPath, name);
  if (isPackageDocumentation(guest) || isPackageDocumentation(listed))
    return;
  std::string host = tree_.hostPathOf(guest);
  struct stat st;
  if (::lstat(host.c_str(), &st) != 0)
    return;
  for (const CrossedLink& link : dir.links)
    addEntry({PackageEntry::Kind::Symlink, link.guestPath, link.hostPath, link.target,
              source + " (directory link on the way to " + listed.str() + ")"});
  PackageEntry entry;
  entry.guestPath = guest;
  entry.hostPath = host;
  entry.source = source;
  if (S_ISDIR(st.st_mode)) {
    entry.kind = PackageEntry::Kind::Directory;
  } else if (S_ISLNK(st.st_mode)) {
    std::vector<char> buffer(static_cast<size_t>(st.st_size) + 256);
    ssize_t n = ::readlink(host.c_str(), buffer.data(), buffer.size());
    if (n < 0)
      return;
    entry.kind = PackageEntry::Kind::Symlink;
    entry.linkTarget.assign(buffer.data(), static_cast<size_t>(n));
  } else if (S_ISREG(st.st_mode)) {
    entry.kind = PackageEntry::Kind::File;
  } else {
    return; // a device or FIFO made by a maintainer script: not content
  }
  addEntry(std::move(entry));
}

llvm::Error PackageReader::addPackage(const DpkgPackage& package) {
  std::string id = package.name + ":" + package.architecture;
  if (!mapped_.insert(id).second)
    return llvm::Error::success();
  // Multi-Arch: same packages keep their list as NAME:ARCH.list, the others as NAME.list.
  std::string list = admin_ + "/info/" + id + ".list";
  if (::access(list.c_str(), F_OK) != 0)
    list = admin_ + "/info/" + package.name + ".list";
  auto buffer = llvm::MemoryBuffer::getFile(list, false, false);
  if (!buffer)
    return errorLine("--package " + package.name + ": cannot read its file list " + list + ": " +
                     buffer.getError().message());
  result_.consulted.push_back(list);
  result_.packages.push_back(id);
  std::string source = "package " + package.name;
  llvm::SmallVector<llvm::StringRef, 256> lines;
  (*buffer)->getBuffer().split(lines, '\n', -1, false);
  for (llvm::StringRef line : lines)
    addPath(line, source);
  return llvm::Error::success();
}

// A package's symlink to a regular file elsewhere in the target (a JDK's cacerts in
// /etc/ssl/certs/java, made by another package's script) brings that file and the links on
// the way, so the link does not dangle in the image. Links to directories stay links: the
// directory is the package's or it is not content of the image.
void PackageReader::addLinkTargets() {
  std::vector<size_t> links = symlinks_;
  for (size_t index : links) {
    PackageEntry link = result_.entries[index];
    GuestLookup target = tree_.lookup(link.guestPath);
    if (target.status != GuestLookup::Status::Found || !target.isRegular ||
        placed_.count(target.realGuestPath) || isPackageDocumentation(target.realGuestPath))
      continue;
    std::string why = "target of " + link.guestPath + " (" + link.source + ")";
    for (const CrossedLink& crossed : target.links)
      addEntry(
          {PackageEntry::Kind::Symlink, crossed.guestPath, crossed.hostPath, crossed.target, why});
    addEntry({PackageEntry::Kind::File, target.realGuestPath, target.hostPath, "", why});
  }
}

llvm::Expected<PackageSet> PackageReader::read(const std::vector<std::string>& names) {
  std::deque<const DpkgPackage*> queue;
  for (const std::string& request : names) {
    if (auto e = loadStatus(request))
      return e;
    auto package = select(request);
    if (!package)
      return package.takeError();
    queue.push_back(*package);
  }
  while (!queue.empty()) {
    const DpkgPackage* package = queue.front();
    queue.pop_front();
    if (mapped_.count(package->name + ":" + package->architecture))
      continue;
    if (auto e = addPackage(*package))
      return e;
    // Its installed dependencies of the same source package (an unmet or foreign-source one
    // is left to the resolver or to the user).
    for (const std::string& dependency : package->depends)
      for (const DpkgPackage& p : status_)
        if (p.name == dependency && installed(p) && p.source == package->source &&
            (p.architecture == package->architecture || p.architecture == "all" ||
             package->architecture == "all"))
          queue.push_back(&p);
  }
  addLinkTargets();
  return std::move(result_);
}

} // namespace

llvm::Expected<PackageSet> readDebianPackages(const std::vector<std::string>& names,
                                              llvm::StringRef sysroot) {
  PackageReader reader(sysroot);
  return reader.read(names);
}

} // namespace mkimage
