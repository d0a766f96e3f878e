#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Time cca-dma-audit on hostile inputs, before and after a change.

usage: bench/hostile.py [--before BIN] [--after BIN] [--timeout S] [--max-rss GIB]
                        [--only SUBSTRING]... [--keep DIR]

Generates each hostile input class of CASES into a temporary directory (or
--keep DIR, which is kept) and runs each given binary on it, printing one row
per class and binary: exit status (or the signal; "timeout" or "rss-limit"
past --timeout seconds or --max-rss GiB, default 120 and 8), wall time and
peak RSS of the tool (measured by /usr/bin/time), and the first
line of its standard error. Without --before/--after, build/cca-dma-audit is
run. Inputs are generated once per generator and shared by the classes that use
it. --only picks the classes whose name contains one of the substrings.

CASES is a list of (name, generator, argv builder): the generator writes its
input under the directory it is given and returns the path; the argv builder
maps that path to the tool's arguments. Device trees are built with
testdata/tools/fdtgen.py (an in-memory tree written as a .dtb or a
/proc/device-tree directory); other input kinds add their generators next to
their cases.

Never run in CI: some classes take a minute on a binary without the fixes.
"""
import argparse
import os
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# ---------------------------------------------------------------------------
# Device trees (built by testdata/tools/fdtgen.py)

sys.path.insert(0, os.path.join(ROOT, 'testdata', 'tools'))
from fdtgen import (DT_MAX_DEPTH, Node, base_tree, pool, reserved_memory, s, soc,  # noqa: E402
                    u32, u64, write_dtb, write_fs)


def gen_root_dma_ranges(d):
    """The crash of issue 10: memory-region and dma-ranges on the root node."""
    root = base_tree()
    rm = reserved_memory(root)
    pool(rm, 'restricted', 0x50000000, 0x400000, phandle=1)
    root.prop('memory-region', u32(1)).prop('dma-ranges', u64(0, 0, 0x100000000))
    return write_dtb(os.path.join(d, 'root-dma-ranges.dtb'), root)


def nodes_100k(devices):
    root = base_tree()
    bus = soc(root)
    for i in range(100_000):
        n = bus.kid(Node(f'n@{0x10000000 + i * 0x200:x}'))
        n.prop('reg', u64(0x10000000 + i * 0x200, 0x200))
        if devices:
            n.prop('compatible', s('virtio,mmio')).prop('interrupts', u32(0, i % 1000, 4))
    return root


def gen_100k_nodes(d):
    return write_dtb(os.path.join(d, '100k-nodes.dtb'), nodes_100k(False))


def gen_100k_devices(d):
    return write_dtb(os.path.join(d, '100k-devices.dtb'), nodes_100k(True))


def gen_fs_100k_nodes(d):
    return write_fs(os.path.join(d, '100k-nodes.fs'), nodes_100k(False))


def overlapping_pools(path, n, base):
    """n reserved regions 4 KiB apart, each 256 MiB long, restricted and shared in turn."""
    root = base_tree()
    rm = reserved_memory(root)
    for i in range(n):
        pool(rm, f'r{i}', base + i * 0x1000, 0x10000000,
             compat='shared-dma-pool' if i % 2 else 'restricted-dma-pool')
    return write_dtb(path, root)


def gen_20k_overlapping_pools(d):
    """20,000 reserved regions over one range: every pair overlaps."""
    return overlapping_pools(os.path.join(d, '20k-overlapping-pools.dtb'), 20_000, 0x50000000)


def gen_memregion_list(d):
    """One device whose memory-region lists 30,000 phandles: pools, plain nodes, missing ones."""
    root = base_tree()
    rm = reserved_memory(root)
    bus = soc(root)
    phs = []
    for i in range(15_000):
        pool(rm, f'r{i}', 0x50000000 + i * 0x10000, 0x10000, phandle=i + 1)
        n = bus.kid(Node(f'n@{i:x}')).prop('reg', u64(i, 1)).prop('phandle', u32(100_000 + i))
        phs += [i + 1, 100_000 + i]
    phs[::7] = [0xdeadbeef] * len(phs[::7])
    dev = bus.kid(Node('dev@f0000000'))
    dev.prop('compatible', s('virtio,mmio')).prop('reg', u64(0xf0000000, 0x200))
    dev.prop('memory-region', u32(*phs))
    return write_dtb(os.path.join(d, 'memregion-30k.dtb'), root)


def gen_every_node_refs_pool(d):
    """100,000 devices, each with memory-region = <&pool>."""
    root = base_tree()
    rm = reserved_memory(root)
    pool(rm, 'restricted', 0x50000000, 0x400000, phandle=1)
    bus = soc(root)
    for i in range(100_000):
        n = bus.kid(Node(f'v@{0x10000000 + i * 0x200:x}'))
        n.prop('compatible', s('virtio,mmio')).prop('reg', u64(0x10000000 + i * 0x200, 0x200))
        n.prop('memory-region', u32(1))
    return write_dtb(os.path.join(d, 'every-node-refs-pool.dtb'), root)


def gen_memreserve_x_pools(d):
    """20,000 /memreserve/ entries and 20,000 pools."""
    root = base_tree()
    rm = reserved_memory(root)
    for i in range(20_000):
        pool(rm, f'r{i}', 0x100000000 + i * 0x20000, 0x10000)
    rsv = [(0x100000000 + i * 0x20000 + 0x10000, 0x10000) for i in range(20_000)]
    return write_dtb(os.path.join(d, 'memreserve-x-pools.dtb'), root, rsv)


def gen_max_depth(d):
    """Buses nested to DT_MAX_DEPTH, each with 1,000-entry ranges and dma-ranges
    (the matching entry last), and 20,000 devices at the bottom."""
    root = base_tree()
    bus = root
    ranges = u64(*[x for i in range(999) for x in (0xf00000000 + i * 0x1000, 0xf00000000 + i * 0x1000, 0x1000)]) \
        + u64(0, 0, 1 << 40)
    for depth in range(1, DT_MAX_DEPTH - 1):
        bus = bus.kid(Node(f'bus{depth}'))
        bus.prop('compatible', s('simple-bus')).prop('#address-cells', u32(2))
        bus.prop('#size-cells', u32(2)).prop('ranges', ranges).prop('dma-ranges', ranges)
    for i in range(20_000):
        n = bus.kid(Node(f'v@{0x10000000 + i * 0x200:x}'))
        n.prop('compatible', s('virtio,mmio')).prop('reg', u64(0x10000000 + i * 0x200, 0x200))
    return write_dtb(os.path.join(d, 'max-depth.dtb'), root)


def gen_long_name_many_kids(d):
    """A 1 MiB node name above 2,000 children: each child's path repeats it."""
    root = base_tree()
    b = root.kid(Node('x' * (1 << 20)))
    for i in range(2000):
        b.kid(Node(f'k{i}'))
    return write_dtb(os.path.join(d, 'long-name.dtb'), root)


def gen_long_prop_name(d):
    """One 1 MiB property name (stored once in the strings block) used by 2,000 properties."""
    root = base_tree()
    b = root.kid(Node('y'))
    big = 'p' * (1 << 20)
    for i in range(2000):
        b.kid(Node(f'k{i}')).prop(big, b'')
    return write_dtb(os.path.join(d, 'long-prop-name.dtb'), root)


def gen_1m_region_refs(d):
    """A memory-region of 1,048,576 entries (4 MiB)."""
    root = base_tree()
    rm = reserved_memory(root)
    pool(rm, 'r', 0x50000000, 0x100000, phandle=1)
    v = root.kid(Node('dev')).prop('compatible', s('virtio,mmio')).prop('reg', u64(0x1000, 0x200))
    v.prop('memory-region', u32(1) * (1 << 20))
    return write_dtb(os.path.join(d, 'region-refs-1m.dtb'), root)


def gen_1m_memreserve(d):
    """1,048,576 /memreserve/ entries (16 MiB)."""
    rsv = [(0x100000000 + i * 0x2000, 0x1000) for i in range(1 << 20)]
    return write_dtb(os.path.join(d, 'memreserve-1m.dtb'), base_tree(), rsv)


def gen_200k_pools(d):
    """199,990 reserved-memory regions (the node limit is 200,000)."""
    root = base_tree()
    rm = reserved_memory(root)
    for i in range(199_990):
        pool(rm, f'r{i}', 0x100000000 + i * 0x20000, 0x10000, phandle=i + 1)
    return write_dtb(os.path.join(d, 'pools-200k.dtb'), root)


def gen_200k_overlapping_pools(d):
    """199,990 reserved regions, each overlapping the 65,535 after it."""
    return overlapping_pools(os.path.join(d, 'overlapping-pools-200k.dtb'), 199_990, 0x100000000)


def gen_wide_parent(d):
    """A bus with 500,000 properties above 50,000 devices: each device looks up its parent's."""
    root = base_tree()
    bus = soc(root)
    for i in range(500_000):
        bus.prop(f'x{i}', b'')
    for i in range(50_000):
        n = bus.kid(Node(f'v@{0x10000000 + i * 0x200:x}'))
        n.prop('compatible', s('virtio,mmio')).prop('reg', u64(0x10000000 + i * 0x200, 0x200))
    return write_dtb(os.path.join(d, 'wide-parent.dtb'), root)


def dtb(*opts):
    return lambda path: ['dtb', path, *opts]


CASES = [
    ('dt-root-memregion-dma-ranges', gen_root_dma_ranges, dtb()),
    ('dt-100k-nodes', gen_100k_nodes, dtb()),
    ('dt-100k-nodes-fs', gen_fs_100k_nodes, dtb()),
    ('dt-100k-devices', gen_100k_devices, dtb()),
    ('dt-100k-devices-json', gen_100k_devices, dtb('--format', 'json')),
    ('dt-100k-devices-facts', gen_100k_devices, dtb('--facts')),
    ('dt-20k-overlapping-pools', gen_20k_overlapping_pools, dtb()),
    ('dt-memregion-30k-phandles', gen_memregion_list, dtb()),
    ('dt-100k-nodes-ref-pool', gen_every_node_refs_pool, dtb()),
    ('dt-100k-nodes-ref-pool-json', gen_every_node_refs_pool, dtb('--format', 'json')),
    ('dt-20k-memreserve-x-20k-pools', gen_memreserve_x_pools, dtb()),
    ('dt-max-depth-ranges', gen_max_depth, dtb()),
    ('dt-1mib-name-x-2k-kids', gen_long_name_many_kids, dtb()),
    ('dt-1mib-prop-name-x-2k', gen_long_prop_name, dtb()),
    ('dt-1m-memory-region-entries', gen_1m_region_refs, dtb()),
    ('dt-1m-memreserve', gen_1m_memreserve, dtb()),
    ('dt-200k-pools', gen_200k_pools, dtb()),
    ('dt-200k-pools-json', gen_200k_pools, dtb('--format', 'json')),
    ('dt-200k-overlapping-pools', gen_200k_overlapping_pools, dtb()),
    ('dt-500k-props-over-50k-devices', gen_wide_parent, dtb()),
]

# ---------------------------------------------------------------------------
# Directory walks and swiotlb dumps (issue 10, misread states).


def gen_rules_dir_fifo(d):
    """A --rules directory holding a FIFO named like a rule file."""
    rdir = os.path.join(d, 'rules.d')
    os.makedirs(rdir, exist_ok=True)
    with open(os.path.join(rdir, 'a.json'), 'w') as f:
        f.write('{"rules": []}\n')
    if not os.path.exists(os.path.join(rdir, 'b.json')):
        os.mkfifo(os.path.join(rdir, 'b.json'))
    return rdir


def gen_rules_4mib(d):
    """A rule file of exactly RULE_FILE_MAX (4 MiB), whitespace inside the list."""
    path = os.path.join(d, 'big.json')
    with open(path, 'w') as f:
        f.write('{"rules": [' + ' ' * ((4 << 20) - 13) + ']}')
    return path


def sw_dir(d, files):
    for rel, data in files.items():
        path = os.path.join(d, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(data)
    return d


def gen_swiotlb_fifo(d):
    """A swiotlb directory copy whose io_tlb_used is a FIFO."""
    top = sw_dir(os.path.join(d, 'dump'), {'swiotlb/io_tlb_nslabs': '32768\n'})
    if not os.path.exists(os.path.join(top, 'swiotlb', 'io_tlb_used')):
        os.mkfifo(os.path.join(top, 'swiotlb', 'io_tlb_used'))
    return top


def gen_swiotlb_symlink_loop(d):
    """A swiotlb directory copy with a symlink loop beside the pool files."""
    top = sw_dir(os.path.join(d, 'dump'), {'swiotlb/io_tlb_nslabs': '32768\n'})
    loop = os.path.join(top, 'swiotlb', 'loop')
    if not os.path.lexists(loop):
        os.symlink('loop', loop)
    return top


def gen_swiotlb_16mib(d):
    """grep text of exactly SW_MAX_INPUT (16 MiB): one pool line, then blank lines."""
    head = 'swiotlb/io_tlb_nslabs:1\n'
    path = os.path.join(d, 'swiotlb-16m.txt')
    with open(path, 'w') as f:
        f.write(head + '\n' * ((16 << 20) - len(head)))
    return path


def gen_swiotlb_1024_entries(d):
    """grep text of SW_MAX_ENTRIES (1024) lines."""
    path = os.path.join(d, 'swiotlb-1024.txt')
    with open(path, 'w') as f:
        f.write('swiotlb/io_tlb_nslabs:1\n' + ''.join(f'swiotlb/other{i}:1\n' for i in range(1023)))
    return path


def gen_swiotlb_deep(d):
    """A directory copy with a pool SW_MAX_DEPTH (8) levels down."""
    return sw_dir(os.path.join(d, 'dump'), {'/'.join(f'l{i}' for i in range(8)) + '/io_tlb_nslabs': '1\n'})


def swiotlb(path):
    return ['swiotlb', path]


CASES += [
    ('rules-dir-fifo', gen_rules_dir_fifo, lambda p: ['rules', '--rules', p]),
    ('rules-file-4mib', gen_rules_4mib, lambda p: ['rules', '--rules', p]),
    ('swiotlb-dir-fifo', gen_swiotlb_fifo, swiotlb),
    ('swiotlb-dir-symlink-loop', gen_swiotlb_symlink_loop, swiotlb),
    ('swiotlb-grep-16mib', gen_swiotlb_16mib, swiotlb),
    ('swiotlb-grep-1024-entries', gen_swiotlb_1024_entries, swiotlb),
    ('swiotlb-dir-8-levels', gen_swiotlb_deep, swiotlb),
]

# ---------------------------------------------------------------------------
# Decompression bombs (issue 10): a few KiB to MiB that expand past the 1 GiB
# cap of every decompressor (--max-decompressed).

BOMB = 3 << 29  # 1.5 GiB of output: past the cap, and what a binary without one inflates


def compress_zeros(path, comp, size=BOMB, head=b''):
    """head, then zeros up to size bytes, through a streaming compressor object."""
    chunk, left = b'\0' * (64 << 20), size - len(head)
    with open(path, 'wb') as f:
        f.write(comp.compress(head))
        while left:
            f.write(comp.compress(chunk[:min(left, len(chunk))]))
            left -= min(left, len(chunk))
        f.write(comp.flush())
    return path


def zstd_rle(head, total, byte=b'\0'):
    """One zstd frame: head as a raw block, then 128 KiB RLE blocks (4 bytes each), no content size."""
    block = 128 << 10
    n = (total - len(head)) // block
    out = bytearray(b'\x28\xb5\x2f\xfd\x00\x38')  # no content size; a 128 KiB window
    out += ((len(head) << 3) | (n == 0)).to_bytes(3, 'little') + head
    for i in range(n):
        out += ((block << 3) | 2 | (i == n - 1)).to_bytes(3, 'little') + byte
    return bytes(out)


def lz4_run_block(n):
    """An LZ4 block decompressing to n zero bytes: one literal, one long match, 5 literals."""
    rest = n - 6 - 4 - 15
    return bytes([0x1f, 0]) + b'\1\0' + b'\xff' * (rest // 255) + bytes([rest % 255, 0x50]) + bytes(5)


def gen_kernel_bzip2_bomb(d):
    """The issue's case: 2 GiB of zeros as one bzip2 stream, about 1.5 KB."""
    import bz2
    return compress_zeros(os.path.join(d, 'vmlinux.bz2'), bz2.BZ2Compressor(9), size=2 << 30)


def gen_kernel_gzip_bomb(d):
    import zlib
    return compress_zeros(os.path.join(d, 'vmlinux.gz'), zlib.compressobj(1, zlib.DEFLATED, 31))


def gen_kernel_xz_bomb(d):
    import lzma
    return compress_zeros(os.path.join(d, 'vmlinux.xz'), lzma.LZMACompressor(preset=0))


def gen_kernel_zstd_bomb(d):
    path = os.path.join(d, 'vmlinux.zst')
    with open(path, 'wb') as f:
        f.write(zstd_rle(b'', BOMB))
    return path


def gen_kernel_lz4_bomb(d):
    """The kernel's Image.lz4 format (lz4 -l, 8 MiB blocks), 1.5 GiB from 6 MiB."""
    path = os.path.join(d, 'Image.lz4')
    blk = lz4_run_block(8 << 20)
    with open(path, 'wb') as f:
        f.write(struct.pack('<I', 0x184C2102))
        f.write((struct.pack('<I', len(blk)) + blk) * (BOMB // (8 << 20)))
    return path


def gen_dmesg_zstd_bomb(d):
    """A boot log: one kernel line, then 64 GiB of 'a' (one long line) from 2 MiB."""
    path = os.path.join(d, 'dmesg.zst')
    with open(path, 'wb') as f:
        f.write(zstd_rle(b'[    0.000000] Booting Linux on physical CPU 0x0\n', 64 << 30, b'a'))
    return path


def gen_swiotlb_targz_bomb(d):
    """A tar.gz swiotlb dump: io_tlb_nslabs, then a 1.5 GiB member of zeros."""
    import zlib

    def member(name, size):
        hdr = bytearray(512)
        hdr[0:len(name)] = name.encode()
        hdr[100:108] = b'0000644\0'
        hdr[124:136] = b'%011o\0' % size
        hdr[136:148] = b'00000000000\0'
        hdr[156:157] = b'0'
        hdr[257:263] = b'ustar\0'
        hdr[263:265] = b'00'
        hdr[148:156] = b' ' * 8
        hdr[148:156] = b'%06o\0 ' % sum(hdr)
        return bytes(hdr)
    nslabs = b'32768\n'
    head = member('swiotlb/io_tlb_nslabs', len(nslabs)) + nslabs + bytes(512 - len(nslabs))
    head += member('swiotlb/zeros', BOMB - len(head) - 512 - 1024)
    return compress_zeros(os.path.join(d, 'swiotlb.tar.gz'), zlib.compressobj(1, zlib.DEFLATED, 31),
                          head=head)


def vmlinux(path):
    return ['vmlinux', path]


CASES += [
    ('kernel-bzip2-bomb-2g', gen_kernel_bzip2_bomb, vmlinux),
    ('kernel-gzip-bomb-1.5g', gen_kernel_gzip_bomb, vmlinux),
    ('kernel-xz-bomb-1.5g', gen_kernel_xz_bomb, vmlinux),
    ('kernel-zstd-bomb-1.5g', gen_kernel_zstd_bomb, vmlinux),
    ('kernel-lz4-bomb-1.5g', gen_kernel_lz4_bomb, vmlinux),
    ('dmesg-zstd-bomb-64g', gen_dmesg_zstd_bomb, lambda p: ['audit', '--dmesg', p]),
    ('swiotlb-targz-bomb-1.5g', gen_swiotlb_targz_bomb, swiotlb),
]

# ---------------------------------------------------------------------------
# Traces (issue 10): 256 MiB each, streamed, so time is what counts; the
# tables are fixed (lib/trace.c), so the peak RSS must not move.

TRACE_SIZE = 256 << 20


def trace_file(d, name, lines):
    """lines (one block, about 1 MiB) repeated up to TRACE_SIZE."""
    block = ''.join(lines).encode()
    path = os.path.join(d, name)
    with open(path, 'wb') as f:
        for _ in range(TRACE_SIZE // len(block) + 1):
            f.write(block)
    return path


def trace_map(i, dev, addr, attrs=''):
    return (f' kworker/u8:2-57 [001] ..... {i / 1e5:.6f}: dma_map_phys: {dev} dir=TO_DEVICE '
            f'dma_addr={addr:x} size=4096 phys_addr={0x100000000 + addr % (1 << 31):x} attrs={attrs}\n')


def trace_devices(d, name, ndevs):
    """Bounce + map pairs, each from a device picked at random out of ndevs."""
    import random
    rnd = random.Random(1)
    lines = []
    for i in range(4096):
        dev = f'{(n := rnd.randrange(ndevs)) >> 8:04x}:{n & 0xff:02x}:00.0'
        slot = 0xbbe00000 + rnd.randrange(0, 0x3ff0000, 0x800)
        lines.append(f' kworker/u8:2-57 [001] ..... {i / 1e5:.6f}: swiotlb_bounced: dev_name: {dev} '
                     f'dma_mask=ffffffffffffffff dev_addr={0x100000000 + slot:x} size=4096 FORCE\n')
        lines.append(trace_map(i, dev, slot | 1 << 47))
    return trace_file(d, name, lines)


def gen_trace_many_devices(d):
    """1024 devices (MAX_DEVICES), every event checked: was a linear search per event."""
    return trace_devices(d, 'many-devices.trace', 1024)


def gen_trace_past_max_devices(d):
    """2048 devices: half of the events from devices past MAX_DEVICES (unchecked)."""
    return trace_devices(d, 'past-max-devices.trace', 2048)


def gen_trace_attrs_flags(d):
    """dma_map_phys lines whose attrs are 60,000 empty '|'-separated flags."""
    return trace_file(d, 'attrs-flags.trace', [trace_map(i, 'd0', 0xbbe00000, '|' * 60000)
                                               for i in range(16)])


def gen_trace_many_errors(d):
    """Failed mappings of 256 devices (MAX_ERRORS distinct errors): was a linear search."""
    return trace_file(d, 'many-errors.trace', [trace_map(i, f'e{i % 256}', (1 << 64) - 1)
                                               for i in range(8192)])


def trace(path):
    return ['trace', path, '--ipa-bits', '48', '--dmesg',
            os.path.join(ROOT, 'testdata', 'runtime', 'dmesg', 'realm-ok.log')]


CASES += [
    ('trace-many-devices', gen_trace_many_devices, trace),
    ('trace-past-max-devices', gen_trace_past_max_devices, trace),
    ('trace-attrs-flags', gen_trace_attrs_flags, trace),
    ('trace-many-errors', gen_trace_many_errors, trace),
]

# ---------------------------------------------------------------------------


def group_rss_kib(pgid):
    """Resident KiB of the processes in process group pgid (the tool and /usr/bin/time)."""
    total = 0
    for pid in os.listdir('/proc'):
        try:
            with open(f'/proc/{pid}/stat') as f:
                fields = f.read().rsplit(')', 1)[1].split()
            if int(fields[2]) == pgid:  # field 5, pgrp
                total += int(fields[21]) * os.sysconf('SC_PAGE_SIZE') // 1024  # field 24, rss
        except (OSError, ValueError, IndexError):
            continue
    return total


def run(binary, argv, timeout, max_rss_kib):
    """(status, seconds, peak RSS KiB, first stderr line) of one run.

    /usr/bin/time measures: the peak RSS that wait4() reports for a child
    forked from this (big) Python process would include the pages it had
    before exec. A run past max_rss_kib is killed (status "rss-limit"), so a
    binary without the fixes cannot drive the machine into the OOM killer."""
    with tempfile.TemporaryDirectory() as td:
        tout, terr = os.path.join(td, 'time'), os.path.join(td, 'stderr')
        with open(terr, 'wb') as err:
            p = subprocess.Popen(['/usr/bin/time', '-f', '%e %M', '-o', tout, binary, *argv],
                                 stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=err, start_new_session=True)
            start = time.monotonic()
            while p.poll() is None:
                over = 'timeout' if time.monotonic() - start > timeout else \
                    'rss-limit' if group_rss_kib(p.pid) > max_rss_kib else None
                if over:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
                    return over, time.monotonic() - start, 0, ''
                time.sleep(0.05)
        with open(tout) as f:
            lines = f.read().splitlines()
        with open(terr, 'rb') as f:
            first = (f.read(4096).decode(errors='replace').splitlines() or [''])[0]
    secs, rss = lines[-1].split()
    sig = re.search(r'terminated by signal (\d+)', ' '.join(lines))
    status = signal.Signals(int(sig.group(1))).name if sig else str(p.returncode)
    return status, float(secs), int(rss), first


# ---------------------------------------------------------------------------
# Rule files: expressions nested past the parser's limits (expr.h).

def deep_rule(d, assert_):
    """A rule file with this assert, beside a small tree to audit it on (the rule is evaluated)."""
    import json
    with open(os.path.join(d, 'rule.json'), 'w') as f:
        json.dump({'rules': [{'id': 'DEEP001', 'name': 'deep', 'severity': 'error', 'summary': 's',
                              'why': 'w', 'inputs': ['dt'], 'subject': 's', 'message': 'm',
                              'assert': assert_}]}, f)
    write_dtb(os.path.join(d, 'guest.dtb'), base_tree())
    return d


def gen_rule_deep_and(d):
    """50,000 chained '&&': before the height limit, the evaluator overflowed the stack."""
    return deep_rule(d, ' && '.join(['true'] * 50000))


def gen_rule_deep_parens(d):
    """100,000 nested parentheses (the parser's recursion limit was already there)."""
    return deep_rule(d, '(' * 100000 + 'true' + ')' * 100000)


def with_rule(d):
    return ['dtb', os.path.join(d, 'guest.dtb'), '--rules', os.path.join(d, 'rule.json')]


CASES += [
    ('rules-expr-50k-and', gen_rule_deep_and, with_rule),
    ('rules-expr-100k-parens', gen_rule_deep_parens, with_rule),
]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--before', help='the binary before the change')
    ap.add_argument('--after', help='the binary after the change')
    ap.add_argument('--timeout', type=float, default=120, help='seconds per run (default 120)')
    ap.add_argument('--max-rss', type=float, default=8,
                    help='GiB a run may take before it is killed (default 8)')
    ap.add_argument('--only', action='append', default=[], help='classes whose name contains this')
    ap.add_argument('--keep', help='generate into this directory and keep it')
    args = ap.parse_args()
    bins = [(label, path) for label, path in (('before', args.before), ('after', args.after)) if path]
    if not bins:
        bins = [('build', os.path.join(ROOT, 'build', 'cca-dma-audit'))]
    for label, path in bins:
        if not os.access(path, os.X_OK):
            sys.exit(f'hostile.py: {path}: not an executable')
    cases = [c for c in CASES if not args.only or any(o in c[0] for o in args.only)]
    if not cases:
        sys.exit('hostile.py: no class matches --only')
    tmp = args.keep or tempfile.mkdtemp(prefix='cda-hostile-')
    os.makedirs(tmp, exist_ok=True)
    inputs = {}
    try:
        print(f'{"class":34} {"binary":7} {"exit":>9} {"wall s":>8} {"peak RSS KiB":>12}  stderr')
        for name, gen, argv in cases:
            if gen not in inputs:
                d = os.path.join(tmp, gen.__name__)
                os.makedirs(d, exist_ok=True)
                t0 = time.monotonic()
                inputs[gen] = gen(d)
                print(f'# {gen.__name__}: generated in {time.monotonic() - t0:.1f} s', flush=True)
            for label, path in bins:
                status, secs, rss, first = run(path, argv(inputs[gen]), args.timeout,
                                               args.max_rss * (1 << 20))
                print(f'{name:34} {label:7} {status:>9} {secs:8.2f} {rss:12}  {first[:100]}',
                      flush=True)
    finally:
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == '__main__':
    main()
