#include "decompress.h"

#include <fstream>
#include <gtest/gtest.h>
#include <iterator>
#include <sys/stat.h>
#include <zstd.h>

namespace runner {
namespace {

std::string tempName(const char* suffix) {
  return ::testing::TempDir() + "/decompress_test_" +
         ::testing::UnitTest::GetInstance()->current_test_info()->name() + suffix;
}

void writeFile(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary) << data;
}

TEST(Decompress, RoundTripAndCleanup) {
  std::string original(3 << 20, '\0');
  for (size_t i = 0; i < original.size(); i += 4096)
    original[i] = static_cast<char>(i >> 12);
  std::string packed(ZSTD_compressBound(original.size()), '\0');
  packed.resize(ZSTD_compress(packed.data(), packed.size(), original.data(), original.size(), 3));
  std::string zst = tempName(".img.zst");
  writeFile(zst, packed);
  std::string path;
  {
    auto t = decompressZstdToTemp(zst);
    ASSERT_TRUE(static_cast<bool>(t)) << llvm::toString(t.takeError());
    path = t->path();
    std::ifstream in(path, std::ios::binary);
    std::string got((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(got, original);
  }
  struct stat st;
  EXPECT_NE(::stat(path.c_str(), &st), 0) << "temporary file left behind";
}

TEST(Decompress, BadAndTruncatedInput) {
  std::string bad = tempName(".zst");
  writeFile(bad, "this is not zstd");
  auto r = decompressZstdToTemp(bad);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("not valid zstd"), std::string::npos);

  std::string data(100000, 'x');
  std::string packed(ZSTD_compressBound(data.size()), '\0');
  packed.resize(ZSTD_compress(packed.data(), packed.size(), data.data(), data.size(), 1));
  writeFile(bad, packed.substr(0, packed.size() - 3));
  r = decompressZstdToTemp(bad);
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("truncated"), std::string::npos);

  r = decompressZstdToTemp(tempName(".missing.zst"));
  ASSERT_FALSE(static_cast<bool>(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("No such file"), std::string::npos);
}

} // namespace
} // namespace runner
