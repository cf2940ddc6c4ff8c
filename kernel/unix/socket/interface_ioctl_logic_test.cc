#include "unix/socket/interface_ioctl_logic.h"

#include <errno.h>
#include <gtest/gtest.h>
#include <string.h>

namespace unix {
namespace {

InterfaceSnapshot snapshot() {
  InterfaceSnapshot s;
  LinkInfo& lo = s.links[s.link_count++];
  lo.index = 1;
  strcpy(lo.name, "lo");
  lo.loopback = true;
  lo.mtu = 65536;
  lo.flags = kIffUp | kIffLoopback | kIffRunning | kIffLowerUp;
  lo.ipv4 = 0x7F000001;
  lo.prefix_length = 8;
  LinkInfo& en = s.links[s.link_count++];
  en.index = 2;
  strcpy(en.name, "en1");
  const uint8_t mac[6] = {0x52, 0x54, 0, 0x12, 0x34, 0x56};
  memcpy(en.mac, mac, 6);
  en.mtu = 1500;
  en.flags = kIffUp | kIffBroadcast | kIffRunning | kIffMulticast | kIffLowerUp;
  en.ipv4 = 0x0A00020F;
  en.prefix_length = 24;
  LinkInfo& bare = s.links[s.link_count++];
  bare.index = 3;
  strcpy(bare.name, "en2");
  bare.mtu = 1500;
  bare.flags = kIffUp | kIffBroadcast | kIffMulticast;
  return s;
}

struct Ifreq {
  uint8_t bytes[kIfreqSize] = {};
  explicit Ifreq(const char* name) { strncpy(reinterpret_cast<char*>(bytes), name, 16); }
  int32_t int_value() const {
    int32_t v;
    memcpy(&v, bytes + 16, 4);
    return v;
  }
  uint32_t ipv4() const { // from the sockaddr_in, host order
    EXPECT_EQ(bytes[16], 2);
    return uint32_t(bytes[20]) << 24 | uint32_t(bytes[21]) << 16 | uint32_t(bytes[22]) << 8 |
           bytes[23];
  }
};

TEST(InterfaceIoctl, AnswersQueriesByName) {
  InterfaceSnapshot s = snapshot();
  Ifreq r("en1");
  ASSERT_EQ(answer_ifreq(s, kSiocgifaddr, r.bytes), 0);
  EXPECT_EQ(r.ipv4(), 0x0A00020Fu);
  ASSERT_EQ(answer_ifreq(s, kSiocgifnetmask, r.bytes), 0);
  EXPECT_EQ(r.ipv4(), 0xFFFFFF00u);
  ASSERT_EQ(answer_ifreq(s, kSiocgifbrdaddr, r.bytes), 0);
  EXPECT_EQ(r.ipv4(), 0x0A0002FFu);
  ASSERT_EQ(answer_ifreq(s, kSiocgifmtu, r.bytes), 0);
  EXPECT_EQ(r.int_value(), 1500);
  ASSERT_EQ(answer_ifreq(s, kSiocgifindex, r.bytes), 0);
  EXPECT_EQ(r.int_value(), 2);
  ASSERT_EQ(answer_ifreq(s, kSiocgifflags, r.bytes), 0);
  uint16_t flags;
  memcpy(&flags, r.bytes + 16, 2);
  EXPECT_EQ(flags, 0x1043); // UP|BROADCAST|RUNNING|MULTICAST; LOWER_UP does not fit a short
  ASSERT_EQ(answer_ifreq(s, kSiocgifhwaddr, r.bytes), 0);
  EXPECT_EQ(r.bytes[16], 1); // ARPHRD_ETHER
  EXPECT_EQ(0, memcmp(r.bytes + 18, s.links[1].mac, 6));
  EXPECT_STREQ(reinterpret_cast<char*>(r.bytes), "en1"); // the name stays

  Ifreq lo("lo");
  ASSERT_EQ(answer_ifreq(s, kSiocgifhwaddr, lo.bytes), 0);
  uint16_t type;
  memcpy(&type, lo.bytes + 16, 2);
  EXPECT_EQ(type, 772);
  ASSERT_EQ(answer_ifreq(s, kSiocgifbrdaddr, lo.bytes), 0);
  EXPECT_EQ(lo.ipv4(), 0u);
  ASSERT_EQ(answer_ifreq(s, kSiocgifmtu, lo.bytes), 0);
  EXPECT_EQ(lo.int_value(), 65536);
}

TEST(InterfaceIoctl, Errors) {
  InterfaceSnapshot s = snapshot();
  Ifreq unknown("eth9");
  EXPECT_EQ(answer_ifreq(s, kSiocgifflags, unknown.bytes), -ENODEV);
  Ifreq bare("en2");
  EXPECT_EQ(answer_ifreq(s, kSiocgifaddr, bare.bytes), -EADDRNOTAVAIL);
  EXPECT_EQ(answer_ifreq(s, kSiocgifmtu, bare.bytes), 0);
  EXPECT_EQ(answer_ifreq(s, 0x5421 /* FIONBIO */, bare.bytes), -ENOTTY);
  // A name filling all 16 bytes without a NUL is cut at 15 characters.
  Ifreq full("");
  memset(full.bytes, 'x', 16);
  EXPECT_EQ(answer_ifreq(s, kSiocgifindex, full.bytes), -ENODEV);
  EXPECT_TRUE(is_ipv4_address_query(kSiocgifnetmask));
  EXPECT_FALSE(is_ipv4_address_query(kSiocgifmtu));
}

TEST(InterfaceIoctl, NameFromIndex) {
  InterfaceSnapshot s = snapshot();
  Ifreq r("garbage-name");
  int32_t index = 2;
  memcpy(r.bytes + 16, &index, 4);
  ASSERT_EQ(answer_ifreq(s, kSiocgifname, r.bytes), 0);
  EXPECT_STREQ(reinterpret_cast<char*>(r.bytes), "en1");
  index = 9;
  memcpy(r.bytes + 16, &index, 4);
  EXPECT_EQ(answer_ifreq(s, kSiocgifname, r.bytes), -ENODEV);
  index = 0;
  memcpy(r.bytes + 16, &index, 4);
  EXPECT_EQ(answer_ifreq(s, kSiocgifname, r.bytes), -ENODEV);
}

TEST(InterfaceIoctl, ConfigurationListsAddressedInterfaces) {
  InterfaceSnapshot s = snapshot();
  EXPECT_EQ(interface_configuration(s, nullptr, 0), 2 * kIfreqSize); // en2 has no address
  uint8_t out[3 * kIfreqSize];
  memset(out, 0xAA, sizeof out);
  ASSERT_EQ(interface_configuration(s, out, sizeof out), 2 * kIfreqSize);
  EXPECT_STREQ(reinterpret_cast<char*>(out), "lo");
  EXPECT_STREQ(reinterpret_cast<char*>(out + kIfreqSize), "en1");
  EXPECT_EQ(out[kIfreqSize + 16], 2);
  EXPECT_EQ(out[kIfreqSize + 20], 10);
  EXPECT_EQ(out[kIfreqSize + 23], 15);
  EXPECT_EQ(out[2 * kIfreqSize], 0xAA); // nothing beyond
  // Only whole entries.
  EXPECT_EQ(interface_configuration(s, out, kIfreqSize + 39), kIfreqSize);
}

} // namespace
} // namespace unix
