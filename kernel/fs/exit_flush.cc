// The filesystem's part of program exit (unix::exit_program): files still open give back the
// blocks reserved behind their data (as a close would), then everything pending is written.
#include "fs/file_data.h"

#include "fs/fs_lock.h"
#include "fs/metadata_log.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/kprintf.h"

namespace fs {

void flush_at_exit() {
  FsLocked locked;
  if (!log::is_open())
    return;
  for (size_t id = 0; id < node_count(); ++id) {
    Node* n = node(static_cast<NodeId>(id));
    if (n->type == NodeType::kFile && n->inode && n->inode->links > 0 && n->inode->opens > 0)
      trim_file(n->inode);
  }
  Status s = log::flush();
  if (!s.ok())
    kprintf("root filesystem: changes not saved at exit (error %d)\n", s.error());
}

} // namespace fs
