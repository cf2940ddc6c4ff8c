// libFuzzer target for the ELF checks made of programs and libraries: nanos-mkimage's
// (resolver/elf_object.cc: the loader's header checks, every PT_LOAD inside the file, a
// NUL-terminated PT_INTERP, the dynamic section) and the kernel's load plan at exec
// (unix/process/elf_plan.cc), on the same bytes. Any input is accepted or refused with one
// line, never read out of bounds; a plan the kernel makes stays inside what it promises
// (segments counted, an interpreter string inside the buffer). The input is also tried
// behind a valid ELF64 x86-64 header so that the program headers are reached.
#include "resolver/elf_object.h"
#include "unix/process/elf_plan.h"

#include <cstring>
#include <string>

namespace {
void check(const std::string& bytes) {
  auto result = mkimage::parseElfObject("fuzz.elf", bytes);
  if (!result) {
    std::string message = llvm::toString(result.takeError());
    if (message.empty() || message.find('\n') != std::string::npos)
      __builtin_trap(); // errors are one line
  } else if (result->verdict == mkimage::ElfVerdict::Usable &&
             result->info.interpreter.find('\0') != std::string::npos) {
    __builtin_trap();
  }
  unix::ElfPlan plan;
  if (unix::plan_elf(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(), &plan) == 0) {
    if (plan.segment_count > unix::kMaxElfSegments)
      __builtin_trap();
    if (plan.interp_offset &&
        (plan.interp_offset > bytes.size() || plan.interp_size > bytes.size() - plan.interp_offset))
      __builtin_trap();
  }
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string raw(reinterpret_cast<const char*>(data), size);
  check(raw);
  // ELF64 LE x86-64, ET_DYN or ET_EXEC (from the first byte), program headers at 64.
  std::string elf(64, '\0');
  std::memcpy(&elf[0],
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  elf[16] = size && (data[0] & 0x80) ? 2 : 3;
  elf[18] = 62, elf[20] = 1, elf[32] = 64, elf[52] = 64, elf[54] = 56;
  elf[56] = size ? static_cast<char>(data[0] % 8) : 1;
  check(elf + raw);
  return 0;
}
