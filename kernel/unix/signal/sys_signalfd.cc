// signalfd: reading takes pending signals of the file's mask off the pending set and
// returns one struct signalfd_siginfo each. Signal state is read through signal_state.h.
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/fd/event_file.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"
#include "unix/signal/signal.h"
#include "unix/signal/signal_state.h"
#include "unix/syscall/syscall_handlers.h"

namespace unix {
namespace {

struct Signalfd {
  uint64_t mask;
};

// Every signalfd watches the same pending set: one change counter and one queue for all.
EventGen g_signal_gen;
sched::WaitQueue g_signal_readers;

struct SignalfdSiginfo {
  uint32_t ssi_signo;
  int32_t ssi_errno, ssi_code;
  uint32_t ssi_pid, ssi_uid;
  int32_t ssi_fd;
  uint32_t ssi_tid, ssi_band, ssi_overrun, ssi_trapno;
  int32_t ssi_status, ssi_int;
  uint64_t ssi_ptr, ssi_utime, ssi_stime, ssi_addr;
  uint16_t ssi_addr_lsb, pad2;
  int32_t ssi_syscall;
  uint64_t ssi_call_addr;
  uint32_t ssi_arch;
  uint8_t pad[28];
};
static_assert(sizeof(SignalfdSiginfo) == 128);

ErrorOr<size_t> signalfd_read(File& f, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  auto* s = static_cast<Signalfd*>(f.object);
  if (len < sizeof(SignalfdSiginfo))
    return Err(-EINVAL);
  while (!(pending_signals() & s->mask)) {
    if (f.flags & linux::O_NONBLOCK)
      return Err(-EAGAIN);
    if (int r = sched::wait(g_signal_readers, sched::kNoDeadline,
                            "read from a signalfd with no signal pending");
        r < 0)
      return Err(r);
  }
  size_t done = 0;
  while (done + sizeof(SignalfdSiginfo) <= len) {
    int sig = consume_pending_signal(s->mask);
    if (!sig)
      break;
    SignalfdSiginfo info;
    memset(&info, 0, sizeof info);
    info.ssi_signo = static_cast<uint32_t>(sig);
    info.ssi_code = 0; // SI_USER: the pending set does not keep who raised a signal
    info.ssi_pid = kPid;
    if (!copy_to_user(ubuf.byte_offset(done).as<SignalfdSiginfo>(), &info).ok()) {
      raise_process_signal(sig); // not consumed after all
      return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
    }
    done += sizeof info;
  }
  return done;
}

Readiness signalfd_readiness(File& f) {
  auto* s = static_cast<Signalfd*>(f.object);
  return Readiness{pending_signals() & s->mask ? kEpollIn : 0u, g_signal_gen.in, g_signal_gen.out};
}

void signalfd_release(File& f) {
  kfree(f.object);
}

// Read only; an anonymous inode: lseek answers 0.
const FileOps kSignalfdOps{
    .kind = FileKind::kSignalfd,
    .mode = 0600,
    .read = signalfd_read,
    .seek = seek_nowhere,
    .readiness = signalfd_readiness,
    .release = signalfd_release,
};

SyscallResult do_signalfd(int fd, UserPtr<uint64_t> umask, uint64_t size, int flags) {
  if (size != 8 || (flags & ~(linux::O_NONBLOCK | linux::O_CLOEXEC)))
    return Err(-EINVAL);
  uint64_t mask = TRY(copy_from_user(umask));
  mask &= ~kUnblockableSignals;
  if (fd != -1) { // change the mask of an existing signalfd
    File* f = process().files.get(fd);
    if (!f)
      return Err(-EBADF);
    if (f->kind != FileKind::kSignalfd)
      return Err(-EINVAL);
    static_cast<Signalfd*>(f->object)->mask = mask;
    announce(g_signal_gen, kEpollIn);
    return fd;
  }
  auto* s = static_cast<Signalfd*>(kzalloc(sizeof(Signalfd)));
  if (!s)
    return Err(-ENOMEM);
  s->mask = mask;
  int r = install_object_file(kSignalfdOps, s, linux::O_RDONLY | (flags & linux::O_NONBLOCK),
                              flags & linux::O_CLOEXEC);
  if (r < 0) {
    kfree(s);
    return Err(r);
  }
  return r;
}

} // namespace

SyscallResult sys_signalfd(const SyscallArgs& a) {
  return do_signalfd(a.i(0), a.user<uint64_t>(1), a.u(2), 0);
}

SyscallResult sys_signalfd4(const SyscallArgs& a) {
  return do_signalfd(a.i(0), a.user<uint64_t>(1), a.u(2), a.i(3));
}

void signal_raised_notify() {
  sched::wake_all(g_signal_readers);
  announce(g_signal_gen, kEpollIn);
}

} // namespace unix
