#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TAP test: bad kernel inputs get one clear line and exit 2, never a crash.

usage: run-kernel-errors.py TOOL WORKDIR KERNEL_TESTDATA_DIR NAME FILE [NAME FILE]...
NAME FILE pairs are the generated damaged stub kernels (and 'good', a sound one).
"""
import bz2
import gzip
import json
import lzma
import os
import struct
import subprocess
import sys

from tap import LIMIT_WHY, Tap, size_text

# variant -> what the one-line reason must say
EXPECT = {
    'image-bigendian': 'big-endian arm64 kernel',
    'elf-truncated': 'corrupt',
    'image-gz-truncated': 'corrupt or truncated gzip data',
    'zboot-badoffset': 'zboot payload (offset',
    'zboot-lz4': 'zboot lz4 payload is not lz4 data (no lz4 magic)',
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
    # KCONFIG_MAX: a .config of exactly 64 MiB is read, one byte more is refused.
    for size, status in ((64 << 20, 1), ((64 << 20) + 1, 2)):
        big = os.path.join(work, f'config-{size}')
        head = b'CONFIG_ARM64=y\nCONFIG_ARM64_64K_PAGES=y\n'
        with open(big, 'wb') as f:
            f.write(head + b'#' * (size - len(head) - 1) + b'\n')
        p = subprocess.run([tool, 'vmlinux', good, '--config', big, '--format', 'json'],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        tap.ok(f'--config of {size} bytes: ' + ('read' if status != 2 else 'refused, larger than 64 MiB'),
               (p.returncode != 2) if status != 2 else
               (p.returncode == 2 and b'larger than the 64 MiB limit' in p.stderr), p.stderr[-300:])
        os.unlink(big)
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
    decompression(tool, work, files, good)
    elf_headers(tool, work, good)
    sys.exit(tap.finish())


# ---- decompression: every format under --max-decompressed (kernel_image.c) ----

def over_limit(path, what, limit):
    return f'cca-dma-audit: {path}: {what} decompresses to more than {size_text(limit)} {LIMIT_WHY}'


def lz4_literals(data):
    """One LZ4 block of data as literals only: valid, if not small."""
    n, out = len(data), bytearray()
    out.append(min(n, 15) << 4)
    if n >= 15:
        rest = n - 15
        out += b'\xff' * (rest // 255) + bytes([rest % 255])
    return bytes(out) + data


def lz4_legacy(data, block=8 << 20):
    """The kernel's Image.lz4 (lz4 -l): magic, then (LE32 size, block) pairs."""
    out = bytearray(struct.pack('<I', 0x184C2102))
    for i in range(0, len(data), block):
        b = lz4_literals(data[i:i + block])
        out += struct.pack('<I', len(b)) + b
    return bytes(out)


def lz4_run_block(n):
    """An LZ4 block decompressing to n bytes of 'a' from a few hundred: one literal, one long match."""
    m = n - 1 - 5  # the match, after 1 literal and before the 5 literals a block must end with
    out = bytearray([0x1f]) + b'a' + struct.pack('<H', 1)
    rest = m - 4 - 15  # past the minimum match and the token's 15
    out += b'\xff' * (rest // 255) + bytes([rest % 255])
    return bytes(out + bytes([0x50]) + b'aaaaa')


def xxh32(data, seed=0):
    """xxHash32 of a short input (< 16 bytes): the LZ4 frame header checksum."""
    P1, P2, P3, P4, P5, M = 2654435761, 2246822519, 3266489917, 668265263, 374761393, 0xffffffff

    def rotl(x, r):
        return ((x << r) | (x >> (32 - r))) & M
    h, i = (seed + P5 + len(data)) & M, 0
    while i + 4 <= len(data):
        h = rotl((h + struct.unpack_from('<I', data, i)[0] * P3) & M, 17) * P4 & M
        i += 4
    for c in data[i:]:
        h = rotl((h + c * P5) & M, 11) * P1 & M
    h = (h ^ (h >> 15)) * P2 & M
    h = (h ^ (h >> 13)) * P3 & M
    return h ^ (h >> 16)


def lz4_frame(data, block=4 << 20):
    """The LZ4 frame format (lz4 without -l), blocks stored uncompressed."""
    flg, bd = 0x60, 0x70  # version 1, independent blocks; 4 MiB blocks
    out = bytearray(struct.pack('<I', 0x184D2204)) + bytes([flg, bd, (xxh32(bytes([flg, bd])) >> 8) & 0xff])
    for i in range(0, len(data), block):
        b = data[i:i + block]
        out += struct.pack('<I', len(b) | 0x80000000) + b
    return bytes(out + struct.pack('<I', 0))


def zboot(payload, comp):
    """drivers/firmware/efi/libstub/zboot-header.S: MZ, "zimg", payload offset/size, type."""
    hdr = bytearray(0x40)
    hdr[0:2] = b'MZ'
    hdr[4:8] = b'zimg'
    struct.pack_into('<II', hdr, 8, 0x40, len(payload))
    hdr[0x18:0x18 + len(comp) + 1] = comp.encode() + b'\0'
    hdr[0x38:0x3c] = b'ARM\x64'
    return bytes(hdr) + payload


def kernel_facts(tool, path, *opts):
    p = subprocess.run([tool, 'vmlinux', path, '--facts', *opts], capture_output=True, text=True,
                       timeout=120)
    try:
        return json.loads(p.stdout)['facts']['kernel'], p
    except (ValueError, KeyError):
        return None, p


def loads_as(name, tool, path, fmt, comp, *opts):
    """path is read as a kernel of this format and compression, with no error and no leak."""
    k, p = kernel_facts(tool, path, *opts)
    tap.ok(name, p.returncode == 0 and not p.stderr and k and (k['format'], k['compression']) == (fmt, comp),
           f'exit {p.returncode} {p.stderr[:300]!r} {k and (k["format"], k["compression"])}')


def decompression(tool, work, files, good):
    data = open(good, 'rb').read()
    n = len(data)

    def write(name, blob):
        path = os.path.join(work, 'dc-' + name)
        open(path, 'wb').write(blob)
        return path

    # Every whole-file format: exactly n bytes out is accepted at --max-decompressed n, refused at n - 1.
    for comp, blob in [('gzip', gzip.compress(data, mtime=0)), ('xz', lzma.compress(data)),
                       ('bzip2', bz2.compress(data)), ('lz4', lz4_legacy(data)),
                       ('lz4-frame', lz4_frame(data))]:
        path = write('vmlinux.' + comp, blob)
        c = comp.split('-')[0]
        loads_as(f'{comp} vmlinux: read', tool, path, 'elf', c)
        loads_as(f'{comp} vmlinux of {n} bytes at --max-decompressed {n}: accepted', tool, path, 'elf', c,
                 '--max-decompressed', str(n))
        check(f'{comp} vmlinux at --max-decompressed {n - 1}: refused, naming file, format and limit',
              [tool, 'vmlinux', path, '--max-decompressed', str(n - 1)], 2,
              over_limit(path, f'{c} data', n - 1))
    # The kernel's own Image.lz4 blocks, 8 MiB each and many blocks
    path = write('vmlinux.lz4-small-blocks', lz4_legacy(data, block=4096))
    loads_as('lz4 legacy, 4 KiB blocks: read', tool, path, 'elf', 'lz4')
    cut = write('vmlinux.lz4-cut', lz4_legacy(data)[:n // 2])
    check('lz4 legacy cut short: exit 2, truncated', [tool, 'vmlinux', cut], 2,
          f'cca-dma-audit: {cut}: truncated lz4 data')
    cut = write('vmlinux.bz2-cut', bz2.compress(data)[:-40])
    check('bzip2 cut short: exit 2', [tool, 'vmlinux', cut], 2, f'cca-dma-audit: {cut}: ')
    # Bombs: a few KiB that expand past the default cap must stop in bounded time.
    bomb = write('bomb.lz4', struct.pack('<I', 0x184C2102) +
                 b''.join(struct.pack('<I', len(b)) + b for b in [lz4_run_block(8 << 20)] * 160))
    check('lz4 bomb (1.3 GiB from 5 MiB): refused at the default 1 GiB', [tool, 'vmlinux', bomb], 2,
          over_limit(bomb, 'lz4 data', 1 << 30), timeout=60)
    bomb = write('bomb.bz2', bz2.compress(b'\0' * (64 << 20)))
    check('bzip2 bomb: refused past --max-decompressed 1M', [tool, 'vmlinux', bomb, '--max-decompressed', '1M'],
          2, over_limit(bomb, 'bzip2 data', 1 << 20), timeout=60)

    # zboot payloads: lz4 (older kernels' Makefile.zboot), under the cap too; others named when refused.
    lz4z = open(files['zboot-lz4'], 'rb').read()
    off, size = struct.unpack_from('<II', lz4z, 8)
    image = gzip.decompress(lz4z[off:off + size])
    path = write('vmlinuz.lz4', zboot(lz4_legacy(image), 'lz4'))
    loads_as('zboot with an lz4 payload: read', tool, path, 'zboot', 'lz4')
    check(f'zboot lz4 payload at --max-decompressed {len(image) - 1}: refused',
          [tool, 'vmlinux', path, '--max-decompressed', str(len(image) - 1)], 2,
          over_limit(path, 'zboot lz4 payload', len(image) - 1))
    path = write('vmlinuz.lzma', zboot(lzma.compress(image, format=lzma.FORMAT_ALONE), 'lzma'))
    check('zboot lzma payload: not supported, named', [tool, 'vmlinux', path], 2,
          f"cca-dma-audit: {path}: zboot compression 'lzma' is not supported (gzip, lz4 and zstd are)")
    # A gzip'd zboot image: two decompressions, the outer buffer freed (LeakSanitizer in the ASan build).
    path = write('vmlinuz.gz', gzip.compress(zboot(gzip.compress(image, mtime=0), 'gzip'), mtime=0))
    loads_as('gzip of a zboot vmlinuz: read, no leak', tool, path, 'zboot', 'gzip')
    # The embedded IKCONFIG is under the same cap.
    check('IKCONFIG past --max-decompressed 100: over the limit, not corrupt',
          [tool, 'vmlinux', good, '--max-decompressed', '100'], 2,
          over_limit(good, 'embedded config (IKCONFIG)', 100))
    gzconfig = write('config.gz', gzip.compress(b'CONFIG_SWIOTLB=y\n' * 100, mtime=0))
    check('--config .gz past --max-decompressed 1000: over the limit, not corrupt',
          [tool, 'vmlinux', good, '--config', gzconfig, '--max-decompressed', '1000'], 2,
          over_limit(gzconfig, 'gzip data', 1000))
    for bad in ['0', '-1', '1X', 'K', '1.5G', '99999999999999999999', '17179869184G']:
        check(f'--max-decompressed {bad}: usage error', [tool, 'vmlinux', good, '--max-decompressed', bad],
              3, f"--max-decompressed: '{bad}' is not a size in bytes")


# ---- ELF headers whose damage libelf does not name (kernel_image.c, kernel_syms.c) ----

def elf_headers(tool, work, good):
    data = bytearray(open(good, 'rb').read())

    def variant(name, offset, value, fmt='B'):
        d = bytearray(data)
        struct.pack_into('<' + fmt, d, offset, value)
        path = os.path.join(work, 'elf-' + name)
        open(path, 'wb').write(d)
        return path

    path = variant('classnone', 4, 0)
    check('ELFCLASSNONE: the class is named', [tool, 'vmlinux', path], 2,
          f'cca-dma-audit: {path}: invalid ELF class (EI_CLASS 0, ELFCLASSNONE): neither 32-bit nor 64-bit')
    path = variant('class32', 4, 1)
    check('32-bit ELF for arm64: the class is named', [tool, 'vmlinux', path], 2,
          f'cca-dma-audit: {path}: 32-bit ELF (ELFCLASS32) for arm64: a kernel for arm64 is a 64-bit ELF file')
    path = variant('datanone', 5, 0)
    check('EI_DATA 0: the byte order is named', [tool, 'vmlinux', path], 2,
          f'cca-dma-audit: {path}: invalid ELF byte order (EI_DATA 0)')
    # .symtab with sh_entsize 0
    shoff, = struct.unpack_from('<Q', data, 0x28)
    shentsize, shnum = struct.unpack_from('<HH', data, 0x3a)
    for i in range(shnum):
        if struct.unpack_from('<I', data, shoff + i * shentsize + 4)[0] == 2:  # SHT_SYMTAB
            path = variant('symtab-entsize0', shoff + i * shentsize + 56, 0, 'Q')
            check('symbol table with sh_entsize 0: the field is named', [tool, 'vmlinux', path], 2,
                  f'cca-dma-audit: {path}: corrupt ELF symbol table (section {i}): sh_entsize is 0, not 24')
            break
    else:
        tap.ok('the stub kernel has a .symtab', False)


if __name__ == '__main__':
    main()
