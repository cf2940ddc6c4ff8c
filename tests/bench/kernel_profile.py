"""Counts kernel instructions per function from a QEMU `-d in_asm,exec,nochain` log.

in_asm gives each translated block's instructions once (its length); every `Trace` line is
one execution of a block. Instructions = executions x length, summed per function from the
ELF's symbol table (nm -n -C); calls = executions of the block at the function's first
address (a loop back to it counts too, a tail call into it not).
usage: kernel_profile.py LOG KERNEL_ELF [TOP]
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
    log, elf = sys.argv[1], sys.argv[2]
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    syms = symbols(elf)
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
                runs[int(m.group(1), 16)] += 1
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
