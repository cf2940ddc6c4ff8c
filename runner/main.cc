// nanos-run: boots a Nanos unikernel image under QEMU (or Xen) and exits with the program's
// exit status. See docs/nanos-run.md.
#include "run.h"

#include <climits>
#include <string>
#include <unistd.h>
#include <vector>

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  char self[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
  std::string selfPath = n > 0 ? std::string(self, static_cast<size_t>(n)) : std::string(argv[0]);
  return runner::runNanos(args, selfPath);
}
