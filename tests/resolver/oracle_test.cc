// The system's own loader as the oracle: for every dynamically linked program in /usr/bin,
// the set of paths `ld.so --list` reports must equal the resolver's opened paths, with the
// resolver told about the host CPU the way ld.so sees it (`ld.so --help`).
#include "resolver/error_text.h"
#include "resolver/resolver.h"
#include "test_support.h"

#include "gtest/gtest.h"
#include <algorithm>
#include <filesystem>
#include <set>
#include <sstream>
#include <sys/stat.h>

using namespace resolver_test;

namespace {

constexpr const char* kLoader = "/lib64/ld-linux-x86-64.so.2";

// The host CPU as ld.so --help describes it: glibc-hwcaps levels and legacy subdirectories
// that are "supported, searched", AT_PLATFORM among the latter.
mkimage::ResolveOptions::Cpu hostCpu() {
  mkimage::ResolveOptions::Cpu cpu;
  cpu.glibcHwcaps.clear();
  cpu.legacyHwcaps.clear();
  cpu.platform.clear();
  CommandResult help = run({kLoader, "--help"});
  std::istringstream in(help.out);
  std::string line, section;
  std::vector<std::string> legacy;
  while (std::getline(in, line)) {
    if (line.find("Subdirectories of glibc-hwcaps") == 0)
      section = "hwcaps";
    else if (line.find("Legacy HWCAP subdirectories") == 0)
      section = "legacy";
    else if (!line.empty() && line[0] != ' ')
      section.clear();
    if (line.rfind("  ", 0) != 0 || line.find("searched)") == std::string::npos ||
        line.find("supported") == std::string::npos)
      continue;
    std::string name = line.substr(2, line.find(' ', 2) - 2);
    if (section == "hwcaps")
      cpu.glibcHwcaps.push_back(name);
    else if (section == "legacy" && line.find("AT_PLATFORM") != std::string::npos)
      cpu.platform = name;
    else if (section == "legacy" && name != "tls")
      legacy.push_back(name);
  }
  // ld.so prints legacy hwcap names from the highest bit down; the resolver wants bit order.
  cpu.legacyHwcaps.assign(legacy.rbegin(), legacy.rend());
  return cpu;
}

// Paths from `ld.so --list`: "name => /path (addr)" and "\t/path (addr)" lines.
std::set<std::string> listedPaths(const std::string& out) {
  std::set<std::string> paths;
  std::istringstream in(out);
  std::string line;
  while (std::getline(in, line)) {
    size_t arrow = line.find(" => ");
    size_t start = arrow != std::string::npos ? arrow + 4 : line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] != '/')
      continue;
    size_t end = line.rfind(" (");
    paths.insert(line.substr(start, end == std::string::npos || end < start ? std::string::npos
                                                                            : end - start));
  }
  return paths;
}

TEST(ResolverOracle, MatchesTheSystemLoaderOnUsrBin) {
  if (!std::filesystem::exists(kLoader))
    GTEST_SKIP() << kLoader << " not present";
  mkimage::ResolveOptions::Cpu cpu = hostCpu();
  std::vector<std::string> programs;
  for (const auto& entry : std::filesystem::directory_iterator("/usr/bin")) {
    struct stat st;
    if (stat(entry.path().c_str(), &st) != 0 || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))
      continue;
    programs.push_back(entry.path().string());
  }
  std::sort(programs.begin(), programs.end());

  size_t compared = 0;
  bool sawPython = false;
  std::vector<std::string> disagreements;
  for (const std::string& program : programs) {
    CommandResult listed = run({kLoader, "--list", program});
    if (listed.status != 0 || listed.out.find(" => ") == std::string::npos)
      continue; // not a dynamically linked program (static, script, ...)
    std::set<std::string> expected = listedPaths(listed.out);
    mkimage::ResolveOptions options;
    options.programGuestPath = program;
    options.nss = mkimage::ResolveOptions::Nss::Off; // ld.so --list shows startup objects only
    options.libcDlopens = false;                     // and no library glibc dlopen()s later
    options.cpu = cpu;
    auto closure = mkimage::resolveClosure(program, options);
    ++compared;
    if (program.find("/python3") != std::string::npos)
      sawPython = true;
    if (!closure) {
      disagreements.push_back(program + ": " + mkimage::errorText(closure.takeError()));
      continue;
    }
    std::set<std::string> got;
    for (const mkimage::LoadedObject& o : closure->objects)
      got.insert(o.openedPath);
    if (got != expected) {
      std::string detail = program + ": ld.so {";
      for (const std::string& p : expected)
        detail += " " + p;
      detail += " } resolver {";
      for (const std::string& p : got)
        detail += " " + p;
      disagreements.push_back(detail + " }");
    }
  }
  std::cout << "[ oracle   ] compared " << compared << " programs with " << kLoader << "\n";
  EXPECT_GE(compared, 30u);
  if (std::filesystem::exists("/usr/bin/python3")) {
    EXPECT_TRUE(sawPython);
  }
  for (const std::string& d : disagreements)
    ADD_FAILURE() << d;
}

} // namespace
