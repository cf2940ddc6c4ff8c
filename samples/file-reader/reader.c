// Reads files mapped into the image: one file (FILES) and a directory tree (DIRS).
// Prints the file, then every entry under the directory in sorted order with its size.
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int print_file(const char* path) {
  FILE* f = fopen(path, "r");
  if (!f) {
    perror(path);
    return 1;
  }
  char line[256];
  while (fgets(line, sizeof line, f))
    printf("%s: %s", path, line);
  fclose(f);
  return 0;
}

static int by_name(const struct dirent** a, const struct dirent** b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int list_dir(const char* dir) {
  struct dirent** entries;
  int n = scandir(dir, &entries, NULL, by_name);
  if (n < 0) {
    perror(dir);
    return 1;
  }
  int failed = 0;
  for (int i = 0; i < n; i++) {
    const char* name = entries[i]->d_name;
    if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
      char path[512];
      snprintf(path, sizeof path, "%s/%s", dir, name);
      struct stat st;
      if (stat(path, &st) != 0) {
        perror(path);
        failed = 1;
      } else if (S_ISDIR(st.st_mode)) {
        printf("%s/\n", path);
        failed |= list_dir(path);
      } else {
        printf("%s (%lld bytes)\n", path, (long long)st.st_size);
      }
    }
    free(entries[i]);
  }
  free(entries);
  return failed;
}

int main(void) {
  int failed = print_file("/etc/reader.conf");
  failed |= list_dir("/srv/data");
  failed |= print_file("/srv/data/sub/nested.txt");
  return failed;
}
