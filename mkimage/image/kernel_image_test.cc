#include "image/kernel_image.h"

#include "llvm/Support/Endian.h"

#include <gtest/gtest.h>

namespace mkimage {
namespace {

using llvm::support::endian::write16le;
using llvm::support::endian::write32le;
using llvm::support::endian::write64le;

// A minimal kernel: ELF header, PT_LOAD over the whole file, PT_NOTE holding the PVH note.
std::string kernelElf(uint32_t noteType = 18, const char* noteName = "Xen") {
  std::string k(4096, '\0');
  std::memcpy(&k[0],
              "\x7f"
              "ELF\x02\x01\x01",
              7);
  write16le(&k[16], 2);  // ET_EXEC
  write16le(&k[18], 62); // EM_X86_64
  write32le(&k[20], 1);
  write64le(&k[24], 0x200100);
  write64le(&k[32], 64); // e_phoff
  write16le(&k[52], 64);
  write16le(&k[54], 56);
  write16le(&k[56], 2);
  char* load = &k[64];
  write32le(load, 1);
  write64le(load + 16, 0x200000);
  write64le(load + 24, 0x200000);
  write64le(load + 32, k.size());
  write64le(load + 40, k.size());
  char* note = &k[120];
  write32le(note, 4);
  write64le(note + 8, 176);
  write64le(note + 32, 24);
  write64le(note + 40, 24);
  write32le(&k[176], 4);
  write32le(&k[180], 4);
  write32le(&k[184], noteType);
  std::memcpy(&k[188], noteName, 4);
  write32le(&k[192], 0x200040);
  return k;
}

std::string errorOf(const std::string& bytes) {
  auto r = checkKernelImage(bytes, "k.img");
  return r ? std::string("accepted") : llvm::toString(r.takeError());
}

TEST(KernelImage, AcceptsAnElf64X8664ExecutableWithAPvhNote) {
  auto r = checkKernelImage(kernelElf(), "k.img");
  ASSERT_TRUE(static_cast<bool>(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->pvhEntry, 0x200040u);
  EXPECT_EQ(r->entry, 0x200100u);
}

TEST(KernelImage, RefusesWhatStage2CannotBoot) {
  EXPECT_EQ(errorOf(""), "kernel k.img: not an ELF file (0 bytes)");
  EXPECT_NE(errorOf(std::string(100, 'x')).find("no \\x7fELF magic"), std::string::npos);
  std::string elf32 = kernelElf();
  elf32[4] = 1;
  EXPECT_NE(errorOf(elf32).find("not a little-endian ELF64"), std::string::npos);
  std::string arm = kernelElf();
  write16le(&arm[18], 183);
  EXPECT_NE(errorOf(arm).find("not an x86-64"), std::string::npos);
  std::string dyn = kernelElf();
  write16le(&dyn[16], 3);
  EXPECT_NE(errorOf(dyn).find("not ET_EXEC"), std::string::npos);
  EXPECT_NE(errorOf(kernelElf().substr(0, 2000)).find("truncated"), std::string::npos);
  EXPECT_NE(errorOf(kernelElf(17)).find("no PVH entry note"), std::string::npos);
  EXPECT_NE(errorOf(kernelElf(18, "Gnu")).find("no PVH entry note"), std::string::npos);
  std::string noLoad = kernelElf();
  write32le(&noLoad[64], 6);
  EXPECT_NE(errorOf(noLoad).find("no PT_LOAD"), std::string::npos);
  std::string badPh = kernelElf();
  write16le(&badPh[56], 60000);
  EXPECT_NE(errorOf(badPh).find("program header table outside the file"), std::string::npos);
}

} // namespace
} // namespace mkimage
