// The interrupt vector registry's bookkeeping: which device vectors are taken, by whom, and
// how often each fired. No hardware access, so the host unit tests run it unchanged
// (irq_table_test.cc); irq.cc wraps one instance with the I/O APIC and the LAPIC.
//
// Locking: the caller serialises every call (today: interrupts off on the one CPU).
#pragma once

#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace irq {

// Top half: runs in interrupt context with interrupts off; must not block.
using Handler = void (*)(void* ctx);

// How an I/O APIC input is signalled (MADT overrides, the bus's convention).
enum class Trigger : uint8_t { kEdge, kLevel };
enum class Polarity : uint8_t { kHigh, kLow };

// Vectors 0x20..0x2F are where the legacy 8259 PICs are parked (masked: only their spurious
// interrupts can still arrive there), 0xF0 is the LAPIC timer, 0xFF the LAPIC's spurious
// vector. Devices get 0x30..0xEF.
constexpr uint8_t kFirstStubVector = 0x20; // every vector from here to kLastDeviceVector
constexpr uint8_t kFirstDeviceVector = 0x30;
constexpr uint8_t kLastDeviceVector = 0xEF;
constexpr size_t kDeviceVectorCount = kLastDeviceVector - kFirstDeviceVector + 1;

class VectorTable {
public:
  struct Entry {
    Handler handler = nullptr; // nullptr: free
    void* ctx = nullptr;
    const char* name = nullptr;
    uint64_t count = 0; // interrupts dispatched to this handler
  };

  // A free device vector for handler(ctx); -EINVAL without a handler, -EBUSY when every
  // vector is taken. Searches round-robin from just after the last vector handed out, so a
  // vector that was just released is the last to be reused (a late interrupt from its old
  // device then finds no handler instead of the wrong one).
  ErrorOr<uint8_t> allocate(Handler handler, void* ctx, const char* name);
  // Frees a vector (no effect on a free or non-device vector).
  void release(uint8_t vector);
  // Runs the vector's handler; false when it has none (the interrupt is then counted as
  // unexpected: a stale MSI after release, a PIC spurious interrupt).
  bool dispatch(uint8_t vector);

  // nullptr for a free or non-device vector.
  const Entry* entry(uint8_t vector) const;
  size_t allocated() const { return allocated_; }
  uint64_t unexpected() const { return unexpected_; }

private:
  static bool is_device(uint8_t vector) {
    return vector >= kFirstDeviceVector && vector <= kLastDeviceVector;
  }
  Entry entries_[kDeviceVectorCount];
  size_t allocated_ = 0;
  size_t next_ = 0; // index where the next search starts
  uint64_t unexpected_ = 0;
};

// The handlers of one shared interrupt line (PCI INTx on `pc`: the four PIRQ links serve
// every device, so several drivers may sit on one GSI). The line's vector runs every
// handler in the order they were added; each checks whether its own device interrupted.
class SharedLine {
public:
  static constexpr size_t kMaxHandlers = 8;
  // False when the line is full or the pair is already on it.
  bool add(Handler handler, void* ctx);
  // False when the pair is not on the line.
  bool remove(Handler handler, void* ctx);
  size_t size() const { return size_; }
  void run() const;
  // An irq::Handler whose ctx is the SharedLine.
  static void run_line(void* line) { static_cast<const SharedLine*>(line)->run(); }

private:
  struct Member {
    Handler handler;
    void* ctx;
  };
  Member members_[kMaxHandlers] = {};
  size_t size_ = 0;
};

// The shared lines in use, by GSI: which vector each has and how it is signalled. A line
// is one I/O APIC input, so every device on it must agree on trigger and polarity; a
// request for the same GSI with other ones is a configuration error, not a second line.
class GsiLineTable {
public:
  static constexpr size_t kMaxLines = 32; // microvm alone has 24 virtio-mmio GSIs
  struct Line {
    bool used = false;
    uint32_t gsi = 0;
    Trigger trigger = Trigger::kEdge;
    Polarity polarity = Polarity::kHigh;
    uint8_t vector = 0; // set by the caller once it has one
    SharedLine handlers;
  };

  // The line in use for gsi, nullptr when there is none.
  Line* find(uint32_t gsi);
  // For a device joining gsi: its line if one is in use (-EINVAL when the line was set up
  // with another trigger or polarity), else nullptr.
  ErrorOr<Line*> find_compatible(uint32_t gsi, Trigger trigger, Polarity polarity);
  // Takes a free entry for a new line of gsi (no handlers, no vector); -EBUSY when full,
  // -EEXIST when gsi already has one.
  ErrorOr<Line*> claim(uint32_t gsi, Trigger trigger, Polarity polarity);
  // Frees the entry (after the line's last handler left or its setup failed).
  void drop(Line* line);
  size_t used() const;

private:
  Line lines_[kMaxLines];
};

} // namespace irq
