#include "artifact/export.h"

#include "artifact/disk_source.h"
#include "artifact/gce_writer.h"
#include "artifact/oci_writer.h"
#include "artifact/qcow2_writer.h"
#include "artifact/sink.h"
#include "artifact/vhd_writer.h"
#include "artifact/vhdx_writer.h"
#include "artifact/vmdk_writer.h"
#include "support/atomic_file.h"
#include "support/depfile.h"
#include "support/output_paths.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage::artifact {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

namespace {
struct FormatInfo {
  Format format;
  const char* name;
};
const FormatInfo kFormats[] = {
    {Format::Raw, "raw"},   {Format::Qcow2, "qcow2"},
    {Format::Vmdk, "vmdk"}, {Format::Vhd, "vhd"},
    {Format::Vhdx, "vhdx"}, {Format::Gce, "gce"},
    {Format::Oci, "oci"},   {Format::ContainerDisk, "containerdisk"},
};
} // namespace

llvm::Expected<Format> parseFormat(llvm::StringRef name) {
  std::string all;
  for (const FormatInfo& f : kFormats) {
    if (name == f.name)
      return f.format;
    all += all.empty() ? "" : ", ";
    all += f.name;
  }
  return fail("unknown format '" + name + "' (formats: " + all + ")");
}

const char* formatName(Format format) {
  for (const FormatInfo& f : kFormats)
    if (f.format == format)
      return f.name;
  return "?";
}

uint64_t sizeUnit(Format format) {
  switch (format) {
  case Format::Vhd:
    return 1ull << 20; // Azure: whole MiB
  case Format::Gce:
    return kGceSizeUnit;
  default:
    return 512;
  }
}

static std::string sizeText(uint64_t bytes) {
  if (bytes % (1ull << 30) == 0)
    return std::to_string(bytes >> 30) + " GiB";
  if (bytes % (1ull << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes) + " bytes";
}

llvm::Expected<uint64_t> virtualSize(Format format, uint64_t imageSize,
                                     std::optional<uint64_t> requested) {
  uint64_t unit = sizeUnit(format);
  uint64_t size = requested ? *requested : (imageSize + unit - 1) / unit * unit;
  if (size < imageSize)
    return fail("--size " + sizeText(size) + " is smaller than the image (" +
                std::to_string(imageSize) + " bytes)");
  if (size % unit)
    return fail(std::string(formatName(format)) + ": the disk size must be a multiple of " +
                sizeText(unit) + ", not " + std::to_string(size) + " bytes");
  if (format == Format::Vhd && size > kVhdMaxSize)
    return fail("vhd: a fixed VHD holds at most 2040 GiB, not " + sizeText(size));
  return size;
}

bool writesDirectory(const ExportOptions& o) {
  bool oci = o.format == Format::Oci || o.format == Format::ContainerDisk;
  return oci && !llvm::StringRef(o.output).endswith(".tar");
}

namespace {

// A directory beside the output for an OCI layout under construction; removed unless released.
class TempDirectory {
public:
  static llvm::Expected<TempDirectory> beside(const std::string& output) {
    llvm::StringRef parent = llvm::sys::path::parent_path(output);
    std::string pattern = (parent.empty() ? std::string(".") : parent.str()) + "/." +
                          llvm::sys::path::filename(output).str() + ".tmp-XXXXXX";
    if (!::mkdtemp(pattern.data()))
      return fail(output + ": cannot create a temporary directory: " + std::strerror(errno));
    TempDirectory t;
    t.path = pattern;
    return t;
  }
  TempDirectory() = default;
  TempDirectory(TempDirectory&& other) noexcept : path(std::move(other.path)) {
    other.path.clear();
  }
  TempDirectory& operator=(TempDirectory&& other) noexcept {
    std::swap(path, other.path);
    return *this;
  }
  ~TempDirectory() {
    if (!path.empty())
      llvm::sys::fs::remove_directories(path);
  }
  std::string path;
};

bool isDirectory(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// An existing output directory may only be replaced if it is an OCI layout (ours, earlier).
llvm::Error checkDirectoryOutput(const std::string& output) {
  struct stat st;
  if (::lstat(output.c_str(), &st) != 0)
    return llvm::Error::success();
  if (!S_ISDIR(st.st_mode) || ::access((output + "/oci-layout").c_str(), F_OK) != 0)
    return fail("-o " + output +
                ": exists and is not an OCI layout directory (name it NAME.tar for an archive)");
  return llvm::Error::success();
}

llvm::Error writeFileFormat(const DiskSource& disk, const ExportOptions& o, AtomicFile& file) {
  FileSink sink(file.fd(), o.output);
  llvm::Error e = llvm::Error::success();
  switch (*o.format) {
  case Format::Raw:
    e = copyDisk(disk, sink);
    break;
  case Format::Qcow2:
    e = Qcow2Writer::writeFile(disk, sink);
    break;
  case Format::Vmdk:
    e = writeVmdk(disk, VmdkOptions{o.threads}, sink);
    break;
  case Format::Vhd:
    e = writeVhd(disk, sink);
    break;
  case Format::Vhdx:
    e = writeVhdx(disk, sink);
    break;
  case Format::Gce:
    e = writeGceTarball(disk, sink);
    break;
  case Format::Oci:
  case Format::ContainerDisk:
    e = fail("internal: OCI formats are not single files");
    break;
  }
  if (e)
    return e;
  return sink.finish();
}

llvm::Error writeOciFormat(const DiskSource& disk, const ExportOptions& o,
                           std::optional<AtomicFile>& archive, TempDirectory& layout) {
  auto temp = TempDirectory::beside(o.output);
  if (!temp)
    return temp.takeError();
  layout = std::move(*temp);
  OciLayer kind = o.format == Format::Oci ? OciLayer::RawDisk : OciLayer::ContainerDisk;
  if (auto e = writeOciLayout(disk, kind, layout.path))
    return e;
  if (!archive)
    return llvm::Error::success();
  FileSink sink(archive->fd(), o.output);
  if (auto e = writeOciArchive(layout.path, sink))
    return e;
  return sink.finish();
}

} // namespace

static llvm::Error exportChecked(const ExportOptions& o) {
  if (o.image.empty() || o.output.empty() || !o.format)
    return fail("export needs IMAGE, --format and -o");
  const bool directory = writesDirectory(o);
  if (!o.kubevirt.manifestPath.empty() && o.format != Format::ContainerDisk)
    return fail("--kubevirt-manifest goes with --format containerdisk");
  std::vector<OutputPath> outputs = {{directory ? "" : o.output, "-o"},
                                     {o.kubevirt.manifestPath, "--kubevirt-manifest"},
                                     {o.depfile, "--depfile"}};
  if (auto e = checkOutputPaths(outputs, {o.image}))
    return e;
  if (directory)
    if (auto e = checkDirectoryOutput(o.output))
      return e;

  auto disk = DiskSource::openImage(o.image);
  if (!disk)
    return disk.takeError();
  auto size = virtualSize(*o.format, disk->contentSize(), o.size);
  if (!size)
    return size.takeError();
  disk->setSize(*size);

  // Everything is written to temporary files first and renamed at the end, artifact first.
  std::optional<AtomicFile> manifest, depfile, file;
  if (!o.kubevirt.manifestPath.empty()) {
    auto text = kubevirtManifest(o.kubevirt);
    if (!text)
      return text.takeError();
    auto f = AtomicFile::create(o.kubevirt.manifestPath);
    if (!f)
      return f.takeError();
    manifest.emplace(std::move(*f));
    if (auto e = manifest->writeAt(0, *text))
      return e;
  }
  if (!o.depfile.empty()) {
    Depfile deps;
    deps.add(o.image);
    auto f = AtomicFile::create(o.depfile);
    if (!f)
      return f.takeError();
    depfile.emplace(std::move(*f));
    if (auto e = depfile->writeAt(0, deps.render(o.output)))
      return e;
  }
  if (!directory) {
    auto f = AtomicFile::create(o.output);
    if (!f)
      return f.takeError();
    file.emplace(std::move(*f));
  }

  TempDirectory layout;
  if (o.format == Format::Oci || o.format == Format::ContainerDisk) {
    if (auto e = writeOciFormat(*disk, o, file, layout))
      return e;
  } else if (auto e = writeFileFormat(*disk, o, *file)) {
    return e;
  }

  if (directory) {
    if (isDirectory(o.output))
      llvm::sys::fs::remove_directories(o.output);
    if (::rename(layout.path.c_str(), o.output.c_str()) != 0)
      return fail(o.output + ": cannot rename the layout into place: " + std::strerror(errno));
    layout.path.clear();
    ::chmod(o.output.c_str(), 0755);
  } else if (auto e = file->commit()) {
    return e;
  }
  for (std::optional<AtomicFile>* extra : {&manifest, &depfile})
    if (*extra)
      if (auto e = (*extra)->commit())
        return e;
  return llvm::Error::success();
}

llvm::Error exportImage(const ExportOptions& o) {
  llvm::Error e = exportChecked(o);
  if (e) { // all or nothing: no output of this command survives a failure
    std::vector<OutputPath> outputs = {{writesDirectory(o) ? "" : o.output, "-o"},
                                       {o.kubevirt.manifestPath, "--kubevirt-manifest"},
                                       {o.depfile, "--depfile"}};
    removeFailedOutputs(outputs, {o.image});
  }
  return e;
}

} // namespace mkimage::artifact
