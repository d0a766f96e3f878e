#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Device trees an attacker or a broken firmware could hand the tool: each
limit of lib/dt.h and lib/dt_fs.c at the limit (accepted) and one past it
(refused with one error line naming the file and the limit), and trees with
odd or missing parts that must be audited without a crash. The inputs are
generated here (testdata/tools/fdtgen.py), never committed. Prints TAP.

usage: run-dt-hostile.py TOOL WORKDIR
"""
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

from tap import Tap

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'tools'))
from fdtgen import (Node, base_tree, dtb_bytes, pool, reserved_memory, s, soc,  # noqa: E402
                    u32, u64, write_dtb, write_fs)

TOOL, WORK = sys.argv[1:3]
# lib/dt.h, lib/dt_fs.c
DT_MAX_DEPTH = 32
DT_MAX_NODES = 200000
DT_MAX_BLOB = 64 << 20
DT_MAX_PROP = 16 << 20
DT_MAX_PATH = 1024
DT_MAX_REGION_REFS = 1 << 18
DT_MAX_MEMRESERVE = 1 << 16
FS_MAX_TOTAL = DT_MAX_BLOB
FS_PROP_OVERHEAD = 12

tap = Tap()
tmp = tempfile.mkdtemp(prefix='dt-hostile-', dir=WORK)


def path(name):
    return os.path.join(tmp, name)


def run(*args, timeout=60):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=timeout)


def clean(name, p):
    """Audited: a report (exit 0 or 1), nothing but the summary on stderr, no sanitizer."""
    err = p.stderr.decode(errors='replace')
    tap.ok(name, p.returncode in (0, 1) and p.stdout and 'Sanitizer' not in err
           and 'runtime error' not in err,
           f'exit {p.returncode}, stderr {err[-600:]!r}')


def accepted(name, target):
    clean(name, run('dtb', target))


def refused(name, target, needle):
    """Exit 2, nothing on stdout, one stderr line naming the input and the limit."""
    p = run('dtb', target)
    err = p.stderr.decode(errors='replace')
    lines = err.splitlines()
    tap.ok(name, p.returncode == 2 and not p.stdout and len(lines) == 1 and needle in lines[0]
           and target in lines[0], f'exit {p.returncode}, stderr {err[:600]!r}')


def facts(target):
    p = run('dtb', target, '--facts')
    assert p.returncode == 0, p.stderr
    return json.loads(p.stdout)['facts']['dt']


def chain(depth, name='n'):
    """A tree with nodes nested depth levels below the root."""
    root = base_tree()
    n = root
    for i in range(depth):
        n = n.kid(Node(f'{name}{i}'))
    return root


# --- DT_MAX_DEPTH: levels below the root; the same for blobs and directories.
for form in ('dtb', 'fs'):
    for depth, ok in ((DT_MAX_DEPTH, True), (DT_MAX_DEPTH + 1, False)):
        p = path(f'depth{depth}.{form}')
        (write_dtb if form == 'dtb' else write_fs)(p, chain(depth))
        if ok:
            accepted(f'{form}: nodes {depth} levels deep are accepted', p)
        else:
            refused(f'{form}: nodes {depth} levels deep are refused', p,
                    f'nested more than {DT_MAX_DEPTH} levels deep')


# --- DT_MAX_NODES, the root included (blob only: 200,000 directories take too long to make).
def flat(nnodes):
    """Root plus nnodes - 1 children, as bytes: fdtgen's Node tree is too slow here."""
    root = base_tree()
    blob = bytearray(dtb_bytes(root))
    # Insert the extra nodes just before the root's FDT_END_NODE (the struct ends END_NODE, END).
    off_struct, off_str = int.from_bytes(blob[8:12], 'big'), int.from_bytes(blob[12:16], 'big')
    names = (f'{i:x}'.encode() + b'\0' for i in range(nnodes - 1 - 2))  # + chosen, memory
    extra = b''.join(b'\0\0\0\1' + n + bytes(-len(n) % 4) + b'\0\0\0\2' for n in names)
    end = off_str - 8
    blob[end:end] = extra
    size = len(blob)
    blob[4:8] = size.to_bytes(4, 'big')
    blob[12:16] = (off_str + len(extra)).to_bytes(4, 'big')
    blob[36:40] = (off_str - off_struct + len(extra)).to_bytes(4, 'big')
    return bytes(blob)


for n, ok in ((DT_MAX_NODES, True), (DT_MAX_NODES + 1, False)):
    p = path(f'nodes{n}.dtb')
    with open(p, 'wb') as f:
        f.write(flat(n))
    if ok:
        accepted(f'dtb: {n} nodes are accepted', p)
    else:
        refused(f'dtb: {n} nodes are refused', p, f'more than {DT_MAX_NODES} nodes')


# --- DT_MAX_PATH: a node's full path in bytes.
def long_path(total, maxname):
    """A tree whose deepest node's path is total bytes, names at most maxname long."""
    root = base_tree()
    n, left = root, total
    while left:
        k = min(maxname, left - 1)
        if left - 1 - k == 1:  # never leave one byte: a name cannot be empty
            k -= 1
        n = n.kid(Node('p' * k))
        left -= k + 1
    return root


for form, maxname in (('dtb', 1000), ('fs', 255)):
    for total, ok in ((DT_MAX_PATH, True), (DT_MAX_PATH + 1, False)):
        p = path(f'path{total}.{form}')
        (write_dtb if form == 'dtb' else write_fs)(p, long_path(total, maxname))
        if ok:
            accepted(f'{form}: a {total}-byte node path is accepted', p)
        else:
            refused(f'{form}: a {total}-byte node path is refused', p,
                    f'path is longer than {DT_MAX_PATH} bytes')

# --- DT_MAX_PROP: one property value (a sparse file in a directory).
for form in ('dtb', 'fs'):
    for size, ok in ((DT_MAX_PROP, True), (DT_MAX_PROP + 1, False)):
        root = base_tree()
        root.kid(Node('big')).prop('blob', size if form == 'fs' else bytes(size))
        p = path(f'prop{size}.{form}')
        (write_dtb if form == 'dtb' else write_fs)(p, root)
        if ok:
            accepted(f'{form}: a {size}-byte property is accepted', p)
        else:
            refused(f'{form}: a {size}-byte property is refused', p,
                    f'property larger than the {DT_MAX_PROP >> 20} MiB limit')

# --- DT_MAX_BLOB: the file (padding after the strings block makes the size exact).
for size, ok in ((DT_MAX_BLOB, True), (DT_MAX_BLOB + 1, False)):
    p = path(f'blob{size}.dtb')
    write_dtb(p, base_tree(), pad_to=min(size, DT_MAX_BLOB))
    if size > DT_MAX_BLOB:
        with open(p, 'ab') as f:
            f.write(b'\0')
    if ok:
        accepted(f'dtb: a {size}-byte blob is accepted', p)
    else:
        refused(f'dtb: a {size}-byte blob is refused', p,
                f'larger than the {DT_MAX_BLOB >> 20} MiB limit')

# --- FS_MAX_TOTAL: property files together, each counting its size, its name and 12 bytes.
for extra, ok in ((0, True), (1, False)):
    root = Node('').prop('compatible', s('linux,dummy-virt'))
    used = FS_PROP_OVERHEAD + len('compatible') + len(s('linux,dummy-virt'))
    big = root.kid(Node('big'))
    for i in range(4):
        left = FS_MAX_TOTAL - used - FS_PROP_OVERHEAD - len(f'v{i}')
        size = min(DT_MAX_PROP, left) + (extra if i == 3 else 0)
        big.prop(f'v{i}', size)
        used += FS_PROP_OVERHEAD + len(f'v{i}') + size
    p = path(f'fstotal{used}.fs')
    write_fs(p, root)
    if ok:
        accepted(f'fs: {used} bytes of properties are accepted', p)
    else:
        refused(f'fs: {used} bytes of properties are refused', p,
                f'properties larger than the {FS_MAX_TOTAL >> 20} MiB limit')
    shutil.rmtree(p)


# --- DT_MAX_REGION_REFS: memory-region entries in the tree.
def region_refs(n):
    root = base_tree()
    rm = reserved_memory(root)
    # A shared-dma-pool: POOL005's message lists every restricted one a node names.
    pool(rm, 'shared', 0x50000000, 0x400000, phandle=1, compat='shared-dma-pool')
    bus = soc(root)
    half = n // 2
    for i, k in enumerate((half, n - half)):
        v = bus.kid(Node(f'v@{0x1000 * (i + 1):x}'))
        v.prop('compatible', s('virtio,mmio')).prop('reg', u64(0x1000 * (i + 1), 0x200))
        v.prop('memory-region', u32(1) * k)
    return root


for n, ok in ((DT_MAX_REGION_REFS, True), (DT_MAX_REGION_REFS + 1, False)):
    p = path(f'refs{n}.dtb')
    write_dtb(p, region_refs(n))
    if ok:
        accepted(f'dtb: {n} memory-region entries are accepted', p)
    else:
        refused(f'dtb: {n} memory-region entries are refused', p,
                f'more than {DT_MAX_REGION_REFS} memory-region entries')

d = facts(write_dtb(path('refs6.dtb'), region_refs(6)))
tap.ok('a node naming a pool many times is one user of it',
       d['pools'][0]['users'] == ['/soc/v@1000', '/soc/v@2000'], d['pools'][0]['users'])

# --- DT_MAX_MEMRESERVE
for n, ok in ((DT_MAX_MEMRESERVE, True), (DT_MAX_MEMRESERVE + 1, False)):
    p = path(f'memreserve{n}.dtb')
    write_dtb(p, base_tree(), [(0x100000000 + i * 0x2000, 0x1000) for i in range(n)])
    if ok:
        accepted(f'dtb: {n} /memreserve/ entries are accepted', p)
    else:
        refused(f'dtb: {n} /memreserve/ entries are refused', p,
                f'more than {DT_MAX_MEMRESERVE} /memreserve/ entries')


# --- Odd trees: audited (exit 0 or 1), no crash, no sanitizer report.
def odd(name, root, memreserve=(), also_fs=True):
    p = write_dtb(path(name + '.dtb'), root, memreserve)
    clean(f'dtb: {name}', run('dtb', p))
    clean(f'dtb: {name} (json facts)', run('dtb', p, '--facts'))
    if also_fs:
        clean(f'fs: {name}', run('dtb', write_fs(path(name + '.fs'), root)))
    return p


root = base_tree()
rm = reserved_memory(root)
pool(rm, 'restricted', 0x50000000, 0x400000, phandle=1)
root.prop('memory-region', u32(1)).prop('dma-ranges', u64(0, 0, 1 << 32))
odd('root-memory-region-dma-ranges', root)

root = base_tree()
rm = reserved_memory(root)
pool(rm, 'a', 0x50000000, 0x400000, phandle=1)
pool(rm, 'b', 0x60000000, 0x400000, phandle=1)  # a duplicate phandle
bus = soc(root)
v = bus.kid(Node('self@1000')).prop('phandle', u32(7))
v.prop('compatible', s('virtio,mmio')).prop('reg', u64(0x1000, 0x200))
v.prop('memory-region', u32(7, 0, 0xffffffff, 99, 1) + b'\1')  # self, missing, odd length
bus.kid(Node('odd-cells@2000')).prop('reg', b'\0\0').prop('memory-region', b'')
odd('memory-region to itself, to nothing, odd lengths, duplicate phandles', root)

root = base_tree()
bus = soc(root)
b2 = bus.kid(Node('bus@0')).prop('#address-cells', u32(0xffffffff)).prop('#size-cells', u32(0))
b2.prop('ranges', b'\1\2\3').prop('dma-ranges', b'\1\2\3\4\5')
b2.kid(Node('virtio@0')).prop('compatible', s('virtio,mmio')).prop('reg', b'\0' * 3)
b3 = bus.kid(Node('pci@1')).prop('device_type', s('pci')).prop('#address-cells', u32(3))
b3.prop('dma-ranges', b'\0' * 7).prop('linux,pci-domain', b'\0')
b3.kid(Node('pci@0')).prop('device_type', s('pci'))
odd('bus cells that are 0, huge or unusable; short reg, ranges, dma-ranges', root)

root = base_tree()
bus = soc(root)
for name in ('', 'a\nb', '\x1b[31mred', 'slash/in/name', '\xff\xfe', 'dup', 'dup'):
    n = bus.kid(Node(name.encode('latin-1'))).prop('compatible', s('virtio,mmio'))
    n.prop('reg', u64(0x1000, 0x200)).prop('status', b'okay')  # no NUL
p = odd('node names with odd bytes, empty or repeated; status without NUL', root, also_fs=False)
out = run('dtb', p, '--platform', 'pkvm').stdout
tap.ok('text report escapes control bytes in node names',
       b'\x1b' not in out and b'a\nb' not in out, out[:300])

root = base_tree()
rm = reserved_memory(root)
p1 = pool(rm, 'restricted', 0x50000000, 0x400000, phandle=1)
p1.props.insert(0, ('status', s('disabled')))  # repeated property: the first counts
p1.props.append(('status', s('okay')))
odd('repeated property names', root, also_fs=False)
d = facts(path('repeated property names.dtb'))
tap.ok('of a repeated property the first counts, as in the kernel',
       d['pools'][0]['available'] is False, d['pools'])

root = base_tree()
reserved_memory(root).prop('#address-cells', u32(2))
root.props = [(k, v) for k, v in root.props if k != '#address-cells']
odd('no #address-cells at the root', root)

for cells, why in ((u32(0), '#address-cells = 0 is not supported'),
                   (u32(0xffffffff), '#address-cells = 4294967295 is not supported'),
                   (u64(2), '#address-cells is 8 bytes, expected 4')):
    root = base_tree()
    root.props = [(k, cells if k == '#address-cells' else v) for k, v in root.props]
    p = write_dtb(path(f'root-cells-{len(cells)}-{cells.hex()}.dtb'), root)
    refused(f'root {why}: refused', p, why)


# ranges lookups: the first matching entry wins; an entry may run to the top of the address space.
root = base_tree()
bus = soc(root)
bus.props = [(k, v) for k, v in bus.props if k != 'ranges']
bus.prop('ranges', u64(0, 0x10000000, 0x1000, 0, 0x20000000, 0x100000,
                       0xfffffffffffff000, 0x30000000, 0x2000, 0x500000, 0x40000000, 0))
for addr in (0x800, 0x2000, 0x200000, 0xfffffffffffff800, 0x500000):
    n = bus.kid(Node(f'v@{addr:x}')).prop('compatible', s('virtio,mmio')).prop('reg', u64(addr, 1))
nr = bus.kid(Node('sub')).prop('#address-cells', u32(2)).prop('#size-cells', u32(2))
nr.kid(Node('v@800')).prop('compatible', s('virtio,mmio')).prop('reg', u64(0x800, 1))
p = odd('overlapping and wrapping ranges', root)
ids = {dev['path']: dev.get('bus_id') for dev in facts(p)['devices']}
want = {'/soc/v@800': '10000800.v', '/soc/v@2000': '20002000.v', '/soc/v@200000': None,
        '/soc/v@fffffffffffff800': '30000800.v', '/soc/v@500000': None, '/soc/sub/v@800': None}
tap.ok('bus_id: the first ranges entry that covers the address, none past all of them',
       ids == want, ids)

# Sibling buses at one depth, each with a ranges table: the second's lookup table must not
# inherit the first's size (it crashed on TI K3 board DTBs: cbass_main then cbass_mcu).
root = base_tree()
for b, (entries, devs) in enumerate((([(0x2000 * i, 0x10000000 + 0x2000 * i, 0x1000)
                                       for i in range(64)], [0x800]),
                                      ([(0, 0x40000000, 0x100000)], [0x2000, 0x200000, 0x7e000]))):
    bus = root.kid(Node(f'bus{b}')).prop('compatible', s('simple-bus'))
    bus.prop('#address-cells', u32(2)).prop('#size-cells', u32(2))
    bus.prop('ranges', u64(*[v for e in entries for v in e]))
    for dev in devs:
        bus.kid(Node(f'v@{dev:x}')).prop('compatible', s('virtio,mmio')).prop('reg', u64(dev, 1))
p = odd('sibling buses with ranges tables of different sizes', root)
ids = {dev['path']: dev.get('bus_id') for dev in facts(p)['devices']}
tap.ok('bus_id under the second of two sibling buses',
       ids == {'/bus0/v@800': '10000800.v', '/bus1/v@2000': '40002000.v',
               '/bus1/v@200000': None, '/bus1/v@7e000': '4007e000.v'}, ids)

# Many devices under deep buses with long ranges, and a parent with many properties: a
# lookup per device through every bus's ranges, or a linear property search, took 9 s on a
# release build and a minute on a sanitizer build; now well under a second.
root = base_tree()
bus = root
ranges = u64(*[x for i in range(500) for x in (0xf00000000 + i * 0x1000,) * 2 + (0x1000,)]) \
    + u64(0, 0, 1 << 40)
for depth in range(1, DT_MAX_DEPTH):
    bus = bus.kid(Node(f'bus{depth}')).prop('#address-cells', u32(2)).prop('#size-cells', u32(2))
    bus.prop('ranges', ranges).prop('dma-ranges', ranges)
for i in range(30000):
    bus.prop(f'x{i}', b'')
for i in range(10000):
    n = bus.kid(Node(f'v@{0x1000 * i:x}')).prop('compatible', s('virtio,mmio'))
    n.prop('reg', u64(0x1000 * i, 0x200))
p = write_dtb(path('deep-ranges.dtb'), root)
name = '10,000 devices below 31 buses of 501-entry ranges, 30,000 properties: within 20 s'
try:
    clean(name, run('dtb', p, timeout=20))
except subprocess.TimeoutExpired:
    tap.ok(name, False, 'timed out')

# Overlapping regions: each lists at most 16 others, but never so that a rule misses one.
root = base_tree()
rm = reserved_memory(root)
rm.kid(Node('a-carveout@50000000')).prop('reg', u64(0x50000000, 0x10000000)).prop('no-map')
for i in range(40):
    pool(rm, f'b-pool{i:02d}', 0x50000000 + i * 0x100000, 0x10000)
p = write_dtb(path('carveout-over-40-pools.dtb'), root)
doc = json.loads(run('dtb', p, '--format', 'json').stdout)
flagged = {f['subject'] for f in doc['findings'] if f['rule_id'] == 'POOL003'}
tap.ok('40 restricted pools inside one carve-out: POOL003 flags all 40', len(flagged) == 40,
       f'{len(flagged)} flagged')

random.seed(10)
wrong = []
for trial in range(12):
    root = base_tree()
    rm = reserved_memory(root)
    regs = []
    for i in range(random.randint(2, 80)):
        base = random.randrange(64) * 0x1000
        size = random.choice([0x1000, 0x8000, 0x40000, random.randrange(1, 20) * 0x1000])
        n = rm.kid(Node(f'r{i:03d}@{base:x}')).prop('reg', u64(base, size))
        if random.random() < 0.5:
            n.prop('compatible', s('restricted-dma-pool'))
        regs.append((base, base + size))
    for x in facts(write_dtb(path(f'overlaps{trial}.dtb'), root))['pools']:
        i, (b, e) = x['index'], regs[x['index']]
        every = {j for j, (b2, e2) in enumerate(regs) if j != i and b2 < e and e2 > b}
        listed = [o['index'] for o in x['overlaps']]
        dma_below = any(o['index'] < i and o['dma_pool'] for o in x['overlaps'])
        want_dma_below = any(j < i and 'compatible' in dict(rm.kids[j].props) for j in every)
        want_other_below = any(j < i and 'compatible' not in dict(rm.kids[j].props) for j in every)
        other_below = any(o['index'] < i and not o['dma_pool'] for o in x['overlaps'])
        if not (set(listed) <= every and len(set(listed)) == len(listed)
                and (set(listed) == every or len(listed) == 16)
                and bool(x.get('overlaps_truncated')) == (len(every) > len(listed))
                and dma_below == want_dma_below and other_below == want_other_below):
            wrong.append((trial, i, sorted(every), listed))
tap.ok('overlaps: every listed one is real, none missing below 16, truncated when more, and the '
       'lowest DMA pool and other region below are always listed', not wrong, wrong[:3])

# A directory tree: a FIFO where a property would be, a symlink loop, a node named by odd bytes.
fs = write_fs(path('odd-files.fs'), base_tree())
os.mkfifo(os.path.join(fs, 'chosen', 'fifo'))
os.symlink('..', os.path.join(fs, 'chosen', 'loop'))
os.mkdir(os.path.join(fs, 'odd\n\x1bname'))
try:
    clean('fs: a FIFO, a symlink loop and a control-character node name', run('dtb', fs, timeout=30))
except subprocess.TimeoutExpired:
    tap.ok('fs: a FIFO, a symlink loop and a control-character node name', False, 'hung')

shutil.rmtree(tmp, ignore_errors=True)
sys.exit(tap.finish())
