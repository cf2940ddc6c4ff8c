// stage2's internal interfaces (32-bit protected mode, identity addressing, no interrupts).
#pragma once
#include <stddef.h>
#include <stdint.h>

extern "C" {
void* memcpy(void* dst, const void* src, size_t n);
void* memset(void* dst, int c, size_t n);
int memcmp(const void* a, const void* b, size_t n);
}

extern "C" {
// stage2_entry.S
uint32_t bios_disk_read(uint32_t drive, uint32_t dap);
[[noreturn]] void enter_long_mode(uint32_t pml4, const uint64_t* entry);
}

namespace stage2 {

// COM1 output (stage1 initialised the UART through the BIOS; we re-program it anyway).
void serial_init();
void print(const char* s);
void print_hex(uint64_t v);
void print_dec(uint32_t v);
// Prints "stage2: <message>" and ends the VM with failure status 126 (QEMU isa-debug-exit at
// 0x501), or halts for good where there is no such device: every error path ends here.
[[noreturn]] void fail(const char* message);
// For the UEFI loader, which shares this console: the name fail() prints instead of "stage2"
// and what it tries after isa-debug-exit before halting (firmware ResetSystem); may be null.
void set_loader_identity(const char* name, void (*last_resort)());

// Whether nanos-run asked for the boot loader's progress lines (--verbose): the QEMU fw_cfg
// file opt/nanos/verbose exists. False without fw_cfg (fw_cfg.cc).
bool fw_cfg_verbose();

// Top-down bump allocator over one RAM range below 4 GiB.
class Arena {
public:
  Arena(uint32_t floor, uint32_t top) : floor_(floor), next_(top) {}
  // Returns zeroed memory, or halts with a message when the range is exhausted.
  void* alloc(uint32_t size, uint32_t align = 16);
  uint32_t low() const { return next_; }

private:
  uint32_t floor_;
  uint32_t next_;
};

// Reads 512-byte sectors of the BIOS boot drive through the real-mode thunk. Returns false
// on a BIOS error (the caller prints which read failed).
bool disk_read(uint64_t lba, uint32_t count, void* dst);
void disk_init(uint32_t drive);

} // namespace stage2
