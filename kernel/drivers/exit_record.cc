#include "drivers/exit_record.h"

namespace exit_channel {
namespace {

const char* kind_word(ExitReport::Kind kind) {
  switch (kind) {
  case ExitReport::Kind::kProgramExit:
    return "exit";
  case ExitReport::Kind::kKilledBySignal:
    return "signal";
  case ExitReport::Kind::kKernelPanic:
    return "panic";
  }
  return "panic";
}

} // namespace

size_t format_record(const ExitReport& report, char* out, size_t capacity) {
  size_t n = 0;
  auto put = [&](char c) {
    if (n < capacity)
      out[n] = c;
    ++n;
  };
  for (const char* s = "nanos-exit: "; *s; ++s)
    put(*s);
  for (const char* s = kind_word(report.kind); *s; ++s)
    put(*s);
  put(' ');
  // A negative status cannot come from the kernel's callers; print its magnitude's digits
  // after a '-' so that the host rejects the record instead of misreading it.
  long value = report.status;
  if (value < 0) {
    put('-');
    value = -value;
  }
  char digits[20];
  int d = 0;
  do {
    digits[d++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value);
  while (d)
    put(digits[--d]);
  put('\n');
  return n <= capacity ? n : 0;
}

} // namespace exit_channel
