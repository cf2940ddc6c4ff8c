// Helpers for the image writer's end-to-end tests: a scratch directory, a fake boot
// image and kernel (the real ones may not exist yet), and running nanos-mkimage in a
// subprocess with a chosen cwd, umask, environment and file-size limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace imagetest {

struct ScratchDir {
  ScratchDir();
  ~ScratchDir();
  std::string path;
  std::string operator/(const std::string& name) const { return path + "/" + name; }
};

void writeFile(const std::string& path, const std::string& contents);
std::string readWhole(const std::string& path);
void makeDirs(const std::string& path);

// A boot image with the 55 AA signature, a valid 0x1AA descriptor {0x8000, stage2Size, 12}
// and recognisable stage1/stage2 bytes, and a fake kernel file.
void writeFakeBootImage(const std::string& path, uint64_t stage2Size = 2048);
// A kernel `build` accepts (ELF64 x86-64 with a PVH note) that is no real kernel.
std::string fakeKernelBytes();
void writeFakeKernel(const std::string& path);

struct RunOptions {
  std::string cwd;
  unsigned umask = 022;
  std::vector<std::string> env; // added to a minimal environment
  std::optional<uint64_t> fileSizeLimit;
};

struct RunResult {
  int status = -1; // exit status, or 128+signal
  std::string err;
};

RunResult runTool(const std::vector<std::string>& args, const RunOptions& options = {});

// Files in `dir` (non-recursive), sorted.
std::vector<std::string> listDir(const std::string& dir);

} // namespace imagetest
