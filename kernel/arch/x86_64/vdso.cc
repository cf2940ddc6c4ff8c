#include "arch/x86_64/vdso.h"

#include "arch/x86_64/time.h"

extern "C" const uint8_t vdso_image_start[], vdso_image_end[];

namespace arch {

namespace {
template <typename T> T read(const uint8_t* p) {
  T v;
  __builtin_memcpy(&v, p, sizeof v);
  return v;
}
} // namespace

const uint8_t* vdso_image(size_t* file_size, size_t* data_offset) {
  const uint8_t* e = vdso_image_start;
  size_t size = static_cast<size_t>(vdso_image_end - vdso_image_start);
  *file_size = size;
  // The data page follows the highest PT_LOAD end (vdso.lds puts vdso_data there).
  uint64_t phoff = read<uint64_t>(e + 32);
  uint16_t phentsize = read<uint16_t>(e + 54), phnum = read<uint16_t>(e + 56);
  uint64_t end = 0;
  for (uint16_t i = 0; i < phnum && phoff + (i + 1ull) * phentsize <= size; ++i) {
    const uint8_t* ph = e + phoff + i * static_cast<uint64_t>(phentsize);
    if (read<uint32_t>(ph) == 1) { // PT_LOAD
      uint64_t seg_end = read<uint64_t>(ph + 16) + read<uint64_t>(ph + 40);
      end = seg_end > end ? seg_end : end;
    }
  }
  *data_offset = (end + 4095) & ~4095ull;
  return vdso_image_start;
}

void vdso_fill_data(VdsoData* data) {
  ktime::vdso_clock(&data->boot_tsc, &data->rtc_tsc, &data->boot_unix_ns, &data->mul);
}

} // namespace arch
