// The vDSO image built into the kernel (arch/x86_64/vdso/) and its data page.
#pragma once

#include "arch/x86_64/vdso/vdso_data.h"

#include <stddef.h>
#include <stdint.h>

namespace arch {
// The linked vDSO (an ELF shared object linked at 0). *file_size: bytes of the file;
// *data_offset: where its data page goes (the page after its PT_LOAD segment, which
// starts at the file's first byte). The bytes to map are [0, min(file_size, data_offset)).
const uint8_t* vdso_image(size_t* file_size, size_t* data_offset);
// The values the data page holds (the kernel's clock conversion).
void vdso_fill_data(VdsoData* data);
} // namespace arch
