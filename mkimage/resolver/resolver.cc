// glibc 2.36 ld.so's object search (elf/dl-load.c _dl_map_object, elf/dl-deps.c), replayed
// on the target's files. Comments name the glibc behaviour each step reproduces.
#include "resolver/resolver.h"

#include "resolver/elf_object.h"
#include "resolver/error_text.h"
#include "resolver/ld_cache.h"
#include "resolver/libc_dlopens.h"
#include "resolver/nss_files.h"
#include "resolver/search_paths.h"
#include "resolver/target_tree.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <deque>
#include <optional>
#include <set>
#include <sys/stat.h>

namespace mkimage {
namespace {

llvm::Error fail(const llvm::Twine& message) {
  return errorLine(message);
}

std::string guestDirName(llvm::StringRef path) {
  // _dl_new_object's l_origin: the name up to its last '/', "/" for "/foo"; relative names
  // are taken relative to the guest's working directory "/".
  std::string full = path.startswith("/") ? path.str() : "/" + path.str();
  size_t slash = full.rfind('/');
  return slash == 0 ? "/" : full.substr(0, slash);
}

struct Object {
  std::string name;                 // what was requested
  std::string openedPath;           // l_name
  std::vector<std::string> aliases; // l_libname: every name it was requested by
  std::string realGuestPath, hostPath;
  std::vector<CrossedLink> links;
  std::vector<std::pair<std::string, std::string>> otherPaths; // (guest, host) of aliases
  bool hostMapped = false;
  DstContext dst;
  ElfObjectInfo info;
  int loader = -1; // l_loader
  dev_t dev = 0;
  ino_t ino = 0;
  std::string neededBy;
  std::string why; // a library libc dlopen()s: when it does
  std::optional<std::vector<ExpandedPath>> rpathDirs, runpathDirs;
  bool placed = false; // a plug-in: already in the image, not an entry of the closure
};

// A candidate that passed open_verify().
struct Candidate {
  std::string openedPath, realGuestPath, hostPath;
  std::vector<CrossedLink> links;
  bool hostMapped = false;
  ElfObjectInfo info;
  dev_t dev = 0;
  ino_t ino = 0;
};

class Resolver {
public:
  Resolver(const ResolveOptions& options)
      : options_(options), tree_(options.sysroot == "/" ? "" : options.sysroot),
        subdirs_(hwcapSubdirectories(options.cpu)) {}

  llvm::Expected<Closure> run(llvm::StringRef programHostPath);

private:
  // The outcome of probing one path.
  enum class Probe { Found, Missing, OtherClass };
  llvm::Expected<Probe> probe(const std::string& openedPath, const std::string& hostPath,
                              Candidate& out);
  llvm::Expected<std::optional<Candidate>> searchDirs(const std::vector<ExpandedPath>& dirs,
                                                      llvm::StringRef name, llvm::StringRef what);
  llvm::Expected<std::optional<Candidate>> find(int loader, llvm::StringRef name);
  // _dl_map_object: an already loaded object, a newly added one, or -1 when `optional`
  // and not found.
  llvm::Expected<int> map(int loader, llvm::StringRef name, bool optional,
                          bool (*accept)(const Candidate&, const Resolver&) = nullptr);
  // With `missing`, a dependency that cannot be found (or read) is noted there, not an error.
  llvm::Error loadDependencies(std::deque<int> queue, std::vector<std::string>* missing = nullptr);
  llvm::Error loadPlugins(Closure& closure);
  llvm::Error loadLibcDlopens(bool nss, Closure& closure);
  const std::vector<ExpandedPath>& rpathOf(int index);
  const std::vector<ExpandedPath>& runpathOf(int index);
  llvm::Error loadCache();
  std::string chainOf(int index) const;
  void emit(Closure& closure);

  const ResolveOptions& options_;
  TargetTree tree_;
  std::vector<std::string> subdirs_;
  TargetDefaults defaults_;
  std::vector<ExpandedPath> envDirs_;
  std::optional<LdCache> cache_;
  bool cacheLoaded_ = false;
  std::vector<Object> objects_; // [0] = the program
  std::set<std::string> readFiles_;
  std::set<std::string> reportedMissing_; // plug-in dependencies not found, by name
  // Per search: what was tried (for "not found" errors) and skipped candidates.
  std::vector<std::string> searched_;
  std::vector<std::string> otherClass_;

  friend bool sameDirectoryAsLibc(const Candidate&, const Resolver&);
  int libc_ = -1;
};

llvm::Expected<Resolver::Probe> Resolver::probe(const std::string& openedPath,
                                                const std::string& hostPath, Candidate& out) {
  Candidate c;
  c.openedPath = openedPath;
  if (!hostPath.empty()) {
    // A host-mapped $ORIGIN directory: the build tree, looked up on the host as is.
    struct stat st;
    if (stat(hostPath.c_str(), &st) != 0) {
      std::string parent = llvm::sys::path::parent_path(hostPath).str();
      struct stat pst;
      if (!parent.empty() && stat(parent.c_str(), &pst) == 0)
        tree_.noteConsulted(parent);
      return Probe::Missing;
    }
    if (S_ISDIR(st.st_mode))
      return fail(hostPath + ": cannot read file data: Is a directory");
    c.hostMapped = true;
    c.hostPath = hostPath;
    c.realGuestPath = normalizeGuest(openedPath);
    c.dev = st.st_dev, c.ino = st.st_ino;
  } else {
    GuestLookup found = tree_.lookup(openedPath);
    if (found.status != GuestLookup::Status::Found)
      return Probe::Missing;
    if (found.isDirectory)
      return fail(tree_.hostPathOf(found.realGuestPath) +
                  ": cannot read file data: Is a directory");
    struct stat st;
    if (stat(found.hostPath.c_str(), &st) != 0)
      return Probe::Missing;
    c.realGuestPath = found.realGuestPath;
    c.hostPath = found.hostPath;
    c.links = std::move(found.links);
    c.dev = st.st_dev, c.ino = st.st_ino;
  }
  tree_.noteConsulted(c.hostPath);
  auto read = readElfObject(c.hostPath);
  if (!read)
    return read.takeError();
  if (read->verdict != ElfVerdict::Usable) {
    otherClass_.push_back(c.hostPath + (read->verdict == ElfVerdict::WrongClass
                                            ? " (wrong ELF class)"
                                            : " (wrong machine)"));
    return Probe::OtherClass;
  }
  c.info = std::move(read->info);
  out = std::move(c);
  return Probe::Found;
}

// open_path(): every directory, every hwcap subdirectory in it, then the directory itself.
llvm::Expected<std::optional<Candidate>> Resolver::searchDirs(const std::vector<ExpandedPath>& dirs,
                                                              llvm::StringRef name,
                                                              llvm::StringRef what) {
  for (const ExpandedPath& dir : dirs) {
    searched_.push_back(dir.guest + " (" + what.str() + ")");
    for (const std::string& sub : subdirs_) {
      std::string opened = dir.guest + sub + name.str();
      std::string host = dir.host.empty() ? "" : dir.host + sub + name.str();
      Candidate c;
      auto result = probe(opened, host, c);
      if (!result)
        return result.takeError();
      if (*result == Probe::Found)
        return std::optional<Candidate>(std::move(c));
    }
  }
  return std::optional<Candidate>();
}

const std::vector<ExpandedPath>& Resolver::rpathOf(int index) {
  Object& o = objects_[index];
  if (!o.rpathDirs)
    o.rpathDirs =
        o.info.hasRpath ? splitSearchPath(o.info.rpath, ":", o.dst) : std::vector<ExpandedPath>();
  return *o.rpathDirs;
}

const std::vector<ExpandedPath>& Resolver::runpathOf(int index) {
  Object& o = objects_[index];
  if (!o.runpathDirs)
    o.runpathDirs = o.info.hasRunpath ? splitSearchPath(o.info.runpath, ":", o.dst)
                                      : std::vector<ExpandedPath>();
  return *o.runpathDirs;
}

llvm::Error Resolver::loadCache() {
  if (cacheLoaded_)
    return llvm::Error::success();
  cacheLoaded_ = true;
  GuestLookup found = tree_.lookup("/etc/ld.so.cache");
  if (found.status != GuestLookup::Status::Found || !found.isRegular)
    return llvm::Error::success(); // ld.so goes on without a cache
  tree_.noteConsulted(found.hostPath);
  auto buffer = llvm::MemoryBuffer::getFile(found.hostPath, false, false);
  if (!buffer)
    return fail(found.hostPath + ": cannot read: " + buffer.getError().message());
  auto cache = LdCache::parse(found.hostPath, (*buffer)->getBuffer());
  if (!cache)
    return cache.takeError();
  cache_ = std::move(*cache);
  return llvm::Error::success();
}

llvm::Expected<std::optional<Candidate>> Resolver::find(int loader, llvm::StringRef name) {
  searched_.clear();
  otherClass_.clear();
  const Object& from = objects_[loader];
  using Found = std::optional<Candidate>;

  if (name.contains('/')) {
    // A path: tokens expanded against the needing object, opened as is.
    auto expanded = expandTokens(name, from.dst);
    if (!expanded)
      return Found();
    searched_.push_back(expanded->guest + " (path)");
    Candidate c;
    auto result = probe(expanded->guest, expanded->host, c);
    if (!result)
      return result.takeError();
    return *result == Probe::Found ? Found(std::move(c)) : Found();
  }

  // DT_RPATH of the loader and of its loaders, then the executable's, unless the loader
  // has DT_RUNPATH.
  if (!from.info.hasRunpath) {
    bool didMain = false;
    for (int l = loader; l >= 0; l = objects_[l].loader) {
      if (!objects_[l].info.hasRpath)
        continue;
      auto found = searchDirs(rpathOf(l), name, "RPATH of " + objects_[l].openedPath);
      if (!found || *found)
        return found;
      didMain |= l == 0;
    }
    if (!didMain && loader != 0 && objects_[0].info.hasRpath) {
      auto found = searchDirs(rpathOf(0), name, "RPATH of " + objects_[0].openedPath);
      if (!found || *found)
        return found;
    }
  }
  // LD_LIBRARY_PATH of the image.
  {
    auto found = searchDirs(envDirs_, name, "LD_LIBRARY_PATH");
    if (!found || *found)
      return found;
  }
  // DT_RUNPATH of the loader only.
  if (from.info.hasRunpath) {
    auto found = searchDirs(runpathOf(loader), name, "RUNPATH of " + from.openedPath);
    if (!found || *found)
      return found;
  }
  const Object& nodeflibObject = objects_[loader];
  bool nodeflib = nodeflibObject.info.noDefaultLib;
  // The target's ld.so.cache.
  if (auto err = loadCache())
    return err;
  if (cache_) {
    searched_.push_back("/etc/ld.so.cache");
    std::string cached = cache_->lookup(name, options_.cpu.glibcHwcaps);
    bool skip = cached.empty();
    if (!skip && nodeflib) {
      // DF_1_NODEFLIB: no cache entry from the default directories.
      for (const std::string& dir : defaults_.systemDirs)
        if (llvm::StringRef(cached).startswith(dir) &&
            !llvm::StringRef(cached).drop_front(dir.size()).contains('/'))
          skip = true;
    }
    if (!skip) {
      Candidate c;
      auto result = probe(cached, "", c);
      if (!result)
        return result.takeError();
      if (*result == Probe::Found)
        return Found(std::move(c));
    }
  }
  // The default directories, unless DF_1_NODEFLIB.
  if (!nodeflib) {
    std::vector<ExpandedPath> dirs;
    for (const std::string& d : defaults_.systemDirs)
      dirs.push_back({d, ""});
    auto found = searchDirs(dirs, name, "default");
    if (!found || *found)
      return found;
  }
  return Found();
}

std::string Resolver::chainOf(int index) const {
  std::string chain;
  for (int l = index; l >= 0; l = objects_[l].loader)
    chain += (chain.empty() ? "needed by " : " <- ") + objects_[l].openedPath;
  return chain;
}

static bool nameMatches(const Object& o, llvm::StringRef name) {
  if (o.openedPath == name || o.info.soname == name)
    return true;
  return llvm::is_contained(o.aliases, name);
}

llvm::Expected<int> Resolver::map(int loader, llvm::StringRef name, bool optional,
                                  bool (*accept)(const Candidate&, const Resolver&)) {
  // _dl_name_match_p + DT_SONAME: an object already loaded under that name.
  for (size_t i = 1; i < objects_.size(); ++i)
    if (nameMatches(objects_[i], name))
      return int(i);
  auto found = find(loader, name);
  if (!found)
    return found.takeError();
  if (!*found || (accept && !accept(**found, *this))) {
    if (optional)
      return -1;
    std::string message = "cannot find " + name.str() + " (" + chainOf(loader) + "); searched: ";
    message += searched_.empty() ? "nothing" : llvm::join(searched_, ", ");
    if (!otherClass_.empty())
      message += "; skipped: " + llvm::join(otherClass_, ", ");
    return fail(message);
  }
  Candidate& c = **found;
  // _dl_map_object_from_fd: the same file under another name is the same object.
  for (size_t i = 1; i < objects_.size(); ++i) {
    if (objects_[i].dev == c.dev && objects_[i].ino == c.ino) {
      objects_[i].aliases.push_back(name.str());
      // The loader still opened this path: the image must resolve it too (through the
      // symlinks crossed, or as a second copy when it is another name of the same inode).
      for (CrossedLink& link : c.links)
        objects_[i].links.push_back(std::move(link));
      if (c.realGuestPath != objects_[i].realGuestPath)
        objects_[i].otherPaths.push_back({c.realGuestPath, c.hostPath});
      return int(i);
    }
  }
  Object o;
  o.name = name.str();
  o.openedPath = c.openedPath;
  o.aliases.push_back(name.str());
  o.realGuestPath = c.realGuestPath;
  o.hostPath = c.hostPath;
  o.links = std::move(c.links);
  o.hostMapped = c.hostMapped;
  o.info = std::move(c.info);
  o.loader = loader;
  o.dev = c.dev, o.ino = c.ino;
  o.neededBy = loader == 0 ? "" : objects_[loader].openedPath;
  o.dst = objects_[0].dst; // $LIB, $PLATFORM
  o.dst.originGuest = guestDirName(c.openedPath);
  o.dst.originHost = c.hostMapped ? llvm::sys::path::parent_path(c.hostPath).str() : "";
  objects_.push_back(std::move(o));
  return int(objects_.size() - 1);
}

// _dl_map_object_deps: breadth first, each object's dependencies in dynamic-section order.
llvm::Error Resolver::loadDependencies(std::deque<int> queue, std::vector<std::string>* missing) {
  std::set<int> seen(queue.begin(), queue.end());
  while (!queue.empty()) {
    int index = queue.front();
    queue.pop_front();
    std::vector<ElfDependency> deps = objects_[index].info.dependencies;
    for (const ElfDependency& dep : deps) {
      if (dep.name.empty())
        continue;
      bool optional = dep.kind == ElfDependency::Kind::Auxiliary;
      auto mapped = map(index, dep.name, optional);
      if (!mapped && missing) {
        // Reported once: the same name missing for the next plug-in says nothing new.
        std::string text = errorText(mapped.takeError());
        if (reportedMissing_.insert(dep.name).second)
          missing->push_back(std::move(text));
        continue;
      }
      if (!mapped)
        return mapped.takeError();
      if (*mapped >= 0 && seen.insert(*mapped).second)
        queue.push_back(*mapped);
    }
  }
  return llvm::Error::success();
}

bool sameDirectoryAsLibc(const Candidate& c, const Resolver& r) {
  // NSS modules must come from the same glibc build as libc.so.6.
  return llvm::sys::path::parent_path(c.realGuestPath) ==
         llvm::sys::path::parent_path(r.objects_[r.libc_].realGuestPath);
}

void addEntry(Closure& closure, std::set<std::string>& emitted, ResolvedEntry entry) {
  if (emitted.insert(entry.guestPath).second)
    closure.entries.push_back(std::move(entry));
}

void Resolver::emit(Closure& closure) {
  std::set<std::string> emitted;
  for (size_t i = 1; i < objects_.size(); ++i) {
    const Object& o = objects_[i];
    if (o.placed)
      continue;
    for (const CrossedLink& link : o.links) {
      ResolvedEntry e;
      e.kind = ResolvedEntry::Kind::Symlink;
      e.guestPath = link.guestPath;
      e.hostPath = link.hostPath;
      e.linkTarget = link.target;
      e.neededBy = o.neededBy;
      e.why = o.why;
      addEntry(closure, emitted, std::move(e));
    }
    ResolvedEntry e;
    e.kind = ResolvedEntry::Kind::File;
    e.guestPath = o.realGuestPath;
    e.hostPath = o.hostPath;
    e.neededBy = o.neededBy;
    e.why = o.why;
    addEntry(closure, emitted, std::move(e));
    for (const auto& [otherGuest, otherHost] : o.otherPaths) {
      ResolvedEntry copy;
      copy.kind = ResolvedEntry::Kind::File;
      copy.guestPath = otherGuest;
      copy.hostPath = otherHost;
      copy.neededBy = o.neededBy;
      copy.why = o.why;
      addEntry(closure, emitted, std::move(copy));
    }
    closure.objects.push_back(
        {o.name, o.openedPath, o.realGuestPath, o.hostPath, o.neededBy, o.why});
  }
}

// The libraries glibc dlopen()s by name (libc_dlopens.h), found as dlopen() from libc.so.6
// finds them. Optional: a target without one still runs every program that never reaches the
// code that opens it, so a missing one is a warning. A library the program already loads
// keeps its DT_NEEDED origin.
llvm::Error Resolver::loadLibcDlopens(bool nss, Closure& closure) {
  for (const LibcDlopen& d : libcDlopens()) {
    if (d.nssModule ? !nss : !options_.libcDlopens)
      continue;
    size_t before = objects_.size();
    auto mapped = map(libc_, d.name, true, d.nssModule ? sameDirectoryAsLibc : nullptr);
    if (!mapped)
      return mapped.takeError();
    if (*mapped < 0) {
      // glibc >= 2.34 may ship no NSS stub at all: only a missing non-NSS library is news.
      if (!d.nssModule)
        closure.warnings.push_back(
            "glibc dlopen()s " + std::string(d.name) + " (" + d.why +
            ") and the target tree has none; searched: " + llvm::join(searched_, ", "));
      continue;
    }
    if (size_t(*mapped) >= before)
      objects_[*mapped].why = d.why;
    if (auto err = loadDependencies({*mapped}))
      return err;
  }
  return llvm::Error::success();
}

// Plug-ins as a program that dlopen()s them by path sees them: each an object of its own,
// loaded by the program (so the program's DT_RPATH is searched after the plug-in's own). All
// are mapped before any dependency is searched: a plug-in's DT_NEEDED may name another by
// its DT_SONAME, as the JDK's libjava.so names libjvm.so, which lies in lib/server/ outside
// every search path and is found only because the launcher loaded it first.
llvm::Error Resolver::loadPlugins(Closure& closure) {
  std::vector<std::pair<size_t, int>> pending; // (record, object) whose dependencies to load
  for (const ResolveOptions::Plugin& plugin : options_.plugins) {
    PluginClosure record{plugin.guestPath, plugin.hostPath, {}, {}};
    auto read = readElfObject(plugin.hostPath);
    if (!read) {
      record.missing.push_back(errorText(read.takeError()));
      closure.plugins.push_back(std::move(record));
      continue;
    }
    if (read->verdict != ElfVerdict::Usable || !read->info.hasDynamic)
      continue; // another machine's object, or nothing for ld.so to resolve
    tree_.noteConsulted(plugin.hostPath);
    for (const ElfDependency& dep : read->info.dependencies)
      record.needed.push_back(dep.name);
    struct stat st;
    if (stat(plugin.hostPath.c_str(), &st) != 0)
      continue;
    bool loaded = false;
    for (size_t i = 1; i < objects_.size(); ++i)
      loaded |= objects_[i].dev == st.st_dev && objects_[i].ino == st.st_ino;
    if (!loaded) { // else: a library of the program (or another plug-in's), resolved already
      Object o;
      o.name = plugin.guestPath;
      o.openedPath = plugin.guestPath;
      o.realGuestPath = normalizeGuest(plugin.guestPath);
      o.hostPath = plugin.hostPath;
      o.info = std::move(read->info);
      o.loader = 0;
      o.dev = st.st_dev, o.ino = st.st_ino;
      o.placed = true;
      o.dst = objects_[0].dst;
      o.dst.originGuest = guestDirName(plugin.guestPath);
      // $ORIGIN lookups go to the plug-in's host directory unless it sits at its guest path
      // in the target tree (then the target tree answers, as for the program).
      llvm::SmallString<256> absolute(plugin.hostPath);
      llvm::sys::fs::make_absolute(absolute);
      std::string hostDir = llvm::sys::path::parent_path(absolute).str();
      o.dst.originHost =
          normalizeGuest(tree_.sysroot() + o.dst.originGuest) == normalizeGuest(hostDir) ? ""
                                                                                         : hostDir;
      objects_.push_back(std::move(o));
      pending.emplace_back(closure.plugins.size(), int(objects_.size() - 1));
    }
    closure.plugins.push_back(std::move(record));
  }
  for (const auto& [record, object] : pending)
    if (auto err = loadDependencies({object}, &closure.plugins[record].missing))
      return err;
  return llvm::Error::success();
}

llvm::Expected<Closure> Resolver::run(llvm::StringRef programHostPath) {
  Closure closure;
  // The program: checked like the kernel would before starting it.
  auto program = readElfObject(programHostPath);
  if (!program)
    return program.takeError();
  if (program->verdict != ElfVerdict::Usable)
    return fail(programHostPath + ": not an x86-64 program (" +
                (program->verdict == ElfVerdict::WrongClass ? "32-bit ELF" : "other machine") +
                ")");
  tree_.noteConsulted(programHostPath);

  if (!options_.sysroot.empty() && !llvm::sys::fs::is_directory(options_.sysroot))
    return fail("sysroot " + options_.sysroot + ": not a directory");

  Object main;
  std::string guest = options_.programGuestPath;
  if (guest.empty())
    guest = "/" + llvm::sys::path::filename(programHostPath).str();
  if (!llvm::StringRef(guest).startswith("/"))
    return fail("program guest path '" + guest + "' is not absolute");
  main.openedPath = guest;
  main.info = std::move(program->info);
  main.dst.originGuest = guestDirName(guest);
  // $ORIGIN of the program is its guest directory; lookups under it go to the program's host
  // directory, unless the program already sits at that place in the target tree.
  std::string absProgram = programHostPath.str();
  if (!llvm::StringRef(absProgram).startswith("/")) {
    llvm::SmallString<256> abs(absProgram);
    llvm::sys::fs::make_absolute(abs);
    absProgram = abs.str().str();
  }
  std::string inTree = tree_.sysroot() + guest;
  if (normalizeGuest(inTree) != normalizeGuest(absProgram))
    main.dst.originHost = llvm::sys::path::parent_path(absProgram).str();
  main.dst.platform = options_.cpu.platform;
  objects_.push_back(std::move(main));

  const std::string interp = objects_[0].info.interpreter;
  if (interp.empty()) {
    // Static program: nothing for a loader to open. Dependencies without an interpreter
    // (a shared library given as the program) would never be loaded.
    for (const ElfDependency& dep : objects_[0].info.dependencies)
      if (dep.kind != ElfDependency::Kind::Auxiliary)
        return fail(programHostPath + ": needs " + dep.name +
                    " but has no PT_INTERP (a shared library, not a program?)");
    if (!options_.extraLibraries.empty())
      return fail(programHostPath + ": statically linked (no PT_INTERP), cannot load --library");
    std::vector<std::string> consulted(tree_.consulted().begin(), tree_.consulted().end());
    closure.consulted = std::move(consulted);
    return closure;
  }
  if (!objects_[0].info.hasDynamic)
    return fail(programHostPath + ": has PT_INTERP but no dynamic section");

  // The interpreter, opened by the kernel at PT_INTERP; ld.so answers to that name and to
  // its DT_SONAME.
  {
    Candidate c;
    auto result = probe(interp, "", c);
    if (!result)
      return result.takeError();
    if (*result != Probe::Found)
      return fail("cannot find the program interpreter " + interp + " (PT_INTERP of " +
                  programHostPath + ") in " +
                  (tree_.sysroot().empty() ? std::string("/") : tree_.sysroot()));
    auto bytes = llvm::MemoryBuffer::getFile(c.hostPath, false, false);
    if (bytes)
      defaults_ = detectTargetDefaults((*bytes)->getBuffer());
    else
      defaults_ = detectTargetDefaults("");
    Object o;
    o.openedPath = interp;
    o.realGuestPath = c.realGuestPath;
    o.hostPath = c.hostPath;
    o.links = std::move(c.links);
    o.info = std::move(c.info);
    o.dev = c.dev, o.ino = c.ino;
    o.loader = 0;
    o.dst.originGuest = guestDirName(interp);
    objects_.push_back(std::move(o));
  }
  objects_[0].dst.lib = defaults_.lib;
  objects_[1].dst.lib = defaults_.lib;
  objects_[1].dst.platform = options_.cpu.platform;

  // LD_LIBRARY_PATH: tokens relative to the program (_dl_init_paths).
  for (const std::string& element : options_.ldLibraryPath) {
    auto dirs = splitSearchPath(element, "", objects_[0].dst);
    envDirs_.insert(envDirs_.end(), dirs.begin(), dirs.end());
  }

  if (auto err = loadDependencies({0}))
    return err;

  // dlopen() from the program: --library names.
  for (const std::string& name : options_.extraLibraries) {
    auto mapped = map(0, name, false);
    if (!mapped)
      return mapped.takeError();
    if (auto err = loadDependencies({*mapped}))
      return err;
  }

  for (size_t i = 1; i < objects_.size(); ++i)
    if (objects_[i].info.soname == "libc.so.6")
      libc_ = int(i);
  bool nss = options_.nss == ResolveOptions::Nss::On ||
             (options_.nss == ResolveOptions::Nss::Auto && libc_ >= 0);
  if (libc_ >= 0)
    if (auto err = loadLibcDlopens(nss, closure))
      return err;

  if (auto err = loadPlugins(closure))
    return err;
  emit(closure);
  if (nss) {
    std::set<std::string> present;
    for (const ResolvedEntry& e : closure.entries)
      present.insert(e.guestPath);
    for (const GeneratedFile& f : minimalNssFiles()) {
      if (present.count(f.guestPath))
        continue;
      ResolvedEntry e;
      e.kind = ResolvedEntry::Kind::Generated;
      e.guestPath = f.guestPath;
      e.contents = f.contents;
      closure.entries.push_back(std::move(e));
    }
  }
  closure.consulted.assign(tree_.consulted().begin(), tree_.consulted().end());
  return closure;
}

} // namespace

llvm::Expected<Closure> resolveClosure(llvm::StringRef programHostPath,
                                       const ResolveOptions& options) {
  Resolver resolver(options);
  return resolver.run(programHostPath);
}

} // namespace mkimage
