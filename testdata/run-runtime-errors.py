#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TAP test: damaged runtime inputs never crash. Unreadable swiotlb dumps and
missing files get one clear line and exit 2; damaged boot-log and trace lines
are counted, not fatal; bad combinations of inputs are usage errors (exit 3).
A boot log or trace that is not one (empty, binary, no line of its kind) is an
error saying what it looked like; compressed ones (gzip, xz, zstd) give the
same report as the text, and cut ones an error naming the format.

usage: run-runtime-errors.py TOOL RUNTIME_DIR [--file NAME=PATH]...
"""
import gzip
import json
import os
import subprocess
import sys
import tempfile

from tap import Tap

tap = Tap()
check_error = tap.error_line


def run(cmd, stdin=None):
    return subprocess.run(cmd, capture_output=True, timeout=120, stdin=stdin)


def facts(cmd, stdin=None):
    p = run(cmd + ['--facts'], stdin)
    if p.returncode:
        return None, p
    return json.loads(p.stdout)['facts'], p


def main():
    tool, rt = sys.argv[1:3]
    files = dict(a.split('=', 1) for a in sys.argv[4::2])
    sw = os.path.join(rt, 'swiotlb')
    for name, needle in [('bad-value.txt', 'io_tlb_used: not a decimal slot count'),
                         ('bad-line.txt', 'bad-line.txt:1: not a PATH:VALUE line'),
                         ('huge.txt', 'value out of range')]:
        path = os.path.join(sw, name)
        check_error(f'swiotlb {name}: exit 2', [tool, 'swiotlb', path], 2, f'cca-dma-audit: {path}:')
        check_error(f'swiotlb {name}: reason', [tool, 'swiotlb', path], 2, needle)
    check_error('truncated tar: exit 2', [tool, 'swiotlb', files['tar_truncated']], 2,
                f"{files['tar_truncated']}: truncated tar archive")
    check_error('truncated tar.gz: exit 2', [tool, 'swiotlb', files['targz_truncated']], 2,
                f"{files['targz_truncated']}: corrupt or truncated gzip data")
    check_error('binary file as swiotlb dump: exit 2', [tool, 'swiotlb', files['dtb_pkvm']], 2,
                f"{files['dtb_pkvm']}:")
    notadump = os.path.join(rt, 'dt')
    check_error('directory without swiotlb files: exit 2', [tool, 'swiotlb', notadump], 2,
                f'{notadump}: no swiotlb debugfs files')
    check_error('missing swiotlb path: exit 2', [tool, 'swiotlb', '/nonexistent/swiotlb'], 2,
                '/nonexistent/swiotlb: No such file or directory')
    check_error('missing boot log: exit 2', [tool, 'audit', '--dmesg', '/nonexistent.log'], 2,
                '/nonexistent.log: No such file or directory')
    check_error('directory as trace: exit 2', [tool, 'trace', rt], 2, f'{rt}: is a directory')
    check_error('audit without inputs: exit 3', [tool, 'audit'], 3, 'audit: no input')
    check_error('stdin twice: exit 3', [tool, 'trace', '-', '--dmesg', '-'], 3,
                'standard input (-) can feed only one input')
    check_error('argument and option: exit 3',
                [tool, 'trace', os.devnull, '--trace', os.devnull], 3, 'given twice')

    # A trace on standard input, with a 200 KiB line, a NUL-filled line and a
    # line cut short at the end: those are malformed, the good line is read.
    with tempfile.TemporaryFile() as f:
        good = (b' kworker/u8:2-57 [001] ..... 12.1: dma_map_phys: 0000:00:02.0 dir=TO_DEVICE '
                b'dma_addr=8000bfa01000 size=1536 phys_addr=10a3c2000 attrs=\n')
        f.write(b'x' * (200 << 10) + b'\n' + b'\0' * 100 + b'\n' + good + good[:60])
        f.seek(0)
        fa, p = facts([tool, 'trace', '-'], f)
        ok = fa is not None and fa['trace']['events'] == 2 and \
            fa['trace']['malformed'] == {'count': 3, 'lines': [1, 2, 4]}
        tap.ok('trace on stdin: long, NUL and cut lines are malformed, not fatal', ok,
               f'{p.returncode} {p.stderr!r} {fa and fa["trace"]}')
    sniffing(tool, rt, files)
    compressed(tool, rt, files)
    sys.exit(tap.finish())


def sniffing(tool, rt, files):
    """Never pass on an input that was not understood (issue 9 section 5)."""
    log = os.path.join(rt, 'dmesg', 'realm-ok.log')
    trace = os.path.join(rt, 'trace', 'realm-ok.trace')
    notes = os.path.join(rt, 'dmesg', 'not-a-log.txt')
    dtb, tar = files['dtb_pkvm'], files['tar_realm']
    kinds = 'looks like dmesg, dmesg -T or journalctl -k output'
    events = "looks like ftrace event output ('TASK-PID [CPU] TIMESTAMP: EVENT: ...')"
    for name, cmd, needle in [
        ('DTB as boot log', ['audit', '--dmesg', dtb], f'{dtb}: not a kernel log: a device tree blob (DTB)'),
        ('tar archive as boot log', ['audit', '--dmesg', tar], f'{tar}: not a kernel log: a tar archive'),
        ('tar.gz as trace', ['trace', files['targz_realm']],
         f"{files['targz_realm']}: not an ftrace text: a tar archive, gzip-compressed"),
        ('ELF file as trace', ['trace', tool], f'{tool}: not an ftrace text: an ELF file'),
        ('trace as boot log', ['audit', '--dmesg', trace],
         f"{trace}: not a kernel log: none of its 25 lines {kinds} (the first line starts '# tracer: nop')"),
        ('boot log as trace', ['trace', log],
         f"{log}: not an ftrace text: none of its 13 lines {events} (the first line starts "
         f"'[    0.000000] Booting Linux on physical...')"),
        ('bug-report prose as trace', ['trace', notes],
         f"{notes}: not an ftrace text: none of its 6 lines {events}"),
        ('bug-report prose as boot log', ['swiotlb', files['tar_realm'], '--dmesg', notes],
         f"{notes}: not a kernel log: none of its 6 lines {kinds} (the first line starts "
         f"'Bug report: virtio-blk requests time out...')"),
        ('empty trace', ['trace', os.devnull], f'{os.devnull}: empty'),
        ('empty boot log', ['audit', '--dmesg', os.devnull], f'{os.devnull}: empty'),
    ]:
        check_error(f'{name}: exit 2, one line', [tool] + cmd, 2, 'cca-dma-audit: ' + needle)
    with open(dtb, 'rb') as f:
        check_error('DTB on standard input as trace: exit 2', [tool, 'trace', '-'], 2,
                    '<stdin>: not an ftrace text: a device tree blob (DTB)', stdin=f)
    with tempfile.TemporaryDirectory() as tmp:
        blank = os.path.join(tmp, 'blank.log')
        open(blank, 'w').write('\n   \n\t\n')
        check_error('blank lines only: exit 2', [tool, 'trace', blank], 2,
                    f'{blank}: empty (only blank lines)')
        # The excerpt of the first line is cut and free of control characters.
        ctl = os.path.join(tmp, 'ctl.txt')
        open(ctl, 'wb').write(b'\x1b[31mred\x07 then a line long enough to be cut short\r\nmore\n')
        check_error('control characters in the quoted line become ?', [tool, 'trace', ctl], 2,
                    f"{ctl}: not an ftrace text: none of its 2 lines {events} (the first line "
                    "starts '?[31mred? then a line long enough to be ...')")
        nul = os.path.join(tmp, 'nul.bin')
        open(nul, 'wb').write(b'MAGIC\x00\x01\x02 Linux version 6.15.0\n')
        check_error('binary data with a kernel string: exit 2', [tool, 'audit', '--dmesg', nul], 2,
                    f'{nul}: not a kernel log: binary data (a NUL byte at offset 5)')
        # A real log with a stray NUL after good lines, and no swiotlb line, is still read.
        stray = os.path.join(tmp, 'stray.log')
        open(stray, 'wb').write(b'[    0.000000] Booting Linux on physical CPU 0x0\n'
                                b'[    0.100000] serial: \x00\x00 noise\n'
                                b'[    0.200000] virtio_blk virtio1: 4/0/0 default/read/poll queues\n')
        fa, p = facts([tool, 'audit', '--dmesg', stray])
        tap.ok('boot log with a stray NUL after good lines: read', fa is not None and
               fa['dmesg']['lines'] == 3 and fa['dmesg']['swiotlb_mapped'] is False,
               f'{p.returncode} {p.stderr!r}')
    # A trace of no events, with its ftrace header, is a trace.
    fa, p = facts([tool, 'trace', os.path.join(rt, 'trace', 'header-only.trace')])
    tap.ok('trace with its header and no events: zero events', fa is not None and
           fa['trace']['events'] == 0 and fa['trace']['lines'] == 12, f'{p.returncode} {p.stderr!r}')


def compressed(tool, rt, files):
    """gzip, xz and zstd copies read as the text; cut or damaged ones are errors."""
    log = os.path.join(rt, 'dmesg', 'realm-ok.log')
    trace = os.path.join(rt, 'trace', 'realm-ok.trace')

    def output(cmd, stdin=None, renames=()):
        p = run([tool] + cmd, stdin)
        out = p.stdout.decode()
        for compressed_path, plain in renames:
            out = out.replace(json.dumps(compressed_path), json.dumps(plain))
        return p.returncode, out, p.stderr.decode()

    for mode in (['--format', 'json'], ['--facts']):
        want = output(['trace', trace, '--dmesg', log] + mode)
        tap.ok(f'plain trace and boot log, {" ".join(mode)}: a baseline', want[0] in (0, 1) and want[1],
               want)
        for fmt in ('gz', 'xz', 'zst'):
            if f'trace_{fmt}' not in files:
                continue  # no zstd program
            t, d = files[f'trace_{fmt}'], files[f'dmesg_{fmt}']
            got = output(['trace', t, '--dmesg', d] + mode, renames=[(t, trace), (d, log)])
            tap.ok(f'.{fmt} trace and boot log, {" ".join(mode)}: the plain output, byte for byte',
                   got == want, f'{got[0]} {got[2]!r}')
    # Standard input is sniffed too.
    want = output(['trace', '-', '--format', 'json'], open(trace, 'rb'))
    for fmt in ('gz', 'zst'):
        if f'trace_{fmt}' in files:
            got = output(['trace', '-', '--format', 'json'], open(files[f'trace_{fmt}'], 'rb'))
            tap.ok(f'.{fmt} trace on standard input: the plain report', got == want,
                   f'{got[0]} {got[2]!r}')
    want = output(['audit', '--dmesg', log, '--format', 'json'])
    got = output(['audit', '--dmesg', files['dmesg_xz'], '--format', 'json'],
                 renames=[(files['dmesg_xz'], log)])
    tap.ok('.xz boot log alone: the plain report', got == want, f'{got[0]} {got[2]!r}')

    names = {'gz': 'gzip', 'xz': 'xz', 'zst': 'zstd'}
    for fmt, name in names.items():
        if f'trace_{fmt}_cut' not in files:
            continue
        cut = files[f'trace_{fmt}_cut']
        check_error(f'truncated {name} trace: exit 2', [tool, 'trace', cut], 2,
                    f'cca-dma-audit: {cut}: truncated {name} stream')
        cut = files[f'dmesg_{fmt}_cut']
        check_error(f'truncated {name} boot log: exit 2', [tool, 'audit', '--dmesg', cut], 2,
                    f'cca-dma-audit: {cut}: truncated {name} stream')
    with tempfile.TemporaryDirectory() as tmp:
        gz = open(files['trace_gz'], 'rb').read()
        xz = open(files['trace_xz'], 'rb').read()
        for name, data, needle in [
            ('gzip with data after its end', gz + b'junk\n', 'data after the end of the gzip stream'),
            ('two gzip members', None, None),
            ('gzip magic then garbage', b'\x1f\x8b' + b'\xff' * 100, 'corrupt gzip stream (zlib: '),
            ('xz with a damaged block', xz[:60] + bytes(b ^ 0x55 for b in xz[60:120]) + xz[120:],
             'corrupt xz stream (liblzma: '),
            ('zstd magic then garbage', b'\x28\xb5\x2f\xfd' + b'\xff' * 100,
             'corrupt zstd stream (libzstd: '),
            ('bzip2 trace', b'BZh91AY&SY' + bytes(range(256)) * 4,
             'not an ftrace text: bzip2-compressed data (gzip, xz and zstd are read)'),
            ('gzip of nothing', gzip.compress(b''), 'empty'),
        ]:
            path = os.path.join(tmp, name.replace(' ', '-'))
            if data is None:  # concatenated members read as one stream, like gzip -d
                open(path, 'wb').write(gz + gz)
                fa, p = facts([tool, 'trace', path])
                tap.ok('two gzip members: read in turn', fa is not None and
                       fa['trace']['lines'] == 50, f'{p.returncode} {p.stderr!r}')
                continue
            open(path, 'wb').write(data)
            check_error(f'{name}: exit 2', [tool, 'trace', path], 2, f'cca-dma-audit: {path}: {needle}')


if __name__ == '__main__':
    main()
