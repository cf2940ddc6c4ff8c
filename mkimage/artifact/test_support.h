// Helpers shared by the artifact writers' unit tests: a recognisable test disk and zlib
// decoding to read artifacts back.
#pragma once

#include "artifact/disk_source.h"
#include "artifact/sink.h"

#include <gtest/gtest.h>
#include <string>
#include <zlib.h>

namespace mkimage::artifact::testing {

// `size` bytes, zero except for a few non-zero stretches at `marks` (each 100 bytes).
inline DiskSource markedDisk(uint64_t size, std::initializer_list<uint64_t> marks) {
  std::string bytes(size, '\0');
  unsigned char n = 1;
  for (uint64_t at : marks)
    for (uint64_t i = at; i < std::min(size, at + 100); ++i)
      bytes[i] = static_cast<char>(n++ | 1);
  return DiskSource::fromBytes(std::move(bytes), "test-identity");
}

inline std::string diskBytes(const DiskSource& disk) {
  std::string out(disk.size(), '\0');
  EXPECT_FALSE(
      static_cast<bool>(disk.read(0, llvm::MutableArrayRef<char>(out.data(), out.size()))));
  return out;
}

// Inflates zlib (windowBits 15) or gzip (31) data; "" and a test failure on error.
inline std::string inflateAll(llvm::StringRef in, int windowBits) {
  z_stream z{};
  EXPECT_EQ(inflateInit2(&z, windowBits), Z_OK);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  std::string out;
  char buf[65536];
  int status;
  do {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof buf;
    status = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof buf - z.avail_out);
  } while (status == Z_OK);
  EXPECT_EQ(status, Z_STREAM_END);
  EXPECT_EQ(z.avail_in, 0u) << "bytes after the compressed stream";
  inflateEnd(&z);
  return out;
}

} // namespace mkimage::artifact::testing
