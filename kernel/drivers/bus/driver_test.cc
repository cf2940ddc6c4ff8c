#include "drivers/bus/driver.h"

#include <gtest/gtest.h>
#include <string>

namespace drivers {
namespace {

std::string g_probed; // which probe functions ran, in order

Status probe_ok_a(const FoundDevice&) {
  g_probed += "a";
  return status_ok();
}
Status probe_fails_b(const FoundDevice&) {
  g_probed += "b";
  return Err(-ENODEV);
}
Status probe_ok_c(const FoundDevice&) {
  g_probed += "c";
  return status_ok();
}

constexpr DeviceId kBlkIds[] = {
    {Bus::kPci, 0x1AF4, 0x1001}, {Bus::kPci, 0x1AF4, 0x1042}, {Bus::kVirtioMmio, kAnyId, 2}};
constexpr DeviceId kAnyVirtioMmio[] = {{Bus::kVirtioMmio, kAnyId, kAnyId}};
const Driver kBlk{"blk", kBlkIds, 3, probe_ok_a};
const Driver kFailing{"failing", kAnyVirtioMmio, 1, probe_fails_b};
const Driver kFallback{"fallback", kAnyVirtioMmio, 1, probe_ok_c};

TEST(DriverMatch, ByBusVendorAndDevice) {
  EXPECT_TRUE(matches(kBlk, {Bus::kPci, 0x1AF4, 0x1001, nullptr}));
  EXPECT_TRUE(matches(kBlk, {Bus::kPci, 0x1AF4, 0x1042, nullptr}));
  EXPECT_FALSE(matches(kBlk, {Bus::kPci, 0x1AF4, 0x1048, nullptr})) << "another device";
  EXPECT_FALSE(matches(kBlk, {Bus::kPci, 0x8086, 0x1001, nullptr})) << "another vendor";
  EXPECT_FALSE(matches(kBlk, {Bus::kVirtioMmio, 0x1AF4, 0x1001, nullptr})) << "another bus";
  EXPECT_FALSE(matches(kBlk, {Bus::kXenbus, 0x1AF4, 0x1042, nullptr}));
}

TEST(DriverMatch, WildcardVendor) {
  EXPECT_TRUE(matches(kBlk, {Bus::kVirtioMmio, 0x554D4551, 2, nullptr}));
  EXPECT_TRUE(matches(kBlk, {Bus::kVirtioMmio, 0, 2, nullptr}));
  EXPECT_FALSE(matches(kBlk, {Bus::kVirtioMmio, 0x554D4551, 4, nullptr}));
}

TEST(DriverRegistry, MayMatchTurnsAwayOnlyDevicesNoDriverNames) {
  Registry r;
  EXPECT_FALSE(r.may_match({Bus::kPci, 0x1AF4, 0x1001, nullptr})) << "no drivers yet";
  ASSERT_TRUE(r.add(kBlk));
  for (const DeviceId& id : kBlkIds)
    EXPECT_TRUE(r.may_match({id.bus, 0x1AF4, id.device, nullptr}));
  EXPECT_FALSE(r.may_match({Bus::kPci, 0x8086, 0x1237, nullptr})) << "a host bridge";
  EXPECT_FALSE(r.may_match({Bus::kPci, 0x8086, 0x7000, nullptr})) << "an ISA bridge";
  g_probed.clear();
  EXPECT_EQ(r.attach({Bus::kPci, 0x8086, 0x1237, nullptr}), nullptr);
  EXPECT_EQ(g_probed, "");
  ASSERT_TRUE(r.add(kFailing)); // any virtio-mmio device: every device ID may match now
  EXPECT_TRUE(r.may_match({Bus::kPci, 0x8086, 0x1237, nullptr}));
  EXPECT_EQ(r.attach({Bus::kPci, 0x8086, 0x1237, nullptr}), nullptr) << "the tables decide";
}

TEST(DriverMatch, EmptyTableMatchesNothing) {
  Driver none{"none", nullptr, 0, probe_ok_a};
  EXPECT_FALSE(matches(none, {Bus::kPci, 0x1AF4, 0x1001, nullptr}));
}

TEST(DriverRegistry, AttachOffersInOrderUntilAProbeSucceeds) {
  Registry r;
  ASSERT_TRUE(r.add(kBlk));
  ASSERT_TRUE(r.add(kFailing));
  ASSERT_TRUE(r.add(kFallback));
  g_probed.clear();
  EXPECT_EQ(r.attach({Bus::kVirtioMmio, 0, 2, nullptr}), &kBlk);
  EXPECT_EQ(g_probed, "a");
  g_probed.clear();
  EXPECT_EQ(r.attach({Bus::kVirtioMmio, 0, 4, nullptr}), &kFallback);
  EXPECT_EQ(g_probed, "bc") << "a failed probe leaves the device to the next driver";
  g_probed.clear();
  EXPECT_EQ(r.attach({Bus::kPci, 0x8086, 0x100E, nullptr}), nullptr);
  EXPECT_EQ(g_probed, "") << "no driver matches: none is probed";
}

TEST(DriverRegistry, RefusesDuplicatesAndOverflow) {
  Registry r;
  ASSERT_TRUE(r.add(kBlk));
  EXPECT_EQ(r.add(kBlk).error(), -EEXIST);
  Driver many[Registry::kMaxDrivers];
  size_t added = 1;
  for (auto& d : many) {
    d = kFallback;
    if (r.add(d))
      ++added;
    else
      EXPECT_EQ(r.add(d).error(), -ENOSPC);
  }
  EXPECT_EQ(added, Registry::kMaxDrivers);
  EXPECT_EQ(r.count(), Registry::kMaxDrivers);
}

} // namespace
} // namespace drivers
