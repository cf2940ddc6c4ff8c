// VHDX (Microsoft [MS-VHDX] v1), a dynamic disk: file identifier, two headers, two region
// tables, an empty log, the metadata region, the block allocation table (BAT), then 1 MiB
// payload blocks for the blocks holding a non-zero byte; all-zero blocks stay "not present".
// Structures are little-endian; headers, region tables are protected by CRC-32C.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"

namespace mkimage::artifact {

// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), as VHDX checksums use it.
uint32_t crc32c(llvm::StringRef bytes);

// A GUID from 16 bytes in the text order (xxxxxxxx-xxxx-...), stored the way VHDX stores GUIDs:
// the first three fields little-endian, the last eight bytes as they are.
std::string vhdxGuid(const char* text);

// The disk size must be a multiple of 512.
llvm::Error writeVhdx(const DiskSource& disk, Sink& out);

} // namespace mkimage::artifact
