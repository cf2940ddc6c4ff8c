// The Xen PV console as the kernel console: output through the shared ring (xl console,
// `xl create -c`), input from it. A release build of Xen refuses the console_io hypercall
// to ordinary guests, so the ring is the only console a domU has.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen::pv_console {

// Reads the console page and event channel from Xen's HVM parameters. False when there is
// none (then the kernel keeps its serial console).
bool init();
// The console output hook. Until the kernel's page tables can map the ring page (it lies
// outside RAM, near 4 GiB) bytes are kept in a small buffer and written out first.
void write(const char* data, size_t len);
// Waits (bounded) until the console daemon has taken every byte: the tail of the output is
// lost if the domain stops earlier. False when the bound ran out.
bool drain();
// Takes up to `max` bytes of console input; 0 when none.
size_t read(char* out, size_t max);

} // namespace xen::pv_console
