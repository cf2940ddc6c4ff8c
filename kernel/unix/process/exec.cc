#include "unix/process/exec.h"

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
#include "unix/process/elf_plan.h"
#include "unix/syscall/heap_buffer.h"
#include "unix/process/initial_stack.h"
#include "unix/memory/memory.h"
#include "unix/process/process.h"

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
// Why the program (or its interpreter) could not be opened, in the words of the boot
// message: each path lookup error has its own (issue 15, defect 6).
const char* open_problem_text(int error) {
  switch (error) {
  case -ENAMETOOLONG:
    return "name too long";
  case -ENOTDIR:
    return "not a directory";
  case -ELOOP:
    return "too many symbolic links";
  case -ENOENT:
    return "no such file in the image";
  default: // a directory, a symlink left dangling inside the tree, a special file
    return "not a regular file";
  }
}

ErrorOr<NodeId> open_exec(const char* path) {
  NodeId id = walk_path(fs::tree(), process().cwd, path, true);
  if (id < 0)
    return Err(static_cast<int>(id));
  const fs::Node* n = fs::node(id);
  if (n->type == fs::NodeType::kDirectory)
    return Err(-EISDIR);
  if (n->type != fs::NodeType::kFile || !n->inode)
    return Err(-EACCES);
  return id;
}

// Maps [start, end) for one piece of a segment, replacing what an earlier segment put on a
// shared page.
Status map_segment_piece(const Vma& piece) {
  (void)unmap_range(piece.start, piece.end); // nothing there is fine
  return map_region(piece);
}

// Maps the PT_LOAD segments of one ELF file. `base` is the load address for ET_DYN
// objects (ignored for ET_EXEC).
ErrorOr<Loaded> load_elf(const char* path, NodeId node, const uint8_t* head, size_t head_len,
                         uint64_t base) {
  Loaded out;
  if (plan_elf(head, head_len, &out.plan) < 0) {
    kprintf("exec: %s: not an x86-64 ELF executable\n", path);
    return Err(-ENOEXEC);
  }
  const ElfPlan& plan = out.plan;
  out.bias = plan.position_independent ? base - plan.lowest_vaddr : 0;
  for (size_t i = 0; i < plan.segment_count; ++i) {
    const ElfSegment& s = plan.segments[i];
    uint64_t va = s.vaddr + out.bias;
    unsigned prot = (s.flags & 4 ? mm::kProtRead : 0) | (s.flags & 2 ? mm::kProtWrite : 0) |
                    (s.flags & 1 ? mm::kProtExec : 0);
    uint64_t file_top = page_round_up(va + s.file_size);
    uint64_t mem_top = page_round_up(va + s.mem_size);
    uint64_t start = page_round_down(va);
    if (mem_top > arch::kUserMappableEnd || start < 0x1000) {
      kprintf("exec: %s: segment at %#lx outside user memory\n", path, static_cast<unsigned long>(va));
      return Err(-ENOEXEC);
    }
    if (s.file_size > 0) {
      Vma file;
      file.start = start;
      file.end = file_top;
      file.prot = prot;
      file.node = static_cast<int32_t>(node);
      file.file_offset = page_round_down(s.offset);
      file.file_end = va + s.file_size;
      TRY(map_segment_piece(file));
      start = file_top;
    }
    if (mem_top > start) {
      Vma bss;
      bss.start = start;
      bss.end = mem_top;
      bss.prot = prot;
      TRY(map_segment_piece(bss));
    }
  }
  return out;
}

// Reads the first page of a file (ELF header and program headers must lie there) into
// `page` (kPageSize bytes) and returns how much there was.
ErrorOr<size_t> read_head(const char* path, NodeId node, HeapBuffer& page) {
  if (!page.ok())
    return Err(-ENOMEM);
  auto n = fs::read_file(fs::node(node)->inode, 0, page.data(), kPageSize);
  if (!n.ok()) {
    kprintf("exec: %s: read error\n", path);
    return Err(n.error());
  }
  return static_cast<size_t>(*n);
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

// Loads the program's PT_INTERP (ld.so) above 4 GiB in the mmap area; `head` holds the
// program's first page and is reused for the interpreter's. Returns its load base.
ErrorOr<uint64_t> load_interpreter(const ExecArgs& args, const Loaded& program, HeapBuffer& head,
                                   Loaded* interp) {
  char interp_path[256];
  size_t n = program.plan.interp_size < sizeof interp_path ? program.plan.interp_size
                                                            : sizeof interp_path - 1;
  memcpy(interp_path, head.data() + program.plan.interp_offset, n);
  interp_path[n] = 0;
  auto in = open_exec(interp_path);
  if (!in.ok()) {
    kprintf("exec: %s: its interpreter %s: %s\n", args.path, interp_path,
            open_problem_text(in.error()));
    return Err(in.error());
  }
  size_t head_len = TRY(read_head(interp_path, *in, head));
  auto* bytes = reinterpret_cast<const uint8_t*>(head.data());
  ElfPlan probe;
  if (plan_elf(bytes, head_len, &probe) < 0 || !probe.position_independent) {
    kprintf("exec: %s: interpreter is not a shared object\n", interp_path);
    return Err(-ENOEXEC);
  }
  Process& p = process();
  uint64_t span = page_round_up(probe.highest_end) - probe.lowest_vaddr;
  uint64_t base = p.vm.find_free(span, 1ull << 32, p.mmap_top);
  if (!base)
    return Err(-ENOMEM);
  *interp = TRY(load_elf(interp_path, *in, bytes, head_len, base));
  return base;
}

// Builds argv, envp and the auxiliary vector below `top` and copies them to the user stack.
// Returns the initial rsp.
ErrorOr<uint64_t> push_initial_stack(const ExecArgs& args, const AuxEntry* aux, size_t auxc,
                                     uint64_t top) {
  InitialStackInput in;
  in.argv = args.argv;
  in.argc = args.argc;
  in.envp = args.envp;
  in.envc = args.envc;
  in.aux = aux;
  in.auxc = auxc;
  in.execfn = args.path;
  random_bytes(in.random, sizeof in.random);
  HeapBuffer buf(kStackBuildSize);
  if (!buf.ok())
    return Err(-ENOMEM);
  auto* bytes = reinterpret_cast<uint8_t*>(buf.data());
  uint64_t rsp = build_initial_stack(in, bytes, kStackBuildSize, top);
  if (!rsp) {
    kprintf("exec: %s: arguments and environment exceed %zu bytes\n", args.path, kStackBuildSize);
    return Err(-E2BIG);
  }
  uint64_t used = top - rsp;
  TRY(copy_to_user(UserPtr<void>(rsp), bytes + (kStackBuildSize - used), used));
  return rsp;
}

} // namespace

ErrorOr<UserEntry> exec_program(const ExecArgs& args) {
  Process& p = process();
  auto prog = open_exec(args.path);
  if (!prog.ok()) {
    kprintf("exec: %s: %s\n", args.path, open_problem_text(prog.error()));
    return Err(prog.error());
  }
  p.space = TRY(mm::AddressSpace::create());
  p.space->activate();
  p.mmap_top = kMmapTopLimit - random_offset(1ull << 30);

  HeapBuffer head(kPageSize);
  size_t head_len = TRY(read_head(args.path, *prog, head));
  Loaded program = TRY(load_elf(args.path, *prog, reinterpret_cast<const uint8_t*>(head.data()),
                                head_len, kPieBase + random_offset(4ull << 20)));
  Loaded interp;
  uint64_t interp_base = 0;
  if (program.plan.interp_offset)
    interp_base = TRY(load_interpreter(args, program, head, &interp));

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
  TRY(map_region(stack));

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
  size_t auxc = sizeof aux / sizeof aux[0];
  UserEntry entry;
  entry.rsp = TRY(push_initial_stack(args, vdso ? aux : aux + 1, vdso ? auxc : auxc - 1, top));
  entry.rip = interp_base ? interp.plan.entry + interp.bias : pl.entry + program.bias;
  return entry;
}

} // namespace unix
