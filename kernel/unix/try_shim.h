// TEMPORARY until the conv branch's TRY (lib/error_or.h) is merged.
#pragma once
#include "lib/error_or.h"
#ifndef TRY
#define TRY(expr)                                                                              \
  ({                                                                                           \
    auto _try_result = (expr);                                                                 \
    if (!_try_result.ok())                                                                     \
      return Err(_try_result.error());                                                         \
    *_try_result;                                                                              \
  })
#endif
