// The nanos-mkimage subcommands. Each one parses its own arguments and returns an
// llvm::Error; main() reports an error once ("nanos-mkimage: error: ...") and picks
// the exit status. A UsageError (see below) exits 2, any other error 1.
#pragma once

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

namespace mkimage {

// Marks an error as a command-line usage problem (exit status 2).
class UsageError : public llvm::ErrorInfo<UsageError> {
public:
  static char ID;
  explicit UsageError(std::string message) : message_(std::move(message)) {}
  void log(llvm::raw_ostream& os) const override { os << message_; }
  std::error_code convertToErrorCode() const override { return llvm::inconvertibleErrorCode(); }

private:
  std::string message_;
};

inline llvm::Error usageError(const llvm::Twine& message) {
  return llvm::make_error<UsageError>(message.str());
}

using Args = llvm::ArrayRef<llvm::StringRef>;

// deps: print the shared-library closure (resolver/, issue "resolver").
llvm::Error runDepsCommand(Args args, llvm::raw_ostream& out);
// build / verify / ls / cat / manifest / inspect (image/).
llvm::Error runBuildCommand(Args args, llvm::raw_ostream& out);
llvm::Error runVerifyCommand(Args args, llvm::raw_ostream& out);
llvm::Error runLsCommand(Args args, llvm::raw_ostream& out);
llvm::Error runCatCommand(Args args, llvm::raw_ostream& out);
llvm::Error runManifestCommand(Args args, llvm::raw_ostream& out);
llvm::Error runInspectCommand(Args args, llvm::raw_ostream& out);
// export: an image as a qcow2/vmdk/vhd/vhdx/gce/oci/containerdisk artifact (artifact/).
llvm::Error runExportCommand(Args args, llvm::raw_ostream& out);

}  // namespace mkimage
