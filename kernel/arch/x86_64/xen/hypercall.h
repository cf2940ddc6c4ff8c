// Talking to the Xen hypervisor: detection through CPUID, the hypercall page, and typed
// wrappers for the hypercalls the kernel uses. Everything here is a no-op question
// (present() == false) on any other hypervisor, so one kernel image serves QEMU and Xen.
#pragma once

#include "arch/x86_64/xen/interface.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace xen {

// Looks for Xen's CPUID signature and, when found, installs the hypercall page. Safe to
// call before the kernel's own page tables exist (it only needs the kernel image mapped).
// Returns present().
bool init_hypercalls();
// True when running on Xen with the hypercall page installed.
bool present();
// Xen's version as (major << 16 | minor), 0 when not on Xen.
uint32_t version();

// The raw call: stub `nr` of the hypercall page with up to five arguments (RDI, RSI, RDX,
// R10, R8). Returns Xen's result (negative errno on failure).
long hypercall(unsigned nr, uint64_t a1 = 0, uint64_t a2 = 0, uint64_t a3 = 0, uint64_t a4 = 0,
               uint64_t a5 = 0);

// Typed wrappers. Each returns Xen's negative errno as the error.
ErrorOr<uint64_t> hvm_get_param(uint32_t param);
Status hvm_set_param(uint32_t param, uint64_t value);
Status evtchn_send(uint32_t port);
// evtchn_send for a port known to be bound: a kick whose failure nobody could act on.
void notify(uint32_t port);
ErrorOr<uint32_t> evtchn_alloc_unbound(uint16_t remote_domid);
Status evtchn_unmask(uint32_t port);
// Makes frame `idx` of `space` (shared info, grant table) appear at guest frame `gpfn`.
Status add_to_physmap(MapSpace space, uint64_t idx, uint64_t gpfn);
ErrorOr<GnttabQuerySizeArg> gnttab_query_size();
// The domain's memory map as Xen keeps it (XENMEM_memory_map), E820 entries of
// kE820EntrySize bytes written into `entries` (room for max_entries). Returns how many.
ErrorOr<uint32_t> memory_map(uint8_t* entries, uint32_t max_entries);
// Gives the physical CPU to another domain's vCPU (used while waiting for a back-end).
void sched_yield();
// Asks Xen to stop this domain. Asynchronous: the caller must halt afterwards.
Status sched_shutdown(ShutdownReason reason);

} // namespace xen
