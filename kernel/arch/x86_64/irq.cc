// The device interrupt registry on the hardware: vectors from irq_table, EOI to the local
// APIC, I/O APIC routing from the ACPI MADT, and the legacy 8259 PICs parked and masked.
#include "arch/x86_64/irq.h"

#include "arch/x86_64/acpi.h"
#include "arch/x86_64/apic.h"
#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/ioapic.h"
#include "lib/kprintf.h"

namespace irq {
namespace {

VectorTable g_table;
ExitHook g_exit_hook = nullptr;
bool g_lapic_ready = false;
bool g_routing_ready = false;
const acpi::InterruptModel* g_model = nullptr;

// Shared lines: one vector per GSI, its handler the line's handler list.
GsiLineTable g_lines;

acpi::IsaRoute isa_route(uint8_t isa_irq) {
  return g_model ? acpi::resolve_isa_irq(*g_model, isa_irq)
                 : acpi::IsaRoute{isa_irq, false, false};
}

// Reprograms the two 8259s to vectors 0x20..0x2F (firmware leaves them at 0x08/0x70, where
// a spurious IRQ 7 would look like a double fault) and masks every line: all device
// interrupts come through the I/O APIC or as MSIs.
void park_legacy_pics() {
  constexpr uint16_t kMasterCmd = 0x20, kMasterData = 0x21, kSlaveCmd = 0xA0, kSlaveData = 0xA1;
  cpu::outb(kMasterCmd, 0x11); // ICW1: initialise, ICW4 follows
  cpu::outb(kSlaveCmd, 0x11);
  cpu::outb(kMasterData, kFirstStubVector); // ICW2: vector base
  cpu::outb(kSlaveData, kFirstStubVector + 8);
  cpu::outb(kMasterData, 0x04); // ICW3: slave on IRQ 2
  cpu::outb(kSlaveData, 0x02);  //       slave identity 2
  cpu::outb(kMasterData, 0x01); // ICW4: 8086 mode
  cpu::outb(kSlaveData, 0x01);
  cpu::outb(kMasterData, 0xFF); // mask everything
  cpu::outb(kSlaveData, 0xFF);
}

bool ensure_lapic() {
  if (!g_lapic_ready)
    g_lapic_ready = arch::lapic_init();
  return g_lapic_ready;
}

// The I/O APICs, found on the first routing request (MSI-only machines never read the
// MADT). Without a MADT, the conventional single I/O APIC at 0xFEC00000 serving GSI 0 up.
bool ensure_routing() {
  if (g_routing_ready)
    return ioapic::chip_count() > 0;
  g_routing_ready = true;
  if (!ensure_lapic())
    return false;
  park_legacy_pics();
  g_model = acpi::interrupt_model(boot::info().rsdp_phys);
  if (g_model) {
    for (size_t i = 0; i < g_model->io_apic_count; ++i)
      ioapic::add(g_model->io_apics[i].address, g_model->io_apics[i].gsi_base);
  } else {
    constexpr uint32_t kDefaultIoApic = 0xFEC00000;
    ioapic::add(kDefaultIoApic, 0);
  }
  if (ioapic::chip_count() == 0)
    kprintf("irq: no I/O APIC; GSI and ISA IRQ routing unavailable\n");
  return ioapic::chip_count() > 0;
}

} // namespace

ErrorOr<uint8_t> allocate(Handler handler, void* ctx, const char* name) {
  if (!ensure_lapic())
    return Err(-ENODEV);
  return g_table.allocate(handler, ctx, name);
}

void release(uint8_t vector) {
  g_table.release(vector);
}

Status route_gsi(uint32_t gsi, uint8_t vector, Trigger trigger, Polarity polarity) {
  if (!g_table.entry(vector))
    return Err(-EINVAL); // only vectors handed out by allocate()
  if (!ensure_routing())
    return Err(-ENODEV);
  if (!ioapic::program(gsi, vector, trigger == Trigger::kLevel, polarity == Polarity::kLow,
                       arch::lapic_id()))
    return Err(-ENODEV);
  ioapic::set_masked(gsi, false);
  return status_ok();
}

Status route_isa_irq(uint8_t isa_irq, uint8_t vector) {
  if (!ensure_routing())
    return Err(-ENODEV);
  acpi::IsaRoute route = isa_route(isa_irq);
  return route_gsi(route.gsi, vector, route.level ? Trigger::kLevel : Trigger::kEdge,
                   route.active_low ? Polarity::kLow : Polarity::kHigh);
}

ErrorOr<uint8_t> attach_gsi(uint32_t gsi, Trigger trigger, Polarity polarity, Handler handler,
                            void* ctx, const char* name) {
  if (!handler)
    return Err(-EINVAL);
  if (!ensure_routing())
    return Err(-ENODEV);
  GsiLineTable::Line* line = TRY(g_lines.find_compatible(gsi, trigger, polarity));
  if (line) {
    if (!line->handlers.add(handler, ctx))
      return Err(line->handlers.size() == SharedLine::kMaxHandlers ? -EBUSY : -EEXIST);
    return line->vector;
  }
  line = TRY(g_lines.claim(gsi, trigger, polarity));
  // The handler is on the line before it is routed: an interrupt that arrives as soon as
  // the entry is unmasked finds it.
  line->handlers.add(handler, ctx);
  auto vector = allocate(SharedLine::run_line, &line->handlers, name);
  if (!vector) {
    g_lines.drop(line);
    return vector;
  }
  line->vector = *vector;
  if (Status routed = route_gsi(gsi, *vector, trigger, polarity); !routed) {
    release(*vector);
    g_lines.drop(line);
    return Err(routed.error());
  }
  return *vector;
}

void detach_gsi(uint32_t gsi, Handler handler, void* ctx) {
  GsiLineTable::Line* line = g_lines.find(gsi);
  if (!line || !line->handlers.remove(handler, ctx) || line->handlers.size() > 0)
    return;
  ioapic::set_masked(gsi, true);
  release(line->vector);
  g_lines.drop(line);
}

ErrorOr<uint8_t> attach_isa_irq(uint8_t isa_irq, Handler handler, void* ctx, const char* name) {
  if (!ensure_routing())
    return Err(-ENODEV);
  acpi::IsaRoute route = isa_route(isa_irq);
  return attach_gsi(route.gsi, route.level ? Trigger::kLevel : Trigger::kEdge,
                    route.active_low ? Polarity::kLow : Polarity::kHigh, handler, ctx, name);
}

void detach_isa_irq(uint8_t isa_irq, Handler handler, void* ctx) {
  detach_gsi(isa_route(isa_irq).gsi, handler, ctx);
}

void mask_gsi(uint32_t gsi) {
  if (ensure_routing())
    ioapic::set_masked(gsi, true);
}

void unmask_gsi(uint32_t gsi) {
  if (ensure_routing())
    ioapic::set_masked(gsi, false);
}

uint64_t count(uint8_t vector) {
  const VectorTable::Entry* e = g_table.entry(vector);
  return e ? e->count : 0;
}

uint64_t unexpected_count() {
  return g_table.unexpected();
}

void dispatch(arch::TrapFrame* frame) {
  g_table.dispatch(static_cast<uint8_t>(frame->vector));
  // Every vector here came through the LAPIC (MSI, I/O APIC), so it is in service there;
  // the EOI also ends a level-triggered I/O APIC entry's cycle. A parked PIC's spurious
  // IRQ 7/15 sets no in-service bit, and an EOI then retires nothing.
  arch::lapic_eoi();
  if (g_exit_hook)
    g_exit_hook(frame, (frame->cs & 3) == 3);
}

void set_exit_hook(ExitHook hook) {
  g_exit_hook = hook;
}

} // namespace irq
