// The harness's probe guest: the smallest PVH kernel that exercises what nanos-run relies
// on under Xen, so the harness (Xen, dom0, xl, nanos-run) is tested without our kernel.
// The PVH command line (xl "cmdline", which nanos-run leaves empty; the harness passes
// one through NANOS_RUN_XEN_CMDLINE) selects the behaviour:
//   exit=N  print a greeting, report status N through the project's exit convention
//           (xenstore key data/nanos/exit, docs/xen.md), power off
//   silent  power off without reporting a status
//   panic   print a panic line and shut down with reason "crash"
//   loop    print a greeting and spin forever (a --timeout test)
// Built freestanding for i686: it never leaves 32-bit protected mode with paging off.
#include <stdint.h>

extern char probe_hypercall_page[4096];

enum {
  kHypercallSchedOp = 29,
  kHypercallEventChannelOp = 32,
  kHypercallHvmOp = 34,
  kHvmOpGetParam = 1,
  kParamStorePfn = 1,
  kParamStoreEvtchn = 2,
  kParamConsolePfn = 17,
  kParamConsoleEvtchn = 18,
  kEvtchnSend = 4,
  kSchedShutdown = 2,
  kShutdownPoweroff = 0,
  kShutdownCrash = 3,
  kXenstoreWrite = 11,
  kDomidSelf = 0x7FF0,
};

static long hypercall2(unsigned nr, uint32_t a1, uint32_t a2) {
  long ret;
  uint32_t d = 0;
  void* stub = probe_hypercall_page + nr * 32;
  asm volatile("call *%[stub]"
               : "=a"(ret), "+b"(a1), "+c"(a2), "+d"(d)
               : [stub] "S"(stub)
               : "memory");
  return ret;
}

static void barrier(void) {
  asm volatile("" ::: "memory");
}

static uint64_t hvm_param(uint32_t index) {
  struct {
    uint16_t domid;
    uint16_t pad;
    uint32_t index;
    uint64_t value;
  } param = {kDomidSelf, 0, index, 0};
  if (hypercall2(kHypercallHvmOp, kHvmOpGetParam, (uint32_t)(uintptr_t)&param) != 0)
    return 0;
  return param.value;
}

static void notify(uint32_t port) {
  uint32_t send = port;
  hypercall2(kHypercallEventChannelOp, kEvtchnSend, (uint32_t)(uintptr_t)&send);
}

static void shutdown(uint32_t reason) {
  uint32_t r = reason;
  hypercall2(kHypercallSchedOp, kSchedShutdown, (uint32_t)(uintptr_t)&r);
  for (;;) // the shutdown takes effect asynchronously
    asm volatile("hlt");
}

// Finds Xen's CPUID leaves and installs the hypercall page; 0 when not under Xen.
static int xen_init(void) {
  for (uint32_t base = 0x40000000; base < 0x40010000; base += 0x100) {
    uint32_t a, b, c, d;
    asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base), "c"(0));
    if (b == 0x566e6558 && c == 0x65584d4d && d == 0x4d4d566e) { // "XenVMMXenVMM"
      asm volatile("cpuid" : "=a"(a), "=b"(b), "=c"(c), "=d"(d) : "a"(base + 2), "c"(0));
      uint32_t page = (uint32_t)(uintptr_t)probe_hypercall_page;
      asm volatile("wrmsr" ::"c"(b), "a"(page), "d"(0));
      return 1;
    }
  }
  return 0;
}

struct console_ring {
  char in[1024];
  char out[2048];
  volatile uint32_t in_cons, in_prod, out_cons, out_prod;
};

static struct console_ring* g_console;
static uint32_t g_console_port;

static void console_write(const char* s) {
  struct console_ring* ring = g_console;
  while (*s) {
    for (int spin = 0; ring->out_prod - ring->out_cons >= sizeof ring->out && spin < 10000000;
         ++spin)
      barrier();
    ring->out[ring->out_prod % sizeof ring->out] = *s++;
    barrier();
    ring->out_prod++;
  }
  notify(g_console_port);
}

// Waits (bounded) until xenconsoled has taken everything, so no output is lost at shutdown.
static void console_drain(void) {
  for (long spin = 0; g_console->out_cons != g_console->out_prod && spin < 200000000; ++spin)
    barrier();
}

struct store_ring {
  char req[1024];
  char rsp[1024];
  volatile uint32_t req_cons, req_prod, rsp_cons, rsp_prod;
};

// One XS_WRITE of key (relative to the domain's home path) and waits for the answer.
static void xenstore_write(const char* key, const char* value) {
  struct store_ring* ring = (struct store_ring*)(uintptr_t)(hvm_param(kParamStorePfn) << 12);
  uint32_t port = (uint32_t)hvm_param(kParamStoreEvtchn);
  uint32_t klen = 0, vlen = 0;
  while (key[klen])
    ++klen;
  while (value[vlen])
    ++vlen;
  uint32_t header[4] = {kXenstoreWrite, 1, 0, klen + 1 + vlen};
  char msg[128];
  uint32_t n = 0;
  for (uint32_t i = 0; i < 16; ++i)
    msg[n++] = ((const char*)header)[i];
  for (uint32_t i = 0; i <= klen; ++i)
    msg[n++] = key[i];
  for (uint32_t i = 0; i < vlen; ++i)
    msg[n++] = value[i];
  uint32_t prod = ring->req_prod;
  for (uint32_t i = 0; i < n; ++i)
    ring->req[(prod + i) % sizeof ring->req] = msg[i];
  barrier();
  ring->req_prod = prod + n;
  notify(port);
  // The answer is a header (type XS_WRITE or XS_ERROR) and "OK\0" or an error name.
  for (long spin = 0; spin < 200000000; ++spin) {
    uint32_t avail = ring->rsp_prod - ring->rsp_cons;
    if (avail >= 16) {
      uint32_t len = 0;
      for (int i = 0; i < 4; ++i)
        len |= (uint32_t)(uint8_t)ring->rsp[(ring->rsp_cons + 12 + i) % sizeof ring->rsp]
               << (8 * i);
      if (avail >= 16 + len) {
        ring->rsp_cons += 16 + len;
        notify(port);
        return;
      }
    }
    barrier();
  }
}

static int starts_with(const char* s, const char* prefix) {
  while (*prefix)
    if (*s++ != *prefix++)
      return 0;
  return 1;
}

static const char* find_word(const char* cmdline, const char* word) {
  for (const char* p = cmdline; p && *p; ++p)
    if ((p == cmdline || p[-1] == ' ') && starts_with(p, word))
      return p;
  return 0;
}

void probe_main(const uint32_t* start_info) {
  if (!xen_init() || start_info[0] != 0x336ec578)
    for (;;)
      asm volatile("hlt");
  g_console = (struct console_ring*)(uintptr_t)(hvm_param(kParamConsolePfn) << 12);
  g_console_port = (uint32_t)hvm_param(kParamConsoleEvtchn);
  const char* cmdline = (const char*)(uintptr_t)start_info[6];
  if (!cmdline)
    cmdline = "";
  console_write("xen probe: hello from a PVH guest\n");
  if (find_word(cmdline, "loop")) {
    console_write("xen probe: looping\n");
    for (;;)
      asm volatile("pause");
  }
  if (find_word(cmdline, "panic")) {
    console_write("xen probe: panic requested\n");
    console_drain();
    shutdown(kShutdownCrash);
  }
  const char* exit_word = find_word(cmdline, "exit=");
  if (exit_word) {
    char value[4];
    int n = 0;
    for (const char* p = exit_word + 5; *p >= '0' && *p <= '9' && n < 3; ++p)
      value[n++] = *p;
    value[n] = 0;
    console_write("xen probe: exit ");
    console_write(value);
    console_write("\n");
    xenstore_write("data/nanos/exit", value);
  }
  console_drain();
  shutdown(kShutdownPoweroff);
}
