#include "test_support.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <poll.h>
#include <spawn.h>
#include <stdexcept>
#include <sys/wait.h>
#include <unistd.h>

extern char** environ;

namespace resolver_test {

ScratchDir::ScratchDir() {
  const char* tmp = getenv("TMPDIR");
  std::string pattern = std::string(tmp && *tmp ? tmp : "/tmp") + "/resolver-test-XXXXXX";
  std::vector<char> buf(pattern.begin(), pattern.end());
  buf.push_back('\0');
  if (!mkdtemp(buf.data()))
    throw std::runtime_error("mkdtemp failed: " + std::string(strerror(errno)));
  path_ = buf.data();
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CommandResult run(const std::vector<std::string>& argv) {
  CommandResult result;
  int outPipe[2], errPipe[2];
  if (pipe(outPipe) != 0 || pipe(errPipe) != 0)
    throw std::runtime_error("pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2);
  posix_spawn_file_actions_addclose(&actions, outPipe[0]);
  posix_spawn_file_actions_addclose(&actions, errPipe[0]);
  std::vector<char*> args;
  for (const std::string& a : argv)
    args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(outPipe[1]);
  close(errPipe[1]);
  if (rc != 0) {
    close(outPipe[0]);
    close(errPipe[0]);
    result.err = "cannot start " + argv[0] + ": " + strerror(rc);
    return result;
  }
  // Drain both pipes without deadlocking on a full one.
  pollfd fds[2] = {{outPipe[0], POLLIN, 0}, {errPipe[0], POLLIN, 0}};
  std::string* sinks[2] = {&result.out, &result.err};
  int open = 2;
  while (open > 0) {
    if (poll(fds, 2, -1) < 0 && errno != EINTR)
      break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      char buf[4096];
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, size_t(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

void makeDirs(const std::string& path) {
  std::filesystem::create_directories(path);
}

void writeFile(const std::string& path, const std::string& contents) {
  makeDirs(std::filesystem::path(path).parent_path());
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f << contents;
  if (!f)
    throw std::runtime_error("cannot write " + path);
}

void symlinkTo(const std::string& target, const std::string& linkPath) {
  makeDirs(std::filesystem::path(linkPath).parent_path());
  if (symlink(target.c_str(), linkPath.c_str()) != 0)
    throw std::runtime_error("symlink " + linkPath + ": " + strerror(errno));
}

std::string compileC(const std::string& source, const std::string& output,
                     const std::vector<std::string>& flags) {
  std::string src = output + ".c";
  writeFile(src, source);
  makeDirs(std::filesystem::path(output).parent_path());
  std::vector<std::string> argv = {FIXTURE_CC, "-o", output, src};
  argv.insert(argv.end(), flags.begin(), flags.end());
  CommandResult r = run(argv);
  std::filesystem::remove(src);
  return r.status == 0 ? "" : "compile " + output + " failed: " + r.err;
}

std::string sharedLibrary(const std::string& path, const std::string& soname,
                          const std::string& symbol, const std::vector<std::string>& links,
                          const std::vector<std::string>& flags) {
  std::vector<std::string> all = {"-shared", "-fPIC", "-Wl,-soname," + soname,
                                  "-Wl,--no-as-needed"};
  all.insert(all.end(), links.begin(), links.end());
  all.insert(all.end(), flags.begin(), flags.end());
  return compileC("int " + symbol + "(void) { return 1; }\n", path, all);
}

std::string program(const std::string& path, const std::vector<std::string>& calls,
                    const std::vector<std::string>& links, const std::vector<std::string>& flags) {
  std::string src;
  for (const std::string& c : calls)
    src += "int " + c + "(void);\n";
  src += "int main(void) { return 0";
  for (const std::string& c : calls)
    src += " + " + c + "()";
  src += "; }\n";
  // --no-as-needed keeps every listed library a DT_NEEDED even when unused.
  std::vector<std::string> all = {"-Wl,--no-as-needed"};
  all.insert(all.end(), links.begin(), links.end());
  all.insert(all.end(), flags.begin(), flags.end());
  return compileC(src, path, all);
}

} // namespace resolver_test
