// Writes the 10 MiB text file the gzip test compresses: lines of numbers and words chosen
// by a fixed xorshift generator, so every run (and every machine) gets the same bytes
// without committing them. Usage: gen_input FILE
#include <stdint.h>
#include <stdio.h>

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: gen_input FILE\n");
    return 2;
  }
  FILE* f = fopen(argv[1], "w");
  if (!f) {
    perror(argv[1]);
    return 1;
  }
  static const char* const words[] = {"kernel", "image", "page",  "fault", "thread", "file",
                                      "block",  "queue", "timer", "pipe",  "signal", "clock",
                                      "memory", "stack", "heap",  "log"};
  const long size = 10L << 20;
  uint64_t x = 0x9E3779B97F4A7C15ull;
  long written = 0;
  char line[128];
  for (unsigned n = 0; written < size; ++n) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    int len = snprintf(line, sizeof line, "%08u %s %s %s %u\n", n, words[x & 15],
                       words[(x >> 4) & 15], words[(x >> 8) & 15], (unsigned)(x >> 40) % 100000);
    if (written + len > size)
      len = (int)(size - written);
    fwrite(line, 1, (size_t)len, f);
    written += len;
  }
  return fclose(f) == 0 ? 0 : 1;
}
