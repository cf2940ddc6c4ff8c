// libFuzzer target for the ELF checks `build` makes of the kernel (image/kernel_image.cc):
// any input is accepted with its entry points or refused with one line, never read out of
// bounds. The input is also tried with a valid ELF64 header in front of it, so that the
// program header and note parsing is reached, not only the magic check.
#include "image/kernel_image.h"

#include <cstring>
#include <string>

namespace {
void check(const std::string& bytes) {
  auto info = mkimage::checkKernelImage(bytes, "fuzz.elf");
  if (!info) {
    std::string message = llvm::toString(info.takeError());
    if (message.find('\n') != std::string::npos)
      __builtin_trap();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  check(raw);
  // ELF64 LE x86-64 ET_EXEC, program headers at 64 (count from the input's first byte).
  std::string elf(64, '\0');
  std::memcpy(&elf[0],
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  elf[16] = 2, elf[18] = 62, elf[20] = 1, elf[32] = 64, elf[52] = 64, elf[54] = 56;
  elf[56] = size ? static_cast<char>(data[0] % 8) : 1;
  check(elf + raw);
  return 0;
}
