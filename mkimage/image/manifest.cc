#include "image/manifest.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"

namespace mkimage {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

llvm::Error addManifestKeys(TfsValue& root, const BuildOptions& o,
                            const std::string& programGuestPath, const std::string& argv0) {
  // Keys the tool owns; --set may not replace them (their options exist for that).
  static const char* const kReserved[] = {"children",    "program", "arguments",
                                          "environment", "boot",    "nameservers",
                                          "image_digest"};
  TfsValue args = TfsValue::vector();
  args.elems.push_back(TfsValue::string(argv0));
  for (const std::string& a : o.args)
    args.elems.push_back(TfsValue::string(a));
  TfsValue env = TfsValue::tuple();
  for (const auto& [k, v] : o.env) // std::map: sorted, independent of option order
    env.set(k, TfsValue::string(v));

  // All other keys sorted by name; nested --set keys build sub-tuples.
  TfsValue config = TfsValue::tuple();
  config.set("arguments", std::move(args));
  if (!o.cwd.empty())
    config.set("cwd", TfsValue::string(o.cwd));
  if (o.debugExit)
    config.set("debug_exit", TfsValue::string("t"));
  config.set("environment", std::move(env));
  // --nameserver: Nanos has no manifest key for DNS servers (ops writes them into
  // /etc/resolv.conf only, as we do too); this one tells our kernel that the user chose
  // them, so DHCP's servers must not replace that file.
  if (!o.nameservers.empty()) {
    TfsValue servers = TfsValue::vector();
    for (const std::string& ns : o.nameservers)
      servers.elems.push_back(TfsValue::string(ns));
    config.set("nameservers", std::move(servers));
  }
  config.set("program", TfsValue::string(programGuestPath));
  for (const auto& [key, value] : o.settings) {
    llvm::SmallVector<llvm::StringRef, 4> parts;
    llvm::StringRef(key).split(parts, '.');
    for (llvm::StringRef p : parts)
      if (p.empty() || p.contains('/'))
        return fail("--set " + key + ": invalid key (empty component or '/')");
    for (const char* r : kReserved)
      if (parts[0] == r)
        return fail("--set " + key + ": '" + r + "' is set by the tool (use its option)");
    TfsValue* t = &config;
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      TfsValue* next = t->find(parts[i].str());
      if (!next)
        next = &t->set(parts[i].str(), TfsValue::tuple());
      if (next->kind != TfsValue::Kind::Tuple)
        return fail("--set " + key + ": '" + parts[i] + "' is already a plain value");
      t = next;
    }
    if (TfsValue* existing = t->find(parts.back().str());
        existing && existing->kind == TfsValue::Kind::Tuple)
      return fail("--set " + key + ": already a tuple of nested keys");
    t->set(parts.back().str(), TfsValue::string(value));
  }
  // Sort every tuple the settings built (std::map iteration already sorts siblings of the
  // same parent, but mixing fixed keys with settings needs a final pass).
  std::function<void(TfsValue&)> sortTuple = [&](TfsValue& v) {
    if (v.kind != TfsValue::Kind::Tuple)
      return;
    std::sort(v.entries.begin(), v.entries.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& e : v.entries)
      sortTuple(e.second);
  };
  sortTuple(config);
  for (auto& [k, v] : config.entries)
    root.set(k, std::move(v));
  return llvm::Error::success();
}

} // namespace mkimage
