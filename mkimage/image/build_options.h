// Options of `nanos-mkimage build`, from the command line and/or a JSON config file
// (docs/mkimage.md, "Config file"). Parsing only: nothing here touches the inputs.
#pragma once

#include "tool/commands.h"

#include "llvm/Support/Error.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mkimage {

struct PathMapping {
  std::string host;   // as given (relative to the cwd, or to the config file)
  std::string guest;  // as given; validated later
  std::string origin; // "--file a:/b" / "config Files[2]" for error messages
};

struct BuildOptions {
  std::string program;     // host path
  std::string output;      // image path
  std::string programPath; // guest path ("" = /<name>)
  std::optional<std::string> argv0;
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string cwd;
  std::string kernel, boot; // "" = defaults next to the tool
  // --uefi (config "Uefi", ops' key): the BIOS+UEFI layout, an EFI system partition holding
  // the UEFI loader before the boot TFS (spec §1.4). --uefi-loader FILE (config "UefiLoader")
  // names the loader; "" = BOOTX64.EFI next to the tool.
  bool uefi = false;
  std::string uefiLoader;
  std::vector<PathMapping> files, dirs;
  // --set KEY=VALUE (dotted keys nest); later settings of a key win.
  std::map<std::string, std::string> settings;
  // --nameserver (repeatable; config "NameServers", ops' key): DNS servers, in order. They
  // become /etc/resolv.conf and the root key `nameservers` (docs/mkimage.md, "Network").
  std::vector<std::string> nameservers;
  std::optional<uint64_t> size;
  uint64_t margin = 4ull << 20;
  std::string sysroot;
  std::string seed;
  std::string bom, depfile;
  std::string label;
  bool compress = false;
  bool nss = true;
  bool ldCache = true; // write /etc/ld.so.cache for the libraries resolved
  std::vector<std::string> libraries;
  // --package NAME[:ARCH] (config "Packages"): installed Debian packages whose files go in.
  std::vector<std::string> packages;
  // Resolve the DT_NEEDED of every ELF object placed by --dir, --file and --package too
  // (--no-plugin-closure turns it off).
  bool pluginClosure = true;
  unsigned threads = 0; // 0 = number of CPUs (copy and zstd workers; output does not depend on it)
  bool debugExit = true;
  bool imageDigest = true;              // write `image_digest` (our kernel checks it at mount)
  std::vector<std::string> configFiles; // for the depfile
};

// Parses the `build` command line (including -c files, applied where they appear: later
// options override or extend earlier ones). `usage` errors are UsageError.
llvm::Expected<BuildOptions> parseBuildOptions(Args args);
// The same into `options`, which keeps what was parsed before an error (the outputs named so
// far are removed after a failed parse: a build is all or nothing).
llvm::Error parseBuildOptionsInto(Args args, BuildOptions& options);

// The one validation every value goes through, whichever way it arrived (command line or
// config file): build_checks.cc. Called by parseBuildOptions; errors name the option.
llvm::Error checkBuildOptions(const BuildOptions& options);

// Applies one JSON config file to `options` (paths relative to the file's directory).
llvm::Error applyConfigFile(const std::string& path, BuildOptions& options);
// The same for a config already in memory (`path` names it in errors; the fuzz target).
llvm::Error applyConfigText(llvm::StringRef text, const std::string& path, BuildOptions& options);

// "HOST:GUEST" of --file/--dir (split at the last ":/"); `option` names it in errors.
llvm::Expected<PathMapping> parseMapping(llvm::StringRef text, llvm::StringRef option);

// "64M", "1G", "4096", "2k": bytes.
llvm::Expected<uint64_t> parseSize(llvm::StringRef text);

extern const char* const kBuildUsage;

} // namespace mkimage
