#include "image/disk_layout.h"

#include "llvm/Support/Endian.h"

namespace mkimage {

static llvm::Error fail(const llvm::Twine& message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message.str());
}

llvm::Expected<BootImage> parseBootImage(std::string bytes, const std::string& path) {
  if (bytes.size() < 512)
    return fail(path + ": not a boot image: shorter than one sector (" + llvm::Twine(bytes.size()) +
                " bytes)");
  const char* d = bytes.data();
  uint64_t base = llvm::support::endian::read64le(d + 0x1AA);
  uint64_t length = llvm::support::endian::read64le(d + 0x1B2);
  uint32_t type = llvm::support::endian::read32le(d + 0x1BA);
  if (type != 12 || base != 0x8000)
    return fail(path + ": not a Nanos boot image: stage2 descriptor at 0x1AA has base 0x" +
                llvm::Twine::utohexstr(base) + ", type " + llvm::Twine(type) +
                " (expected 0x8000, 12)");
  if (static_cast<uint8_t>(d[0x1FE]) != 0x55 || static_cast<uint8_t>(d[0x1FF]) != 0xAA)
    return fail(path + ": not a Nanos boot image: no boot sector signature 55 AA at 0x1fe");
  if (length == 0 || length > kMaxStage2Size)
    return fail(path + ": not a Nanos boot image: stage2 of " + llvm::Twine(length) +
                " bytes (a BIOS loads 1 to " + llvm::Twine(kMaxStage2Size) +
                " bytes at 0x8000, below 512 KiB)");
  if (length % 512 != 0 || bytes.size() != 512 + length)
    return fail(path + ": not a Nanos boot image: file is " + llvm::Twine(bytes.size()) +
                " bytes but its descriptor says 512 + " + llvm::Twine(length));
  BootImage b;
  b.bytes = std::move(bytes);
  b.stage2Size = length;
  return b;
}

static void chs(char* out, uint64_t lba) {
  uint64_t cyl = lba / 63 / 255, head = (lba / 63) % 255, sec = lba % 63 + 1;
  if (cyl > 1023) {
    cyl = 1023;
    head = 254;
    sec = 63;
  }
  out[0] = static_cast<char>(head);
  out[1] = static_cast<char>(((cyl >> 8) & 0xff) | sec); // upstream's layout (spec §1.2)
  out[2] = static_cast<char>(cyl & 0xff);
}

std::string partitionEntry(uint64_t firstLba, uint64_t sectors, uint8_t type) {
  std::string e(16, '\0');
  e[0] = static_cast<char>(0x80);
  chs(&e[1], firstLba);
  e[4] = static_cast<char>(type);
  chs(&e[5], firstLba + sectors - 1);
  llvm::support::endian::write32le(&e[8], static_cast<uint32_t>(firstLba));
  llvm::support::endian::write32le(&e[12], static_cast<uint32_t>(sectors));
  return e;
}

} // namespace mkimage
