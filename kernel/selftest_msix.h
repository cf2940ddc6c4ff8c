// MSI-X self-test against QEMU's e1000e (selftest_msix.cc).
#pragma once

namespace selftest {
// One software-raised interrupt through an MSI-X table entry; prints nothing without an
// e1000e device.
void test_msix(void (*check)(bool ok, const char* what));
} // namespace selftest
