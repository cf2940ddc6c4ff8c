#include "program_image.h"

#include <cstdio>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

namespace runner {
namespace {

TEST(ProgramImage, ElfMagicTellsAProgramFromAnImage) {
  EXPECT_TRUE(isElfFile("/proc/self/exe"));
  std::string error;
  std::string path = createTemporaryImage(error);
  ASSERT_FALSE(path.empty()) << error;
  EXPECT_FALSE(isElfFile(path)); // empty
  std::FILE* f = std::fopen(path.c_str(), "wb");
  ASSERT_NE(f, nullptr);
  std::fputs("\x7f"
             "EL",
             f); // three bytes of the magic only
  std::fclose(f);
  EXPECT_FALSE(isElfFile(path));
  ::unlink(path.c_str());
  EXPECT_FALSE(isElfFile("/nonexistent/program"));
}

TEST(ProgramImage, MkimageCommandKeepsOptionsAndTurnsArgumentsIntoArgs) {
  RunOptions o;
  o.image = "./app";
  o.mkimageArgs = {"--file", "a:/etc/a", "--env", "K=V"};
  o.extraQemuArgs = {"--greeting", "two words"};
  EXPECT_EQ(mkimageCommand(o, "/opt/bin/nanos-mkimage", "/tmp/x.img"),
            (std::vector<std::string>{"/opt/bin/nanos-mkimage", "build", "./app", "-o",
                                      "/tmp/x.img", "--file", "a:/etc/a", "--env", "K=V", "--arg",
                                      "--greeting", "--arg", "two words"}));
}

TEST(ProgramImage, MkimageIsFoundBesideTheRunner) {
  char dir[] = "/tmp/nanos-run-test-XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  std::string tool = std::string(dir) + "/nanos-mkimage";
  std::FILE* f = std::fopen(tool.c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fclose(f);
  ::chmod(tool.c_str(), 0755);
  EXPECT_EQ(findMkimage(std::string(dir) + "/nanos-run"), tool);
  ::unlink(tool.c_str());
  ::rmdir(dir);
}

} // namespace
} // namespace runner
