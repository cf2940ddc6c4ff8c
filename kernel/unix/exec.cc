#include "unix/exec.h"

#include "arch/x86_64/cpu.h"
#include "arch/x86_64/random.h"
#include "arch/x86_64/user.h"
#include "arch/x86_64/usercopy.h"
#include "arch/x86_64/vdso.h"
#include "fs/tree.h"
#include "fs/volume.h"
#include "lib/kprintf.h"
#include "lib/string.h"
#include "mm/heap.h"
#include "unix/elf_plan.h"
#include "unix/initial_stack.h"
#include "unix/memory.h"
#include "unix/process.h"

namespace unix {
namespace {

using mm::kPageSize;
using mm::page_round_down;
using mm::page_round_up;

constexpr uint64_t kPieBase = 0x400000;           // ET_DYN programs load here + random
constexpr uint64_t kStackTopLimit = 0x100000000;  // the stack ends below 4 GiB (as Nanos)
constexpr uint64_t kStackSize = 8ull << 20;       // RLIMIT_STACK
constexpr uint64_t kMmapTopLimit = 0x7F0000000000; // mmap() works down from here
constexpr size_t kStackBuildSize = 64 * 1024;      // argv + envp + auxv must fit here

// A random page-aligned offset below `limit` (0 with noaslr).
uint64_t random_offset(uint64_t limit) {
  if (process().noaslr)
    return 0;
  uint64_t r;
  random_bytes(&r, sizeof r);
  return (r % (limit / kPageSize)) * kPageSize;
}

struct Loaded {
  uint64_t bias = 0;
  ElfPlan plan;
};

// Resolves a path to a regular file node.
long open_exec(const char* path, NodeId* out) {
  NodeId id = walk_path(fs::tree(), process().cwd, path, true);
  if (id < 0)
    return id;
  const fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kDirectory)
    return -EISDIR;
  if (n->type != fs::NodeType::kFile || !n->inode)
    return -EACCES;
  *out = id;
  return 0;
}

// Maps the PT_LOAD segments of one ELF file. `base` is the load address for ET_DYN
// objects (ignored for ET_EXEC).
long load_elf(const char* path, NodeId node, uint8_t* head, size_t head_len, uint64_t base,
              Loaded* out) {
  long r = plan_elf(head, head_len, &out->plan);
  if (r < 0) {
    kprintf("exec: %s: not an x86-64 ELF executable\n", path);
    return r;
  }
  const ElfPlan& plan = out->plan;
  out->bias = plan.position_independent ? base - plan.lowest_vaddr : 0;
  for (size_t i = 0; i < plan.segment_count; ++i) {
    const ElfSegment& s = plan.segments[i];
    uint64_t va = s.vaddr + out->bias;
    unsigned prot = (s.flags & 4 ? mm::kProtRead : 0) | (s.flags & 2 ? mm::kProtWrite : 0) |
                    (s.flags & 1 ? mm::kProtExec : 0);
    uint64_t file_top = page_round_up(va + s.file_size);
    uint64_t mem_top = page_round_up(va + s.mem_size);
    uint64_t start = page_round_down(va);
    if (mem_top > arch::kUserMappableEnd || start < 0x1000) {
      kprintf("exec: %s: segment at %#lx outside user memory\n", path, static_cast<unsigned long>(va));
      return -ENOEXEC;
    }
    if (s.file_size > 0) {
      Vma file;
      file.start = start;
      file.end = file_top;
      file.prot = prot;
      file.node = static_cast<int32_t>(node);
      file.file_offset = page_round_down(s.offset);
      file.file_end = va + s.file_size;
      (void)unmap_range(file.start, file.end); // a page shared with the previous segment
      Status mapped = map_region(file);
      if (!mapped.ok())
        return mapped.error();
      start = file_top;
    }
    if (mem_top > start) {
      Vma bss;
      bss.start = start;
      bss.end = mem_top;
      bss.prot = prot;
      (void)unmap_range(bss.start, bss.end);
      Status mapped = map_region(bss);
      if (!mapped.ok())
        return mapped.error();
    }
  }
  return 0;
}

// Reads the first page of a file (ELF header and program headers must lie there).
long read_head(const char* path, NodeId node, uint8_t* buf, size_t* len) {
  auto n = fs::read_file(fs::node(node)->inode, 0, buf, kPageSize);
  if (!n.ok()) {
    kprintf("exec: %s: read error\n", path);
    return n.error();
  }
  *len = *n;
  return 0;
}

uint64_t hwcap() {
  return cpu::cpuid(1).edx;
}

// Maps the vDSO (its code read + execute, then its data page read-only) in the mmap area;
// returns its base for AT_SYSINFO_EHDR, or 0 (glibc then makes the syscalls).
uint64_t map_vdso(Process& p) {
  size_t size, code;
  const uint8_t* image = arch::vdso_image(&size, &code);
  if (!size || !code)
    return 0;
  if (size > code)
    size = code; // section headers and symbols after the segment are not mapped
  uint64_t span = code + kPageSize;
  uint64_t base = p.vm.find_free(span, 1ull << 32, p.mmap_top);
  if (!base)
    return 0;
  Vma text, data;
  text.start = base;
  text.end = base + code;
  text.prot = mm::kProtRead | mm::kProtExec;
  data.start = base + code;
  data.end = base + span;
  data.prot = mm::kProtRead;
  if (!map_region(text).ok() || !map_region(data).ok())
    return 0;
  for (uint64_t off = 0; off < span; off += kPageSize) {
    uint64_t phys = mm::alloc_zeroed_page();
    if (!phys)
      return 0;
    auto* page = static_cast<uint8_t*>(mm::phys_to_virt(phys));
    if (off < size)
      memcpy(page, image + off, size - off < kPageSize ? size - off : kPageSize);
    else if (off >= code)
      arch::vdso_fill_data(reinterpret_cast<VdsoData*>(page));
    if (!p.space->map(base + off, phys, off < code ? text.prot : data.prot).ok()) {
      mm::free_pages(phys);
      return 0;
    }
  }
  return base;
}

} // namespace

long exec_program(const ExecArgs& args, UserEntry* entry) {
  Process& p = process();
  NodeId prog;
  long r = open_exec(args.path, &prog);
  if (r < 0) {
    kprintf("exec: %s: %s\n", args.path, r == -ENOENT ? "no such file in the image" : "not a regular file");
    return r;
  }
  auto space = mm::AddressSpace::create();
  if (!space.ok())
    return space.error();
  p.space = *space;
  p.space->activate();
  p.mmap_top = kMmapTopLimit - random_offset(1ull << 30);

  auto* head = static_cast<uint8_t*>(kmalloc(kPageSize));
  if (!head)
    return -ENOMEM;
  size_t head_len = 0;
  Loaded program, interp;
  uint64_t interp_base = 0;
  char interp_path[256];
  interp_path[0] = 0;
  if ((r = read_head(args.path, prog, head, &head_len)) < 0 ||
      (r = load_elf(args.path, prog, head, head_len, kPieBase + random_offset(4ull << 20),
                    &program)) < 0) {
    kfree(head);
    return r;
  }
  if (program.plan.interp_offset) {
    size_t n = program.plan.interp_size < sizeof interp_path ? program.plan.interp_size
                                                              : sizeof interp_path - 1;
    memcpy(interp_path, head + program.plan.interp_offset, n);
    interp_path[n] = 0;
    NodeId in;
    if ((r = open_exec(interp_path, &in)) < 0) {
      kprintf("exec: %s: its interpreter %s is missing from the image\n", args.path, interp_path);
      kfree(head);
      return r;
    }
    if ((r = read_head(interp_path, in, head, &head_len)) < 0) {
      kfree(head);
      return r;
    }
    ElfPlan probe;
    if (plan_elf(head, head_len, &probe) < 0 || !probe.position_independent) {
      kprintf("exec: %s: interpreter is not a shared object\n", interp_path);
      kfree(head);
      return -ENOEXEC;
    }
    uint64_t span = page_round_up(probe.highest_end) - probe.lowest_vaddr;
    interp_base = p.vm.find_free(span, 1ull << 32, p.mmap_top);
    if (!interp_base || (r = load_elf(interp_path, in, head, head_len, interp_base, &interp)) < 0) {
      kfree(head);
      return interp_base ? r : -ENOMEM;
    }
  }
  kfree(head);

  // The heap starts above the program, at a random distance.
  p.brk_start = page_round_up(program.plan.highest_end + program.bias) + random_offset(4ull << 20);
  p.brk = p.brk_start;

  // Stack: 8 MiB below 4 GiB (a random distance below), demand-paged; nothing below it is
  // mapped, so running off its end faults.
  uint64_t top = kStackTopLimit - random_offset(4ull << 20);
  Vma stack;
  stack.start = top - kStackSize;
  stack.end = top;
  stack.prot = mm::kProtRead | mm::kProtWrite;
  stack.kind = VmaKind::kStack;
  if (Status mapped = map_region(stack); !mapped.ok())
    return mapped.error();

  uint64_t vdso = map_vdso(p);
  const ElfPlan& pl = program.plan;
  uint64_t phdr = pl.phdr_vaddr ? pl.phdr_vaddr + program.bias : 0;
  AuxEntry aux[] = {
      {33, vdso},                        // AT_SYSINFO_EHDR (dropped below without a vDSO)
      {16, hwcap()},                     // AT_HWCAP
      {6, kPageSize},                    // AT_PAGESZ
      {17, 100},                         // AT_CLKTCK
      {3, phdr},                         // AT_PHDR
      {4, pl.phentsize},                 // AT_PHENT
      {5, pl.phnum},                     // AT_PHNUM
      {7, interp_base},                  // AT_BASE
      {8, 0},                            // AT_FLAGS
      {9, pl.entry + program.bias},      // AT_ENTRY
      {11, 0}, {12, 0}, {13, 0}, {14, 0}, // AT_UID AT_EUID AT_GID AT_EGID
      {23, 0},                           // AT_SECURE
  };
  InitialStackInput in;
  in.argv = args.argv;
  in.argc = args.argc;
  in.envp = args.envp;
  in.envc = args.envc;
  in.aux = vdso ? aux : aux + 1;
  in.auxc = sizeof aux / sizeof aux[0] - (vdso ? 0 : 1);
  in.execfn = args.path;
  random_bytes(in.random, sizeof in.random);
  auto* buf = static_cast<uint8_t*>(kmalloc(kStackBuildSize));
  if (!buf)
    return -ENOMEM;
  uint64_t rsp = build_initial_stack(in, buf, kStackBuildSize, top);
  if (!rsp) {
    kfree(buf);
    kprintf("exec: %s: arguments and environment exceed %zu bytes\n", args.path, kStackBuildSize);
    return -E2BIG;
  }
  uint64_t used = top - rsp;
  int c = copy_to_user(reinterpret_cast<void*>(rsp), buf + (kStackBuildSize - used), used);
  kfree(buf);
  if (c < 0)
    return c;
  entry->rsp = rsp;
  entry->rip = interp_base ? interp.plan.entry + interp.bias : pl.entry + program.bias;
  return 0;
}

} // namespace unix
