#include "image/image_builder.h"

#include "image/disk_layout.h"
#include "image/fat32_writer.h"
#include "image/file_io.h"
#include "image/guest_tree.h"
#include "image/image_digest.h"
#include "image/kernel_image.h"
#include "image/manifest.h"
#include "image/placed_content.h"
#include "image/tfs_encoder.h"
#include "resolver/error_text.h"
#include "resolver/ld_cache.h"
#include "resolver/resolver.h"
#include "support/atomic_file.h"
#include "support/depfile.h"
#include "support/output_paths.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace mkimage {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

static uint64_t blocksFor(uint64_t bytes) {
  return (bytes + kTfsBlock - 1) / kTfsBlock;
}
static uint64_t roundUp(uint64_t v, uint64_t a) {
  return (v + a - 1) / a * a;
}

std::string defaultDataDir() {
  char buf[4096];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0)
    return "share/nanos-unikernel";
  std::string exe(buf, static_cast<size_t>(n));
  llvm::StringRef binDir = llvm::sys::path::parent_path(exe);
  return (llvm::sys::path::parent_path(binDir) + "/share/nanos-unikernel").str();
}

namespace {

struct Input {
  std::string path;
  uint64_t size = 0;
  std::string digest;
};

// A file the kernel boots: /kernel in the boot TFS.
struct TfsPartition {
  uint64_t offset = 0; // bytes from the start of the disk
  uint64_t usedBlocks = 0;
  uint64_t sizeBytes = 0;
  std::vector<TfsLogPiece> log;
};

// `chunkDigests`: nullptr for none (the boot TFS, --no-image-digest); empty: a placeholder
// of their length, until the data is written.
TfsValue fileTuple(uint64_t size, uint64_t block, const std::string* chunkDigests = nullptr) {
  TfsValue f = TfsValue::tuple();
  if (chunkDigests && size > 0)
    f.set("chunk_digests", TfsValue::string(chunkDigests->empty()
                                                ? chunkDigestsPlaceholder(size)
                                                : *chunkDigests));
  TfsValue extents = TfsValue::tuple();
  if (size > 0) {
    TfsValue ext = TfsValue::tuple();
    uint64_t blocks = blocksFor(size);
    ext.set("allocated", TfsValue::integer(blocks));
    ext.set("length", TfsValue::integer(blocks));
    ext.set("offset", TfsValue::integer(block));
    extents.set("0", std::move(ext));
  }
  f.set("extents", std::move(extents));
  f.set("filelength", TfsValue::integer(size));
  return f;
}

// Builds the `children` tuple of the directory `dir` (names sorted bytewise); files get
// `chunk_digests` when `chunkDigests`.
TfsValue directoryTuple(const std::map<std::string, GuestNode>& nodes, const std::string& dir,
                        bool chunkDigests) {
  TfsValue children = TfsValue::tuple();
  std::string prefix = dir == "/" ? "/" : dir + "/";
  // Entries directly below `dir` follow it in the sorted map, but not contiguously
  // ("/a/b" < "/a.b" < "/a/c" is impossible: '/' < '.' is false, so gather then sort).
  std::vector<std::pair<std::string, const GuestNode*>> direct;
  for (auto it = nodes.lower_bound(prefix); it != nodes.end(); ++it) {
    if (!llvm::StringRef(it->first).startswith(prefix))
      break;
    llvm::StringRef rest = llvm::StringRef(it->first).drop_front(prefix.size());
    if (rest.empty() || rest.contains('/'))
      continue;
    direct.emplace_back(rest.str(), &it->second);
  }
  std::sort(direct.begin(), direct.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (const auto& [name, node] : direct) {
    std::string path = prefix + name;
    switch (node->kind) {
    case GuestNode::Kind::Directory: {
      TfsValue d = TfsValue::tuple();
      d.set("children", directoryTuple(nodes, path, chunkDigests));
      children.append(name, std::move(d));
      break;
    }
    case GuestNode::Kind::Symlink: {
      TfsValue l = TfsValue::tuple();
      l.set("linktarget", TfsValue::string(node->linkTarget));
      children.append(name, std::move(l));
      break;
    }
    case GuestNode::Kind::File:
    case GuestNode::Kind::Generated:
      children.append(name, fileTuple(node->size, node->block,
                                      chunkDigests ? &node->chunkDigests : nullptr));
      break;
    }
  }
  return children;
}

std::array<uint8_t, 16> uuidFrom(const Digest& d) {
  std::array<uint8_t, 16> u;
  d.bytes(u.data());
  u[6] = static_cast<uint8_t>((u[6] & 0x0f) | 0x80); // RFC 9562 version 8 (custom)
  u[8] = static_cast<uint8_t>((u[8] & 0x3f) | 0x80); // RFC 4122 variant
  return u;
}

std::string uuidText(const std::array<uint8_t, 16>& u) {
  std::string h = llvm::toHex(llvm::ArrayRef<uint8_t>(u.data(), 16), true);
  return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
         "-" + h.substr(20);
}

// Lays out one TFS: files at their blocks from 1025, then log extensions after them.
TfsPartition layoutTfs(const std::string& encodedRoot, const std::array<uint8_t, 16>& uuid,
                       const std::string& label, uint64_t dataEndBlock) {
  TfsPartition p;
  uint64_t alloc = dataEndBlock;
  p.log = layoutTfsLog(encodedRoot, uuid, label, [&] {
    uint64_t b = alloc;
    alloc += kTfsExtensionBlocks;
    return b;
  });
  p.usedBlocks = alloc;
  return p;
}

llvm::Error writePieces(AtomicFile& out, uint64_t base, const std::vector<TfsLogPiece>& log) {
  for (const TfsLogPiece& piece : log)
    if (auto e = out.writeAt(base + piece.block * kTfsBlock, piece.bytes))
      return e;
  return llvm::Error::success();
}

llvm::Expected<Input> readInput(const std::string& path, const char* what,
                                const std::string& dataDir, bool digest) {
  Input in;
  in.path = path;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (path.rfind(dataDir, 0) == 0)
      return fail(std::string("default ") + what + " " + path +
                  " not found (build the kernel, or pass --kernel FILE and --boot FILE, e.g. "
                  "an upstream Nanos release's kernel.img/boot.img)");
    return fail(std::string(what) + " " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode))
    return fail(std::string(what) + " " + path + ": not a regular file");
  in.size = static_cast<uint64_t>(st.st_size);
  if (!digest)
    return in;
  auto d = digestFile(path, in.size);
  if (!d)
    return d.takeError();
  in.digest = *d;
  return in;
}

std::string baseName(llvm::StringRef path) {
  return llvm::sys::path::filename(path).str();
}

} // namespace

static std::string kernelPathOf(const BuildOptions& o) {
  return o.kernel.empty() ? defaultDataDir() + "/kernel.img" : o.kernel;
}
static std::string bootPathOf(const BuildOptions& o) {
  return o.boot.empty() ? defaultDataDir() + "/boot.img" : o.boot;
}
static std::string uefiLoaderPathOf(const BuildOptions& o) {
  return o.uefiLoader.empty() ? defaultDataDir() + "/BOOTX64.EFI" : o.uefiLoader;
}

// Writes every output to a temporary file, then renames them all into place. The caller
// removes whatever is left under an output's name if this fails.
static llvm::Error buildAll(const BuildOptions& o) {
  std::string dataDir = defaultDataDir();
  std::string kernelPath = kernelPathOf(o);
  std::string bootPath = bootPathOf(o);
  Depfile deps;
  for (const std::string& c : o.configFiles)
    deps.add(c);

  // ---- inputs ----
  auto bootInput = readInput(bootPath, "boot image", dataDir, true);
  if (!bootInput)
    return bootInput.takeError();
  auto bootBytes = llvm::MemoryBuffer::getFile(bootPath, false, false);
  if (!bootBytes)
    return fail(bootPath + ": cannot read boot image: " + bootBytes.getError().message());
  auto boot = parseBootImage((*bootBytes)->getBuffer().str(), bootPath);
  if (!boot)
    return boot.takeError();
  auto kernel = readInput(kernelPath, "kernel", dataDir, false);
  if (!kernel)
    return kernel.takeError();
  {
    auto kernelBytes = llvm::MemoryBuffer::getFile(kernelPath, false, false);
    if (!kernelBytes)
      return fail(kernelPath + ": cannot read kernel: " + kernelBytes.getError().message());
    if (auto info = checkKernelImage((*kernelBytes)->getBuffer(), kernelPath); !info)
      return info.takeError();
  }
  deps.add(bootPath);
  deps.add(kernelPath);
  // --uefi: the loader for the EFI system partition (spec §1.4).
  std::string uefiLoader;
  if (o.uefi) {
    std::string loaderPath = uefiLoaderPathOf(o);
    auto loaderInput = readInput(loaderPath, "UEFI loader", dataDir, false);
    if (!loaderInput)
      return loaderInput.takeError();
    auto loaderBytes = llvm::MemoryBuffer::getFile(loaderPath, false, false);
    if (!loaderBytes)
      return fail(loaderPath + ": cannot read UEFI loader: " + loaderBytes.getError().message());
    uefiLoader = (*loaderBytes)->getBuffer().str();
    // "MZ" then the PE header: anything else would only fail later, inside the firmware.
    if (uefiLoader.size() < 0x40 || uefiLoader.compare(0, 2, "MZ") != 0)
      return fail(loaderPath + ": not a UEFI loader (no PE/COFF \"MZ\" header)");
    deps.add(loaderPath);
  }

  struct stat st;
  if (::stat(o.program.c_str(), &st) != 0)
    return fail("program " + o.program + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode))
    return fail("program " + o.program + ": not a regular file");
  std::string name = baseName(o.program);
  auto programGuest =
      validateGuestPath(o.programPath.empty() ? "/" + name : o.programPath, "--program-path");
  if (!programGuest)
    return programGuest.takeError();

  GuestTree tree;
  GuestNode programNode;
  programNode.kind = GuestNode::Kind::File;
  programNode.hostPath = o.program;
  programNode.source = "the program " + o.program;
  if (auto e = tree.add(*programGuest, programNode))
    return e;
  deps.add(o.program);

  // What the user places (--dir, --file, --package) goes in before the resolver runs: the
  // ELF objects among it are plug-ins whose libraries the resolver adds too.
  std::vector<std::string> consulted;
  if (auto e = addPlacedContent({o.files, o.dirs, o.packages, o.sysroot}, tree, consulted))
    return e;
  for (const std::string& c : consulted)
    deps.add(c);

  ResolveOptions ro;
  ro.sysroot = o.sysroot;
  ro.programGuestPath = *programGuest;
  ro.nss = o.nss ? ResolveOptions::Nss::Auto : ResolveOptions::Nss::Off;
  ro.extraLibraries = o.libraries;
  if (auto it = o.env.find("LD_LIBRARY_PATH"); it != o.env.end()) {
    llvm::SmallVector<llvm::StringRef, 4> dirs;
    llvm::StringRef(it->second).split(dirs, ':', -1, false);
    for (llvm::StringRef d : dirs)
      ro.ldLibraryPath.push_back(d.str());
  }
  if (o.pluginClosure)
    ro.plugins = placedElfObjects(tree, *programGuest);
  auto closure = resolveClosure(o.program, ro);
  if (!closure)
    return closure.takeError();
  for (const std::string& c : closure->consulted)
    deps.add(c);
  // A plug-in's dependency that no search finds is not fatal (ld.so fails only if the program
  // loads that plug-in, and optional plug-ins often need what is not installed): one line each.
  for (const PluginClosure& plugin : closure->plugins)
    for (const std::string& missing : plugin.missing)
      llvm::errs() << "nanos-mkimage: warning: plug-in " << plugin.guestPath << ": "
                   << oneLine(missing) << "\n";
  for (const std::string& warning : closure->warnings)
    llvm::errs() << "nanos-mkimage: warning: " << oneLine(warning) << "\n";
  for (const ResolvedEntry& e : closure->entries) {
    GuestNode n;
    n.hostPath = e.hostPath;
    std::string who = e.neededBy.empty() ? std::string("the program") : e.neededBy;
    if (!e.why.empty())
      who += ": " + e.why;
    switch (e.kind) {
    case ResolvedEntry::Kind::File:
      n.kind = GuestNode::Kind::File;
      n.source = "library " + e.hostPath + " (needed by " + who + ")";
      break;
    case ResolvedEntry::Kind::Symlink:
      n.kind = GuestNode::Kind::Symlink;
      n.linkTarget = e.linkTarget;
      n.source = "library symlink " + e.hostPath + " (needed by " + who + ")";
      break;
    case ResolvedEntry::Kind::Generated:
      n.kind = GuestNode::Kind::Generated;
      n.contents = e.contents;
      n.overridable = true;
      n.source = "generated " + e.guestPath;
      break;
    }
    auto g = validateGuestPath(e.guestPath, n.source);
    if (!g)
      return g.takeError();
    if (auto err = tree.add(*g, std::move(n)))
      return err;
  }
  // --nameserver: /etc/resolv.conf lists them, whether or not the resolver generated one
  // (a static program gets none). Not overridable: a --file onto it would contradict the
  // option, and the clash names both.
  if (!o.nameservers.empty()) {
    GuestNode n;
    n.kind = GuestNode::Kind::Generated;
    for (const std::string& ns : o.nameservers)
      n.contents += "nameserver " + ns + "\n";
    n.source = "--nameserver";
    if (auto err = tree.add("/etc/resolv.conf", std::move(n)))
      return err;
  }
  // ld.so's cache for what was resolved: the loader then opens each library directly
  // instead of probing the hwcap subdirectories of every search directory (python3.11: 10
  // failed opens and 9 failed stats before its first library). Names it finds earlier (RPATH,
  // LD_LIBRARY_PATH, RUNPATH) it still finds there; a name not listed is searched as
  // before. A file the user maps at /etc/ld.so.cache wins.
  if (o.ldCache) {
    std::vector<std::pair<std::string, std::string>> libraries;
    for (const LoadedObject& obj : closure->objects)
      if (!obj.name.empty() && obj.name.find('/') == std::string::npos)
        libraries.emplace_back(obj.name, obj.openedPath);
    if (!libraries.empty()) {
      GuestNode n;
      n.kind = GuestNode::Kind::Generated;
      n.contents = LdCache::write(libraries);
      n.overridable = true;
      n.source = "generated /etc/ld.so.cache";
      if (auto err = tree.add("/etc/ld.so.cache", std::move(n)))
        return err;
    }
  }

  if (!o.cwd.empty()) {
    auto it = tree.nodes().find(*validateGuestPath(o.cwd, "--cwd"));
    if (it == tree.nodes().end() || (it->second.kind != GuestNode::Kind::Directory &&
                                     it->second.kind != GuestNode::Kind::Symlink))
      return fail("--cwd " + o.cwd +
                  ": not a directory in the image (the program could not start there)");
  }

  // ---- sizes and data blocks (sorted path order: independent of option order) ----
  uint64_t alloc = kTfsFirstDataBlock;
  for (auto& [path, node] : tree.nodes()) {
    if (node.kind == GuestNode::Kind::File) {
      if (::stat(node.hostPath.c_str(), &st) != 0)
        return fail(node.source + ": " + node.hostPath + ": " + std::strerror(errno));
      if (!S_ISREG(st.st_mode))
        return fail(node.source + ": " + node.hostPath + ": not a regular file");
      node.size = static_cast<uint64_t>(st.st_size);
    } else if (node.kind == GuestNode::Kind::Generated) {
      node.size = node.contents.size();
    }
    if (node.size > 0) {
      node.block = alloc;
      alloc += blocksFor(node.size);
    }
  }

  // ---- boot TFS: /kernel, sized to its content (spec §1.6) ----
  TfsValue bootRoot = TfsValue::tuple();
  TfsValue bootChildren = TfsValue::tuple();
  bootChildren.set("kernel", fileTuple(kernel->size, kTfsFirstDataBlock));
  bootRoot.set("children", std::move(bootChildren));
  std::string encodedBoot = encodeTfsValue(bootRoot);
  // ---- root tuple (needs only sizes and blocks) ----
  TfsValue root = TfsValue::tuple();
  root.set("children", directoryTuple(tree.nodes(), "/", o.imageDigest));
  if (auto e = addManifestKeys(root, o, *programGuest, o.argv0 ? *o.argv0 : name))
    return e;
  // The content digest is computed on the partition as written and filled in last; the
  // placeholder has its length, so the layout does not change (docs/image-format.md).
  if (o.imageDigest)
    root.set("image_digest", TfsValue::string(imageDigestPlaceholder()));
  if (auto e = checkTfsNesting(root)) // what the decoder would refuse at boot
    return e;
  std::string encodedRoot = encodeTfsValue(root);

  // The log layout does not depend on the UUID's value, so lay it out with a placeholder
  // to learn the sizes, write the data, and fill in the content-derived UUIDs last.
  std::array<uint8_t, 16> zeroUuid{};
  TfsPartition bootFs =
      layoutTfs(encodedBoot, zeroUuid, "", kTfsFirstDataBlock + blocksFor(kernel->size));
  // BIOS+UEFI: the EFI system partition comes first and the TFS partitions follow it.
  uint64_t espOffset = firstPartitionOffset(*boot);
  std::optional<FatVolume> esp;
  if (o.uefi) {
    auto v = layoutEsp(uefiLoader, kEspSectors, static_cast<uint32_t>(espOffset / 512));
    if (!v)
      return v.takeError();
    esp = std::move(*v);
  }
  bootFs.offset = espOffset + (esp ? esp->sizeBytes : 0);
  bootFs.sizeBytes = bootFs.usedBlocks * kTfsBlock;
  TfsPartition rootFs = layoutTfs(encodedRoot, zeroUuid, o.label, alloc);
  rootFs.offset = bootFs.offset + bootFs.sizeBytes;
  uint64_t contentEnd = rootFs.offset + rootFs.usedBlocks * kTfsBlock;
  uint64_t imageSize;
  if (o.size) {
    if (*o.size < contentEnd)
      return fail("--size " + llvm::Twine(*o.size) + " is too small: the content needs " +
                  llvm::Twine(contentEnd) + " bytes");
    imageSize = roundUp(*o.size, kTfsBlock);
  } else {
    imageSize = roundUp(contentEnd + o.margin, 512 * 1024);
  }
  rootFs.sizeBytes = imageSize - rootFs.offset;
  if (imageSize / kTfsBlock > UINT32_MAX)
    return fail("image of " + llvm::Twine(imageSize) + " bytes is too large for an MBR (2 TiB)");

  // ---- write the data ----
  bool compress = o.compress || llvm::StringRef(o.output).endswith(".zst");
  auto out = AtomicFile::create(o.output);
  if (!out)
    return out.takeError();
  std::string outName = o.output;
  if (::ftruncate(out->fd(), static_cast<off_t>(imageSize)) != 0)
    return errnoFail(outName + ": cannot size the image to " + std::to_string(imageSize) + " bytes",
                     errno);
  std::string mbr = boot->bytes;
  std::string table = partitionEntry(bootFs.offset / kTfsBlock, bootFs.sizeBytes / kTfsBlock) +
                      partitionEntry(rootFs.offset / kTfsBlock, rootFs.sizeBytes / kTfsBlock);
  if (esp) {
    table.insert(0, partitionEntry(espOffset / 512, esp->sizeBytes / 512, kPartitionEsp));
    for (const auto& [offset, bytes] : esp->pieces)
      if (auto e = out->writeAt(espOffset + offset, bytes))
        return e;
  }
  table.resize(64, '\0');
  mbr.replace(0x1BE, 64, table);
  mbr[0x1FE] = '\x55';
  mbr[0x1FF] = '\xAA';
  if (auto e = out->writeAt(0, mbr))
    return e;
  // Generated files are written in this loop (small, in memory); host files after it in one
  // batch, so that large inputs are copied by several threads (see copyAndDigestAll).
  std::vector<CopyJob> jobs;
  std::vector<GuestNode*> jobNodes;
  jobs.push_back(
      {kernelPath, kernel->size, bootFs.offset + kTfsFirstDataBlock * kTfsBlock, "", ""});
  for (auto& [path, node] : tree.nodes()) {
    uint64_t at = rootFs.offset + node.block * kTfsBlock;
    if (node.kind == GuestNode::Kind::File) {
      if (node.size == 0) {
        node.digest = Digest().hex();
        continue;
      }
      jobs.push_back({node.hostPath, node.size, at, node.source, ""});
      jobNodes.push_back(&node);
    } else if (node.kind == GuestNode::Kind::Generated) {
      Digest d;
      d.update(node.contents);
      node.digest = d.hex();
      if (node.size > 0)
        if (auto e = out->writeAt(at, node.contents))
          return e;
    }
  }
  if (auto e = copyAndDigestAll(jobs, out->fd(), outName, o.threads))
    return e;
  kernel->digest = jobs[0].digest;
  for (size_t i = 0; i < jobNodes.size(); ++i)
    jobNodes[i]->digest = std::move(jobs[i + 1].digest);

  // ---- UUIDs from everything that went in, then the logs ----
  Digest imageId;
  imageId.field("nanos-mkimage image v1");
  imageId.field(o.seed);
  imageId.field(boot->bytes);
  if (o.uefi) // a BIOS-only image keeps the identity it always had
    imageId.field("uefi:" + uefiLoader);
  imageId.field(kernel->digest);
  imageId.field(o.label);
  imageId.field(std::to_string(imageSize));
  for (const auto& [path, node] : tree.nodes()) {
    imageId.field(path);
    imageId.field(std::to_string(static_cast<int>(node.kind)));
    imageId.field(node.linkTarget);
    imageId.field(node.digest);
  }
  imageId.field(encodedRoot);
  std::array<uint8_t, 16> rootUuid = uuidFrom(imageId);
  imageId.field("boot");
  std::array<uint8_t, 16> bootUuid = uuidFrom(imageId);
  bootFs.log =
      layoutTfs(encodedBoot, bootUuid, "", kTfsFirstDataBlock + blocksFor(kernel->size)).log;
  rootFs.log = layoutTfs(encodedRoot, rootUuid, o.label, alloc).log;
  if (auto e = writePieces(*out, bootFs.offset, bootFs.log))
    return e;
  if (auto e = writePieces(*out, rootFs.offset, rootFs.log))
    return e;
  if (o.imageDigest) {
    // Each file's chunk digests from its data as written, then the image digest over the
    // metadata that holds them (same lengths as the placeholders: nothing moves).
    for (auto& [path, node] : tree.nodes()) {
      if (node.size == 0 ||
          (node.kind != GuestNode::Kind::File && node.kind != GuestNode::Kind::Generated))
        continue;
      auto chunks = chunkDigestsOf(out->fd(), rootFs.offset + node.block * kTfsBlock, node.size,
                                   outName);
      if (!chunks)
        return chunks.takeError();
      node.chunkDigests = std::move(*chunks);
    }
    root.set("children", directoryTuple(tree.nodes(), "/", true));
    rootFs.log = layoutTfs(encodeTfsValue(root), rootUuid, o.label, alloc).log;
    if (auto e = writePieces(*out, rootFs.offset, rootFs.log))
      return e;
    auto digest = imageDigestOf(out->fd(), rootFs.offset, rootFs.sizeBytes / kTfsBlock, outName);
    if (!digest)
      return digest.takeError();
    root.find("image_digest")->str = *digest;
    std::string withDigest = encodeTfsValue(root);
    if (withDigest.size() != encodedRoot.size())
      return fail("internal error: image_digest changed the size of the root tuple");
    rootFs.log = layoutTfs(withDigest, rootUuid, o.label, alloc).log;
    if (auto e = writePieces(*out, rootFs.offset, rootFs.log))
      return e;
  }

  std::string rawDigest;
  std::optional<AtomicFile> compressed;
  if (compress) {
    auto z = AtomicFile::create(o.output);
    if (!z)
      return z.takeError();
    compressed.emplace(std::move(*z));
    if (auto e =
            compressInto(out->fd(), imageSize, compressed->fd(), o.threads, outName, rawDigest))
      return e;
  } else if (!o.bom.empty()) {
    auto d = digestRange(out->fd(), 0, imageSize, outName);
    if (!d)
      return d.takeError();
    rawDigest = *d;
  }

  // ---- BOM (before committing, so a failure leaves nothing behind) ----
  std::string bomText;
  if (!o.bom.empty()) {
    llvm::json::Array entries;
    for (const auto& [path, node] : tree.nodes()) {
      if (path == "/")
        continue;
      static const char* const kKinds[] = {"directory", "file", "symlink", "generated"};
      llvm::json::Object e{{"path", path}, {"kind", kKinds[static_cast<int>(node.kind)]}};
      if (node.kind == GuestNode::Kind::File || node.kind == GuestNode::Kind::Generated) {
        e["size"] = static_cast<int64_t>(node.size);
        e["xxh3_128"] = node.digest;
        e["block"] = static_cast<int64_t>(node.block);
      }
      if (node.kind == GuestNode::Kind::Symlink)
        e["target"] = node.linkTarget;
      if (!node.hostPath.empty())
        e["host"] = node.hostPath;
      e["source"] = node.source;
      entries.push_back(std::move(e));
    }
    llvm::json::Object bom{
        {"format", "nanos-mkimage-bom/1"},
        {"image", llvm::json::Object{{"path", o.output},
                                     {"size", static_cast<int64_t>(imageSize)},
                                     {"compressed", compress},
                                     {"xxh3_128", rawDigest},
                                     {"uuid", uuidText(rootUuid)}}},
        {"kernel", llvm::json::Object{{"host", kernelPath},
                                      {"size", static_cast<int64_t>(kernel->size)},
                                      {"xxh3_128", kernel->digest},
                                      {"block", static_cast<int64_t>(kTfsFirstDataBlock)}}},
        {"boot", llvm::json::Object{{"host", bootPath},
                                    {"size", static_cast<int64_t>(bootInput->size)},
                                    {"xxh3_128", bootInput->digest}}},
        {"partitions",
         llvm::json::Object{
             {"boot", llvm::json::Object{{"offset", static_cast<int64_t>(bootFs.offset)},
                                         {"size", static_cast<int64_t>(bootFs.sizeBytes)}}},
             {"root", llvm::json::Object{{"offset", static_cast<int64_t>(rootFs.offset)},
                                         {"size", static_cast<int64_t>(rootFs.sizeBytes)}}}}},
        {"files", std::move(entries)}};
    if (esp)
      bom.getObject("partitions")
          ->try_emplace("esp", llvm::json::Object{{"offset", static_cast<int64_t>(espOffset)},
                                                  {"size", static_cast<int64_t>(esp->sizeBytes)}});
    llvm::raw_string_ostream os(bomText);
    os << llvm::formatv("{0:2}", llvm::json::Value(std::move(bom))) << "\n";
  }

  // Every output is complete in a temporary file before the first is renamed into place.
  std::optional<AtomicFile> bomFile, depFile;
  if (!o.bom.empty()) {
    auto f = AtomicFile::create(o.bom);
    if (!f)
      return f.takeError();
    bomFile.emplace(std::move(*f));
    if (auto e = bomFile->writeAt(0, bomText))
      return e;
  }
  if (!o.depfile.empty()) {
    auto f = AtomicFile::create(o.depfile);
    if (!f)
      return f.takeError();
    depFile.emplace(std::move(*f));
    if (auto e = depFile->writeAt(0, deps.render(o.output)))
      return e;
  }

  // Remove the previous image first: ext4 (auto_da_alloc) flushes a file renamed over an
  // existing one, which cost 3 ms of a 5 ms build. A failure after this point leaves no
  // image at all, never a stale one (the caller removes the outputs already renamed).
  if (::unlink(o.output.c_str()) != 0 && errno != ENOENT)
    return errnoFail(o.output + ": cannot replace the existing file", errno);
  if (compressed) {
    if (auto e = compressed->commit())
      return e;
  } else if (auto e = out->commit()) {
    return e;
  }
  if (bomFile)
    if (auto e = bomFile->commit())
      return e;
  if (depFile)
    if (auto e = depFile->commit())
      return e;
  return llvm::Error::success();
}

std::vector<OutputPath> buildOutputs(const BuildOptions& o) {
  return {{o.output, "-o"}, {o.bom, "--bom"}, {o.depfile, "--depfile"}};
}

std::vector<std::string> buildInputs(const BuildOptions& o) {
  std::vector<std::string> in = {o.program, o.kernel, o.boot};
  if (!o.output.empty()) { // the defaults only matter once the options are complete
    in.push_back(kernelPathOf(o));
    in.push_back(bootPathOf(o));
  }
  in.insert(in.end(), o.configFiles.begin(), o.configFiles.end());
  for (const PathMapping& m : o.files)
    in.push_back(m.host);
  return in;
}

llvm::Error buildImage(const BuildOptions& o) {
  std::vector<OutputPath> outputs = buildOutputs(o);
  std::vector<std::string> inputs = buildInputs(o);
  llvm::Error e = checkOutputPaths(outputs, inputs);
  if (!e)
    e = buildAll(o);
  if (e)
    removeFailedOutputs(outputs, inputs);
  return e;
}

} // namespace mkimage
