// Helpers for the resolver's end-to-end tests: a scratch directory, fixture compilation
// with the system C compiler, and running commands.
#pragma once

#include <string>
#include <vector>

namespace resolver_test {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class ScratchDir {
public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

private:
  std::string path_;
};

struct CommandResult {
  int status = -1; // exit status, or 128+signal
  std::string out, err;
};

// Runs argv (no shell) and captures stdout and stderr.
CommandResult run(const std::vector<std::string>& argv);

void writeFile(const std::string& path, const std::string& contents);
void makeDirs(const std::string& path);
void symlinkTo(const std::string& target, const std::string& linkPath); // makes parents

// Compiles `source` (C) with FIXTURE_CC plus `flags` into `output`; returns "" on success,
// the compiler's output otherwise.
std::string compileC(const std::string& source, const std::string& output,
                     const std::vector<std::string>& flags);

// A shared library `dir/file` with DT_SONAME `soname` exporting `symbol`, linked against
// `links` (full paths or -l flags) with extra `flags`.
std::string sharedLibrary(const std::string& path, const std::string& soname,
                          const std::string& symbol, const std::vector<std::string>& links,
                          const std::vector<std::string>& flags = {});

// A program calling every symbol in `calls`, linked against `links` with `flags`.
std::string program(const std::string& path, const std::vector<std::string>& calls,
                    const std::vector<std::string>& links,
                    const std::vector<std::string>& flags = {});

} // namespace resolver_test
