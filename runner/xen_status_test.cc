#include "xen_status.h"

#include <gtest/gtest.h>

namespace runner {
namespace {

TEST(XenStatus, ParsesXlShutdownLines) {
  auto s = parseXlShutdownLine("Domain 7 has shut down, reason code 3 0x3");
  ASSERT_TRUE(s.has_value());
  EXPECT_EQ(s->domid, 7u);
  EXPECT_EQ(s->reason, 3);
  EXPECT_FALSE(parseXlShutdownLine("Waiting for domain nanos-x (domid 7) to die [pid 9]"));
  EXPECT_FALSE(parseXlShutdownLine("Domain 7 needs to be cleaned up: destroying the domain"));
  EXPECT_FALSE(parseXlShutdownLine(""));
}

TEST(XenStatus, PoweroffWithExitKeyIsTheProgramsStatus) {
  for (int status : {0, 3, 42, 125, 128, 255}) {
    GuestOutcome g = mapXenShutdown(0, std::to_string(status));
    EXPECT_EQ(g.kind, GuestOutcome::Program);
    EXPECT_EQ(g.status, status);
    EXPECT_EQ(g.message, "");
  }
  EXPECT_EQ(mapXenShutdown(0, std::string("9\n")).status, 9); // a tool's newline
}

TEST(XenStatus, CrashIsAPanicWhateverTheKey) {
  for (auto key : {std::optional<std::string>(), std::optional<std::string>("0")}) {
    GuestOutcome g = mapXenShutdown(3, key);
    EXPECT_EQ(g.kind, GuestOutcome::Panic);
    EXPECT_EQ(g.status, kExitGuestPanic);
    EXPECT_NE(g.message.find("panic"), std::string::npos);
  }
}

TEST(XenStatus, KernelCodesMatchTheQemuChannel) {
  EXPECT_EQ(mapXenShutdown(0, std::string("126")).kind, GuestOutcome::Panic);
  EXPECT_EQ(mapXenShutdown(0, std::string("127")).status, kExitGuestPanic);
}

TEST(XenStatus, MissingOrBadKeyAndOtherReasonsAreFailures) {
  GuestOutcome none = mapXenShutdown(0, std::nullopt);
  EXPECT_EQ(none.status, kExitQemuFailed);
  EXPECT_NE(none.message.find("data/nanos/exit"), std::string::npos);
  for (const char* bad : {"", "256", "-1", "3x", "1234"})
    EXPECT_EQ(mapXenShutdown(0, std::string(bad)).status, kExitQemuFailed) << bad;
  EXPECT_NE(mapXenShutdown(1, std::nullopt).message.find("rebooted"), std::string::npos);
  EXPECT_EQ(mapXenShutdown(2, std::string("0")).status, kExitQemuFailed);
}

TEST(XenStatus, SummarizesXlErrorsInOneLine) {
  EXPECT_EQ(summarizeXlErrors({"Parsing config from /tmp/a.cfg",
                               "libxl: error: libxl_dom.c:123:libxl__build_dom: Domain 4:"
                               "xc_dom_parse_image failed",
                               "libxl: error: libxl_create.c:1613:domcreate_rebuild_done: "
                               "Domain 4:cannot (re-)build domain: -3"}),
            "xc_dom_parse_image failed");
  EXPECT_EQ(summarizeXlErrors({"Parsing config from x.cfg",
                               "x.cfg:3: config parsing error near `=': syntax error"}),
            "x.cfg:3: config parsing error near `=': syntax error");
  EXPECT_EQ(summarizeXlErrors({"Parsing config from x.cfg", "  something odd  ", ""}),
            "something odd");
  EXPECT_EQ(summarizeXlErrors({}), "");
}

} // namespace
} // namespace runner
