// Running as a Xen PVH guest: what changes for the machine side. Called once from
// kernel_entry; on any other hypervisor (or none) it finds no Xen and changes nothing.
#pragma once

namespace xen {

// Detects Xen; when found, installs the hypercall page, makes the PV console the kernel
// console and turns machine_exit into a Xen shutdown (poweroff, or crash after a kernel
// panic) that first drains the console. Returns whether Xen was found.
bool init_platform();

// Called by machine_exit under Xen before the console is drained and the domain stops,
// with the exit status (0-255) and whether a kernel panic caused it. The drivers layer
// uses it to publish the status in the xenstore (drivers/xen/exit_status.cc).
using BeforeShutdownHook = void (*)(int status, bool panicked);
void set_before_shutdown(BeforeShutdownHook hook);

} // namespace xen
