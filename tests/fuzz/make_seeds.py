#!/usr/bin/env python3
"""Writes the fuzzer's seed logs (seeds/*.tfs): small partitions whose extensions are 1-2
blocks long, so the fuzzer's inputs (at most 64 KiB) can hold whole chains. Each exercises
a different part of the codec. Run it from anywhere; it rewrites the files next to it."""
import os

def varint(n):
    groups = [n & 0x7F]
    n >>= 7
    while n:
        groups.append(n & 0x7F)
        n >>= 7
    return bytes([g | 0x80 for g in reversed(groups[1:])] + [groups[0]])

def header(version, blocks):
    return b"NVMTFS" + varint(version) + varint(blocks)

def initial(version, label, link_blocks):
    return header(version, 1) + bytes(range(16)) + label + b"\0" + b"\x05\x01" + varint(link_blocks)

def available(value, seg=None):
    seg = len(value) if seg is None else seg
    return b"\x02" + varint(len(value)) + varint(seg) + value[:seg]

def partition(extensions, blocks):
    out = bytearray(blocks * 512)
    for block, data in extensions:
        assert len(data) <= 2 * 512
        out[block * 512:block * 512 + len(data)] = data
    return bytes(out)

def sym(s):  # immediate symbol, v5 (names here are shorter than 8 bytes)
    return bytes([0x80 | len(s)]) + s

def string(s):
    return bytes([0xC0 | len(s)]) + s if len(s) < 8 else bytes([0xC8, len(s)]) + s

seeds = {}

# v5: root with a file (integer and decimal-string numbers), a link, EAV records that
# add, replace and delete attributes, a vector extended by reference, a negative integer.
root = (bytes([0x93]) + bytes([0x88, 0x08]) + b"children" +        # #1 root, #2 "children"
        bytes([0x92]) + sym(b"f") + bytes([0x92]) +                 # #3 children, #4 f, #5 file
        sym(b"size") + bytes([0xB0, 0x0C]) +                        # #6 size: 12
        sym(b"ext") + bytes([0x91]) + sym(b"0") + bytes([0x92]) +   # #7, #8, #9, #10
        sym(b"offset") + string(b"9") + sym(b"length") + bytes([0xB0, 0x01]) +  # #11, #12
        sym(b"l") + bytes([0x91]) + sym(b"target") + string(b"/f") +  # #13 l, #14, #15
        sym(b"args") + bytes([0xA2]) + string(b"a") + string(b"b") +  # #16, vector #17
        sym(b"neg") + bytes([0xB1, 0x05]))                          # #18 neg: -5
eav = (bytes([0x13, 0x01]) + bytes([0x06]) + string(b"13") +          # root.size = "13"
       bytes([0x08, 0x12, 0x80]) +                                    # root.neg deleted
       sym(b"alias") + bytes([0x10, 0x05]))                           # root.alias = file #5
vec = bytes([0x21, 0x11]) + string(b"c")                              # args += "c"
ext = header(5, 2) + available(root) + available(eav) + available(vec) + b"\x01"
seeds["eav.tfs"] = partition([(0, initial(5, b"seed", 2)), (1, ext)], 3)

# One value split over three extensions (blocks 1, 3-4, 6) by TUPLE_EXTENDED.
big = bytes([0x92, 0x88, 0x08]) + b"children" + bytes([0x90]) + sym(b"blob") + \
    bytes([0xC8 | (700 >> 14), 0x80 | ((700 >> 7) & 0x7F), 700 & 0x7F]) + bytes(range(256)) * 2 + bytes(188)
a = header(5, 1) + available(big, 400) + b"\x05\x03\x02"
b = header(5, 2) + b"\x03" + varint(300) + big[400:700] + b"\x05\x06\x01"
c = header(5, 1) + b"\x03" + varint(len(big) - 700) + big[700:] + b"\x04\x01"
seeds["chain.tfs"] = partition([(0, initial(5, b"", 1)), (1, a), (3, b), (6, c)], 8)

# Version 4 ("old encoding"): 1 type bit, 5 length bits, everything a buffer.
v4root = (bytes([0xC2, 0x88]) + b"children" + bytes([0xC1, 0x81]) + b"f" +
          bytes([0xC1, 0x8A]) + b"filelength" + bytes([0x81]) + b"7" +
          bytes([0x87]) + b"program" + bytes([0x82]) + b"/f")
seeds["v4.tfs"] = partition([(0, initial(4, b"old", 1)),
                             (1, header(4, 1) + available(v4root) + b"\x01")], 2)

here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")
for name, data in seeds.items():
    with open(os.path.join(here, name), "wb") as f:
        f.write(data)
