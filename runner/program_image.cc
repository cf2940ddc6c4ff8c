#include "program_image.h"

#include "supervisor.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

namespace runner {

bool isElfFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return false;
  char magic[4] = {};
  ssize_t n = ::read(fd, magic, sizeof magic);
  ::close(fd);
  return n == 4 && std::memcmp(magic,
                               "\x7f"
                               "ELF",
                               4) == 0;
}

std::vector<std::string> mkimageCommand(const RunOptions& o, const std::string& mkimage,
                                        const std::string& output) {
  std::vector<std::string> argv = {mkimage, "build", o.image, "-o", output};
  argv.insert(argv.end(), o.mkimageArgs.begin(), o.mkimageArgs.end());
  for (const std::string& a : o.extraQemuArgs) {
    argv.push_back("--arg");
    argv.push_back(a);
  }
  return argv;
}

std::string findMkimage(const std::string& selfPath) {
  size_t slash = selfPath.find_last_of('/');
  if (slash != std::string::npos)
    if (auto beside = findExecutable(selfPath.substr(0, slash + 1) + "nanos-mkimage"))
      return *beside;
  return findExecutable("nanos-mkimage").value_or("");
}

std::string createTemporaryImage(std::string& error) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = std::string(tmp && *tmp ? tmp : "/tmp") + "/nanos-run-XXXXXX.img";
  std::vector<char> name(path.begin(), path.end());
  name.push_back('\0');
  int fd = ::mkstemps(name.data(), 4);
  if (fd < 0) {
    error = "cannot create a temporary image in " + path + ": " + std::strerror(errno);
    return "";
  }
  ::close(fd);
  return name.data();
}

} // namespace runner
