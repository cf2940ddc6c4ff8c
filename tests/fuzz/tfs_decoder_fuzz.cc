// libFuzzer target for the image reader's TFS decoder: any input must give either a
// decoded image or a std::exception (the error the CLI prints), never a crash or hang.
#include "reader/tfs_decoder.h"

#include <cstdio>
#include <exception>
#include <string>
#include <unistd.h>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The decoder reads from a path (as the CLI does), so hand it the input as a file.
  static const std::string path = "/tmp/tfs-decoder-fuzz-" + std::to_string(getpid());
  FILE* f = std::fopen(path.c_str(), "wb");
  if (!f)
    return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  try {
    auto img = mkimage::reader::decodeImage(path);
    if (const auto* v = mkimage::reader::lookup(img.root.root, "/a"))
      if (v->has("extents"))
        (void)mkimage::reader::readFile(path, img.rootOffset, *v);
  } catch (const std::exception&) {
  }
  return 0;
}
