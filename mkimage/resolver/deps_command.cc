// nanos-mkimage deps: prints the files the dynamic loader opens to start a program in the
// image (the resolver's closure), optionally as JSON and with a depfile.
#include "image/build_options.h"
#include "image/placed_content.h"
#include "resolver/resolver.h"
#include "support/depfile.h"
#include "tool/commands.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/Path.h"

namespace mkimage {
namespace {

constexpr const char* kUsage =
    "usage: nanos-mkimage deps PROGRAM [--sysroot DIR] [--env LD_LIBRARY_PATH=DIRS]\n"
    "         [--program-path GUEST] [--nss|--no-nss] [--no-libc-dlopens] [--library NAME]...\n"
    "         [--glibc-hwcaps NAMES] [--legacy-hwcaps NAMES] [--platform NAME]\n"
    "         [--dir HOST:GUEST]... [--file HOST:GUEST]... [--package NAME[:ARCH]]...\n"
    "         [--no-plugin-closure] [--json] [--depfile FILE [--depfile-target TARGET]]\n"
    "\n"
    "Prints every file glibc's ld.so opens to start PROGRAM inside the image, found the way\n"
    "ld.so finds it but in the target tree (DIR, default /), without running anything.\n"
    "  --sysroot DIR          root of the target tree; nothing outside it is read\n"
    "  --env NAME=VALUE       the image's environment (LD_LIBRARY_PATH is used)\n"
    "  --program-path GUEST   where the program sits in the image (default /NAME)\n"
    "  --nss, --no-nss        add glibc's NSS modules and minimal /etc files\n"
    "                         (default: when the program uses glibc)\n"
    "  --no-libc-dlopens      leave out the other libraries glibc dlopen()s by name\n"
    "                         (libgcc_s.so.1, for pthread_exit and pthread_cancel)\n"
    "  --library NAME         also resolve NAME as if the program dlopen()ed it\n"
    "  --glibc-hwcaps NAMES   guest CPU's glibc-hwcaps levels, best first (x86-64-v3,x86-64-v2)\n"
    "  --legacy-hwcaps NAMES  guest CPU's legacy hwcap names (default x86_64)\n"
    "  --platform NAME        guest AT_PLATFORM / $PLATFORM (default x86_64, '' = none)\n"
    "  --dir, --file, --package  content placed as `build` places it: the ELF objects in it\n"
    "                         are plug-ins whose own DT_NEEDED are resolved too\n"
    "  --no-plugin-closure    do not resolve the plug-ins' dependencies\n"
    "  --json                 print the closure as JSON\n"
    "  --depfile FILE         write a Make/Ninja depfile of every host file consulted\n"
    "  --depfile-target T     the depfile's target (default PROGRAM)\n";

const char* kindName(ResolvedEntry::Kind kind) {
  switch (kind) {
  case ResolvedEntry::Kind::File:
    return "file";
  case ResolvedEntry::Kind::Symlink:
    return "symlink";
  case ResolvedEntry::Kind::Generated:
    return "generated";
  }
  return "?";
}

std::vector<std::string> splitList(llvm::StringRef value, llvm::StringRef separators) {
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i)
    if (i == value.size() || separators.contains(value[i])) {
      out.push_back(value.slice(start, i).str());
      start = i + 1;
    }
  return out;
}

void printHuman(const Closure& closure, llvm::raw_ostream& out) {
  for (const ResolvedEntry& e : closure.entries) {
    std::string by = e.neededBy.empty() ? "program" : e.neededBy;
    if (!e.why.empty())
      by += ": " + e.why;
    switch (e.kind) {
    case ResolvedEntry::Kind::File:
      out << e.guestPath << "  <- " << e.hostPath << "  (needed by " << by << ")\n";
      break;
    case ResolvedEntry::Kind::Symlink:
      out << e.guestPath << "  -> " << e.linkTarget << "  (symlink " << e.hostPath << ", needed by "
          << by << ")\n";
      break;
    case ResolvedEntry::Kind::Generated:
      out << e.guestPath << "  (generated, " << e.contents.size() << " bytes)\n";
      break;
    }
  }
}

void printPlugins(const Closure& closure, llvm::raw_ostream& out) {
  for (const PluginClosure& p : closure.plugins) {
    out << "plug-in " << p.guestPath << " needs " << llvm::join(p.needed, ", ") << "\n";
    for (const std::string& m : p.missing)
      out << "  missing: " << m << "\n";
  }
}

void printJson(llvm::StringRef program, const Closure& closure, llvm::raw_ostream& out) {
  llvm::json::OStream j(out, 2);
  j.object([&] {
    j.attribute("program", program);
    j.attributeArray("objects", [&] {
      for (const LoadedObject& o : closure.objects)
        j.object([&] {
          j.attribute("name", o.name);
          j.attribute("openedPath", o.openedPath);
          j.attribute("guestPath", o.guestPath);
          j.attribute("hostPath", o.hostPath);
          j.attribute("neededBy", o.neededBy);
          if (!o.why.empty())
            j.attribute("why", o.why);
        });
    });
    j.attributeArray("entries", [&] {
      for (const ResolvedEntry& e : closure.entries)
        j.object([&] {
          j.attribute("kind", kindName(e.kind));
          j.attribute("guestPath", e.guestPath);
          if (e.kind != ResolvedEntry::Kind::Generated)
            j.attribute("hostPath", e.hostPath);
          if (e.kind == ResolvedEntry::Kind::Symlink)
            j.attribute("linkTarget", e.linkTarget);
          if (e.kind == ResolvedEntry::Kind::Generated)
            j.attribute("contents", e.contents);
          j.attribute("neededBy", e.neededBy);
          if (!e.why.empty())
            j.attribute("why", e.why);
        });
    });
    j.attributeArray("plugins", [&] {
      for (const PluginClosure& p : closure.plugins)
        j.object([&] {
          j.attribute("guestPath", p.guestPath);
          j.attribute("hostPath", p.hostPath);
          j.attributeArray("needed", [&] {
            for (const std::string& n : p.needed)
              j.value(n);
          });
          j.attributeArray("missing", [&] {
            for (const std::string& m : p.missing)
              j.value(m);
          });
        });
    });
    j.attributeArray("consulted", [&] {
      for (const std::string& path : closure.consulted)
        j.value(path);
    });
  });
  out << "\n";
}

} // namespace

llvm::Error runDepsCommand(Args args, llvm::raw_ostream& out) {
  ResolveOptions options;
  std::string program, depfile, depfileTarget;
  bool json = false, pluginClosure = true;
  std::vector<PathMapping> files, dirs;
  std::vector<std::string> packages;
  for (size_t i = 0; i < args.size(); ++i) {
    llvm::StringRef arg = args[i];
    // Options take their value as the next argument or after '='.
    auto value = [&](llvm::StringRef name, std::string& into) -> llvm::Expected<bool> {
      if (arg == name) {
        if (i + 1 >= args.size())
          return usageError(name + " needs a value");
        into = args[++i].str();
        return true;
      }
      if (arg.startswith((name + "=").str())) {
        into = arg.drop_front(name.size() + 1).str();
        return true;
      }
      return false;
    };
    std::string v;
    auto matched = [&](llvm::StringRef name) -> llvm::Expected<bool> { return value(name, v); };
#define OPTION(name)                                                                               \
  auto m_##__LINE__ = matched(name);                                                               \
  if (!m_##__LINE__)                                                                               \
    return m_##__LINE__.takeError();                                                               \
  if (*m_##__LINE__)
    if (arg == "--help" || arg == "-h") {
      out << kUsage;
      return llvm::Error::success();
    }
    if (arg == "--json") {
      json = true;
      continue;
    }
    if (arg == "--no-plugin-closure") {
      pluginClosure = false;
      continue;
    }
    if (arg == "--no-libc-dlopens") {
      options.libcDlopens = false;
      continue;
    }
    if (arg == "--nss" || arg == "--no-nss") {
      options.nss = arg == "--nss" ? ResolveOptions::Nss::On : ResolveOptions::Nss::Off;
      continue;
    }
    {OPTION("--sysroot"){if (v.empty()) return usageError("--sysroot needs a directory");
    options.sysroot = v;
    continue;
  }
}
{OPTION("--env"){llvm::StringRef assignment = v;
if (!assignment.contains('='))
  return usageError("--env expects NAME=VALUE, got '" + v + "'");
auto [name, val] = assignment.split('=');
if (name == "LD_LIBRARY_PATH")
  options.ldLibraryPath = splitList(val, ":;");
continue;
} // namespace mkimage
}
{OPTION("--program-path"){if (!llvm::StringRef(v).startswith("/")) return usageError(
    "--program-path must be an absolute guest path, got '" + v + "'");
options.programGuestPath = v;
continue;
}
}
{OPTION("--dir"){auto m = parseMapping(v, "--dir");
if (!m)
  return m.takeError();
dirs.push_back(*m);
continue;
}
}
{OPTION("--file"){auto m = parseMapping(v, "--file");
if (!m)
  return m.takeError();
files.push_back(*m);
continue;
}
}
{OPTION("--package"){if (v.empty()) return usageError("--package needs a name");
packages.push_back(v);
continue;
}
}
{OPTION("--library"){if (v.empty()) return usageError("--library needs a name");
options.extraLibraries.push_back(v);
continue;
}
}
{OPTION("--glibc-hwcaps"){options.cpu.glibcHwcaps =
                              v.empty() ? std::vector<std::string>() : splitList(v, ",");
continue;
}
}
{OPTION("--legacy-hwcaps"){options.cpu.legacyHwcaps =
                               v.empty() ? std::vector<std::string>() : splitList(v, ",");
continue;
}
}
{OPTION("--platform"){options.cpu.platform = v;
continue;
}
}
{OPTION("--depfile"){depfile = v;
continue;
}
}
{
  OPTION("--depfile-target") {
    depfileTarget = v;
    continue;
  }
}
#undef OPTION
if (arg.startswith("-") && arg != "-")
  return usageError("unknown option '" + arg + "' (see --help)");
if (!program.empty())
  return usageError("more than one PROGRAM given ('" + program + "', '" + arg + "')");
program = arg.str();
}
if (program.empty())
  return usageError("missing PROGRAM (see --help)");
if (!depfileTarget.empty() && depfile.empty())
  return usageError("--depfile-target needs --depfile");

// The placed content as `build` lays it out, the program at its guest path first.
GuestTree tree;
std::vector<std::string> placedConsulted;
std::string programGuest = options.programGuestPath.empty()
                               ? "/" + llvm::sys::path::filename(program).str()
                               : options.programGuestPath;
{
  GuestNode node;
  node.kind = GuestNode::Kind::File;
  node.hostPath = program;
  node.source = "the program " + program;
  if (auto err = tree.add(programGuest, std::move(node)))
    return err;
}
if (auto err = addPlacedContent({files, dirs, packages, options.sysroot}, tree, placedConsulted))
  return err;
if (pluginClosure)
  options.plugins = placedElfObjects(tree, programGuest);
auto closure = resolveClosure(program, options);
if (!closure)
  return closure.takeError();
closure->consulted.insert(closure->consulted.end(), placedConsulted.begin(), placedConsulted.end());
for (const std::string& warning : closure->warnings)
  llvm::errs() << "nanos-mkimage: warning: " << warning << "\n";

if (!depfile.empty()) {
  Depfile d;
  for (const std::string& path : closure->consulted)
    d.add(path);
  if (auto err = d.write(depfile, depfileTarget.empty() ? program : depfileTarget))
    return err;
}
if (json)
  printJson(program, *closure, out);
else {
  printHuman(*closure, out);
  printPlugins(*closure, out);
}
return llvm::Error::success();
}

} // namespace mkimage
