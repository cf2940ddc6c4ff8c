// An NVMe controller on PCI brought up for one namespace (Base Specification 2.0, §3.5.1):
// reset, admin queue pair, enable, Identify, one I/O queue pair. Everything here runs at boot
// and polls (the admin queue never waits for an interrupt); disk.cc does the I/O.
#pragma once

#include "drivers/nvme/commands.h"
#include "drivers/nvme/identify.h"
#include "drivers/nvme/queue.h"
#include "drivers/nvme/registers.h"
#include "drivers/pci.h"
#include "lib/error_or.h"

#include <stdint.h>

namespace nvme {

// A submission/completion ring pair with its doorbells in BAR 0.
struct QueuePair {
  uint16_t id = 0;
  uint16_t entries = 0;
  SubmissionRing sq;
  CompletionRing cq;
  uint64_t sq_phys = 0, cq_phys = 0;
  volatile uint32_t* sq_tail_doorbell = nullptr;
  volatile uint32_t* cq_head_doorbell = nullptr;

  // Puts `e` at the tail (false when full); ring() tells the controller.
  bool submit(const SubmissionEntry& e);
  void ring() { *sq_tail_doorbell = sq.tail(); }
  // Takes the next completion into *out (false when there is none), frees the submission
  // slots it reports consumed and tells the controller the new head.
  bool take(CompletionEntry* out);
};

class Controller {
public:
  // Maps BAR 0, resets the controller (firmware may have left it running: SeaBIOS boots from
  // it), sets up the admin queues and enables it. -ENODEV for a controller without the NVM
  // command set or 4 KiB pages, -ETIMEDOUT when it does not become ready in CAP.TO, -EIO when
  // it reports a fatal status.
  static ErrorOr<Controller*> open(const pci::Device& pci);

  // Identify controller, the first active namespace (namespace 1 when the controller cannot
  // list them), and that namespace.
  Status identify();
  // Creates I/O queue pair 1 with up to `max_entries` entries; its completions raise MSI-X
  // table entry 0 when `interrupts`.
  Status create_io_queues(uint16_t max_entries, bool interrupts);

  const pci::Device& pci() const { return pci_; }
  const Capabilities& caps() const { return caps_; }
  const ControllerInfo& info() const { return info_; }
  const NamespaceInfo& ns() const { return ns_; }
  uint32_t nsid() const { return nsid_; }
  QueuePair& io() { return io_; }
  // MSI-X is on (function-masked until pci::enable_msix): the I/O queue can interrupt.
  bool has_msix() const { return msix_; }

private:
  explicit Controller(const pci::Device& pci) : pci_(pci) {}
  static bool enable_msix_masked(pci::Address a);
  Status reset_and_enable();
  Status wait_ready(bool ready);
  // Sends one admin command and polls for its completion; the completion's dword 0.
  ErrorOr<uint32_t> admin(const SubmissionEntry& e);
  Status init_pair(QueuePair& q, uint16_t id, uint16_t entries);
  uint32_t read32(uint32_t reg) const { return regs_[reg / 4]; }
  void write32(uint32_t reg, uint32_t v) { regs_[reg / 4] = v; }
  void write64(uint32_t reg, uint64_t v) {
    write32(reg, static_cast<uint32_t>(v));
    write32(reg + 4, static_cast<uint32_t>(v >> 32));
  }

  pci::Device pci_;
  volatile uint32_t* regs_ = nullptr;
  Capabilities caps_{};
  ControllerInfo info_{};
  NamespaceInfo ns_{};
  uint32_t nsid_ = 0;
  bool msix_ = false;
  uint16_t next_admin_id_ = 0;
  QueuePair admin_;
  QueuePair io_;
  uint64_t identify_page_ = 0; // physical, one page for Identify data
};

} // namespace nvme
