#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Build a swiotlb debugfs archive from `grep -r .` text, at test time.

usage: mkswiotlb.py SRC.txt OUT [--gzip] [--empty-dir DIR]... [--truncate N]

SRC.txt holds PATH:VALUE lines, the form `grep -r . /sys/kernel/debug/swiotlb`
prints; each becomes a file of a tar archive (the archive a user makes with
`tar cf` of a debugfs copy). --empty-dir adds a directory with no files (a
pool with nslabs 0), --gzip compresses, --truncate cuts the archive to N bytes.
"""
import argparse
import gzip
import io
import tarfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('src')
    ap.add_argument('out')
    ap.add_argument('--gzip', action='store_true')
    ap.add_argument('--empty-dir', action='append', default=[])
    ap.add_argument('--truncate', type=int)
    a = ap.parse_args()

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for d in a.empty_dir:
            info = tarfile.TarInfo(d)
            info.type = tarfile.DIRTYPE
            info.mode = 0o755
            tar.addfile(info)
        for line in open(a.src).read().splitlines():
            if not line:
                continue
            path, value = line.rsplit(':', 1)
            data = (value + '\n').encode()
            info = tarfile.TarInfo(path.lstrip('/'))
            info.size = len(data)
            info.mode = 0o400
            tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    if a.gzip:
        data = gzip.compress(data, mtime=0)
    if a.truncate is not None:
        data = data[:a.truncate]
    open(a.out, 'wb').write(data)


if __name__ == '__main__':
    main()
