// Command-line options of `nanos-mkimage export`, and the artifact options `build` shares
// (--format and the KubeVirt ones), which `build` takes out of its command line before its own
// parser sees it. Errors are UsageError (exit status 2).
#pragma once

#include "artifact/export.h"
#include "tool/commands.h"

#include <vector>

namespace mkimage::artifact {

extern const char* const kExportUsage;

llvm::Expected<ExportOptions> parseExportOptions(Args args);

// Moves --format, --kubevirt-manifest, --kubevirt-name, --kubevirt-memory, --kubevirt-cpus,
// --kubevirt-port and --container-image (with their values) from `args` into `options`;
// everything else is appended to `rest` in order.
llvm::Error takeArtifactOptions(Args args, std::vector<llvm::StringRef>& rest,
                                ExportOptions& options);

// Defaults that depend on the output name (VM name, container image), applied after parsing.
void completeKubevirtDefaults(ExportOptions& options);

} // namespace mkimage::artifact
