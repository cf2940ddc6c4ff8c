#include "arch/x86_64/xen/hypercall.h"

#include "arch/x86_64/cpu.h"
#include "lib/errno.h"
#include "mm/layout.h"

extern "C" char xen_hypercall_page[];

namespace xen {
namespace {
bool g_present = false;
uint32_t g_version = 0;

// Xen's leaves start at 0x40000000, or 0x100 higher when Xen also offers the Viridian
// (Hyper-V) leaves there. Xen documents bases up to 0x4000FF00, but it only ever uses these
// two; scanning the whole range would cost 256 CPUID exits on every boot elsewhere (each
// one emulated under kvm-pvm), so look at the first three bases.
uint32_t find_cpuid_base() {
  for (uint32_t base = 0x40000000; base <= 0x40000200; base += 0x100) {
    cpu::CpuidResult r = cpu::cpuid(base);
    // "XenVMMXenVMM" in ebx, ecx, edx; eax = the last leaf (base+2 is needed).
    if (r.ebx == 0x566e6558 && r.ecx == 0x65584d4d && r.edx == 0x4d4d566e && r.eax >= base + 2)
      return base;
  }
  return 0;
}

Status status_of(long rc) {
  if (rc < 0)
    return Err(static_cast<int>(rc));
  return status_ok();
}
} // namespace

bool init_hypercalls() {
  if (g_present)
    return true;
  uint32_t base = find_cpuid_base();
  if (!base)
    return false;
  // Leaf base+2: EAX = number of hypercall pages, EBX = the MSR that installs them.
  cpu::CpuidResult pages = cpu::cpuid(base + 2);
  if (pages.eax < 1)
    return false;
  cpu::wrmsr(pages.ebx, mm::virt_to_phys(xen_hypercall_page));
  g_present = true;
  long v = hypercall(kHypercallXenVersion, 0 /* XENVER_version */, 0);
  g_version = v > 0 ? static_cast<uint32_t>(v) : 0;
  return true;
}

bool present() {
  return g_present;
}

uint32_t version() {
  return g_version;
}

long hypercall(unsigned nr, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5) {
  register uint64_t rdi asm("rdi") = a1;
  register uint64_t rsi asm("rsi") = a2;
  register uint64_t rdx asm("rdx") = a3;
  register uint64_t r10 asm("r10") = a4;
  register uint64_t r8 asm("r8") = a5;
  long result;
  void* stub = xen_hypercall_page + nr * 32;
  // A debug Xen scrambles the argument registers it did not use: declare them all changed.
  asm volatile("call *%[stub]"
               : "=a"(result), "+r"(rdi), "+r"(rsi), "+r"(rdx), "+r"(r10), "+r"(r8)
               : [stub] "r"(stub)
               : "memory", "rcx", "r11");
  return result;
}

ErrorOr<uint64_t> hvm_get_param(uint32_t param) {
  HvmParamArg arg{kDomidSelf, 0, param, 0};
  long rc = hypercall(kHypercallHvmOp, kHvmOpGetParam, reinterpret_cast<uint64_t>(&arg));
  if (rc < 0)
    return Err(static_cast<int>(rc));
  return arg.value;
}

Status hvm_set_param(uint32_t param, uint64_t value) {
  HvmParamArg arg{kDomidSelf, 0, param, value};
  return status_of(hypercall(kHypercallHvmOp, kHvmOpSetParam, reinterpret_cast<uint64_t>(&arg)));
}

Status evtchn_send(uint32_t port) {
  EvtchnSendArg arg{port};
  return status_of(
      hypercall(kHypercallEventChannelOp, kEvtchnOpSend, reinterpret_cast<uint64_t>(&arg)));
}

void notify(uint32_t port) {
  EvtchnSendArg arg{port};
  hypercall(kHypercallEventChannelOp, kEvtchnOpSend, reinterpret_cast<uint64_t>(&arg));
}

ErrorOr<uint32_t> evtchn_alloc_unbound(uint16_t remote_domid) {
  EvtchnAllocUnboundArg arg{kDomidSelf, remote_domid, 0};
  long rc =
      hypercall(kHypercallEventChannelOp, kEvtchnOpAllocUnbound, reinterpret_cast<uint64_t>(&arg));
  if (rc < 0)
    return Err(static_cast<int>(rc));
  return arg.port;
}

Status evtchn_unmask(uint32_t port) {
  EvtchnSendArg arg{port}; // same layout: one port
  return status_of(
      hypercall(kHypercallEventChannelOp, kEvtchnOpUnmask, reinterpret_cast<uint64_t>(&arg)));
}

Status add_to_physmap(MapSpace space, uint64_t idx, uint64_t gpfn) {
  AddToPhysmapArg arg{kDomidSelf, 0, space, idx, gpfn};
  return status_of(
      hypercall(kHypercallMemoryOp, kMemoryOpAddToPhysmap, reinterpret_cast<uint64_t>(&arg)));
}

ErrorOr<uint32_t> memory_map(uint8_t* entries, uint32_t max_entries) {
  MemoryMapArg arg{max_entries, 0, reinterpret_cast<uint64_t>(entries)};
  TRY(status_of(
      hypercall(kHypercallMemoryOp, kMemoryOpMemoryMap, reinterpret_cast<uint64_t>(&arg))));
  return arg.nr_entries < max_entries ? arg.nr_entries : max_entries;
}

ErrorOr<GnttabQuerySizeArg> gnttab_query_size() {
  GnttabQuerySizeArg arg{kDomidSelf, 0, 0, 0, 0};
  long rc =
      hypercall(kHypercallGrantTableOp, kGnttabOpQuerySize, reinterpret_cast<uint64_t>(&arg), 1);
  if (rc < 0)
    return Err(static_cast<int>(rc));
  if (arg.status != 0)
    return Err(-EINVAL);
  return arg;
}

void sched_yield() {
  hypercall(kHypercallSchedOp, kSchedOpYield, 0);
}

Status sched_shutdown(ShutdownReason reason) {
  SchedShutdownArg arg{reason};
  return status_of(
      hypercall(kHypercallSchedOp, kSchedOpShutdown, reinterpret_cast<uint64_t>(&arg)));
}

} // namespace xen
