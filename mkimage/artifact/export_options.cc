#include "artifact/export_options.h"

#include "image/build_options.h"

#include "llvm/ADT/StringExtras.h"

namespace mkimage::artifact {

const char* const kExportUsage =
    "usage: nanos-mkimage export IMAGE --format FORMAT -o OUTPUT [--size SIZE] [--depfile FILE]\n"
    "    [--threads N] [--kubevirt-manifest VM.yaml [--kubevirt-name NAME]\n"
    "    [--container-image REF] [--kubevirt-memory SIZE] [--kubevirt-cpus N]\n"
    "    [--kubevirt-port PORT[/udp]]...]\n"
    "formats: raw, qcow2, vmdk, vhd, vhdx, gce, oci, containerdisk\n";

// One artifact option at args[i] (its value at args[i + 1]): true if it was one, with `i`
// moved past it.
static llvm::Expected<bool> takeOne(Args args, size_t& i, ExportOptions& o) {
  llvm::StringRef a = args[i];
  static const char* const kNames[] = {
      "--format",        "--kubevirt-manifest", "--kubevirt-name",  "--kubevirt-memory",
      "--kubevirt-cpus", "--kubevirt-port",     "--container-image"};
  if (!llvm::is_contained(kNames, a))
    return false;
  if (i + 1 >= args.size())
    return usageError(a + " needs a value");
  llvm::StringRef v = args[++i];
  ++i;
  if (a == "--format") {
    auto f = parseFormat(v);
    if (!f)
      return usageError("--format: " + llvm::toString(f.takeError()));
    o.format = *f;
  } else if (a == "--kubevirt-manifest") {
    o.kubevirt.manifestPath = v.str();
  } else if (a == "--kubevirt-name") {
    o.kubevirt.name = v.str();
  } else if (a == "--container-image") {
    o.kubevirt.containerImage = v.str();
  } else if (a == "--kubevirt-memory") {
    auto s = parseSize(v);
    if (!s)
      return usageError(a + ": " + llvm::toString(s.takeError()));
    if (*s < (1ull << 20) || *s % (1ull << 20))
      return usageError(a + ": '" + v + "' is not a whole number of MiB");
    o.kubevirt.memoryMiB = *s >> 20;
  } else if (a == "--kubevirt-cpus") {
    unsigned n = 0;
    if (v.getAsInteger(10, n) || n == 0 || n > 1024)
      return usageError(a + ": '" + v + "' is not a CPU count from 1 to 1024");
    o.kubevirt.cpus = n;
  } else if (a == "--kubevirt-port") {
    auto p = parseServicePort(v);
    if (!p)
      return usageError(a + ": " + llvm::toString(p.takeError()));
    o.kubevirt.ports.push_back(*p);
  }
  return true;
}

llvm::Error takeArtifactOptions(Args args, std::vector<llvm::StringRef>& rest,
                                ExportOptions& options) {
  for (size_t i = 0; i < args.size();) {
    auto taken = takeOne(args, i, options);
    if (!taken)
      return taken.takeError();
    if (!*taken)
      rest.push_back(args[i++]);
  }
  return llvm::Error::success();
}

void completeKubevirtDefaults(ExportOptions& o) {
  if (o.kubevirt.name.empty())
    o.kubevirt.name = vmNameFromPath(o.output);
  if (o.kubevirt.containerImage.empty())
    o.kubevirt.containerImage = o.kubevirt.name + ":latest";
}

llvm::Expected<ExportOptions> parseExportOptions(Args args) {
  ExportOptions o;
  for (size_t i = 0; i < args.size();) {
    auto taken = takeOne(args, i, o);
    if (!taken)
      return taken.takeError();
    if (*taken)
      continue;
    llvm::StringRef a = args[i++];
    if (a == "--help" || a == "-h")
      return usageError(kExportUsage);
    bool hasValue =
        a == "-o" || a == "--output" || a == "--size" || a == "--depfile" || a == "--threads";
    if (hasValue && i >= args.size())
      return usageError(a + " needs a value");
    if (a == "-o" || a == "--output") {
      o.output = args[i++].str();
    } else if (a == "--depfile") {
      o.depfile = args[i++].str();
    } else if (a == "--size") {
      auto s = parseSize(args[i++]);
      if (!s)
        return usageError("--size: " + llvm::toString(s.takeError()));
      o.size = *s;
    } else if (a == "--threads") {
      if (args[i++].getAsInteger(10, o.threads) || o.threads > 1024)
        return usageError("--threads: '" + args[i - 1] + "' is not a thread count");
    } else if (a.startswith("-") && a != "-") {
      return usageError("unknown option '" + a + "'");
    } else if (o.image.empty()) {
      o.image = a.str();
    } else {
      return usageError("more than one IMAGE ('" + o.image + "', '" + a + "')");
    }
  }
  if (o.image.empty() || o.output.empty() || !o.format)
    return usageError(std::string("IMAGE, --format and -o are required\n") + kExportUsage);
  completeKubevirtDefaults(o);
  return o;
}

} // namespace mkimage::artifact
