#include "drivers/nvme/controller.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/time.h"
#include "drivers/nvme/prp.h"
#include "drivers/nvme/status.h"
#include "lib/kprintf.h"
#include "lib/new.h"
#include "lib/string.h"
#include "mm/vm.h"

namespace nvme {

namespace {
constexpr uint16_t kAdminEntries = 32;
// An admin command at boot that takes longer than this has gone wrong.
constexpr uint64_t kAdminTimeoutNs = 10'000'000'000ull;
} // namespace

// MSI-X goes on at probe, before the I/O completion queue exists: QEMU's `nvme` ties a
// completion queue to its MSI-X vector only if MSI-X is enabled when the queue is created, and
// drops the queue's messages otherwise (seen: with MSI-X enabled later, no interrupt ever
// came). The whole function stays masked, so messages wait in the pending bits instead of
// reaching the CPU while the kernel probes its timer; pci::enable_msix (disk.cc, once
// interrupts are wanted) programs entry 0 and lifts the mask. Masked and enabled, the
// function also cannot fall back to INTx.
bool Controller::enable_msix_masked(pci::Address a) {
  constexpr uint8_t kCapMsix = 0x11;
  constexpr uint16_t kMsixEnable = 1u << 15, kMsixFunctionMask = 1u << 14;
  uint8_t cap = pci::find_capability(a, kCapMsix);
  if (!cap)
    return false;
  uint8_t control_at = static_cast<uint8_t>(cap + 2);
  uint16_t control = pci::read16(a, control_at);
  pci::write16(a, control_at, static_cast<uint16_t>(control | kMsixEnable | kMsixFunctionMask));
  return true;
}

bool QueuePair::submit(const SubmissionEntry& e) {
  if (sq.full())
    return false;
  sq.push(e);
  return true;
}

bool QueuePair::take(CompletionEntry* out) {
  const volatile CompletionEntry* e = cq.peek();
  if (!e)
    return false;
  out->result = e->result;
  out->sq_head = e->sq_head;
  out->sq_id = e->sq_id;
  out->command_id = e->command_id;
  out->status = e->status;
  sq.consumed_up_to(out->sq_head);
  *cq_head_doorbell = cq.pop();
  return true;
}

Status Controller::init_pair(QueuePair& q, uint16_t id, uint16_t entries) {
  // One page each holds up to 64 submissions (64 bytes) and 256 completions (16 bytes):
  // with CAP.CQR set, queues must be physically contiguous, which one page always is.
  q.id = id;
  q.entries = entries;
  q.sq_phys = mm::alloc_zeroed_page();
  q.cq_phys = mm::alloc_zeroed_page(); // zeroed: phase 0 everywhere means "nothing yet"
  if (!q.sq_phys || !q.cq_phys)
    return Err(-ENOMEM);
  q.sq.init(static_cast<SubmissionEntry*>(mm::phys_to_virt(q.sq_phys)), entries);
  q.cq.init(static_cast<volatile CompletionEntry*>(mm::phys_to_virt(q.cq_phys)), entries);
  auto* base = reinterpret_cast<volatile uint8_t*>(regs_);
  q.sq_tail_doorbell =
      reinterpret_cast<volatile uint32_t*>(base + submission_doorbell(id, caps_.doorbell_stride));
  q.cq_head_doorbell =
      reinterpret_cast<volatile uint32_t*>(base + completion_doorbell(id, caps_.doorbell_stride));
  return status_ok();
}

ErrorOr<Controller*> Controller::open(const pci::Device& pci) {
  bool io = false;
  uint64_t bar = pci::bar_address(pci.addr, 0, &io);
  if (io || !bar)
    return Err(-ENODEV);
  pci::enable_device(pci.addr);
  auto* c = new Controller(pci);
  if (!c)
    return Err(-ENOMEM);
  c->msix_ = enable_msix_masked(pci.addr);
  // The registers, then the doorbells of queues 0 and 1 (four of them, `stride` apart). CAP
  // is read first through a one-page mapping to learn the stride.
  auto* cap_regs = static_cast<volatile uint32_t*>(mm::map_mmio(bar, mm::kPageSize));
  uint64_t cap = cap_regs[kRegCap / 4] | static_cast<uint64_t>(cap_regs[kRegCap / 4 + 1]) << 32;
  c->caps_ = decode_capabilities(cap);
  if (!c->caps_.nvm_command_set || c->caps_.min_page_size != kPageSize)
    return Err(-ENODEV);
  c->regs_ = static_cast<volatile uint32_t*>(
      mm::map_mmio(bar, kDoorbellBase + 4 * static_cast<size_t>(c->caps_.doorbell_stride)));
  uint16_t admin_entries = c->caps_.max_queue_entries < kAdminEntries
                               ? static_cast<uint16_t>(c->caps_.max_queue_entries)
                               : kAdminEntries;
  TRY(c->init_pair(c->admin_, 0, admin_entries));
  TRY(c->reset_and_enable());
  return c;
}

Status Controller::wait_ready(bool ready) {
  // CAP.TO is the worst case; at least a second for controllers that report 0.
  uint64_t limit = (caps_.ready_timeout_ms ? caps_.ready_timeout_ms : 1000) * 1'000'000ull;
  uint64_t deadline = ktime::monotonic_ns() + limit;
  for (;;) {
    uint32_t csts = read32(kRegCsts);
    if (csts == 0xFFFFFFFF)
      return Err(-ENODEV); // the device is gone (reads of a missing function)
    if (ready && (csts & kCstsFatal))
      return Err(-EIO);
    if (((csts & kCstsReady) != 0) == ready)
      return status_ok();
    if (ktime::monotonic_ns() > deadline)
      return Err(-ETIMEDOUT);
    cpu::pause();
  }
}

Status Controller::reset_and_enable() {
  // Clearing CC.EN while CSTS.RDY still follows an earlier set has undefined results: let
  // it settle first (a fatal controller is reset whatever its RDY says).
  if (read32(kRegCc) & kCcEnable) {
    Status settled = wait_ready(true);
    if (!settled && settled.error() != -EIO)
      return settled;
  }
  write32(kRegCc, 0);
  TRY(wait_ready(false));
  write32(kRegAqa, admin_queue_attributes(admin_.entries, admin_.entries));
  write64(kRegAsq, admin_.sq_phys);
  write64(kRegAcq, admin_.cq_phys);
  write32(kRegCc, enabled_configuration());
  return wait_ready(true);
}

ErrorOr<uint32_t> Controller::admin(const SubmissionEntry& e) {
  uint16_t id = next_admin_id_++;
  if (!admin_.submit(with_command_id(e, id)))
    return Err(-EBUSY); // one admin command at a time: cannot happen
  admin_.ring();
  uint64_t deadline = ktime::monotonic_ns() + kAdminTimeoutNs;
  CompletionEntry done{};
  for (;;) {
    if (admin_.take(&done)) {
      if (done.command_id != id)
        continue; // a stale completion (none are expected)
      int err = status_errno(decode_status(done.status));
      if (err)
        return Err(err);
      return done.result;
    }
    if (ktime::monotonic_ns() > deadline)
      return Err(-ETIMEDOUT);
    cpu::pause();
  }
}

Status Controller::identify() {
  identify_page_ = mm::alloc_zeroed_page();
  if (!identify_page_)
    return Err(-ENOMEM);
  auto* data = static_cast<const uint8_t*>(mm::phys_to_virt(identify_page_));
  TRY(admin(nvme::identify(kIdentifyController, 0, identify_page_)));
  info_ = parse_controller(data, caps_.min_page_size);
  // The active namespace list arrived with NVMe 1.1; older controllers answer with an error,
  // and then namespace 1 is the one to try.
  nsid_ = 0;
  if (admin(nvme::identify(kIdentifyActiveNamespaces, 0, identify_page_)))
    nsid_ = first_active_namespace(data);
  if (nsid_ == 0)
    nsid_ = 1;
  TRY(admin(nvme::identify(kIdentifyNamespace, nsid_, identify_page_)));
  ns_ = TRY(parse_namespace(data));
  return status_ok();
}

Status Controller::create_io_queues(uint16_t max_entries, bool interrupts) {
  uint16_t entries = caps_.max_queue_entries < max_entries
                         ? static_cast<uint16_t>(caps_.max_queue_entries)
                         : max_entries;
  // One pair asked for; a controller always grants at least one.
  TRY(admin(set_queue_count(1)));
  TRY(init_pair(io_, 1, entries));
  TRY(admin(create_io_completion_queue(1, entries, io_.cq_phys, 0, interrupts)));
  TRY(admin(create_io_submission_queue(1, entries, io_.sq_phys, 1)));
  return status_ok();
}

} // namespace nvme
