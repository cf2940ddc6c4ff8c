// The xenstore client: the domain's connection to the configuration store over the shared
// page Xen names in HVM_PARAM_STORE_PFN. Requests poll for their reply (giving the CPU to
// the daemon's domain meanwhile), so the client works before interrupts are set up and on
// the way out of the machine. Paths not starting with '/' are relative to the domain's own
// directory (/local/domain/<id>).
#pragma once

#include "drivers/xen/xenstore_wire.h"
#include "lib/error_or.h"

#include <stddef.h>
#include <stdint.h>

namespace xenstore {

// A reply's payload, kmalloc'd and NUL-terminated after `len` bytes.
class Reply {
public:
  Reply() = default;
  Reply(char* data, size_t len) : data_(data), len_(len) {}
  Reply(Reply&& other) : data_(other.data_), len_(other.len_) { other.data_ = nullptr; }
  Reply& operator=(Reply&& other);
  Reply(const Reply&) = delete;
  Reply& operator=(const Reply&) = delete;
  ~Reply();
  const char* str() const { return data_ ? data_ : ""; }
  size_t len() const { return len_; }
  // Gives up ownership of the buffer (the caller kfree()s it).
  char* release() {
    char* d = data_;
    data_ = nullptr;
    return d;
  }

private:
  char* data_ = nullptr;
  size_t len_ = 0;
};

// Connects to the store when running under Xen. False elsewhere.
bool init();
bool connected();
// True while a request is in progress (a fault inside one must not start another).
bool busy();

ErrorOr<Reply> read(const char* path, uint32_t tx = 0);
// A decimal or 0x-prefixed number stored at path.
ErrorOr<uint64_t> read_number(const char* path, uint32_t tx = 0);
Status write(const char* path, const char* value, uint32_t tx = 0);
Status remove(const char* path, uint32_t tx = 0);
// The names under path, NUL-separated (see for_each_name).
ErrorOr<Reply> directory(const char* path, uint32_t tx = 0);

ErrorOr<uint32_t> transaction_start();
// commit = false aborts. -EAGAIN: the transaction conflicted with another writer; redo it.
Status transaction_end(uint32_t tx, bool commit);

// Watches fire once when set and on every change at or below path.
Status watch(const char* path, const char* token);
Status unwatch(const char* path, const char* token);
// The next watch event's path (the token follows it after its NUL); -ETIMEDOUT when none
// arrives within timeout_ms.
ErrorOr<Reply> wait_watch_event(uint64_t timeout_ms);

} // namespace xenstore
