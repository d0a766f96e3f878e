#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Seeds for fuzz-dtdir: each .dtb as the directory tree dtb2fs writes, in the
record form fuzz-dtdir.c reads (kind, name length, name, LE16 data length, data).

usage: dtdir-seeds.py DTB2FS OUTDIR FILE.dtb...
"""
import os
import struct
import subprocess
import sys
import tempfile


def records(root):
    out = bytearray()
    for dirpath, dirnames, filenames in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        for name in sorted(dirnames) + sorted(filenames):
            path = os.path.join(dirpath, name)
            relname = name if rel == '.' else os.path.join(rel, name)
            data = b'' if os.path.isdir(path) else open(path, 'rb').read()
            enc = os.fsencode(relname)  # names may hold any bytes but NUL and /
            if len(enc) > 255 or len(data) > 0xffff:
                continue
            out += bytes([1 if os.path.isdir(path) else 0, len(enc)]) + enc
            out += struct.pack('<H', len(data)) + data
    return bytes(out)


def main():
    dtb2fs, outdir = sys.argv[1:3]
    for dtb in sys.argv[3:]:
        with tempfile.TemporaryDirectory() as tmp:
            tree = os.path.join(tmp, 'dt')
            if subprocess.run([dtb2fs, dtb, tree]).returncode:
                continue
            name = os.path.splitext(os.path.basename(dtb))[0] + '.rec'
            open(os.path.join(outdir, name), 'wb').write(records(tree))


if __name__ == '__main__':
    main()
