#include "arch/x86_64/madt.h"

#include <cstring>
#include <gtest/gtest.h>
#include <vector>

namespace {

// A MADT laid out as the ACPI spec describes it (5.2.12): the SDT header, the LAPIC address
// and flags, then type/length-prefixed entries.
class MadtBuilder {
public:
  explicit MadtBuilder(uint32_t flags) {
    bytes_.resize(44, 0);
    std::memcpy(bytes_.data(), "APIC", 4);
    put32(36, 0xFEE00000);
    put32(40, flags);
  }
  MadtBuilder& local_apic(uint8_t uid, uint8_t apic_id) {
    return entry({0, 8, uid, apic_id, 1, 0, 0, 0});
  }
  MadtBuilder& io_apic(uint8_t id, uint32_t address, uint32_t gsi_base) {
    std::vector<uint8_t> e{1, 12, id, 0};
    append32(e, address);
    append32(e, gsi_base);
    return entry(e);
  }
  MadtBuilder& override_isa(uint8_t source, uint32_t gsi, uint16_t flags, uint8_t bus = 0) {
    std::vector<uint8_t> e{2, 10, bus, source};
    append32(e, gsi);
    e.push_back(static_cast<uint8_t>(flags));
    e.push_back(static_cast<uint8_t>(flags >> 8));
    return entry(e);
  }
  MadtBuilder& raw(std::vector<uint8_t> e) { return entry(e); }
  std::vector<uint8_t> build() {
    std::vector<uint8_t> out = bytes_;
    uint32_t len = static_cast<uint32_t>(out.size());
    std::memcpy(out.data() + 4, &len, 4);
    return out;
  }

private:
  static void append32(std::vector<uint8_t>& e, uint32_t v) {
    for (int i = 0; i < 4; ++i)
      e.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  void put32(size_t off, uint32_t v) { std::memcpy(bytes_.data() + off, &v, 4); }
  MadtBuilder& entry(const std::vector<uint8_t>& e) {
    bytes_.insert(bytes_.end(), e.begin(), e.end());
    return *this;
  }
  std::vector<uint8_t> bytes_;
};

// What QEMU's `pc` machine reports: one I/O APIC, IRQ 0 on GSI 2, and the PCI link IRQs
// 5, 9, 10, 11 level-triggered, active high (flags 0x000D).
std::vector<uint8_t> pc_like_madt() {
  return MadtBuilder(1)
      .local_apic(0, 0)
      .io_apic(0, 0xFEC00000, 0)
      .override_isa(0, 2, 0)
      .override_isa(5, 5, 0xD)
      .override_isa(9, 9, 0xD)
      .override_isa(10, 10, 0xD)
      .override_isa(11, 11, 0xD)
      .raw({4, 6, 0xFF, 0, 0, 1}) // local APIC NMI: ignored
      .build();
}

TEST(Madt, ParsesIoApicsOverridesAndFlags) {
  auto t = pc_like_madt();
  acpi::InterruptModel m;
  ASSERT_TRUE(acpi::parse_madt(t.data(), t.size(), m));
  EXPECT_EQ(m.lapic_address, 0xFEE00000u);
  EXPECT_TRUE(m.has_8259);
  ASSERT_EQ(m.io_apic_count, 1u);
  EXPECT_EQ(m.io_apics[0].address, 0xFEC00000u);
  EXPECT_EQ(m.io_apics[0].gsi_base, 0u);
  EXPECT_EQ(m.override_count, 5u);
}

TEST(Madt, IsaIrqsFollowTheOverrides) {
  auto t = pc_like_madt();
  acpi::InterruptModel m;
  ASSERT_TRUE(acpi::parse_madt(t.data(), t.size(), m));
  acpi::IsaRoute timer = acpi::resolve_isa_irq(m, 0);
  EXPECT_EQ(timer.gsi, 2u);
  EXPECT_FALSE(timer.level); // flags 0: ISA's own edge / active high
  EXPECT_FALSE(timer.active_low);
  acpi::IsaRoute pci_link = acpi::resolve_isa_irq(m, 11);
  EXPECT_EQ(pci_link.gsi, 11u);
  EXPECT_TRUE(pci_link.level);
  EXPECT_FALSE(pci_link.active_low);
  acpi::IsaRoute com1 = acpi::resolve_isa_irq(m, 4); // no override: identity, edge, high
  EXPECT_EQ(com1.gsi, 4u);
  EXPECT_FALSE(com1.level);
  EXPECT_FALSE(com1.active_low);
}

TEST(Madt, ExplicitEdgeAndActiveLowFlags) {
  auto t = MadtBuilder(0)
               .io_apic(2, 0xFEC00000, 0)
               .override_isa(9, 20, 0xF) // level, low
               .override_isa(3, 3, 0x5)  // edge, high
               .build();
  acpi::InterruptModel m;
  ASSERT_TRUE(acpi::parse_madt(t.data(), t.size(), m));
  EXPECT_FALSE(m.has_8259);
  acpi::IsaRoute sci = acpi::resolve_isa_irq(m, 9);
  EXPECT_EQ(sci.gsi, 20u);
  EXPECT_TRUE(sci.level);
  EXPECT_TRUE(sci.active_low);
  acpi::IsaRoute r3 = acpi::resolve_isa_irq(m, 3);
  EXPECT_FALSE(r3.level);
  EXPECT_FALSE(r3.active_low);
}

TEST(Madt, SeveralIoApicsAndNonIsaOverridesIgnored) {
  auto t = MadtBuilder(0)
               .io_apic(0, 0xFEC00000, 0)
               .io_apic(1, 0xFEC10000, 24)
               .override_isa(7, 30, 0xD, /*bus=*/1)
               .build();
  acpi::InterruptModel m;
  ASSERT_TRUE(acpi::parse_madt(t.data(), t.size(), m));
  ASSERT_EQ(m.io_apic_count, 2u);
  EXPECT_EQ(m.io_apics[1].address, 0xFEC10000u);
  EXPECT_EQ(m.io_apics[1].gsi_base, 24u);
  EXPECT_EQ(m.io_apics[1].id, 1u);
  EXPECT_EQ(m.override_count, 0u);
  EXPECT_EQ(acpi::resolve_isa_irq(m, 7).gsi, 7u);
}

TEST(Madt, RejectsMalformedTables) {
  acpi::InterruptModel m;
  auto t = pc_like_madt();
  EXPECT_FALSE(acpi::parse_madt(t.data(), 40, m)); // shorter than the fixed part
  auto wrong = t;
  std::memcpy(wrong.data(), "FACP", 4);
  EXPECT_FALSE(acpi::parse_madt(wrong.data(), wrong.size(), m));
  auto zero_len = MadtBuilder(0).raw({1, 0}).build(); // an entry of length 0 would loop
  EXPECT_FALSE(acpi::parse_madt(zero_len.data(), zero_len.size(), m));
  auto overrun = MadtBuilder(0).raw({1, 12, 0, 0}).build(); // claims more than the table
  EXPECT_FALSE(acpi::parse_madt(overrun.data(), overrun.size(), m));
}

} // namespace
