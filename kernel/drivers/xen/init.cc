// The Xen drivers' start: the xenstore connection, the exit-status hook, the grant table,
// the event-channel upcall, then the xenbus scan that attaches the front-ends.
#include "arch/x86_64/xen/events.h"
#include "arch/x86_64/xen/grant_table.h"
#include "arch/x86_64/xen/hypercall.h"
#include "drivers/xen/blkfront.h"
#include "drivers/xen/xenbus.h"
#include "drivers/xen/xenstore.h"
#include "lib/kprintf.h"

namespace xen_drivers {

void init() {
  if (!xen::present() || !xenstore::init())
    return;
  install_exit_status();
  Status s = xen::gnttab::init();
  if (!s) {
    kprintf("xen: no grant table (%d): no PV devices\n", s.error());
    return;
  }
  Status events = xen::events::init();
  if (!events)
    kprintf("xen: no event-channel upcall (%d): PV devices poll\n", events.error());
  xenbus::scan();
}

} // namespace xen_drivers
