// The FileOps of the console and the character devices (device_files.h).
#include "unix/fd/device_files.h"

#include "arch/x86_64/random.h"
#include "arch/x86_64/usercopy.h"
#include "lib/errno.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/syscall/linux_abi.h"
#include "unix/process/process.h"

namespace unix {
namespace {

// Reads of the console and /dev/null: end of file (no console input ever arrives).
ErrorOr<size_t> read_end_of_file(File&, UserPtr<uint8_t>, size_t, uint64_t*) {
  return size_t{0};
}
// Writes to /dev/null, /dev/zero, /dev/urandom: taken and dropped.
ErrorOr<size_t> write_discard(File&, UserPtr<const uint8_t>, size_t len, uint64_t*) {
  return len;
}

// ---- console ----
ErrorOr<size_t> console_write(File&, UserPtr<const uint8_t> ubuf, size_t len, uint64_t*) {
  HeapBuffer bounce(io_chunk(len));
  if (!bounce.ok())
    return Err(-ENOMEM);
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < bounce.size() ? len - done : bounce.size();
    if (!copy_from_user(bounce.data(), ubuf.byte_offset(done).as<void>(), n).ok())
      return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
    console::write(bounce.data(), n);
    done += n;
  }
  return done;
}

ErrorOr<long> put_user(UserPtr<void> uarg, const void* value, size_t len) {
  TRY(copy_to_user(uarg, value, len));
  return 0L;
}

// The terminal requests programs ask a tty: a raw-ish 115200 baud serial line of 80x24.
ErrorOr<long> console_ioctl(File&, unsigned long req, uint64_t arg) {
  UserPtr<void> uarg(arg);
  switch (req) {
  case 0x5401: { // TCGETS
    linux::termios t;
    memset(&t, 0, sizeof t);
    t.c_iflag = 0x500;  // ICRNL | IXON
    t.c_oflag = 0x5;    // OPOST | ONLCR
    t.c_cflag = 0xBF;   // B38400 | CS8 | CREAD
    t.c_lflag = 0x8A3B; // ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN
    return put_user(uarg, &t, sizeof t);
  }
  case 0x5402: // TCSETS
  case 0x5403: // TCSETSW
  case 0x5404: // TCSETSF
    return 0L;
  case 0x5413: { // TIOCGWINSZ
    linux::winsize w{24, 80, 0, 0};
    return put_user(uarg, &w, sizeof w);
  }
  case 0x540F: { // TIOCGPGRP
    int pgrp = kPid;
    return put_user(uarg, &pgrp, sizeof pgrp);
  }
  default:
    // Linux's terminals answer ENOTTY to a request they do not know (e.g. TIOCGPTN, which
    // libuv sends to tell a pty's slave side).
    return Err(-ENOTTY);
  }
}

// Always writable; never readable (no input arrives).
Readiness console_readiness(File&) {
  Readiness r;
  r.events = kEpollOut;
  return r;
}

// ---- /dev/zero, /dev/urandom ----
ErrorOr<size_t> zero_read(File&, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  TRY(clear_user(ubuf.as<void>(), len));
  return len;
}

ErrorOr<size_t> random_read(File&, UserPtr<uint8_t> ubuf, size_t len, uint64_t*) {
  HeapBuffer bounce(io_chunk(len));
  if (!bounce.ok())
    return Err(-ENOMEM);
  size_t done = 0;
  while (done < len) {
    size_t n = len - done < bounce.size() ? len - done : bounce.size();
    random_bytes(bounce.data(), n);
    size_t copied = copy_to_user_prefix(ubuf.byte_offset(done).as<void>(), bounce.data(), n);
    done += copied;
    if (copied < n) // the buffer runs into an unmapped page: what fitted (Linux)
      return done ? ErrorOr<size_t>(done) : Err(-EFAULT);
  }
  return done;
}

} // namespace

// The console is a terminal that cannot seek (Linux: -ESPIPE on a tty).
const FileOps kConsoleOps{
    .kind = FileKind::kConsole,
    .read = read_end_of_file,
    .write = console_write,
    .ioctl = console_ioctl,
    .readiness = console_readiness,
};

// Character devices seek nowhere and answer 0, as on Linux.
const FileOps kNullOps{
    .kind = FileKind::kNull,
    .read = read_end_of_file,
    .write = write_discard,
    .seek = seek_nowhere,
};

const FileOps kZeroOps{
    .kind = FileKind::kZero,
    .read = zero_read,
    .write = write_discard,
    .seek = seek_nowhere,
};

const FileOps kRandomOps{
    .kind = FileKind::kRandom,
    .read = random_read,
    .write = write_discard,
    .seek = seek_nowhere,
};

} // namespace unix
