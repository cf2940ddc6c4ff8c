// checkBuildOptions: the one validation of `build`'s values. It runs after the command line
// and every -c file are applied, so a value is checked the same way whichever way it came
// (docs/mkimage.md, "Checks"). Only values are checked here; inputs (files) at build time.
#include "image/build_options.h"
#include "image/guest_tree.h"
#include "lib/path_rules.h"
#include "resolver/error_text.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"

namespace mkimage {

constexpr size_t kMaxSetKeyDots = 1000;

// Messages quote keys and values from the user: control characters are escaped (\xNN) so
// that an error stays one line.
static llvm::Error fail(const llvm::Twine& message) {
  return errorLine(message);
}

// NUL ends a C string: the kernel would pass a shorter argument, name or value than written.
static llvm::Error noNul(llvm::StringRef value, const llvm::Twine& what) {
  if (value.contains('\0'))
    return fail(what + ": contains a NUL byte");
  return llvm::Error::success();
}

// A dotted-quad IPv4 address: four decimal numbers 0..255.
static bool isIpv4(llvm::StringRef text, uint32_t* out = nullptr) {
  llvm::SmallVector<llvm::StringRef, 4> parts;
  text.split(parts, '.', -1, true);
  if (parts.size() != 4)
    return false;
  uint32_t value = 0;
  for (llvm::StringRef p : parts) {
    unsigned n;
    if (p.empty() || p.size() > 3 || !llvm::all_of(p, llvm::isDigit) || p.getAsInteger(10, n) ||
        n > 255)
      return false;
    value = value << 8 | n;
  }
  if (out)
    *out = value;
  return true;
}

static llvm::Error checkNetwork(const std::map<std::string, std::string>& settings) {
  for (const char* key : {"ipaddr", "gateway", "netmask"}) {
    auto it = settings.find(key);
    if (it == settings.end())
      continue;
    uint32_t v;
    if (!isIpv4(it->second, &v))
      return fail("--" + llvm::Twine(key) + " '" + it->second +
                  "': not an IPv4 address (four numbers 0-255 separated by dots)");
    // A netmask is ones then zeros: ~mask + 1 is then a power of two (or zero for /0).
    uint32_t inverted = ~v;
    if (llvm::StringRef(key) == "netmask" && (inverted & (inverted + 1)) != 0)
      return fail("--netmask '" + it->second + "': not a netmask (its one bits must be leading)");
  }
  return llvm::Error::success();
}

static llvm::Error checkExitCode(const std::map<std::string, std::string>& settings) {
  auto it = settings.find("expected_exit_code");
  if (it == settings.end())
    return llvm::Error::success();
  unsigned code;
  llvm::StringRef text = it->second;
  if (text.empty() || !llvm::all_of(text, llvm::isDigit) || text.getAsInteger(10, code) ||
      code > 255)
    return fail("--expected-exit-code '" + text + "': expected an exit status 0-255");
  return llvm::Error::success();
}

llvm::Error checkBuildOptions(const BuildOptions& o) {
  if (o.label.size() > 31)
    return fail("--label '" + o.label + "': at most 31 bytes (it has " +
                llvm::Twine(o.label.size()) + ")");
  if (auto e = noNul(o.label, "--label"))
    return e;
  if (auto e = noNul(o.seed, "--seed"))
    return e;
  if (o.argv0)
    if (auto e = noNul(*o.argv0, "--argv0"))
      return e;
  for (size_t i = 0; i < o.args.size(); ++i)
    if (auto e = noNul(o.args[i], "--arg #" + llvm::Twine(i + 1)))
      return e;
  for (const auto& [name, value] : o.env) {
    if (name.empty() || llvm::StringRef(name).contains('='))
      return fail("--env '" + name + "': a name must be non-empty and hold no '='");
    if (auto e = noNul(name, "--env name"))
      return e;
    if (auto e = noNul(value, "--env " + name))
      return e;
  }
  for (const auto& [key, value] : o.settings) {
    if (auto e = noNul(key, "--set key"))
      return e;
    // The exact depth check is on the whole tree (checkTfsNesting, tfs::kMaxNesting); this
    // only bounds the recursion that builds the tree before it, far above that limit.
    if (llvm::StringRef(key).count('.') >= kMaxSetKeyDots)
      return fail("--set " + key.substr(0, 100) +
                  "...: manifest key nested too deeply for the TFS decoder");
  }
  if (auto e = checkNetwork(o.settings))
    return e;
  if (auto e = checkExitCode(o.settings))
    return e;
  if (!o.cwd.empty()) {
    auto cwd = validateGuestPath(o.cwd, "--cwd");
    if (!cwd)
      return cwd.takeError();
  }
  if (!o.programPath.empty()) {
    auto p = validateGuestPath(o.programPath, "--program-path");
    if (!p)
      return p.takeError();
  }
  return llvm::Error::success();
}

} // namespace mkimage
