#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Device trees built in Python, for inputs too big or too odd for dtc.

A Node holds (name, bytes) properties and child Nodes; dtb_bytes() writes a
version 17 flattened tree (any bytes in names, repeated names, /memreserve/
entries, padding to an exact size), write_fs() a /proc/device-tree style
directory. Used by testdata/run-dt-hostile.py and bench/hostile.py: the
hostile inputs are generated at test time, never committed.
"""
import os
import struct

DT_MAX_DEPTH = 32  # lib/dt.h


class Node:
    __slots__ = ('name', 'props', 'kids')

    def __init__(self, name, props=None, kids=None):
        self.name = name
        self.props = props or []  # (name, bytes)
        self.kids = kids or []

    def prop(self, name, val=b''):
        self.props.append((name, val))
        return self

    def kid(self, node):
        self.kids.append(node)
        return node


def u32(*vals):
    return struct.pack(f'>{len(vals)}I', *vals)


def u64(*vals):
    """Each value as two cells (#address-cells = 2 / #size-cells = 2)."""
    return struct.pack(f'>{len(vals)}Q', *vals)


def s(*strs):
    return b''.join(x.encode() + b'\0' for x in strs)


def dtb_bytes(root, memreserve=(), pad_to=None):
    """root as a version 17 flattened device tree, padded with zeros to pad_to bytes."""
    FDT_BEGIN_NODE, FDT_END_NODE, FDT_PROP, FDT_END = 1, 2, 3, 9
    strings, stroff = [], {}
    out = []
    strsize = [0]

    def nameoff(name):
        off = stroff.get(name)
        if off is None:
            off = stroff[name] = strsize[0]
            strings.append(name.encode() + b'\0')
            strsize[0] += len(strings[-1])
        return off

    def pad(b):
        return b + b'\0' * (-len(b) % 4)

    # Iterative, so a deep or wide tree costs no Python recursion.
    stack = [(root, False)]
    while stack:
        n, done = stack.pop()
        if done:
            out.append(u32(FDT_END_NODE))
            continue
        name = n.name.encode() if isinstance(n.name, str) else n.name
        out.append(u32(FDT_BEGIN_NODE) + pad(name + b'\0'))
        for pname, val in n.props:
            out.append(u32(FDT_PROP, len(val), nameoff(pname)) + pad(val))
        stack.append((n, True))
        for k in reversed(n.kids):
            stack.append((k, False))
    out.append(u32(FDT_END))
    struct_blk = b''.join(out)
    str_blk = b''.join(strings)
    rsv = b''.join(struct.pack('>QQ', b, sz) for b, sz in memreserve) + bytes(16)
    off_rsv = 40
    off_struct = off_rsv + len(rsv)
    off_str = off_struct + len(struct_blk)
    total = off_str + len(str_blk)
    if pad_to is not None:
        assert pad_to >= total
        total = pad_to
    hdr = struct.pack('>10I', 0xd00dfeed, total, off_struct, off_str, off_rsv, 17, 16, 0,
                      len(str_blk), len(struct_blk))
    blob = hdr + rsv + struct_blk + str_blk
    return blob + bytes(total - len(blob))


def write_dtb(path, root, memreserve=(), pad_to=None):
    with open(path, 'wb') as f:
        f.write(dtb_bytes(root, memreserve, pad_to))
    return path


def write_fs(path, root):
    """root as a /proc/device-tree copy: a directory per node, a file per property.
    A property value given as an int is a sparse file of that many bytes."""
    stack = [(path, root)]
    while stack:
        d, n = stack.pop()
        os.makedirs(d, exist_ok=True)
        for pname, val in n.props:
            with open(os.path.join(d, pname), 'wb') as f:
                if isinstance(val, int):
                    f.truncate(val)
                else:
                    f.write(val)
        for k in n.kids:
            stack.append((os.path.join(d, k.name), k))
    return path


def base_tree():
    """A minimal guest tree: root cells, /chosen, one /memory node."""
    root = Node('')
    root.prop('#address-cells', u32(2)).prop('#size-cells', u32(2))
    root.prop('compatible', s('linux,dummy-virt')).prop('model', s('hostile'))
    root.kid(Node('chosen')).prop('bootargs', s('console=ttyAMA0'))
    root.kid(Node('memory@40000000')).prop('device_type', s('memory')).prop(
        'reg', u64(0x40000000, 0x80000000))
    return root


def reserved_memory(root):
    rm = root.kid(Node('reserved-memory'))
    rm.prop('#address-cells', u32(2)).prop('#size-cells', u32(2)).prop('ranges')
    return rm


def pool(rm, name, base, size, phandle=None, compat='restricted-dma-pool'):
    p = rm.kid(Node(f'{name}@{base:x}'))
    p.prop('compatible', s(compat)).prop('reg', u64(base, size))
    if phandle is not None:
        p.prop('phandle', u32(phandle))
    return p


def soc(root):
    bus = root.kid(Node('soc'))
    bus.prop('compatible', s('simple-bus')).prop('#address-cells', u32(2))
    bus.prop('#size-cells', u32(2)).prop('ranges')
    return bus
