// nanos-run as a function: parses the command line, builds the QEMU command or xl config,
// supervises the hypervisor and maps its exit status. main.cc only forwards argv.
#pragma once

#include <string>
#include <vector>

namespace runner {

// args excludes the program name. selfPath locates the default kernel
// (<bindir>/../share/nanos-unikernel/kernel.img) for --hypervisor xen.
int runNanos(const std::vector<std::string>& args, const std::string& selfPath);

// <dir of selfPath>/../share/nanos-unikernel: the same layout in a build tree and a prefix.
std::string defaultDataDir(const std::string& selfPath);

} // namespace runner
