#!/usr/bin/env python3
"""docs/linux-abi.md's syscall table, generated from the kernel's syscall table.

  linux_abi_table.py SOURCE_DIR --write    rewrite docs/linux-abi.md's generated part
  linux_abi_table.py SOURCE_DIR --check    exit 1 when it is out of date (CTest)

Inputs: kernel/unix/syscall/linux_syscall_names.def (every x86-64 syscall),
syscall_table.def (what the kernel implements) and syscall_status.txt (partial calls and
calls left out by design, with the reason). The document keeps its hand-written text; only
the part between the two markers is generated.
"""
import re
import sys
from pathlib import Path

BEGIN = "<!-- BEGIN GENERATED SYSCALL TABLE: tests/abi/linux_abi_table.py --write -->"
END = "<!-- END GENERATED SYSCALL TABLE -->"


def read_rows(path, macro):
    rows = {}
    for m in re.finditer(rf"^{macro}\((\d+),\s*(\w+)", path.read_text(), re.M):
        rows[m.group(2)] = int(m.group(1))
    return rows


def read_status(path):
    status, errors = {}, []
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3 or parts[1] not in ("partial", "by design") or not parts[2]:
            errors.append(f"{path.name}:{n}: expected 'name | partial|by design | note'")
            continue
        if parts[0] in status:
            errors.append(f"{path.name}:{n}: {parts[0]} listed twice")
        status[parts[0]] = (parts[1], parts[2])
    return status, errors


def generate(src):
    sc = src / "kernel/unix/syscall"
    names = read_rows(sc / "linux_syscall_names.def", "LINUX_SYSCALL")
    implemented = read_rows(sc / "syscall_table.def", "SYSCALL")
    status, errors = read_status(sc / "syscall_status.txt")
    for name in status:
        if name not in names:
            errors.append(f"syscall_status.txt: {name} is not an x86-64 syscall")
        elif status[name][0] == "partial" and name not in implemented:
            errors.append(f"syscall_status.txt: {name} is 'partial' but has no table row")
    counts = {"implemented": 0, "partial": 0, "by design": 0, "not implemented": 0}
    lines = ["| nr | syscall | status | notes |", "|---:|---|---|---|"]
    for name, nr in sorted(names.items(), key=lambda kv: kv[1]):
        kind, note = status.get(name, (None, ""))
        if kind is None:
            kind = "implemented" if name in implemented else "not implemented"
            note = "" if name in implemented else "ENOSYS"
        counts[kind] += 1
        shown = {"implemented": "implemented", "partial": "partial",
                 "by design": "ENOSYS by design" if name not in implemented else "by design",
                 "not implemented": "not implemented"}[kind]
        lines.append(f"| {nr} | `{name}` | {shown} | {note} |")
    summary = (f"{len(names)} syscalls: {counts['implemented']} implemented, "
               f"{counts['partial']} partial, {counts['by design']} left out or fixed by design, "
               f"{counts['not implemented']} not implemented (ENOSYS).")
    return "\n".join([BEGIN, "", summary, ""] + lines + ["", END]), errors


def main():
    src, mode = Path(sys.argv[1]), sys.argv[2]
    doc = src / "docs/linux-abi.md"
    table, errors = generate(src)
    text = doc.read_text() if doc.exists() else ""
    if BEGIN not in text or END not in text:
        errors.append(f"{doc}: the generated-table markers are missing")
        new = text
    else:
        head, rest = text.split(BEGIN, 1)
        new = head + table + rest.split(END, 1)[1]
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 1
    if mode == "--write":
        doc.write_text(new)
        return 0
    if new != text:
        print("docs/linux-abi.md is out of date with the syscall table: run "
              "tests/abi/linux_abi_table.py . --write", file=sys.stderr)
        return 1
    print("docs/linux-abi.md matches the syscall table")
    return 0


if __name__ == "__main__":
    sys.exit(main())
