#include "resolver/libc_dlopens.h"

namespace mkimage {

const std::vector<LibcDlopen>& libcDlopens() {
  // Not listed, because the default image never reaches them (docs/resolver.md): gconv
  // modules (iconv between charsets glibc does not build in), libidn2 (getaddrinfo with
  // AI_IDN), NSS services other than "files" and "dns" (only a user's own nsswitch.conf
  // names them).
  static const std::vector<LibcDlopen> table = {
      // Since 2.34 libc.so.6 unwinds the thread's stack itself, through libgcc_s's
      // _Unwind_* functions, loaded on first use; without it the thread aborts with
      // "libgcc_s.so.1 must be installed for pthread_exit to work".
      {"libgcc_s.so.1", false,
       "dlopen()ed by glibc to unwind a thread's stack at pthread_exit/pthread_cancel, and "
       "by backtrace()"},
      // Since 2.34 "files" and "dns" are built into libc.so.6; the modules remain as stubs
      // that glibc still opens when present.
      {"libnss_files.so.2", true, "NSS module of the \"files\" service (/etc/nsswitch.conf)"},
      {"libnss_dns.so.2", true, "NSS module of the \"dns\" service (/etc/nsswitch.conf)"},
  };
  return table;
}

} // namespace mkimage
