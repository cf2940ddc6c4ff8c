#include "resolver/search_paths.h"

#include "llvm/ADT/SmallVector.h"

namespace mkimage {
namespace {

// glibc's is_dst(): "$NAME" followed by end or '/', or "${NAME}". Returns the length
// consumed after '$', 0 when no match.
size_t matchToken(llvm::StringRef rest, llvm::StringRef name) {
  if (rest.startswith("{")) {
    if (rest.drop_front().startswith(name) && rest.drop_front(1 + name.size()).startswith("}"))
      return name.size() + 2;
    return 0;
  }
  if (!rest.startswith(name))
    return 0;
  llvm::StringRef after = rest.drop_front(name.size());
  if (!after.empty() && after.front() != '/')
    return 0;
  return name.size();
}

} // namespace

std::optional<ExpandedPath> expandTokens(llvm::StringRef element, const DstContext& ctx) {
  ExpandedPath out;
  bool hostMapped = false;
  for (size_t i = 0; i < element.size(); ++i) {
    char c = element[i];
    if (c != '$') {
      out.guest += c;
      out.host += c;
      continue;
    }
    llvm::StringRef rest = element.drop_front(i + 1);
    size_t len;
    if ((len = matchToken(rest, "ORIGIN"))) {
      if (ctx.originGuest.empty())
        return std::nullopt;
      out.guest += ctx.originGuest;
      if (!ctx.originHost.empty()) {
        // Only a path that starts with a host-mapped $ORIGIN is looked up on the host.
        if (i == 0)
          hostMapped = true;
        out.host += ctx.originHost;
      } else {
        out.host += ctx.originGuest;
      }
    } else if ((len = matchToken(rest, "PLATFORM"))) {
      if (ctx.platform.empty())
        return std::nullopt;
      out.guest += ctx.platform;
      out.host += ctx.platform;
    } else if ((len = matchToken(rest, "LIB"))) {
      out.guest += ctx.lib;
      out.host += ctx.lib;
    } else {
      out.guest += c; // unknown tokens are kept literally, as ld.so does
      out.host += c;
      continue;
    }
    i += len;
  }
  if (!hostMapped)
    out.host.clear();
  return out;
}

std::vector<ExpandedPath> splitSearchPath(llvm::StringRef value, llvm::StringRef separators,
                                          const DstContext& ctx) {
  std::vector<ExpandedPath> dirs;
  llvm::SmallVector<llvm::StringRef, 8> elements;
  // Split on any of the separators, keeping empty elements (= current directory).
  size_t start = 0;
  for (size_t i = 0; i <= value.size(); ++i) {
    if (i == value.size() || separators.contains(value[i])) {
      elements.push_back(value.slice(start, i));
      start = i + 1;
    }
  }
  for (llvm::StringRef element : elements) {
    auto expanded = expandTokens(element, ctx);
    if (!expanded)
      continue;
    for (std::string* s : {&expanded->guest, &expanded->host}) {
      if (s->empty())
        continue;
      while (s->size() > 1 && s->back() == '/')
        s->pop_back();
      if (s->back() != '/')
        *s += '/';
    }
    if (expanded->guest.empty())
      expanded->guest = "./";
    dirs.push_back(std::move(*expanded));
  }
  return dirs;
}

std::vector<std::string> hwcapSubdirectories(const ResolveOptions::Cpu& cpu) {
  std::vector<std::string> subdirs;
  for (const std::string& name : cpu.glibcHwcaps)
    subdirs.push_back("glibc-hwcaps/" + name + "/");
  // _dl_important_hwcaps(): names in bit order, then the platform, then "tls"; every subset,
  // largest first, each written from the last name to the first ("tls/haswell/x86_64/").
  std::vector<std::string> names = cpu.legacyHwcaps;
  if (!cpu.platform.empty())
    names.push_back(cpu.platform);
  names.push_back("tls");
  size_t count = names.size();
  size_t all = (size_t(1) << count) - 1;
  for (size_t i = 0; i <= all; ++i) {
    size_t mask = ~i & all;
    std::string subdir;
    for (size_t n = count; n-- > 0;)
      if (mask & (size_t(1) << n))
        subdir += names[n] + "/";
    subdirs.push_back(subdir);
  }
  return subdirs;
}

TargetDefaults detectTargetDefaults(llvm::StringRef bytes) {
  // SYSTEM_DIRS is stored as consecutive NUL-terminated strings.
  struct Known {
    llvm::StringRef blob;
    std::vector<std::string> dirs;
    const char* lib;
  };
  static constexpr char kDebian[] =
      "/lib/x86_64-linux-gnu/\0/usr/lib/x86_64-linux-gnu/\0/lib/\0/usr/lib/\0";
  static constexpr char kLib64[] = "/lib64/\0/usr/lib64/\0";
  static const Known known[] = {
      {llvm::StringRef(kDebian, sizeof kDebian - 1),
       {"/lib/x86_64-linux-gnu/", "/usr/lib/x86_64-linux-gnu/", "/lib/", "/usr/lib/"},
       "lib/x86_64-linux-gnu"},
      {llvm::StringRef(kLib64, sizeof kLib64 - 1), {"/lib64/", "/usr/lib64/"}, "lib64"},
  };
  for (const Known& k : known)
    if (bytes.contains(k.blob))
      return {k.dirs, k.lib};
  return {known[0].dirs, known[0].lib};
}

} // namespace mkimage
