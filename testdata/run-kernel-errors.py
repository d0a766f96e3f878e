#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TAP test: bad kernel inputs get one clear line and exit 2, never a crash.

usage: run-kernel-errors.py TOOL WORKDIR KERNEL_TESTDATA_DIR NAME FILE [NAME FILE]...
NAME FILE pairs are the generated damaged stub kernels (and 'good', a sound one).
"""
import json
import os
import subprocess
import sys

from tap import Tap

# variant -> what the one-line reason must say
EXPECT = {
    'image-bigendian': 'big-endian arm64 kernel',
    'elf-truncated': 'corrupt',
    'image-gz-truncated': 'corrupt or truncated gzip data',
    'zboot-badoffset': 'zboot payload (offset',
    'zboot-lz4': "zboot compression 'lz4' is not supported",
    'ikconfig-corrupt': 'embedded config (IKCONFIG) is corrupt',
    'btf-corrupt': 'corrupt .BTF section',
}

tap = Tap()
check = tap.error_line


def main():
    tool, work, srcdir = sys.argv[1:4]
    files = dict(zip(sys.argv[4::2], sys.argv[5::2]))
    good = files.pop('good')
    for name, path in sorted(files.items()):
        check(f'{name}: exit 2 naming the file', [tool, 'vmlinux', path], 2,
              f'cca-dma-audit: {path}: {EXPECT[name]}')
    junk = {
        'empty': b'',
        'short': b'MZ',
        'garbage': bytes(range(256)) * 64,
        'elf-header-only': b'\x7fELF\x02\x01\x01' + b'\0' * 57,
        'zboot-header-only': b'MZ\0\0zimg' + b'\0' * 56,
        'gzip-garbage': b'\x1f\x8b\x08\x00' + b'\xff' * 200,
        'zstd-garbage': b'\x28\xb5\x2f\xfd' + b'\xff' * 200,
    }
    for name, data in junk.items():
        path = os.path.join(work, 'junk-' + name)
        open(path, 'wb').write(data)
        check(f'{name}: exit 2', [tool, 'vmlinux', path], 2, f'cca-dma-audit: {path}: ')
    check('missing file', [tool, 'vmlinux', os.path.join(work, 'no-such-kernel')], 2,
          'No such file or directory')
    check('directory', [tool, 'vmlinux', work], 2, 'not a regular file')
    check('standard input refused as usage error', [tool, 'vmlinux', '-'], 3,
          'standard input is not supported', stdin=subprocess.DEVNULL)
    bad_config = os.path.join(work, 'junk-config')
    open(bad_config, 'wb').write(b'\x00\x01binary')
    check('--config that is not a .config', [tool, 'vmlinux', good, '--config', bad_config], 2,
          f'{bad_config}: not a kernel .config')
    bad_map = os.path.join(work, 'junk-map')
    open(bad_map, 'w').write('ffff800080000000 T _text\nnot a map line\n')
    check('--system-map with a bad line', [tool, 'vmlinux', good, '--system-map', bad_map], 2,
          f'{bad_map}:2: not a System.map line')
    # An ELF file is a kernel by its linux_banner symbol, or (stripped) its banner text.
    data = open(good, 'rb').read()
    nosym = os.path.join(work, 'junk-banner-text-only')
    open(nosym, 'wb').write(data.replace(b'linux_banner\0', b'linux_bannex\0'))
    p = subprocess.run([tool, 'vmlinux', nosym, '--facts'], capture_output=True, text=True, timeout=60)
    try:
        ok = p.returncode == 0 and json.loads(p.stdout)['facts']['kernel']['version_source'] == 'banner-search'
    except (ValueError, KeyError):
        ok = False
    tap.ok('no linux_banner symbol but the banner text: still a kernel', ok, p.stderr)
    notkernel = os.path.join(work, 'junk-not-a-kernel')
    open(notkernel, 'wb').write(data.replace(b'linux_banner\0', b'linux_bannex\0')
                                .replace(b'Linux version ', b'Linux Version '))
    check('arm64 ELF with neither: exit 2, not a Linux kernel', [tool, 'vmlinux', notkernel], 2,
          f"cca-dma-audit: {notkernel}: an ELF executable for arm64, but not a Linux kernel "
          "(no linux_banner symbol and no 'Linux version' string)")
    # json mode: the error is also a JSON document on stdout
    p = subprocess.run([tool, 'vmlinux', files['zboot-lz4'], '--format', 'json'],
                       capture_output=True, text=True, timeout=60)
    try:
        doc = json.loads(p.stdout)
        ok = p.returncode == 2 and doc['summary']['exit_code'] == 2 and 'lz4' in doc['error']['message']
    except (ValueError, KeyError):
        ok = False
    tap.ok('json mode: error document', ok, p.stdout[:300])
    sys.exit(tap.finish())


if __name__ == '__main__':
    main()
