// nanos-mkimage ls / cat / manifest / inspect on top of the image reader (image_reader.h),
// which decodes with the shared TFS codec (kernel/lib/tfs).
#include "reader/image_reader.h"
#include "tool/commands.h"

#include "llvm/ADT/STLExtras.h"

#include <algorithm>
#include <cctype>
#include <map>

namespace mkimage {
namespace {
using reader::Value;

llvm::Error failure(const std::string& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", what.c_str());
}
// Path errors from resolve() get the image name in front.
llvm::Error inImage(const std::string& image, llvm::Error e) {
  return failure(image + ": " + llvm::toString(std::move(e)));
}

// `--help`/`-h` anywhere prints the usage (exit status 2, like `build --help`); any other
// word starting with '-' (but "-" and the options in `known`) is an unknown option, never an
// image or path name.
llvm::Error checkArgs(Args args, const char* usage, std::initializer_list<llvm::StringRef> known) {
  for (llvm::StringRef a : args) {
    if (a == "--help" || a == "-h")
      return usageError(usage);
    if (a.startswith("-") && a != "-" && !llvm::is_contained(known, a))
      return usageError("unknown option '" + a + "' (" + usage + ")");
  }
  return llvm::Error::success();
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
    if (v.negative)
      out << '-';
    out << v.num;
    return;
  default:
    printAtom(v.str, out);
  }
}

uint64_t sizeOf(const Value& v) {
  const Value* len = v.find("filelength");
  return len ? len->number().value_or(0) : 0;
}
std::string linkTarget(const Value& v) {
  const Value* t = v.find("linktarget");
  return t ? t->str : std::string();
}

// ---- inspect: where everything lies in a partition ----
struct UsedRange {
  uint64_t block, blocks;
  std::string owner;
};

// Regular files below `dir` (depth-first, sorted names): their extents. Names whose extent
// lists are identical are hard links of one file (two distinct files never share blocks in
// a valid image): listed once, as links of the first name (`seen`: extent list -> path).
void printFiles(const Value& dir, const std::string& prefix, const reader::DecodedFs& fs,
                std::vector<UsedRange>& used, std::map<std::string, std::string>& seen,
                llvm::raw_ostream& out) {
  const Value* children = dir.find("children");
  if (!children)
    return;
  for (const auto& [name, e] : children->entries) {
    std::string path = prefix + "/" + name;
    if (e.has("children")) {
      printFiles(e, path, fs, used, seen, out);
      continue;
    }
    if (e.has("linktarget")) {
      out << "  link " << path << " -> " << linkTarget(e) << '\n';
      continue;
    }
    if (!e.has("extents"))
      continue;
    out << "  file " << path;
    auto length = reader::fileLength(e);
    if (!length) {
      out << ": " << llvm::toString(length.takeError()) << '\n';
      continue;
    }
    auto extents = reader::fileExtents(e);
    if (!extents) {
      out << ": " << llvm::toString(extents.takeError()) << '\n';
      continue;
    }
    std::string key;
    for (const reader::Extent& x : *extents)
      key += std::to_string(x.fileBlock) + ":" + std::to_string(x.diskBlock) + "+" +
             std::to_string(x.allocated) + ",";
    if (!key.empty()) {
      auto [it, first] = seen.emplace(key, path);
      if (!first) {
        out << ": " << *length << " bytes, hard link of " << it->second << '\n';
        continue;
      }
    }
    out << ": " << *length << " bytes";
    if (extents->empty())
      out << ", no extents";
    for (const reader::Extent& x : *extents) {
      out << ", extent " << x.fileBlock << ": blocks " << x.diskBlock << "+" << x.length;
      if (x.allocated != x.length)
        out << " (allocated " << x.allocated << ")";
      if (x.uninited)
        out << " uninited";
      if (x.allocated > fs.blocks || x.diskBlock > fs.blocks - x.allocated)
        out << " PAST THE PARTITION END";
      used.push_back({x.diskBlock, std::max(x.allocated, x.length), path});
    }
    out << '\n';
  }
}

void printPartition(const reader::DecodedFs& fs, llvm::raw_ostream& out) {
  static const char kHex[] = "0123456789abcdef";
  out << "  TFS v" << fs.version << ", uuid ";
  for (unsigned char c : fs.uuid)
    out << kHex[c >> 4] << kHex[c & 15];
  out << ", log ends at byte " << fs.logEnd << '\n';
  std::vector<UsedRange> used;
  for (const reader::LogExtension& x : fs.log) {
    out << "  log extension: blocks " << x.block << "+" << x.blocks << '\n';
    used.push_back({x.block, x.blocks, "log extension"});
  }
  std::map<std::string, std::string> seen;
  printFiles(fs.root, "", fs, used, seen, out);
  // Free space = blocks no log extension and no extent covers (spec §3: there is no bitmap).
  std::sort(used.begin(), used.end(),
            [](const UsedRange& a, const UsedRange& b) { return a.block < b.block; });
  uint64_t cursor = 0, freeBlocks = 0, runs = 0, largest = 0, largestAt = 0, overlap = 0;
  std::string firstOverlap;
  const UsedRange* reach = nullptr; // the range that ends furthest so far
  for (const UsedRange& r : used) {
    uint64_t start = std::min(r.block, fs.blocks);
    uint64_t end = std::min(r.block + r.blocks, fs.blocks);
    if (start > cursor) {
      uint64_t gap = start - cursor;
      freeBlocks += gap;
      ++runs;
      if (gap > largest) {
        largest = gap;
        largestAt = cursor;
      }
    } else if (reach && start < cursor && r.blocks) {
      overlap += std::min(end, cursor) - start;
      if (firstOverlap.empty())
        firstOverlap = r.owner + " and " + reach->owner + " at block " + std::to_string(start);
    }
    if (end > cursor) {
      cursor = end;
      reach = &r;
    }
  }
  if (fs.blocks > cursor) {
    uint64_t gap = fs.blocks - cursor;
    freeBlocks += gap;
    ++runs;
    if (gap > largest) {
      largest = gap;
      largestAt = cursor;
    }
  }
  out << "  free: " << freeBlocks << " blocks (" << freeBlocks / 2 << " KiB) in " << runs
      << (runs == 1 ? " run" : " runs");
  if (runs)
    out << ", largest at block " << largestAt << " (" << largest << " blocks)";
  out << '\n';
  if (overlap)
    out << "  OVERLAP: " << overlap << " blocks used twice, first: " << firstOverlap << '\n';
}
// The interface configuration the kernel will apply: Nanos' static keys (ipaddr, netmask,
// gateway at the root, or in the per-interface tuple en1) or DHCP; and the DNS servers
// nanos-mkimage --nameserver recorded.
void printNetwork(const Value& root, llvm::raw_ostream& out) {
  auto describe = [&](const Value& t) {
    std::string s;
    for (const char* key : {"ipaddr", "netmask", "gateway"})
      if (const Value* v = t.find(key))
        s += std::string(s.empty() ? "" : ", ") + key + " " + v->str;
    return s;
  };
  std::string rootConfig = describe(root);
  out << "network: " << (rootConfig.empty() ? "DHCP" : "static " + rootConfig);
  if (const Value* en1 = root.find("en1"); en1 && en1->kind == Value::Kind::Tuple) {
    std::string c = describe(*en1);
    if (!c.empty())
      out << "; en1: static " << c;
  }
  if (const Value* ns = root.find("nameservers")) {
    out << "; nameservers";
    if (ns->kind == Value::Kind::Vector)
      for (const Value& e : ns->elems)
        out << ' ' << e.str;
    else
      out << ' ' << ns->str;
  }
  out << '\n';
}
} // namespace

llvm::Error runLsCommand(Args args, llvm::raw_ostream& out) {
  if (auto e = checkArgs(args, "usage: nanos-mkimage ls IMAGE [PATH] [-l]", {"-l"}))
    return e;
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
  auto img = reader::decodeImage(pos[0]);
  if (!img)
    return img.takeError();
  // A link names itself (ls -l shows its target) unless it leads to a directory.
  auto v = reader::resolve(img->root.root, path, /*followLast=*/false);
  if (!v)
    return inImage(pos[0], v.takeError());
  const Value* dir = *v;
  if ((*v)->has("linktarget")) {
    auto target = reader::resolve(img->root.root, path, /*followLast=*/true);
    if (target && (*target)->has("children"))
      dir = *target;
    else if (!target)
      llvm::consumeError(target.takeError()); // a dangling link is still listed
  }
  std::string listing;
  llvm::raw_string_ostream text(listing);
  auto printEntry = [&](const std::string& name, const Value& e) {
    if (longFormat) {
      text << kindOf(e) << ' ' << sizeOf(e) << ' ' << name;
      if (e.has("linktarget"))
        text << " -> " << linkTarget(e);
    } else {
      text << name;
    }
    text << '\n';
  };
  if (const Value* children = dir->find("children"))
    for (const auto& [name, e] : children->entries)
      printEntry(name, e);
  else
    printEntry(path, *dir);
  out << text.str();
  return llvm::Error::success();
}

llvm::Error runCatCommand(Args args, llvm::raw_ostream& out) {
  if (auto e = checkArgs(args, "usage: nanos-mkimage cat IMAGE PATH", {}))
    return e;
  if (args.size() != 2)
    return usageError("usage: nanos-mkimage cat IMAGE PATH");
  std::string image = args[0].str(), path = args[1].str();
  auto img = reader::decodeImage(image);
  if (!img)
    return img.takeError();
  auto v = reader::resolve(img->root.root, path, /*followLast=*/true);
  if (!v)
    return inImage(image, v.takeError());
  if ((*v)->has("children"))
    return failure(image + ": " + path + ": is a directory");
  if (!(*v)->has("extents"))
    return failure(image + ": " + path + ": not a regular file (no extents)");
  // Read everything before writing anything: no partial output on error.
  auto data = reader::readFile(*img, img->root, **v);
  if (!data)
    return data.takeError();
  out << *data;
  return llvm::Error::success();
}

llvm::Error runManifestCommand(Args args, llvm::raw_ostream& out) {
  if (auto e = checkArgs(args, "usage: nanos-mkimage manifest IMAGE", {}))
    return e;
  if (args.size() != 1)
    return usageError("usage: nanos-mkimage manifest IMAGE");
  auto img = reader::decodeImage(args[0].str());
  if (!img)
    return img.takeError();
  printValue(img->root.root, out, /*skipChildren=*/true);
  out << '\n';
  return llvm::Error::success();
}

llvm::Error runInspectCommand(Args args, llvm::raw_ostream& out) {
  if (auto e = checkArgs(args, "usage: nanos-mkimage inspect IMAGE", {}))
    return e;
  if (args.size() != 1)
    return usageError("usage: nanos-mkimage inspect IMAGE");
  auto img = reader::decodeImage(args[0].str());
  if (!img)
    return img.takeError();
  if (img->compressed)
    out << "image: zstd-compressed, read through a decompressed temporary copy\n";
  printNetwork(img->root.root, out);
  out << "boot partition: offset " << img->bootOffset << " (LBA " << img->bootOffset / 512
      << "), sectors " << img->boot.blocks << ", log extensions " << img->boot.extensions
      << ", label " << img->boot.label << '\n';
  printPartition(img->boot, out);
  out << "root partition: offset " << img->rootOffset << " (LBA " << img->rootOffset / 512
      << "), sectors " << img->root.blocks << ", log extensions " << img->root.extensions
      << ", label " << img->root.label << '\n';
  printPartition(img->root, out);
  return llvm::Error::success();
}
} // namespace mkimage
