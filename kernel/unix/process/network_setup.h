// The network side of starting the program: the manifest's network keys go down to the
// stack's configuration (net/configure.h), the image gets a generated /etc/resolv.conf when
// it has none of its own, and exec_wait_for_ip4_secs holds the program back until the
// interface has an address.
#pragma once

#include "lib/tfs/tfs.h"

namespace unix {

// After the file tree is built. Exits the machine (after a message) on a malformed key.
void setup_network(const tfs::Value* root);
// Just before the program starts.
void wait_for_network();

} // namespace unix
