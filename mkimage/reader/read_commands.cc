// nanos-mkimage ls / cat / manifest / inspect on top of the TFS decoder (tfs_decoder.h).
#include "reader/tfs_decoder.h"
#include "tool/commands.h"

#include <stdexcept>

namespace mkimage {
namespace {
using reader::Value;

llvm::Error failure(const std::string& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", what.c_str());
}

// The decoder throws on malformed input; turn that into the tool's one-line error.
template <typename F> llvm::Error guarded(llvm::StringRef image, F&& body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return failure(image.str() + ": " + e.what());
  }
}

const char* kindOf(const Value& v) {
  if (v.has("children"))
    return "dir";
  if (v.has("linktarget"))
    return "link";
  return "file";
}

bool needsQuotes(const std::string& s) {
  if (s.empty())
    return true;
  for (char c : s)
    if (!(isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '/' || c == '-' ||
          c == '+'))
      return true;
  return false;
}

void printAtom(const std::string& s, llvm::raw_ostream& out) {
  if (!needsQuotes(s)) {
    out << s;
    return;
  }
  out << '"';
  for (char c : s) {
    if (c == '"' || c == '\\')
      out << '\\';
    out << c;
  }
  out << '"';
}

// mkfs text syntax (spec §4.1): (key:value ...) for tuples, [a b] for vectors.
void printValue(const Value& v, llvm::raw_ostream& out, bool skipChildren) {
  switch (v.kind) {
  case Value::Kind::Tuple: {
    out << '(';
    bool first = true;
    for (const auto& [k, e] : v.entries) {
      if (skipChildren && k == "children")
        continue;
      if (!first)
        out << ' ';
      first = false;
      printAtom(k, out);
      out << ':';
      printValue(e, out, false);
    }
    out << ')';
    return;
  }
  case Value::Kind::Vector: {
    out << '[';
    for (size_t i = 0; i < v.elems.size(); ++i) {
      if (i)
        out << ' ';
      printValue(v.elems[i], out, false);
    }
    out << ']';
    return;
  }
  case Value::Kind::Integer:
    out << v.num;
    return;
  default:
    printAtom(v.str, out);
  }
}

uint64_t sizeOf(const Value& v) {
  return v.has("filelength") ? v.at("filelength").number() : 0;
}
} // namespace

llvm::Error runLsCommand(Args args, llvm::raw_ostream& out) {
  bool longFormat = false;
  std::vector<std::string> pos;
  for (auto a : args) {
    if (a == "-l")
      longFormat = true;
    else
      pos.push_back(a.str());
  }
  if (pos.empty() || pos.size() > 2)
    return usageError("usage: nanos-mkimage ls IMAGE [PATH] [-l]");
  std::string path = pos.size() == 2 ? pos[1] : "/";
  return guarded(pos[0], [&]() -> llvm::Error {
    auto img = reader::decodeImage(pos[0]);
    const Value* v = reader::lookup(img.root.root, path);
    if (!v)
      return failure(path + ": no such file in " + pos[0]);
    auto printEntry = [&](const std::string& name, const Value& e) {
      if (longFormat) {
        out << kindOf(e) << ' ' << sizeOf(e) << ' ' << name;
        if (e.has("linktarget"))
          out << " -> " << e.at("linktarget").str;
      } else {
        out << name;
      }
      out << '\n';
    };
    if (v->has("children")) {
      for (const auto& [name, e] : v->at("children").entries)
        printEntry(name, e);
    } else {
      printEntry(path, *v);
    }
    return llvm::Error::success();
  });
}

llvm::Error runCatCommand(Args args, llvm::raw_ostream& out) {
  if (args.size() != 2)
    return usageError("usage: nanos-mkimage cat IMAGE PATH");
  std::string image = args[0].str(), path = args[1].str();
  return guarded(image, [&]() -> llvm::Error {
    auto img = reader::decodeImage(image);
    const Value* v = reader::lookup(img.root.root, path);
    if (!v)
      return failure(path + ": no such file in " + image);
    if (v->has("children") || !v->has("extents")) {
      if (v->has("children"))
        return failure(path + ": is a directory");
      if (v->has("linktarget"))
        return failure(path + ": is a symbolic link");
      return llvm::Error::success(); // empty file: no extents
    }
    // Decode fully before writing anything: no partial output on error.
    std::string data = reader::readFile(image, img.rootOffset, *v);
    out << data;
    return llvm::Error::success();
  });
}

llvm::Error runManifestCommand(Args args, llvm::raw_ostream& out) {
  if (args.size() != 1)
    return usageError("usage: nanos-mkimage manifest IMAGE");
  return guarded(args[0], [&]() -> llvm::Error {
    auto img = reader::decodeImage(args[0].str());
    printValue(img.root.root, out, /*skipChildren=*/true);
    out << '\n';
    return llvm::Error::success();
  });
}

llvm::Error runInspectCommand(Args args, llvm::raw_ostream& out) {
  if (args.size() != 1)
    return usageError("usage: nanos-mkimage inspect IMAGE");
  return guarded(args[0], [&]() -> llvm::Error {
    auto img = reader::decodeImage(args[0].str());
    out << "boot partition: offset " << img.bootOffset << " (LBA " << img.bootOffset / 512
        << "), log extensions " << img.boot.extensions << ", label " << img.boot.label << '\n';
    out << "root partition: offset " << img.rootOffset << " (LBA " << img.rootOffset / 512
        << "), sectors " << img.rootSize / 512 << ", log extensions " << img.root.extensions
        << ", label " << img.root.label << '\n';
    return llvm::Error::success();
  });
}
} // namespace mkimage
