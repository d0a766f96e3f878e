#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TAP test: cca-dma-audit audit --snapshot. Archives are made here from a
snapshot tree (testdata/snapshot/trees/NAME) and damaged on purpose. A good
snapshot reads the same gzip'd, xz'd or plain, from a file or standard input,
with its members compressed or not; inputs and errors name a member
"ARCHIVE:snapshot/NAME". An archive that is not a format-1 snapshot, a member
over its limit, a link, a member listed twice, a bad member (named) are exit
2; --snapshot with an input it holds is exit 3; unknown members are listed.

usage: run-snapshot-errors.py TOOL WORKDIR DTC TREE
"""
import gzip
import io
import json
import lzma
import os
import subprocess
import sys
import tarfile

from tap import LIMIT_WHY, Tap

tap = Tap()
check_error = tap.error_line


def read_tree(tree, dtc):
    """The members a collector writes, from the text tree (fdt.dts and config compiled back)."""
    members = {}
    for root, dirs, files in os.walk(tree):
        dirs.sort()
        rel = os.path.relpath(root, tree)
        for f in sorted(files):
            name = f if rel == '.' else rel + '/' + f
            data = open(os.path.join(root, f), 'rb').read()
            if name == 'fdt.dts':
                name, data = 'fdt', subprocess.run([dtc, '-q', '-I', 'dts', '-O', 'dtb', '-'],
                                                   input=data, capture_output=True,
                                                   check=True).stdout
            elif name == 'config':
                name, data = 'config.gz', gzip.compress(data, mtime=0)
            members['snapshot/' + name] = data
    return members


def pack(members, compress='gz', links=()):
    """A tar of members (name -> bytes, in order), compressed; links are symlink members."""
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode='w', format=tarfile.USTAR_FORMAT) as tar:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.size, info.mtime = len(data), 0
            tar.addfile(info, io.BytesIO(data))
        for name, target in links:
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    raw = buf.getvalue()
    return {'gz': lambda d: gzip.compress(d, mtime=0), 'xz': lzma.compress,
            'none': lambda d: d}[compress](raw)


def write(workdir, name, data):
    path = os.path.join(workdir, 'snaperr-' + name)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def run(cmd, stdin=None):
    return subprocess.run(cmd, capture_output=True, timeout=120, stdin=stdin)


def facts(cmd, stdin=None):
    p = run(cmd + ['--facts'], stdin)
    return (json.loads(p.stdout) if p.returncode == 0 else None), p


def main():
    tool, workdir, dtc, tree = sys.argv[1:5]
    good = read_tree(tree, dtc)
    items = list(good.items())

    def archive(name, members=None, **kw):
        return write(workdir, name, pack(members if members is not None else items, **kw))

    def without(*names):
        return [(n, d) for n, d in items if n not in names]

    def replaced(name, data):
        return [(n, data if n == name else d) for n, d in items]

    # A good snapshot: the inputs it fills, each named by its member.
    gz = archive('good.tar.gz')
    doc, p = facts([tool, 'audit', '--snapshot', gz])
    tap.ok('good snapshot: loads', doc is not None, p.stderr)
    if doc is None:
        sys.exit(tap.finish())
    inputs = {i['kind']: i['path'] for i in doc['inputs']}
    want = {'snapshot': gz, 'dt': gz + ':snapshot/fdt', 'dmesg': gz + ':snapshot/dmesg.txt',
            'kernel': gz + ':snapshot/config.gz', 'virtio': gz + ':snapshot/virtio'}
    tap.ok('inputs name the members', all(inputs.get(k) == v for k, v in want.items()), inputs)
    tap.ok('config.gz alone gives kernel facts', doc['facts']['kernel']['format'] == 'config'
           and doc['facts']['kernel']['config_source'] == 'snapshot', doc['facts'].get('kernel'))
    tap.ok('nothing ignored', doc['facts']['snapshot']['ignored'] == [],
           doc['facts']['snapshot']['ignored'])

    def same_facts(name, cmd, stdin=None):
        other, p = facts(cmd, stdin)
        if other is None:
            tap.ok(name, False, p.stderr)
            return
        a, b = dict(doc['facts']), dict(other['facts'])
        for f in (a, b):
            f['snapshot'] = {k: v for k, v in f['snapshot'].items() if k != 'compression'}
        tap.ok(name, a == b, json.dumps(b)[:400])

    same_facts('xz snapshot: same facts', [tool, 'audit', '--snapshot', archive('good.tar.xz', compress='xz')])
    same_facts('plain tar: same facts', [tool, 'audit', '--snapshot', archive('good.tar', compress='none')])
    with open(gz, 'rb') as f:
        other, p = facts([tool, 'audit', '--snapshot', '-'], stdin=f)
    tap.ok('standard input: members named <stdin>:snapshot/NAME',
           other is not None and {i['kind']: i['path'] for i in other['inputs']}.get('dmesg')
           == '<stdin>:snapshot/dmesg.txt', p.stderr)
    log = good['snapshot/dmesg.txt']
    same_facts('gzip\'d member read in place: same facts',
               [tool, 'audit', '--snapshot',
                archive('member-gz.tar.gz', replaced('snapshot/dmesg.txt', gzip.compress(log, mtime=0)))])
    path = archive('member-xz-cut.tar.gz', replaced('snapshot/dmesg.txt', lzma.compress(log)[:-40]))
    check_error('cut xz member: named', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/dmesg.txt: truncated xz stream')

    # --config stands in for config.gz, and --system-map adds the symbols, without an image too.
    cfg = write(workdir, 'config', b'CONFIG_ARM64=y\nCONFIG_ARM64_64K_PAGES=y\n')
    smap = write(workdir, 'System.map', b'ffff800080000000 T _text\nffff800080010000 T rmem_swiotlb_setup\n')
    other, p = facts([tool, 'audit', '--snapshot', gz, '--config', cfg, '--system-map', smap])
    kernel = other and other['facts']['kernel']
    tap.ok('--config and --system-map with a snapshot alone',
           kernel and kernel['config_source'] == 'file' and kernel['page_size'] == '0x10000'
           and kernel['symbols'] == 'system-map'
           and {i['kind']: i['path'] for i in other['inputs']}['kernel'] == cfg
           and 'snapshot/config.gz' in other['facts']['snapshot']['ignored'], kernel or p.stderr)

    # Unknown members are listed, not fatal: inside snapshot/ and outside it.
    path = archive('unknown.tar.gz', items + [('snapshot/kallsyms', b'x\n'), ('other/file', b'y\n')])
    other, p = facts([tool, 'audit', '--snapshot', path])
    tap.ok('unknown members listed as ignored', other is not None and
           other['facts']['snapshot']['ignored'] == ['snapshot/kallsyms', 'other/file'],
           other and other['facts']['snapshot'] or p.stderr)

    # Not a snapshot, or not one this version reads.
    path = archive('no-format.tar.gz', without('snapshot/FORMAT'))
    check_error('no FORMAT: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}: not a cca-dma-audit snapshot: no snapshot/FORMAT member')
    path = archive('format-2.tar.gz', replaced('snapshot/FORMAT', b'cca-dma-audit-snapshot 2\n'))
    check_error('format 2: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/FORMAT: snapshot format 2 is not supported')
    path = archive('format-junk.tar.gz', replaced('snapshot/FORMAT', b'hello\n'))
    check_error('a FORMAT that is not one: exit 2', [tool, 'audit', '--snapshot', path], 2,
                'FORMAT: not a snapshot format line')
    path = write(workdir, 'text.gz', gzip.compress(b'just text\n'))
    check_error('gzip of text: exit 2', [tool, 'audit', '--snapshot', path], 2,
                'not a cca-dma-audit snapshot: the decompressed data is not a tar archive')
    path = write(workdir, 'empty', b'')
    check_error('empty file: exit 2', [tool, 'audit', '--snapshot', path], 2,
                'not a cca-dma-audit snapshot: it is not a tar archive')
    data = open(gz, 'rb').read()
    path = write(workdir, 'cut.tar.gz', data[:len(data) // 2])
    check_error('cut gzip: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}: truncated gzip stream')
    check_error('past --max-decompressed: exit 2',
                [tool, 'audit', '--max-decompressed', '4K', '--snapshot', gz], 2,
                f'{gz}: gzip stream decompresses to more than 4 KiB {LIMIT_WHY}')
    path = archive('many.tar', [(f'snapshot/x{i}', b'') for i in range(4097)], compress='none')
    check_error('4097 members: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}: more than 4096 members')

    # Members: limits, links, copies, and errors that name them.
    path = archive('release-64k.tar.gz', replaced('snapshot/release', b'6' * (64 << 10)))
    p = run([tool, 'audit', '--snapshot', path, '--facts'])
    tap.ok('a 64 KiB release is read', p.returncode == 0, p.stderr)
    path = archive('release-big.tar.gz', replaced('snapshot/release', b'6' * ((64 << 10) + 1)))
    check_error('a release over 64 KiB: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/release: larger than 64 KiB, the limit for this snapshot member')
    path = archive('fdt-link.tar.gz', without('snapshot/fdt'), links=[('snapshot/fdt', '/sys/firmware/fdt')])
    check_error('fdt as a link: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/fdt: a symbolic link, not a regular file')
    path = archive('twice.tar.gz', items + [('snapshot/dmesg.txt', log)])
    check_error('dmesg.txt twice: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/dmesg.txt: listed twice')
    path = archive('bad-log.tar.gz', replaced('snapshot/dmesg.txt', good['snapshot/fdt']))
    check_error('a DTB as the boot log: named', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/dmesg.txt: not a kernel log: a device tree blob')
    path = archive('bad-fdt.tar.gz', replaced('snapshot/fdt', b'not a blob at all, no'))
    check_error('a bad fdt: named', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/fdt: not a device tree blob')
    path = archive('bad-features.tar.gz', replaced('snapshot/virtio/virtio0/features', b'0x3\n'))
    check_error('bad virtio features: named', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/virtio/virtio0/features: not a feature bit string')
    path = archive('empty-trace.tar.gz', items + [('snapshot/trace.txt', b'')])
    check_error('an empty trace: named', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/trace.txt: empty')
    path = archive('big-endian.tar.gz', replaced('snapshot/config.gz', gzip.compress(
        b'CONFIG_ARM64=y\nCONFIG_CPU_BIG_ENDIAN=y\n')))
    check_error('a big-endian config: exit 2', [tool, 'audit', '--snapshot', path], 2,
                f'{path}:snapshot/config.gz: big-endian arm64 kernel')

    # What the snapshot holds cannot also come from elsewhere (the kernel can).
    check_error('--snapshot and --dmesg: exit 3',
                [tool, 'audit', '--snapshot', gz, '--dmesg', os.devnull], 3,
                '--snapshot and --dmesg (or the command\'s argument) both give the boot log')
    check_error('dtb command and --snapshot: exit 3', [tool, 'dtb', os.devnull, '--snapshot', gz], 3,
                '--snapshot and --dtb')
    check_error('--snapshot twice: exit 3',
                [tool, 'audit', '--snapshot', gz, '--snapshot', gz], 3, '--snapshot given twice')
    check_error('--snapshot - and --trace -: exit 3',
                [tool, 'audit', '--snapshot', '-', '--trace', '-'], 3,
                'standard input (-) can feed only one input')
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())
