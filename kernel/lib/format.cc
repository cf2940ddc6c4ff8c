#include "lib/format.h"

#include "lib/string.h"

#include <stdint.h>

namespace klib {
namespace {

struct Out {
  FormatSink sink;
  void* ctx;
  size_t total = 0;
  void put(const char* s, size_t n) {
    if (n)
      sink(ctx, s, n);
    total += n;
  }
  void repeat(char c, size_t n) {
    while (n--)
      put(&c, 1);
  }
};

struct Spec {
  bool left = false;
  bool zero = false;
  bool alt = false; // '#': 0x prefix for %x, 0 for %o
  size_t width = 0;
  bool has_precision = false;
  size_t precision = 0;
};

void emit_padded(Out& out, const Spec& spec, const char* prefix, const char* body, size_t len) {
  size_t plen = strlen(prefix);
  size_t pad = spec.width > len + plen ? spec.width - len - plen : 0;
  if (spec.left) {
    out.put(prefix, plen);
    out.put(body, len);
    out.repeat(' ', pad);
  } else if (spec.zero) {
    out.put(prefix, plen);
    out.repeat('0', pad);
    out.put(body, len);
  } else {
    out.repeat(' ', pad);
    out.put(prefix, plen);
    out.put(body, len);
  }
}

void emit_number(Out& out, const Spec& spec, uint64_t value, unsigned base, bool upper,
                 bool negative, const char* prefix_if_any) {
  char digits[24];
  size_t n = 0;
  const char* set = upper ? "0123456789ABCDEF" : "0123456789abcdef";
  do {
    digits[sizeof(digits) - 1 - n++] = set[value % base];
    value /= base;
  } while (value);
  const char* prefix = negative ? "-" : prefix_if_any;
  emit_padded(out, spec, prefix, digits + sizeof(digits) - n, n);
}

void buffer_sink(void* ctx, const char* data, size_t len) {
  auto* b = static_cast<char**>(ctx); // b[0] = cursor, b[1] = end (exclusive, NUL room kept)
  size_t room = static_cast<size_t>(b[1] - b[0]);
  size_t n = len < room ? len : room;
  if (!n)
    return;
  memcpy(b[0], data, n);
  b[0] += n;
}

} // namespace

size_t vformat_to(FormatSink sink, void* ctx, const char* fmt, va_list ap) {
  Out out{sink, ctx};
  while (*fmt) {
    const char* start = fmt;
    while (*fmt && *fmt != '%')
      ++fmt;
    out.put(start, static_cast<size_t>(fmt - start));
    if (!*fmt)
      break;
    const char* conv_start = fmt++;
    Spec spec;
    for (;; ++fmt) {
      if (*fmt == '-')
        spec.left = true;
      else if (*fmt == '0')
        spec.zero = true;
      else if (*fmt == '#')
        spec.alt = true;
      else if (*fmt == ' ' || *fmt == '+')
        continue;
      else
        break;
    }
    if (*fmt == '*') {
      int w = va_arg(ap, int);
      if (w < 0)
        spec.left = true, w = -w;
      spec.width = static_cast<size_t>(w);
      ++fmt;
    } else {
      while (*fmt >= '0' && *fmt <= '9')
        spec.width = spec.width * 10 + static_cast<size_t>(*fmt++ - '0');
    }
    if (*fmt == '.') {
      ++fmt;
      spec.has_precision = true;
      if (*fmt == '*') {
        int p = va_arg(ap, int);
        spec.precision = p < 0 ? 0 : static_cast<size_t>(p);
        ++fmt;
      } else {
        while (*fmt >= '0' && *fmt <= '9')
          spec.precision = spec.precision * 10 + static_cast<size_t>(*fmt++ - '0');
      }
    }
    int length = 0; // 0 int, 1 long, 2 long long/size_t-ish 64 bit, -1 short, -2 char
    for (;; ++fmt) {
      if (*fmt == 'l')
        length = length >= 1 ? 2 : 1;
      else if (*fmt == 'z' || *fmt == 't' || *fmt == 'j')
        length = 2;
      else if (*fmt == 'h')
        length = length <= -1 ? -2 : -1;
      else
        break;
    }
    char c = *fmt;
    if (!c) {
      out.put(conv_start, static_cast<size_t>(fmt - conv_start));
      break;
    }
    ++fmt;
    switch (c) {
    case 'd':
    case 'i': {
      int64_t v = length >= 1 ? va_arg(ap, long) : va_arg(ap, int);
      if (length == -1)
        v = static_cast<short>(v);
      if (length == -2)
        v = static_cast<signed char>(v);
      uint64_t mag = v < 0 ? 0 - static_cast<uint64_t>(v) : static_cast<uint64_t>(v);
      emit_number(out, spec, mag, 10, false, v < 0, "");
      break;
    }
    case 'u':
    case 'x':
    case 'X':
    case 'o': {
      uint64_t v = length >= 1 ? va_arg(ap, unsigned long) : va_arg(ap, unsigned int);
      if (length == -1)
        v = static_cast<unsigned short>(v);
      if (length == -2)
        v = static_cast<unsigned char>(v);
      unsigned base = c == 'u' ? 10 : c == 'o' ? 8 : 16;
      const char* prefix = "";
      if (spec.alt && v != 0)
        prefix = c == 'x' ? "0x" : c == 'X' ? "0X" : c == 'o' ? "0" : "";
      emit_number(out, spec, v, base, c == 'X', false, prefix);
      break;
    }
    case 'p': {
      auto v = reinterpret_cast<uintptr_t>(va_arg(ap, void*));
      emit_number(out, spec, v, 16, false, false, "0x");
      break;
    }
    case 'c': {
      char ch = static_cast<char>(va_arg(ap, int));
      emit_padded(out, spec, "", &ch, 1);
      break;
    }
    case 's': {
      const char* s = va_arg(ap, const char*);
      if (!s)
        s = "(null)";
      size_t len = spec.has_precision ? strnlen(s, spec.precision) : strlen(s);
      Spec sspec = spec;
      sspec.zero = false;
      emit_padded(out, sspec, "", s, len);
      break;
    }
    case '%':
      out.put("%", 1);
      break;
    default:
      out.put(conv_start, static_cast<size_t>(fmt - conv_start));
      break;
    }
  }
  return out.total;
}

size_t vformat(char* buf, size_t size, const char* fmt, va_list ap) {
  char* cursor[2] = {buf, size ? buf + size - 1 : buf};
  size_t total = vformat_to(buffer_sink, cursor, fmt, ap);
  if (size)
    *cursor[0] = 0;
  return total;
}

size_t format(char* buf, size_t size, const char* fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  size_t n = vformat(buf, size, fmt, ap);
  va_end(ap);
  return n;
}

} // namespace klib
