// llvm::json::parse recurses once per nested array or object, so a hostile file of ~40 000
// '[' overflows the stack. Input is measured first, without recursion.
#pragma once

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace mkimage {

// Deep enough for any config or BOM (they nest a few levels), far below the stack's limit.
constexpr unsigned kMaxJsonNesting = 100;

// Fails, naming `file`, if arrays and objects nest more than `limit` deep in `text`
// (brackets inside strings do not count). Syntax errors are left to the parser.
llvm::Error checkJsonNesting(llvm::StringRef text, llvm::StringRef file,
                             unsigned limit = kMaxJsonNesting);

} // namespace mkimage
