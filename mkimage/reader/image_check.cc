#include "reader/image_check.h"

#include <algorithm>
#include <map>

namespace mkimage::reader {

namespace {

llvm::Error fail(const std::string& what) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), "%s", what.c_str());
}

struct Owned {
  uint64_t block, blocks;
  std::string owner;
};

struct FsChecker {
  const DecodedImage& image;
  const DecodedFs& fs;
  std::vector<Owned> used;
  std::map<std::string, std::string> seen; // extent list -> first path (hard links)
  ContentSummary& summary;

  std::string where() const { return image.path + ": " + fs.name + " partition: "; }

  llvm::Error file(const Value& v, const std::string& path) {
    auto extents = fileExtents(v);
    if (!extents)
      return fail(where() + path + ": " + llvm::toString(extents.takeError()));
    std::string key;
    for (const Extent& x : *extents) {
      uint64_t blocks = std::max(x.allocated, x.length);
      if (blocks > fs.blocks || x.diskBlock > fs.blocks - blocks)
        return fail(where() + path + ": extent at block " + std::to_string(x.diskBlock) + " (" +
                    std::to_string(blocks) + " blocks) runs past the partition end (" +
                    std::to_string(fs.blocks) + " blocks)");
      key += std::to_string(x.fileBlock) + ":" + std::to_string(x.diskBlock) + "+" +
             std::to_string(blocks) + ",";
    }
    if (!key.empty() && !seen.emplace(key, path).second)
      return llvm::Error::success(); // a hard link of a file already checked
    for (const Extent& x : *extents)
      used.push_back({x.diskBlock, std::max(x.allocated, x.length), path});
    auto data = readFile(image, fs, v);
    if (!data)
      return fail(path + ": " + llvm::toString(data.takeError()));
    ++summary.files;
    summary.bytes += data->size();
    return llvm::Error::success();
  }

  llvm::Error directory(const Value& dir, const std::string& prefix) {
    const Value* children = dir.find("children");
    if (!children)
      return llvm::Error::success();
    for (const auto& [name, e] : children->entries) {
      std::string path = prefix + "/" + name;
      if (e.has("children")) {
        if (auto err = directory(e, path))
          return err;
      } else if (e.has("extents")) {
        if (auto err = file(e, path))
          return err;
      }
    }
    return llvm::Error::success();
  }

  llvm::Error overlaps() {
    std::sort(used.begin(), used.end(),
              [](const Owned& a, const Owned& b) { return a.block < b.block; });
    const Owned* reach = nullptr; // the range that ends furthest so far
    for (const Owned& r : used) {
      if (r.blocks == 0)
        continue;
      if (reach && r.block < reach->block + reach->blocks)
        return fail(where() + r.owner + " and " + reach->owner + " share block " +
                    std::to_string(r.block));
      if (!reach || r.block + r.blocks > reach->block + reach->blocks)
        reach = &r;
    }
    return llvm::Error::success();
  }
};

} // namespace

llvm::Expected<ContentSummary> checkContents(const DecodedImage& image) {
  ContentSummary summary;
  for (const DecodedFs* fs : {&image.boot, &image.root}) {
    FsChecker checker{image, *fs, {}, {}, summary};
    for (const LogExtension& x : fs->log)
      checker.used.push_back(
          {x.block, x.blocks, "log extension at block " + std::to_string(x.block)});
    if (auto e = checker.directory(fs->root, ""))
      return e;
    if (auto e = checker.overlaps())
      return e;
  }
  return summary;
}

} // namespace mkimage::reader
