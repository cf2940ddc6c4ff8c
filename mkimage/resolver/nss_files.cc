#include "resolver/nss_files.h"

namespace mkimage {

const std::vector<GeneratedFile>& minimalNssFiles() {
  static const std::vector<GeneratedFile> files = {
      {"/etc/group", "root:x:0:\n"},
      {"/etc/hosts", "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"},
      {"/etc/nsswitch.conf", "passwd: files\ngroup: files\nshadow: files\nhosts: files dns\n"
                             "networks: files\nprotocols: files\nservices: files\n"},
      {"/etc/passwd", "root:x:0:0:root:/:/sbin/nologin\n"},
      // QEMU's user-mode network answers DNS at 10.0.2.3.
      {"/etc/resolv.conf", "nameserver 10.0.2.3\n"},
  };
  return files;
}

} // namespace mkimage
