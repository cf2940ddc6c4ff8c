#!/usr/bin/env python3
"""Checks the kernel's layer map (docs/architecture.md): a layer includes only itself and
the layers below it. Prints one line per offending include and exits 1 if there is any.

    lib  <-  arch, mm  <-  sched  <-  drivers, fs, net  <-  unix  <-  main.cc, selftest.cc

Unit tests (*_test.cc) may include what they test plus anything host-side, so they are
skipped. boot/ (stage 2, 32-bit) may use only lib/ (the TFS codec) and itself.
"""
import pathlib
import re
import sys

BELOW = {
    "lib": set(),
    "arch": {"lib", "mm"},
    "mm": {"lib", "arch"},
    "sched": {"lib", "arch", "mm"},
    "drivers": {"lib", "arch", "mm", "sched"},
    "fs": {"lib", "arch", "mm", "sched"},
    "net": {"lib", "arch", "mm", "sched"},
    "unix": {"lib", "arch", "mm", "sched", "drivers", "fs", "net"},
    "boot": {"lib"},
}
# Peer-layer interfaces a layer may use: the file systems read and write block devices,
# drivers hand received frames to the network stack through its interface type.
PEER_INTERFACES = {
    "fs": {"drivers/block.h"},
    "drivers": {"net/interface.h", "net/netdev.h", "net/packet.h"},
}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"')


def layer_of(rel: pathlib.PurePosixPath) -> str | None:
    return rel.parts[0] if len(rel.parts) > 1 else None  # top-level files: no rule


def main() -> int:
    root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else ".").resolve() / "kernel"
    bad = 0
    for path in sorted(root.rglob("*")):
        if path.suffix not in {".cc", ".h", ".S"} or path.name.endswith("_test.cc"):
            continue
        rel = pathlib.PurePosixPath(path.relative_to(root).as_posix())
        layer = layer_of(rel)
        if layer not in BELOW:
            continue
        for n, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
            m = INCLUDE.match(line)
            if not m or "/" not in m.group(1):
                continue  # same-directory includes ("stage2.h")
            target = m.group(1)
            to = target.split("/")[0]
            if to == layer or to in BELOW[layer] or to not in BELOW:
                continue
            if target in PEER_INTERFACES.get(layer, set()):
                continue
            print(f"kernel/{rel}:{n}: {layer}/ must not include {target} ({to}/ is not below {layer}/)")
            bad += 1
    if bad:
        print(f"{bad} include(s) break the kernel's layer map (docs/architecture.md)")
        return 1
    print("kernel layer map: every include points down")
    return 0


if __name__ == "__main__":
    sys.exit(main())
