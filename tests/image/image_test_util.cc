#include "image_test_util.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <stdexcept>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

namespace imagetest {

ScratchDir::ScratchDir() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/mkimage-image-test-XXXXXX";
  if (!::mkdtemp(templ.data()))
    throw std::runtime_error("mkdtemp failed");
  path = templ;
}

ScratchDir::~ScratchDir() {
  std::string cmd = "rm -rf '" + path + "'";
  if (std::system(cmd.c_str()) != 0)
    std::fprintf(stderr, "warning: could not remove %s\n", path.c_str());
}

void writeFile(const std::string& path, const std::string& contents) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (!out)
    throw std::runtime_error("cannot write " + path);
}

std::string readWhole(const std::string& path) {
  std::string s;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return s;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0)
    s.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return s;
}

void makeDirs(const std::string& path) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    ::mkdir(path.substr(0, pos).c_str(), 0755);
  }
}

void writeFakeBootImage(const std::string& path, uint64_t stage2Size) {
  std::string b(512 + stage2Size, '\0');
  std::memcpy(&b[0], "STAGE1", 6);
  uint64_t base = 0x8000;
  uint32_t type = 12;
  std::memcpy(&b[0x1AA], &base, 8);
  std::memcpy(&b[0x1B2], &stage2Size, 8);
  std::memcpy(&b[0x1BA], &type, 4);
  b[0x1FE] = '\x55';
  b[0x1FF] = '\xAA';
  for (size_t i = 512; i < b.size(); ++i)
    b[i] = static_cast<char>(i * 7);
  writeFile(path, b);
}

std::string fakeKernelBytes() {
  // ELF64 x86-64 ET_EXEC: one PT_LOAD over the whole file and a PT_NOTE holding the PVH note
  // ("Xen", type 18), what `build` checks; the rest is recognisable filler.
  std::string k(176, '\0');
  auto put = [&](size_t at, uint64_t v, int n) { std::memcpy(&k[at], &v, static_cast<size_t>(n)); };
  std::memcpy(&k[0], "\x7f"
                     "ELF\x02\x01\x01",
              7);
  put(16, 2, 2), put(18, 62, 2), put(20, 1, 4), put(24, 0x200000, 8), put(32, 64, 8);
  put(52, 64, 2), put(54, 56, 2), put(56, 2, 2);
  k += std::string("\x04\0\0\0\x04\0\0\0\x12\0\0\0Xen\0\0\0\x20\0", 20);
  for (int i = 0; i < 100000; ++i)
    k += static_cast<char>(i * 13 + (i >> 8));
  put(64, 1, 4), put(64 + 16, 0x200000, 8), put(64 + 24, 0x200000, 8);
  put(64 + 32, k.size(), 8), put(64 + 40, k.size(), 8);
  put(120, 4, 4), put(120 + 8, 176, 8), put(120 + 32, 20, 8), put(120 + 40, 20, 8);
  return k;
}

void writeFakeKernel(const std::string& path) {
  writeFile(path, fakeKernelBytes());
}

RunResult runTool(const std::vector<std::string>& args, const RunOptions& options) {
  char errTemplate[] = "/tmp/mkimage-test-stderr-XXXXXX";
  int errFd = ::mkstemp(errTemplate);
  if (errFd < 0)
    throw std::runtime_error("mkstemp failed");
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(errFd, 2);
    ::umask(options.umask);
    if (!options.cwd.empty() && ::chdir(options.cwd.c_str()) != 0)
      ::_exit(125);
    if (options.fileSizeLimit) {
      ::signal(SIGXFSZ, SIG_IGN); // so the write fails with EFBIG instead of killing us
      rlimit rl{*options.fileSizeLimit, *options.fileSizeLimit};
      ::setrlimit(RLIMIT_FSIZE, &rl);
    }
    std::vector<std::string> env = {"PATH=/usr/bin:/bin"};
    env.insert(env.end(), options.env.begin(), options.env.end());
    std::vector<char*> argv, envp;
    std::string tool = NANOS_MKIMAGE;
    argv.push_back(tool.data());
    std::vector<std::string> copy = args;
    for (std::string& a : copy)
      argv.push_back(a.data());
    argv.push_back(nullptr);
    for (std::string& e : env)
      envp.push_back(e.data());
    envp.push_back(nullptr);
    ::execve(tool.c_str(), argv.data(), envp.data());
    ::_exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  ::close(errFd);
  RunResult r;
  r.err = readWhole(errTemplate);
  ::unlink(errTemplate);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

std::vector<std::string> listDir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (dirent* e = ::readdir(d))
      if (std::strcmp(e->d_name, ".") && std::strcmp(e->d_name, ".."))
        names.push_back(e->d_name);
    ::closedir(d);
  }
  std::sort(names.begin(), names.end());
  return names;
}

} // namespace imagetest
