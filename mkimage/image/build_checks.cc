// checkBuildOptions: the one validation of `build`'s values. It runs after the command line
// and every -c file are applied, so a value is checked the same way whichever way it came
// (docs/mkimage.md, "Checks"). Only values are checked here; inputs (files) at build time.
#include "image/build_options.h"
#include "image/guest_tree.h"
#include "lib/path_rules.h"
#include "resolver/error_text.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

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

static std::string dottedQuad(uint32_t v) {
  return std::to_string(v >> 24) + "." + std::to_string(v >> 16 & 255) + "." +
         std::to_string(v >> 8 & 255) + "." + std::to_string(v & 255);
}

static unsigned prefixLength(uint32_t mask) {
  return static_cast<unsigned>(llvm::countPopulation(mask));
}

// Why `v` cannot be a unicast host address on any network (RFC 1122 3.2.1.3, RFC 5771,
// RFC 1112: this-host 0/8, loopback 127/8, multicast 224/4, reserved 240/4), or "".
static const char* notUnicast(uint32_t v) {
  if (v >> 24 == 0)
    return "an address of 0.0.0.0/8 (\"this host\")";
  if (v >> 24 == 127)
    return "a loopback address";
  if (v >> 28 == 14)
    return "a multicast address";
  if (v >> 28 == 15)
    return "a reserved or broadcast address";
  return "";
}

// Static IPv4 configuration: root keys ipaddr, netmask, gateway (Nanos' names; a key may
// also come from RunConfig or --set) and the DNS servers. Nanos reads an ipaddr without
// netmask as a /24 and needs no gateway; our kernel follows it (kernel/net/configure.h).
// A netmask or gateway without an address would be ignored (the interface uses DHCP), so
// it is an error here.
static llvm::Error checkNetwork(const BuildOptions& o) {
  std::map<std::string, uint32_t> v;
  for (const char* key : {"ipaddr", "gateway", "netmask"}) {
    auto it = o.settings.find(key);
    if (it == o.settings.end())
      continue;
    if (!isIpv4(it->second, &v[key]))
      return fail("--" + llvm::Twine(key) + " '" + it->second +
                  "': not an IPv4 address (four numbers 0-255 separated by dots)");
  }
  auto text = [&](const char* key) { return o.settings.at(key); };
  if (v.count("netmask")) {
    // A netmask is ones then zeros: ~mask + 1 is then a power of two (or zero for /0).
    uint32_t inverted = ~v["netmask"];
    if ((inverted & (inverted + 1)) != 0)
      return fail("--netmask '" + text("netmask") +
                  "': not a netmask (its one bits must be leading)");
    if (v["netmask"] == 0)
      return fail("--netmask '" + text("netmask") +
                  "': a /0 netmask puts every address on "
                  "the link (expected /1 to /32)");
  }
  if (!v.count("ipaddr")) {
    for (const char* key : {"netmask", "gateway"})
      if (v.count(key))
        return fail("--" + llvm::Twine(key) + " '" + text(key) +
                    "' needs --ipaddr (without an address the interface is configured by DHCP)");
  } else {
    uint32_t ip = v["ipaddr"];
    uint32_t mask = v.count("netmask") ? v["netmask"] : 0xffffff00u; // the kernel's default
    std::string subnet = dottedQuad(ip & mask) + "/" + std::to_string(prefixLength(mask));
    if (const char* why = notUnicast(ip); *why)
      return fail("--ipaddr '" + text("ipaddr") + "': not a host address (" + why + ")");
    // /31 (RFC 3021) and /32 have no network or broadcast address.
    if (prefixLength(mask) <= 30 && (ip & ~mask) == 0)
      return fail("--ipaddr '" + text("ipaddr") + "': the network address of " + subnet +
                  ", not a host address");
    if (prefixLength(mask) <= 30 && (ip & ~mask) == ~mask)
      return fail("--ipaddr '" + text("ipaddr") + "': the broadcast address of " + subnet +
                  ", not a host address");
    if (v.count("gateway")) {
      uint32_t gw = v["gateway"];
      if (gw == ip)
        return fail("--gateway '" + text("gateway") + "': the same as --ipaddr");
      if ((gw & mask) != (ip & mask))
        return fail("--gateway '" + text("gateway") + "': not reachable from --ipaddr " +
                    text("ipaddr") + " (outside its subnet " + subnet +
                    (v.count("netmask") ? "" : ", the default /24 without --netmask") + ")");
      if (prefixLength(mask) <= 30 && ((gw & ~mask) == 0 || (gw & ~mask) == ~mask))
        return fail("--gateway '" + text("gateway") + "': the network or broadcast address of " +
                    subnet + ", not a router");
    }
  }
  // glibc's resolver uses the first three `nameserver` lines (MAXNS) and ignores the rest.
  if (o.nameservers.size() > 3)
    return fail("--nameserver: at most 3 servers (the C library's resolver uses only the first "
                "3), got " +
                llvm::Twine(o.nameservers.size()));
  for (const std::string& ns : o.nameservers) {
    uint32_t a;
    if (!isIpv4(ns, &a))
      return fail("--nameserver '" + ns +
                  "': not an IPv4 address (four numbers 0-255 separated by dots)");
    if (a == 0 || a >> 28 >= 14)
      return fail("--nameserver '" + ns + "': not a unicast address");
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
  // Debian package names: lower-case letters, digits, + - . (Debian Policy 5.6.1), and an
  // optional :ARCH. Anything else cannot name a list file in the dpkg database.
  for (const std::string& package : o.packages) {
    auto [name, arch] = llvm::StringRef(package).split(':');
    auto valid = [](llvm::StringRef s, llvm::StringRef extra) {
      return !s.empty() && llvm::all_of(s, [&](char c) {
        return llvm::isDigit(c) || (c >= 'a' && c <= 'z') || extra.contains(c);
      });
    };
    if (!valid(name, "+-.") || (package.find(':') != std::string::npos && !valid(arch, "-")) ||
        llvm::StringRef(arch).contains(':'))
      return fail("--package '" + package + "': not a Debian package name (NAME or NAME:ARCH)");
  }
  if (auto e = checkNetwork(o))
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
