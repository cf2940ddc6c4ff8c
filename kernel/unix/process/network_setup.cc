#include "unix/process/network_setup.h"

#include "arch/x86_64/exit.h"
#include "fs/file_data.h"
#include "fs/tree.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "net/configure.h"
#include "net/settings.h"

namespace unix {
namespace {

// nanos-mkimage puts this into every glibc image (mkimage/resolver/nss_files.cc): QEMU user
// networking's resolver, a placeholder for when nothing better is known. The kernel's file,
// which follows the leases, replaces it; any other content is the user's and stays.
constexpr char kMkimagePlaceholder[] = "nameserver 10.0.2.3\n";

bool is_placeholder(const fs::Node* n) {
  constexpr size_t len = sizeof(kMkimagePlaceholder) - 1;
  if (n->type != fs::NodeType::kFile || n->special != fs::Special::kNone ||
      fs::file_length(n->inode) != len)
    return false;
  char content[len];
  auto got = fs::read_file(n->inode, 0, content, len);
  return got.ok() && *got == len && memcmp(content, kMkimagePlaceholder, len) == 0;
}

void expose_resolv_conf() {
  const char* text = net::resolv_conf_text();
  int32_t etc = fs::find_child(0, "etc");
  if (!text || etc < 0)
    return;
  int32_t existing = fs::find_child(etc, "resolv.conf");
  if (existing >= 0) {
    if (!is_placeholder(fs::node(existing)))
      return; // the user's own
    fs::detach(existing); // in the file tree only: the image is not changed
  }
  if (fs::add_text_file(etc, "resolv.conf", text) < 0)
    kprintf("net: no memory for /etc/resolv.conf\n");
}

} // namespace

void setup_network(const tfs::Value* root) {
  net::NetSettings settings;
  const char* bad_key = nullptr;
  if (!net::parse_net_settings(root, &settings, &bad_key)) {
    kprintf("manifest: %s: not a valid value\n", bad_key);
    kernel_panic_exit();
  }
  net::apply_settings(settings);
  expose_resolv_conf();
}

void wait_for_network() {
  net::wait_for_addresses();
}

} // namespace unix
