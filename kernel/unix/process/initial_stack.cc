#include "unix/process/initial_stack.h"

namespace unix {
namespace {

size_t length(const char* s) {
  size_t n = 0;
  while (s[n] != '\0')
    ++n;
  return n;
}

// Places bytes downward from the top of the buffer, tracking the matching user address.
class DownwardWriter {
public:
  DownwardWriter(uint8_t* buf, size_t size, uint64_t top) : buf_(buf), size_(size), top_(top) {}

  bool ok() const { return ok_; }
  uint64_t user_address() const { return top_ - used_; }

  uint64_t push_bytes(const void* data, size_t n) {
    if (!reserve(n))
      return 0;
    const auto* src = static_cast<const uint8_t*>(data);
    uint8_t* dst = buf_ + (size_ - used_);
    for (size_t i = 0; i < n; ++i)
      dst[i] = src[i];
    return user_address();
  }
  uint64_t push_string(const char* s) { return push_bytes(s, length(s) + 1); }
  void align_down(size_t alignment) {
    size_t pad = static_cast<size_t>(user_address() % alignment);
    if (reserve(pad))
      for (size_t i = 0; i < pad; ++i)
        buf_[size_ - used_ + i] = 0;
  }
  void push_word(uint64_t v) { push_bytes(&v, sizeof v); }

private:
  bool reserve(size_t n) {
    if (!ok_ || size_ - used_ < n) {
      ok_ = false;
      return false;
    }
    used_ += n;
    return true;
  }
  uint8_t* buf_;
  size_t size_;
  uint64_t top_;
  size_t used_ = 0;
  bool ok_ = true;
};

} // namespace

uint64_t build_initial_stack(const InitialStackInput& in, uint8_t* buf, size_t size,
                             uint64_t stack_top) {
  DownwardWriter w(buf, size, stack_top);
  const char* execfn = in.execfn != nullptr ? in.execfn : (in.argc > 0 ? in.argv[0] : "");
  const uint64_t execfn_at = w.push_string(execfn);

  // Strings go in first (highest); their addresses are recomputed from the lengths when the
  // pointer arrays are written, so no allocation is needed.
  uint64_t env_top = w.user_address();
  for (size_t i = in.envc; i-- > 0;)
    w.push_string(in.envp[i]);
  uint64_t argv_top = w.user_address();
  for (size_t i = in.argc; i-- > 0;)
    w.push_string(in.argv[i]);
  const uint64_t platform_at = w.push_string("x86_64");
  w.align_down(16);
  const uint64_t random_at = w.push_bytes(in.random, sizeof in.random);
  if (!w.ok())
    return 0;

  // Words below: argc, argv (argc+1), envp (envc+1), auxv ((auxc+3+1)*2). Keep rsp 16-aligned.
  const size_t words = 1 + (in.argc + 1) + (in.envc + 1) + (in.auxc + 4) * 2;
  w.align_down(16);
  if ((words % 2) != 0)
    w.push_word(0);

  w.push_word(0);
  w.push_word(kAtNull);
  w.push_word(platform_at);
  w.push_word(kAtPlatform);
  w.push_word(execfn_at);
  w.push_word(kAtExecfn);
  w.push_word(random_at);
  w.push_word(kAtRandom);
  for (size_t i = in.auxc; i-- > 0;) {
    w.push_word(in.aux[i].value);
    w.push_word(in.aux[i].type);
  }
  // Pointer arrays: strings were pushed last-first, so string i starts where the running
  // address lands after skipping the strings below it.
  w.push_word(0);
  {
    uint64_t addr = env_top;
    // envp[0] starts at env_top minus all the env strings; envp[i] follows envp[i-1].
    for (size_t i = in.envc; i-- > 0;)
      addr -= length(in.envp[i]) + 1;
    for (size_t i = in.envc; i-- > 0;) {
      uint64_t a = addr;
      for (size_t j = 0; j < i; ++j)
        a += length(in.envp[j]) + 1;
      w.push_word(a);
    }
  }
  w.push_word(0);
  {
    uint64_t addr = argv_top;
    for (size_t i = in.argc; i-- > 0;)
      addr -= length(in.argv[i]) + 1;
    for (size_t i = in.argc; i-- > 0;) {
      uint64_t a = addr;
      for (size_t j = 0; j < i; ++j)
        a += length(in.argv[j]) + 1;
      w.push_word(a);
    }
  }
  w.push_word(in.argc);
  if (!w.ok())
    return 0;
  return w.user_address();
}

} // namespace unix
