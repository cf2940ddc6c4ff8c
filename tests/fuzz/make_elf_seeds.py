#!/usr/bin/env python3
"""Writes the program ELF fuzzer's seeds (seeds/program-*.elf): tiny hand-made x86-64 ELF
programs that pass every check, so that mutations start deep inside the parsers: a dynamic
one (PT_LOAD, PT_INTERP, PT_DYNAMIC with DT_NEEDED/DT_RUNPATH/DT_SONAME) and a static one.
Run it from anywhere; it rewrites the files next to it."""
import os
import struct

def elf_header(etype, phnum):
    ident = b"\x7fELF" + bytes([2, 1, 1]) + bytes(9)
    # type, machine, version, entry, phoff, shoff, flags, ehsize, phentsize, phnum, shentsize,
    # shnum, shstrndx
    return ident + struct.pack("<HHIQQQIHHHHHH", etype, 62, 1, 0x1000, 64, 0, 0, 64, 56, phnum,
                               0, 0, 0)

def phdr(ptype, flags, offset, vaddr, size, align=0x1000):
    return struct.pack("<IIQQQQQQ", ptype, flags, offset, vaddr, vaddr, size, size, align)

def dynamic_program():
    interp = b"/lib64/ld-linux-x86-64.so.2\0"
    strtab = b"\0libc.so.6\0$ORIGIN/lib\0libprobe.so.1\0"
    phnum = 3
    at = 64 + 56 * phnum
    interp_at = at
    strtab_at = interp_at + len(interp)
    dyn_at = (strtab_at + len(strtab) + 7) // 8 * 8
    dyn = b"".join(struct.pack("<qQ", tag, val) for tag, val in [
        (1, 1),            # DT_NEEDED libc.so.6
        (29, 11),          # DT_RUNPATH $ORIGIN/lib
        (14, 23),          # DT_SONAME libprobe.so.1
        (5, strtab_at),    # DT_STRTAB (vaddr = offset: one segment at 0)
        (10, len(strtab)), # DT_STRSZ
        (0, 0)])           # DT_NULL
    size = dyn_at + len(dyn)
    head = elf_header(3, phnum) + phdr(1, 5, 0, 0, size) + \
        phdr(3, 4, interp_at, interp_at, len(interp), 1) + phdr(2, 6, dyn_at, dyn_at, len(dyn), 8)
    body = bytearray(size)
    body[:len(head)] = head
    body[interp_at:interp_at + len(interp)] = interp
    body[strtab_at:strtab_at + len(strtab)] = strtab
    body[dyn_at:dyn_at + len(dyn)] = dyn
    return bytes(body)

def static_program():
    code = b"\x31\xff\xb8\x3c\x00\x00\x00\x0f\x05"  # exit(0)
    size = 64 + 56 + len(code)
    head = elf_header(2, 1) + phdr(1, 5, 0, 0x400000, size)
    return head + code

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
for name, data in [("program-dynamic.elf", dynamic_program()), ("program-static.elf", static_program())]:
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
