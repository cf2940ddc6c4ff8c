#include "run_options.h"

#include <gtest/gtest.h>

namespace runner {
namespace {

std::string parseError(const std::vector<std::string>& args) {
  auto r = parseRunOptions(args);
  if (r)
    return "";
  return llvm::toString(r.takeError());
}

TEST(XenOptions, BridgeAndCmdlineWithXen) {
  auto r = parseRunOptions(
      {"a.img", "--hypervisor", "xen", "--xen-bridge", "xenbr0", "--xen-cmdline=exit=3 x"});
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->xen.bridge, "xenbr0");
  EXPECT_EQ(r->xen.cmdline, "exit=3 x");
}

TEST(XenOptions, DefaultsAreNoVifAndNoCmdline) {
  auto r = parseRunOptions({"a.img", "--hypervisor", "xen"});
  ASSERT_TRUE(static_cast<bool>(r));
  EXPECT_EQ(r->xen.bridge, "");
  EXPECT_EQ(r->xen.cmdline, "");
}

TEST(XenOptions, NeedXenAndValidValues) {
  EXPECT_NE(
      parseError({"a.img", "--xen-bridge", "xenbr0"}).find("--xen-bridge needs --hypervisor xen"),
      std::string::npos);
  EXPECT_NE(parseError({"a.img", "--xen-cmdline", "x"}).find("--xen-cmdline needs"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--xen-bridge", "br,0"}).find("interface"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--xen-bridge", "a-name-much-too-long"})
                .find("--xen-bridge"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--xen-bridge"}).find("needs a value"),
            std::string::npos);
  EXPECT_NE(parseError({"a.img", "--hypervisor", "xen", "--xen-cmdline", "a\nb"}).find("one line"),
            std::string::npos);
}

} // namespace
} // namespace runner
