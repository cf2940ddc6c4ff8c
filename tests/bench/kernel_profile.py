"""Counts kernel instructions per function from a QEMU `-d in_asm,exec,nochain` log.

in_asm gives each translated block's instructions once (its length); every `Trace` line is
one execution of a block. Instructions = executions x length, summed per function from the
ELF's symbol table (nm -n -C); calls = executions of the block at the function's first
address (a loop back to it counts too, a tail call into it not).
With --until-program, counting stops where the program's first instruction follows: at
the second execution of arch::enter_user_mode (the first is the boot-time syscall probe),
for the cost of boot (docs/benchmarks.md, issue 12).
usage: kernel_profile.py LOG KERNEL_ELF [TOP] [--until-program]
"""
import bisect
import collections
import re
import subprocess
import sys


def symbols(elf):
    out = subprocess.run(["nm", "-n", "-C", elf], capture_output=True, text=True, check=True)
    syms = []
    for line in out.stdout.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in "tTwW":
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def main():
    args = [a for a in sys.argv[1:] if a != "--until-program"]
    until_program = len(args) < len(sys.argv) - 1
    log, elf = args[0], args[1]
    top = int(args[2]) if len(args) > 2 else 30
    syms = symbols(elf)
    user_entry = next((a for a, n in syms if n.startswith("arch::enter_user_mode(")), None)
    user_entries = 0
    starts = [a for a, _ in syms]
    block_len = {}
    runs = collections.Counter()
    block = None  # start address of the block being listed, "new" right after IN:
    insn = re.compile(r"0x([0-9a-f]+):")
    trace = re.compile(r"Trace \d+: 0x[0-9a-f]+ \[[0-9a-f]+/([0-9a-f]+)/")
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("IN:"):
                block = "new"
                continue
            m = insn.match(line)
            if m and block is not None:
                if block == "new":
                    block = int(m.group(1), 16)
                    block_len[block] = 0
                block_len[block] += 1
                continue
            if not line.strip():
                block = None
                continue
            m = trace.match(line)
            if m:
                pc = int(m.group(1), 16)
                if until_program and pc == user_entry:
                    user_entries += 1
                    if user_entries == 2:
                        break
                runs[pc] += 1
    per_function = collections.Counter()
    calls = collections.Counter()
    for pc, n in runs.items():
        i = bisect.bisect_right(starts, pc) - 1
        name = syms[i][1] if i >= 0 else "?"
        per_function[name] += n * block_len.get(pc, 1)
        if i >= 0 and pc == starts[i]:
            calls[name] += n
    total = sum(per_function.values())
    print(f"kernel instructions: {total}")
    print(f"{'instructions':>12} {'share':>6} {'calls':>8}  function")
    for name, n in per_function.most_common(top):
        print(f"{n:12d} {100 * n / max(total, 1):5.1f}% {calls[name]:8d}  {name[:100]}")


if __name__ == "__main__":
    main()
