// nanos-mkimage: the thin driver. Picks the subcommand, runs it, reports errors once.
#include "resolver/error_text.h"
#include "tool/commands.h"

#include "llvm/Support/raw_ostream.h"

#include <cstring>
#include <string>
#include <vector>

namespace mkimage {
char UsageError::ID = 0;
}

namespace {

struct Command {
  const char* name;
  const char* summary;
  llvm::Error (*run)(mkimage::Args, llvm::raw_ostream&);
};

const Command kCommands[] = {
    {"build", "write a bootable image for a program", mkimage::runBuildCommand},
    {"deps", "print the shared libraries the loader will open", mkimage::runDepsCommand},
    {"ls", "list files in an image", mkimage::runLsCommand},
    {"cat", "print a file stored in an image", mkimage::runCatCommand},
    {"manifest", "print an image's root configuration", mkimage::runManifestCommand},
    {"inspect", "print an image's layout", mkimage::runInspectCommand},
    {"verify", "check an image (against its bill of materials)", mkimage::runVerifyCommand},
    {"export", "write an image as a cloud/Kubernetes artifact", mkimage::runExportCommand},
};

void printUsage(llvm::raw_ostream& os) {
  os << "usage: nanos-mkimage COMMAND [ARGS...]\n\ncommands:\n";
  for (const Command& c : kCommands)
    os << "  " << llvm::left_justify(c.name, 10) << c.summary << "\n";
  os << "\nRun 'nanos-mkimage COMMAND --help' for a command's options.\n";
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    printUsage(llvm::errs());
    return 2;
  }
  llvm::StringRef name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    printUsage(llvm::outs());
    return 0;
  }
  if (name == "--version") {
    llvm::outs() << "nanos-mkimage " << UNIKERNEL_VERSION << "\n";
    return 0;
  }
  for (const Command& c : kCommands) {
    if (name != c.name)
      continue;
    std::vector<llvm::StringRef> args(argv + 2, argv + argc);
    llvm::Error err = c.run(args, llvm::outs());
    llvm::outs().flush();
    int status = 0;
    llvm::handleAllErrors(
        std::move(err),
        [&](const mkimage::UsageError& e) {
          llvm::errs() << "nanos-mkimage " << c.name << ": error: " << mkimage::oneLine(e.message())
                       << "\n";
          status = 2;
        },
        [&](const llvm::ErrorInfoBase& e) {
          llvm::errs() << "nanos-mkimage " << c.name << ": error: " << mkimage::oneLine(e.message())
                       << "\n";
          status = 1;
        });
    return status;
  }
  llvm::errs() << "nanos-mkimage: error: unknown command '" << name
               << "' (run 'nanos-mkimage --help')\n";
  return 2;
}
