#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Pack a snapshot directory of text files back into the archive the collector wrote.

usage: make-snapshot.py [--dtc DTC] DIR OUT.tar.gz

DIR holds what cca-dma-audit-collect put under snapshot/, as committed in
testdata/real/VARIANT/snapshot: text only, so fdt.dts is compiled back to the
binary fdt with dtc and config is gzip'd back to config.gz; a directory
holding only .keep is packed empty (as Linux 6.1's swiotlb/ is with no pool). The archive is
made reproducible (fixed mtime, owner and order) so test outputs do not move.
"""
import argparse
import gzip
import io
import os
import subprocess
import sys
import tarfile


def add(tar, name, data, mode=0o644):
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = mode
    info.mtime = 0
    tar.addfile(info, io.BytesIO(data))


def add_dir(tar, name):
    info = tarfile.TarInfo(name)
    info.type = tarfile.DIRTYPE
    info.mode = 0o755
    info.mtime = 0
    tar.addfile(info)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--dtc', default='dtc')
    ap.add_argument('dir')
    ap.add_argument('out')
    args = ap.parse_args()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        add_dir(tar, 'snapshot')
        for root, dirs, files in os.walk(args.dir):
            dirs.sort()
            rel = os.path.relpath(root, args.dir)
            base = 'snapshot' if rel == '.' else 'snapshot/' + rel
            if rel != '.':
                add_dir(tar, base)
            for f in sorted(files):
                if f == '.keep':  # git keeps no empty directory: this stands for one
                    continue
                path = os.path.join(root, f)
                if rel == '.' and f == 'fdt.dts':
                    r = subprocess.run([args.dtc, '-q', '-I', 'dts', '-O', 'dtb', path],
                                       capture_output=True)
                    if r.returncode:
                        sys.exit(f'make-snapshot.py: dtc {path}: {r.stderr.decode()}')
                    add(tar, base + '/fdt', r.stdout)
                elif rel == '.' and f == 'config':
                    add(tar, base + '/config.gz',
                        gzip.compress(open(path, 'rb').read(), mtime=0))
                else:
                    add(tar, base + '/' + f, open(path, 'rb').read())
    with open(args.out, 'wb') as out:
        out.write(gzip.compress(buf.getvalue(), mtime=0))


main()
