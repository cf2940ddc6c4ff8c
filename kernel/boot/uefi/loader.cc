// BOOTX64.EFI: the UEFI boot loader for Nanos-format disks (docs/kernel.md "Boot loader").
// It does what stage2 does under BIOS, with the firmware's services instead of the BIOS:
// finds its own disk, takes the boot TFS from the MBR (entry 1 behind the ESP), loads /kernel
// with stage2's lookup code, places its segments, and enters it with stage2's hand-off plus
// the ACPI RSDP, which a UEFI machine does not leave in the BIOS area.
#include "loader.h"

#include "stage2.h"

namespace uefi_boot {

efi::SystemTable* g_system_table;

namespace {

// fail()'s last resort after isa-debug-exit: a firmware shutdown (runtime services survive
// ExitBootServices), so a machine without that device stops instead of idling forever.
void shut_down() {
  g_system_table->runtime_services->reset_system(efi::kResetShutdown, efi::kErrorBit | 21, 0,
                                                 nullptr);
}

} // namespace

} // namespace uefi_boot

bool efi::same_guid(const Guid& a, const Guid& b) {
  return memcmp(&a, &b, sizeof(Guid)) == 0;
}

extern "C" efi::Status efi_main(efi::Handle image, efi::SystemTable* system_table) {
  using namespace uefi_boot;
  g_system_table = system_table;
  stage2::serial_init();
  stage2::set_loader_identity("uefi", shut_down);
  const bool verbose = stage2::fw_cfg_verbose();
  if (verbose)
    stage2::print("uefi: started\n");
  // The firmware arms a 5-minute watchdog for boot applications; the kernel is no such thing.
  boot_services()->set_watchdog_timer(0, 0, 0, nullptr);

  efi::BlockIo* disk = find_boot_disk(image);
  auto* mbr = static_cast<uint8_t*>(memory_alloc(nullptr, 512, 16));
  if (!disk_read(disk, 0, 1, mbr))
    stage2::fail("disk read error (MBR)");
  uint64_t part = 0;
  if (const char* e = boot_load::boot_partition_lba(mbr, &part))
    stage2::fail(e);
  boot_load::LoaderServices services{disk_read, memory_alloc, disk};
  uint8_t* file = nullptr;
  uint32_t size = 0;
  if (const char* e = boot_load::tfs_load_kernel(services, part, &file, &size))
    stage2::fail(e);
  if (verbose) {
    stage2::print("uefi: loading /kernel (");
    stage2::print_dec(size);
    stage2::print(" bytes)\n");
  }
  KernelPlacement kernel = place_kernel(file, size);
  enter_kernel(image, kernel, find_rsdp(), verbose);
}
