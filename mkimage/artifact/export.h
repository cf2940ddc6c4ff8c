// `nanos-mkimage export IMAGE --format FMT -o OUT`: a Nanos image as a cloud or Kubernetes
// artifact (docs/mkimage.md, "Artifacts"). Same image, same options: same bytes.
#pragma once

#include "artifact/kubevirt_manifest.h"

#include "llvm/Support/Error.h"

#include <optional>
#include <string>

namespace mkimage::artifact {

enum class Format { Raw, Qcow2, Vmdk, Vhd, Vhdx, Gce, Oci, ContainerDisk };

// "raw", "qcow2", ...; an error lists the formats.
llvm::Expected<Format> parseFormat(llvm::StringRef name);
const char* formatName(Format format);
// The format's unit: the virtual disk size is a multiple of it (VHD: 1 MiB, GCE: 1 GiB, else 512).
uint64_t sizeUnit(Format format);

// The virtual size of the artifact: `requested` (--size) or the image size rounded up to the
// format's unit. Errors: smaller than the image, not a multiple of the unit, over a limit.
llvm::Expected<uint64_t> virtualSize(Format format, uint64_t imageSize,
                                     std::optional<uint64_t> requested);

struct ExportOptions {
  std::string image;
  std::string output;
  std::optional<Format> format;
  std::optional<uint64_t> size;
  std::string depfile;
  unsigned threads = 0;
  KubevirtOptions kubevirt;
};

// OCI formats write a layout directory unless the output name ends in ".tar" (an archive).
bool writesDirectory(const ExportOptions& options);

// All or nothing: on failure neither the artifact nor the manifest or depfile is left.
llvm::Error exportImage(const ExportOptions& options);

} // namespace mkimage::artifact
