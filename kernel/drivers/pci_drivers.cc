// Attaches drivers to PCI functions at boot.
#include "arch/x86_64/boot_info.h"
#include "arch/x86_64/boot_internal.h"
#include "drivers/block.h"
#include "drivers/pci.h"
#include "drivers/virtio_blk.h"
#include "lib/string.h"

namespace pci_drivers {
namespace {
const char* strstr_simple(const char* hay, const char* needle) {
  size_t n = strlen(needle);
  for (; *hay; ++hay)
    if (strncmp(hay, needle, n) == 0)
      return hay;
  return nullptr;
}

// Decimal or 0x-prefixed hexadecimal.
uint64_t parse_number(const char* p) {
  uint64_t v = 0;
  if (p[0] == '0' && (p[1] == 'x' || p[1] == 'X')) {
    for (p += 2;; ++p) {
      char c = *p;
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0)
        return v;
      v = v * 16 + static_cast<uint64_t>(d);
    }
  }
  for (; *p >= '0' && *p <= '9'; ++p)
    v = v * 10 + static_cast<uint64_t>(*p - '0');
  return v;
}

// virtio-mmio devices declared on the command line as `virtio_mmio.device=<size>@<addr>:<irq>`
// (the Linux convention that VMMs such as Firecracker follow).
void probe_cmdline_mmio() {
  const char* p = boot::info().cmdline;
  const char* key = "virtio_mmio.device=";
  size_t key_len = strlen(key);
  while ((p = strstr_simple(p, key)) != nullptr) {
    p += key_len;
    while (*p && *p != '@' && *p != ' ')
      ++p;
    if (*p != '@')
      continue;
    uint64_t addr = parse_number(++p);
    if (addr)
      virtio_blk::probe_mmio(addr);
  }
}
} // namespace

void init() {
  bool have_pci = false;
  pci::enumerate(
      [](const pci::Device& dev, void* ctx) {
        *static_cast<bool*>(ctx) = true;
        if (virtio_blk::matches(dev))
          virtio_blk::probe(dev);
      },
      &have_pci);
  probe_cmdline_mmio();
  // QEMU microvm: no PCI, virtio-mmio transports at fixed addresses, 512 bytes apart.
  if (!have_pci && block::disk_count() == 0) {
    constexpr uint64_t kMicrovmVirtioBase = 0xFEB00000;
    for (int slot = 0; slot < 24; ++slot)
      virtio_blk::probe_mmio(kMicrovmVirtioBase + 512ull * slot);
  }
}
} // namespace pci_drivers
