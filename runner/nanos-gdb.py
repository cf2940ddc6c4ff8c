# gdb helper for nanos-run --gdb-attach (docs/nanos-run.md, "Debugging with gdb").
#
# QEMU's gdb stub debugs the whole machine, not a Linux process: it offers no auxiliary
# vector and no Linux register set, so gdb's own shared-library support (which needs one
# or the other) never finds the program's libraries. This script does that part itself:
# it reads the dynamic loader's list of loaded objects (r_debug, reached through the
# program's DT_DEBUG entry) and adds each library's symbols at the address it was loaded
# at. It runs when the program reaches its entry point (the loader has mapped every
# DT_NEEDED library by then) and again at each later loader event (dlopen, dlclose).
#
# nanos-run writes a command file that loads this script and calls
#   nanos-setup ENTRY DYNAMIC SYSROOT [SEARCH-DIR...]
# with the program's entry point and dynamic section at their load addresses.
import os
import struct

import gdb

DT_NULL = 0
DT_DEBUG = 21


def read_u64(address):
    return struct.unpack("<Q", bytes(gdb.selected_inferior().read_memory(address, 8)))[0]


def read_c_string(address, limit=4096):
    # Page by page: the page after the string may be unmapped or not yet faulted in, and
    # the stub reads through the guest's page tables.
    data = b""
    while len(data) < limit:
        chunk = 4096 - (address + len(data)) % 4096
        data += bytes(gdb.selected_inferior().read_memory(address + len(data), chunk))
        if b"\0" in data:
            break
    return data.split(b"\0", 1)[0].decode("utf-8", "replace")


class LoadedObjects:
    """The loader's objects whose symbols gdb has, by guest path."""

    def __init__(self, dynamic, sysroot, search_dirs):
        self.dynamic = dynamic
        self.sysroot = sysroot
        self.search_dirs = search_dirs
        self.loaded = {}  # guest path -> load bias
        self.event_breakpoint = None

    def r_debug(self):
        # The loader stores &r_debug in the program's DT_DEBUG entry.
        entry = self.dynamic
        while True:
            tag = read_u64(entry)
            if tag == DT_NULL:
                return 0
            if tag == DT_DEBUG:
                return read_u64(entry + 8)
            entry += 16

    def host_file(self, guest_path):
        # The image copies libraries from the sysroot at the same path; files added with
        # --file/--dir (or found through $ORIGIN) are looked for by name in the search dirs.
        candidate = os.path.join(self.sysroot, os.path.normpath(guest_path).lstrip("/"))
        if os.path.isfile(candidate):
            return candidate
        for directory in self.search_dirs:
            candidate = os.path.join(directory, os.path.basename(guest_path))
            if os.path.isfile(candidate):
                return candidate
        return None

    def objects(self):
        """(guest path, load bias) of each object on the loader's list, program excluded."""
        r_debug = self.r_debug()
        if not r_debug:
            return [], 0
        # struct r_debug: int r_version; link_map *r_map; ElfW(Addr) r_brk; ...
        link_map = read_u64(r_debug + 8)
        r_brk = read_u64(r_debug + 16)
        found = []
        while link_map:
            # struct link_map: l_addr, l_name, l_ld, l_next, l_prev
            bias = read_u64(link_map)
            name_address = read_u64(link_map + 8)
            name = read_c_string(name_address) if name_address else ""
            if name:  # the program itself has an empty name
                found.append((name, bias))
            link_map = read_u64(link_map + 24)
        return found, r_brk

    def update(self, quiet=True):
        try:
            found, r_brk = self.objects()
        except gdb.MemoryError:
            return  # the loader's data is not in memory yet

        current = dict(found)
        for name in [n for n in self.loaded if current.get(n) != self.loaded[n]]:
            host = self.host_file(name)
            if host:
                gdb.execute("remove-symbol-file -a %#x" % self.text_address(host, self.loaded[name]),
                            to_string=True)
            del self.loaded[name]
        for name, bias in found:
            if name in self.loaded:
                continue
            host = self.host_file(name)
            self.loaded[name] = bias
            if host is None:
                if not name.startswith("linux-vdso"):
                    print("nanos-gdb: no host file for %s (set its directory with "
                          "nanos-run --solib-dir)" % name)
                continue
            gdb.execute('add-symbol-file "%s" -o %#x' % (host, bias), to_string=quiet)
        if r_brk and self.event_breakpoint is None:
            self.event_breakpoint = LoaderEvent(r_brk, self)

    def text_address(self, host, bias):
        # remove-symbol-file -a takes an address inside the object's .text.
        return bias + text_vaddr(host)

    def show(self):
        try:
            found, _ = self.objects()
        except gdb.MemoryError:
            found = []
        if not found:
            print("No libraries loaded yet (the loader has not run: continue to main).")
            return
        print("%-18s %s" % ("Load bias", "Library (host file)"))
        for name, bias in found:
            host = self.host_file(name) or "no host file"
            print("%#-18x %s  (%s)" % (bias, name, host))


def text_vaddr(path):
    # e_shoff/e_shnum/e_shstrndx from the ELF64 header, then the .text section header.
    with open(path, "rb") as f:
        data = f.read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    strtab_offset, = struct.unpack_from("<Q", data, shoff + shstrndx * shentsize + 0x18)
    for i in range(shnum):
        header = shoff + i * shentsize
        name_offset, = struct.unpack_from("<I", data, header)
        end = data.index(b"\0", strtab_offset + name_offset)
        if data[strtab_offset + name_offset:end] == b".text":
            return struct.unpack_from("<Q", data, header + 0x10)[0]
    return 0


class LoaderEvent(gdb.Breakpoint):
    """The loader calls r_brk after each change to its list (dlopen, dlclose)."""

    def __init__(self, address, objects):
        super().__init__("*%#x" % address, internal=True)
        self.objects = objects

    def stop(self):
        self.objects.update()
        return False


class ProgramEntry(gdb.Breakpoint):
    """At the entry point the loader has mapped every library the program needs."""

    def __init__(self, address, objects):
        # Not temporary: stop() never stops here, and the entry point runs once anyway.
        super().__init__("*%#x" % address, internal=True)
        self.objects = objects

    def stop(self):
        self.objects.update()
        return False


objects = None


class NanosSetup(gdb.Command):
    """nanos-setup ENTRY DYNAMIC SYSROOT [SEARCH-DIR...]: follow the program's libraries."""

    def __init__(self):
        super().__init__("nanos-setup", gdb.COMMAND_OBSCURE)

    def invoke(self, argument, from_tty):
        global objects
        words = gdb.string_to_argv(argument)
        entry, dynamic = int(words[0], 0), int(words[1], 0)
        if dynamic:
            objects = LoadedObjects(dynamic, words[2], words[3:])
            ProgramEntry(entry, objects)


class NanosLibraries(gdb.Command):
    """List the program's shared libraries and their load biases (like info sharedlibrary)."""

    def __init__(self):
        super().__init__("nanos-libraries", gdb.COMMAND_STATUS)

    def invoke(self, argument, from_tty):
        if objects is None:
            print("The program is static: it has no shared libraries.")
            return
        objects.update(quiet=False)
        objects.show()


NanosSetup()
NanosLibraries()
