// PCI interrupt self-test against QEMU's `edu` device (selftest_edu.cc).
#pragma once

namespace selftest {
// MSI always, INTx through the I/O APIC on `pc`; prints nothing without an edu device.
void test_edu(void (*check)(bool ok, const char* what));
} // namespace selftest
