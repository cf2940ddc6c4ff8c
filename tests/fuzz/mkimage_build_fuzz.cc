// libFuzzer target for `nanos-mkimage build` as a whole: options -> image -> decode ->
// compare. The input chooses a label, arguments, environment variables, files (names and
// contents) and whether to leave out image_digest; the real tool (MKIMAGE_FUZZ_TOOL) builds
// the image in a subprocess. Then:
//   - a refusal is one line on stderr with a failure status, and leaves no image behind;
//   - an image decodes with the shared codec (the kernel's), and its root tuple says what
//     was asked: the label, `arguments` = [program name, args...], `environment`, every
//     file's bytes through its extents, and `image_digest` present unless left out and
//     equal to the digest recomputed (what the kernel checks at mount).
// Slow per input (a process per build), so CTest runs it briefly. Inputs from the
// environment: MKIMAGE_FUZZ_TOOL, MKIMAGE_FUZZ_PROGRAM (a static ELF), MKIMAGE_FUZZ_KERNEL
// (an ELF with a PVH note); the boot image is made here.
#include "lib/tfs/tfs.h"
#include "lib/tfs/tfs_digest.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fuzzer/FuzzedDataProvider.h>
#include <map>
#include <spawn.h>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

std::string g_dir, g_tool, g_program, g_kernel, g_boot;

[[noreturn]] void bug(const std::string& what) {
  std::fprintf(stderr, "mkimage_build_fuzz: %s\n", what.c_str());
  std::abort();
}

void writeFile(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f || std::fwrite(bytes.data(), 1, bytes.size(), f) != bytes.size() || std::fclose(f) != 0)
    bug("cannot write " + path);
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  if (!v || !*v)
    bug(std::string(name) + " is not set");
  return v;
}

// A string the tool can receive as one argument: up to the first NUL.
std::string argument(FuzzedDataProvider& in, size_t max) {
  std::string s = in.ConsumeRandomLengthString(max);
  return s.substr(0, s.find('\0'));
}

struct Result {
  int status;
  std::string err;
};

Result run(const std::vector<std::string>& args) {
  std::vector<char*> argv;
  for (const std::string& a : args)
    argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::string errPath = g_dir + "/stderr";
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, errPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC,
                                   0600);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0)
    bug("cannot start " + args[0]);
  posix_spawn_file_actions_destroy(&actions);
  int ws = 0;
  waitpid(pid, &ws, 0);
  Result r{WIFEXITED(ws) ? WEXITSTATUS(ws) : 128 + WTERMSIG(ws), ""};
  FILE* f = std::fopen(errPath.c_str(), "rb");
  for (int c; f && (c = std::fgetc(f)) != EOF;)
    r.err += static_cast<char>(c);
  if (f)
    std::fclose(f);
  return r;
}

struct Disk {
  int fd;
  uint64_t offset;
};
bool readBlocks(void* ctx, uint64_t block, uint32_t count, void* buf) {
  auto* d = static_cast<Disk*>(ctx);
  size_t n = static_cast<size_t>(count) * tfs::kBlockSize;
  return pread(d->fd, buf, n, static_cast<off_t>(d->offset + block * tfs::kBlockSize)) ==
         static_cast<ssize_t>(n);
}
void* hostAlloc(void*, size_t n) {
  return std::malloc(n);
}
void hostFree(void*, void* p) {
  std::free(p);
}

std::string text(const tfs::Value* v) {
  if (!v || v->kind != tfs::Kind::kBytes)
    bug("expected a string value");
  return std::string(reinterpret_cast<const char*>(v->bytes), v->len);
}
const tfs::Value* child(const tfs::Value* dir, const std::string& name) {
  return tfs::get(tfs::get(dir, "children"), reinterpret_cast<const uint8_t*>(name.data()),
                  name.size());
}
std::string fileBytes(Disk& disk, const tfs::Value* file) {
  uint64_t length = 0;
  if (!tfs::to_u64(tfs::get(file, "filelength"), &length))
    bug("a file without filelength");
  const tfs::Value* extents = tfs::get(file, "extents");
  std::string bytes(length, '\0');
  for (uint32_t i = 0; extents && i < extents->count; ++i) {
    tfs::Extent e;
    if (!tfs::extent_at(extents, i, &e))
      bug("a malformed extent");
    std::string blocks(e.length * tfs::kBlockSize, '\0');
    if (!readBlocks(&disk, e.disk_block, static_cast<uint32_t>(e.length), &blocks[0]))
      bug("an extent past the image");
    uint64_t at = e.file_block * tfs::kBlockSize;
    for (uint64_t j = 0; j < blocks.size() && at + j < length; ++j)
      bytes[at + j] = blocks[j];
  }
  return bytes;
}

struct Request {
  std::string label;
  std::vector<std::string> args;
  std::map<std::string, std::string> env; // the last --env of a name wins
  std::map<std::string, std::string> files;
  bool digest = true;
};

void checkImage(const std::string& image, const Request& req) {
  int fd = open(image.c_str(), O_RDONLY);
  if (fd < 0)
    bug("the image is missing after a successful build");
  uint8_t mbr[512];
  if (pread(fd, mbr, 512, 0) != 512)
    bug("no MBR");
  uint32_t lba, sectors;
  std::memcpy(&lba, mbr + 0x1CE + 8, 4);
  std::memcpy(&sectors, mbr + 0x1CE + 12, 4);
  Disk disk{fd, uint64_t{lba} * 512};
  tfs::BlockReader reader{readBlocks, &disk};
  tfs::Allocator alloc{hostAlloc, hostFree, nullptr};
  tfs::Volume volume;
  tfs::DecodeStatus st = tfs::decode(reader, alloc, sectors, &volume);
  if (!st.ok())
    bug(std::string("the image does not decode: ") + (st.what ? st.what : "?"));
  if (volume.label != req.label)
    bug("label differs");
  const tfs::Value* args = tfs::get(volume.root, "arguments");
  if (!args || args->kind != tfs::Kind::kVector || args->count != req.args.size() + 1 ||
      text(args->items[0].value) != "prog")
    bug("arguments differ");
  for (size_t i = 0; i < req.args.size(); ++i)
    if (text(args->items[i + 1].value) != req.args[i])
      bug("argument " + std::to_string(i) + " differs");
  const tfs::Value* environment = tfs::get(volume.root, "environment");
  if (!environment || environment->count != req.env.size())
    bug("environment differs");
  for (const auto& [k, v] : req.env)
    if (text(tfs::get(environment, reinterpret_cast<const uint8_t*>(k.data()), k.size())) != v)
      bug("environment value of " + k + " differs");
  const tfs::Value* d = child(volume.root, "d");
  for (const auto& [name, bytes] : req.files) {
    const tfs::Value* f = child(d, name);
    if (!f || fileBytes(disk, f) != bytes)
      bug("file /d/" + name + " differs");
    if (req.digest && !bytes.empty()) { // each 64 KiB chunk matches its recorded digest
      const tfs::Value* chunks = tfs::chunk_digests_of(f, bytes.size());
      if (!chunks)
        bug("file /d/" + name + " has no chunk digests");
      std::string padded = bytes + std::string((512 - bytes.size() % 512) % 512, '\0');
      size_t chunk = tfs::kChunkBlocks * tfs::kBlockSize;
      for (size_t at = 0, i = 0; at < padded.size(); at += chunk, ++i)
        if (!tfs::chunk_matches(chunks, i, padded.data() + at, std::min(chunk, padded.size() - at)))
          bug("file /d/" + name + ": chunk " + std::to_string(i) + " does not match its digest");
    }
  }
  const tfs::Value* key = tfs::get(volume.root, tfs::kDigestKey);
  if (!req.digest && key)
    bug("image_digest written with --no-image-digest");
  if (req.digest) {
    tfs::ContentDigest want, got;
    std::string value = text(key);
    if (!tfs::parse_digest(reinterpret_cast<const uint8_t*>(value.data()), value.size(), &want))
      bug("image_digest malformed");
    std::vector<uint8_t> buffer(64 * tfs::kBlockSize);
    if (!tfs::compute_digest(volume, reader, sectors, buffer.data(), 64, &got).ok() ||
        got.metadata != want.metadata || got.data != want.data)
      bug("image_digest does not match the image");
    xxh3::Hash128 metadata;
    uint64_t uncovered = 0;
    if (!tfs::compute_metadata_digest(volume, sectors, &metadata, &uncovered).ok() ||
        metadata != want.metadata || uncovered != 0)
      bug("the metadata-only check (what the kernel does at mount) disagrees");
  }
  tfs::release(&volume, alloc);
  close(fd);
}

// The scratch directory goes away at the end of the run (libFuzzer exits through exit()).
void removeScratch() {
  for (const char* name : {"out.img", "prog", "stderr", "boot.img", "f1", "f2", "f3"})
    unlink((g_dir + "/" + name).c_str());
  rmdir(g_dir.c_str());
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_tool = env("MKIMAGE_FUZZ_TOOL");
  g_program = env("MKIMAGE_FUZZ_PROGRAM");
  g_kernel = env("MKIMAGE_FUZZ_KERNEL");
  char dir[] = "/tmp/mkimage_build_fuzz.XXXXXX";
  if (!mkdtemp(dir))
    bug("mkdtemp");
  g_dir = dir;
  std::atexit(removeScratch);
  // A boot image `build` accepts: 55 AA, the stage2 descriptor {0x8000, 512, 12}.
  std::string boot(1024, '\0');
  uint64_t base = 0x8000, size = 512;
  uint32_t type = 12;
  std::memcpy(&boot[0x1AA], &base, 8);
  std::memcpy(&boot[0x1B2], &size, 8);
  std::memcpy(&boot[0x1BA], &type, 4);
  boot[0x1FE] = '\x55';
  boot[0x1FF] = '\xAA';
  g_boot = g_dir + "/boot.img";
  writeFile(g_boot, boot);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  FuzzedDataProvider in(data, size);
  Request req;
  std::string image = g_dir + "/out.img";
  unlink(image.c_str());
  std::string prog = g_dir + "/prog";
  unlink(prog.c_str());
  if (symlink(g_program.c_str(), prog.c_str()) != 0)
    bug("symlink");
  std::vector<std::string> cmd = {g_tool,   "build",  prog,   "-o",        image, "--kernel",
                                  g_kernel, "--boot", g_boot, "--threads", "1"};
  req.label = argument(in, 40);
  cmd.insert(cmd.end(), {"--label", req.label});
  for (int n = in.ConsumeIntegralInRange(0, 4); n > 0; --n) {
    req.args.push_back(argument(in, 30));
    cmd.insert(cmd.end(), {"--arg", req.args.back()});
  }
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    std::string k = argument(in, 10), v = argument(in, 20);
    k = k.substr(0, k.find('=')); // the name ends at the first '=' of --env K=V
    cmd.insert(cmd.end(), {"--env", k + "=" + v});
    req.env[k] = v;
  }
  std::vector<std::string> hostFiles;
  for (int n = in.ConsumeIntegralInRange(0, 3); n > 0; --n) {
    std::string name = argument(in, 12), bytes = in.ConsumeRandomLengthString(3000);
    std::string host = g_dir + "/f" + std::to_string(n);
    writeFile(host, bytes);
    hostFiles.push_back(host);
    cmd.insert(cmd.end(), {"--file", host + ":/d/" + name});
    req.files[name] = bytes;
  }
  req.digest = !in.ConsumeBool();
  if (!req.digest)
    cmd.push_back("--no-image-digest");

  Result r = run(cmd);
  if (std::getenv("MKIMAGE_FUZZ_VERBOSE")) // by hand: which inputs build, which are refused
    std::fprintf(stderr, "status %d %s", r.status, r.status ? r.err.c_str() : "built\n");
  if (r.status != 0) {
    if (r.status >= 128)
      bug("the tool crashed: " + r.err);
    size_t lines = 0;
    for (char c : r.err)
      lines += c == '\n';
    if (lines != 1)
      bug("a refusal that is not one line: " + r.err);
    if (access(image.c_str(), F_OK) == 0)
      bug("a failed build left the image behind: " + r.err);
  } else {
    checkImage(image, req);
  }
  for (const std::string& h : hostFiles)
    unlink(h.c_str());
  return 0;
}
