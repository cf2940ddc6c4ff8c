// printf-style formatting into a buffer; no allocation, host-testable.
//
// Supported: %d %i %u %x %X %o %c %s %p %% with flags '-' '0' '#', a width (or '*'), a precision
// for %s (or '.*'), and length modifiers hh h l ll z t j. Unknown conversions print verbatim.
#pragma once

#include <stdarg.h>
#include <stddef.h>

namespace klib {
// Like vsnprintf: writes at most size-1 characters plus NUL (when size > 0) and returns the
// length the full output would have had.
size_t vformat(char* buf, size_t size, const char* fmt, va_list ap);
size_t format(char* buf, size_t size, const char* fmt, ...) __attribute__((format(printf, 3, 4)));

// Streams the output piecewise to `sink` instead of a buffer (used by the console).
using FormatSink = void (*)(void* ctx, const char* data, size_t len);
size_t vformat_to(FormatSink sink, void* ctx, const char* fmt, va_list ap);
} // namespace klib
