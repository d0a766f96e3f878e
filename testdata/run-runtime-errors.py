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
import io
import json
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

from tap import LIMIT_WHY, SETPRIV, Tap, size_text, unprivileged

tap = Tap()
check_error = tap.error_line


# An ELF file: the Python running this test (the tool may be the valgrind wrapper script).
ELF = os.path.realpath(sys.executable)


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
    # line cut short at the end among good ones: those are malformed, the good
    # lines are read.
    with tempfile.TemporaryFile() as f:
        good = (b' kworker/u8:2-57 [001] ..... 12.1: dma_map_phys: 0000:00:02.0 dir=TO_DEVICE '
                b'dma_addr=8000bfa01000 size=1536 phys_addr=10a3c2000 attrs=\n')
        f.write(b'x' * (200 << 10) + b'\n' + b'\0' * 100 + b'\n' + good * 4 + good[:60])
        f.seek(0)
        fa, p = facts([tool, 'trace', '-'], f)
        ok = fa is not None and fa['trace']['events'] == 5 and \
            fa['trace']['malformed'] == {'count': 3, 'lines': [1, 2, 7]}
        tap.ok('trace on stdin: long, NUL and cut lines are malformed, not fatal', ok,
               f'{p.returncode} {p.stderr!r} {fa and fa["trace"]}')
    sniffing(tool, rt, files)
    compressed(tool, rt, files)
    misread(tool, rt)
    capture_pitfalls(tool, rt)
    limits(tool)
    decompression_cap(tool, rt, files)
    dmesg_limits(tool)
    trace_limits(tool)
    trace_hostile(tool)
    trace_unreadable(tool)
    trace_dat(tool)
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
        ('ELF file as trace', ['trace', ELF], f'{ELF}: not an ftrace text: an ELF file'),
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


def write_dump(top, files):
    """A directory copy of debugfs: {relative path: content}; None makes a directory."""
    for rel, data in files.items():
        path = os.path.join(top, rel)
        if data is None:
            os.makedirs(path, exist_ok=True)
            continue
        os.makedirs(os.path.dirname(path), exist_ok=True)
        open(path, 'w').write(data)
    for d, _, names in os.walk(top):  # readable by the unprivileged user
        os.chmod(d, 0o755)
        for n in names:
            os.chmod(os.path.join(d, n), 0o644)


def misread(tool, rt):
    """A dump that cannot be read in full is an error naming what and why, never
    an empty or smaller pool; nothing in a directory copy blocks the run."""
    base = {'swiotlb/io_tlb_nslabs': '32768\n', 'swiotlb/io_tlb_used': '5\n',
            'swiotlb/pool@1/io_tlb_nslabs': '128\n'}
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        d = os.path.join(tmp, 'dump')
        write_dump(d, base)
        fa, p = facts([tool, 'swiotlb', d])
        tap.ok('swiotlb directory copy: two pools (the baseline of the cases below)',
               fa is not None and len(fa['swiotlb']['pools']) == 2, f'{p.returncode} {p.stderr!r}')
        for what, rel in [('pool directory', 'swiotlb/pool@1'), ('value file', 'swiotlb/io_tlb_used'),
                          ('top directory', '')]:
            path = os.path.join(d, rel) if rel else d
            os.chmod(path, 0)
            cmd = unprivileged([tool, 'swiotlb', d], reach=[os.path.dirname(d)])
            if cmd is None:
                tap.ok(f'unreadable {what}: skipped, root cannot run the tool as nobody ({SETPRIV})',
                       True)
            else:
                check_error(f'unreadable {what} in a swiotlb copy: exit 2, PATH: Permission denied',
                            cmd, 2, f'cca-dma-audit: {path}: Permission denied')
            os.chmod(path, 0o755 if rel != 'swiotlb/io_tlb_used' else 0o644)
        # A directory that can be listed but not entered: its entries cannot be examined.
        pool = os.path.join(d, 'swiotlb', 'pool@1')
        os.chmod(pool, 0o744)
        cmd = unprivileged([tool, 'swiotlb', d], reach=[os.path.dirname(d)])
        if cmd is not None:
            check_error('pool directory without search permission: exit 2', cmd, 2,
                        f'cca-dma-audit: {pool}/io_tlb_nslabs: Permission denied')
        os.chmod(pool, 0o755)

        # Entries that are not regular files: refused at once, named, never opened.
        for name, make, kind in [('io_tlb_used', os.mkfifo, 'a FIFO, not a regular file'),
                                 ('capture.fifo', os.mkfifo, 'a FIFO, not a regular file'),
                                 ('loop', lambda p: os.symlink('loop', p), 'a symbolic link, not followed'),
                                 ('io_tlb_nslabs', lambda p: os.symlink('/proc/self/status', p),
                                  'a symbolic link, not followed')]:
            d2 = os.path.join(tmp, 'special-' + name.replace('.', '-'))
            write_dump(d2, {k: v for k, v in base.items() if k != 'swiotlb/' + name})
            path = os.path.join(d2, 'swiotlb', name)
            make(path)
            check_error(f'{name} as {kind.split(",")[0]} in a swiotlb copy: exit 2 at once',
                        [tool, 'swiotlb', d2], 2,
                        f'cca-dma-audit: {path}: {kind} (a copy of debugfs has none)', timeout=10)
        # A FIFO named on the command line is a pipe the user means: it is read.
        fifo = os.path.join(tmp, 'log.fifo')
        os.mkfifo(fifo)
        with open(os.path.join(rt, 'dmesg', 'realm-ok.log'), 'rb') as f:
            log = f.read()
        proc = subprocess.Popen([tool, 'audit', '--dmesg', fifo, '--facts'], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
        with open(fifo, 'wb') as w:
            w.write(log)
        try:
            out, err = proc.communicate(timeout=30)
            ok = proc.returncode == 0 and json.loads(out)['facts']['dmesg']['lines'] == log.count(b'\n')
        except subprocess.TimeoutExpired:
            proc.kill()
            out, err, ok = b'', b'no exit within 30 s', False
        tap.ok('a FIFO given as --dmesg is read like the file', ok, f'{proc.returncode} {err!r}')

        # Empty and missing value files are different states.
        for name, files, needle in [
            # one empty file among good ones is damage, not the tar pitfall (capture_pitfalls)
            ('empty io_tlb_used', {**base, 'swiotlb/io_tlb_used': ''},
             'swiotlb/io_tlb_used: empty, not a slot count (the kernel prints a number in every '
             'io_tlb_* file)'),
            ('io_tlb_used with a NUL', {**base, 'swiotlb/io_tlb_used': '5\0junk\n'},
             'swiotlb/io_tlb_used: a NUL byte: not a slot count'),
            ('io_tlb_used of blanks', {**base, 'swiotlb/io_tlb_used': ' \n'},
             'swiotlb/io_tlb_used: empty, not a slot count'),
            ('value 2^64', {**base, 'swiotlb/io_tlb_used': '18446744073709551616\n'},
             'swiotlb/io_tlb_used: value out of range (larger than 2^64-1, 18446744073709551615)'),
            ('hex value', {**base, 'swiotlb/io_tlb_used': '0xffffffffffffffff\n'},
             'swiotlb/io_tlb_used: not a decimal slot count'),
        ]:
            d3 = os.path.join(tmp, name.replace(' ', '-').replace('^', ''))
            write_dump(d3, files)
            check_error(f'{name} in a swiotlb copy: exit 2', [tool, 'swiotlb', d3], 2,
                        f'cca-dma-audit: {d3}: {needle}')
        d4 = os.path.join(tmp, 'missing-used')
        write_dump(d4, {k: v for k, v in base.items() if k != 'swiotlb/io_tlb_used'})
        fa, p = facts([tool, 'swiotlb', d4])
        tap.ok('missing io_tlb_used: read, the pool has no used fact',
               fa is not None and 'used' not in fa['swiotlb']['pools'][0] and
               fa['swiotlb']['pools'][0]['nslabs'] == 32768, f'{p.returncode} {p.stderr!r}')
        d5 = os.path.join(tmp, 'u64-max')
        write_dump(d5, {**base, 'swiotlb/io_tlb_used': '18446744073709551615\n'})
        fa, p = facts([tool, 'swiotlb', d5])
        tap.ok('io_tlb_used 18446744073709551615 (2^64-1): read, exactly',
               fa is not None and fa['swiotlb']['pools'][0]['used'] == '0xffffffffffffffff',
               f'{p.returncode} {p.stderr!r}')
        # tar archives: names past 100 bytes (GNU long-name and pax records) are
        # read in full, and a link in place of a pool file is refused.
        prefix = 'captures/2026-11-21/realm-guest-with-a-long-name/sys/kernel/debug/swiotlb/'
        members = [(prefix + 'io_tlb_nslabs', b'32768\n'), (prefix + 'io_tlb_used', b'5\n'),
                   (prefix + 'restricted_dma_reserved@9f000000/io_tlb_nslabs', b'512\n')]
        for fmt, name in [(tarfile.GNU_FORMAT, 'GNU'), (tarfile.PAX_FORMAT, 'pax')]:
            path = os.path.join(tmp, f'long-{name}.tar')
            with tarfile.open(path, 'w', format=fmt) as tar:
                for member, data in members:
                    info = tarfile.TarInfo(member)
                    info.size = len(data)
                    tar.addfile(info, io.BytesIO(data))
            fa, p = facts([tool, 'swiotlb', path])
            got = fa and sorted((q['name'], q.get('nslabs')) for q in fa['swiotlb']['pools'])
            tap.ok(f'{name} tar with names past 100 bytes: every pool read',
                   got == [('restricted_dma_reserved@9f000000', 512), ('swiotlb', 32768)],
                   f'{p.returncode} {p.stderr!r} {got}')
        path = os.path.join(tmp, 'symlink.tar')
        with tarfile.open(path, 'w', format=tarfile.USTAR_FORMAT) as tar:
            info = tarfile.TarInfo('swiotlb/io_tlb_nslabs')
            info.size = 6
            tar.addfile(info, io.BytesIO(b'32768\n'))
            info = tarfile.TarInfo('swiotlb/io_tlb_used')
            info.type, info.linkname = tarfile.SYMTYPE, '/proc/self/status'
            tar.addfile(info)
        check_error('tar with a symbolic link as io_tlb_used: exit 2', [tool, 'swiotlb', path], 2,
                    f'cca-dma-audit: {path}: swiotlb/io_tlb_used: a symbolic link in the archive, '
                    'not a regular file')
        # One file twice in grep text: no value can be chosen.
        twice = os.path.join(tmp, 'twice.txt')
        open(twice, 'w').write('/sys/kernel/debug/swiotlb/io_tlb_used:5\n'
                               '/sys/kernel/debug/swiotlb/io_tlb_nslabs:32768\n'
                               '/sys/kernel/debug/swiotlb/io_tlb_used:7\n')
        check_error('a file listed twice in grep text: exit 2', [tool, 'swiotlb', twice], 2,
                    f'cca-dma-audit: {twice}: sys/kernel/debug/swiotlb/io_tlb_used: listed twice')


def tar_of(path, members, fmt=tarfile.GNU_FORMAT, gz=False):
    """A tar (GNU format, as GNU and busybox tar write) of {name: bytes}; None is a directory."""
    with tarfile.open(path, 'w:gz' if gz else 'w', format=fmt) as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return path


def head_text(files, absolute=True, sep='\n'):
    """What head FILE... prints for {path: content}: "==> PATH <==", the content, and a
    blank line before each further header (GNU coreutils and busybox alike)."""
    out = []
    for i, (path, data) in enumerate(files.items()):
        out.append(('' if i == 0 else sep) + f'==> {"/" if absolute else ""}{path} <=={sep}' +
                   data.replace('\n', sep))
    return ''.join(out)


def pools_of(fa):
    return fa and [(q['name'], q['dir'], q.get('nslabs'), q.get('used'), q['empty'])
                   for q in fa['swiotlb']['pools']]


def capture_pitfalls(tool, rt):
    """How users really capture the swiotlb files, and what each mistake gets (issue 11).
    debugfs files stat as size 0, so tar stores them empty; grep -r prints nothing for a
    wrong path; head prints a directory's name without reading it. Each is one error line
    saying so. An empty swiotlb/ directory (Linux 6.1 with no bouncing needed: the default
    pool has no slabs, so swiotlb_create_debugfs_files() makes only the directory) is a
    real state, read as an empty default pool for SWIO004."""
    dbg = 'sys/kernel/debug/swiotlb/'
    good = {dbg + 'io_tlb_nslabs': '32768\n', dbg + 'io_tlb_used': '40\n',
            dbg + 'restricted_dma_reserved@9f000000/io_tlb_nslabs': '512\n',
            dbg + 'restricted_dma_reserved@9f000000/io_tlb_used': '3\n'}
    with tempfile.TemporaryDirectory() as tmp:
        os.chmod(tmp, 0o755)
        grep = os.path.join(tmp, 'grep.txt')
        open(grep, 'w').write(''.join(f'/{k}:{v}' for k, v in good.items()))
        want, p = facts([tool, 'swiotlb', grep])
        tap.ok('grep text of two pools: read (the baseline of the head cases)',
               pools_of(want) and len(pools_of(want)) == 2, f'{p.returncode} {p.stderr!r}')

        # busybox tar -C /sys/kernel/debug -cf x.tar swiotlb: every io_tlb_* member has size 0.
        empty = {'swiotlb': None, **{k[len('sys/kernel/debug/'):]: b'' for k in good}}
        needle = ('the io_tlb_* files in the archive are empty: debugfs files report size 0, '
                  'so tar stores them with no contents; capture with grep -r . '
                  '/sys/kernel/debug/swiotlb > swiotlb.txt')
        for name, fmt, gz in [('tar', tarfile.GNU_FORMAT, False), ('ustar tar', tarfile.USTAR_FORMAT, False),
                              ('tar.gz', tarfile.GNU_FORMAT, True)]:
            path = tar_of(os.path.join(tmp, f'debugfs-{name.replace(" ", "-")}'), empty, fmt, gz)
            check_error(f'{name} of debugfs, every io_tlb_* file stored empty: exit 2, says why',
                        [tool, 'swiotlb', path], 2, f'cca-dma-audit: {path}: {needle}')
        # ... and a directory extracted from such an archive
        d = os.path.join(tmp, 'extracted')
        write_dump(d, {k: '' for k in good})
        check_error('directory copy with every io_tlb_* file empty: exit 2, says why',
                    [tool, 'swiotlb', d], 2,
                    f'cca-dma-audit: {d}: the io_tlb_* files are all empty (extracted from a tar '
                    'of debugfs? debugfs files report size 0')
        # one empty file among good ones is not that: the file is named
        path = tar_of(os.path.join(tmp, 'one-empty.tar'),
                      {k: v.encode() for k, v in good.items()} | {dbg + 'io_tlb_used': b''})
        check_error('tar with one io_tlb_* file empty among good ones: exit 2, names the file',
                    [tool, 'swiotlb', path], 2,
                    f'cca-dma-audit: {path}: {dbg}io_tlb_used: empty, not a slot count')

        # grep printed nothing: an error, never "no pool"
        for name, data in [('0 bytes', ''), ('blank lines', '\n  \n\t\r\n')]:
            path = os.path.join(tmp, f'grep-{name.replace(" ", "-")}.txt')
            open(path, 'w').write(data)
            check_error(f'grep text of {name}: exit 2, not an empty pool', [tool, 'swiotlb', path], 2,
                        f'cca-dma-audit: {path}: empty{" (only blank lines)" if data else ""}: '
                        'grep -r and head print nothing when the path is wrong')
        with open(os.devnull, 'rb') as f:
            check_error('empty standard input: exit 2', [tool, 'swiotlb', '-'], 2,
                        'cca-dma-audit: <stdin>: empty: grep -r and head print nothing', stdin=f)

        # head FILE...: absolute or relative paths, GNU or CRLF line ends, gives what grep gives
        for name, text in [
            ('head of absolute paths', head_text(good)),
            ('head of relative paths', head_text(good, absolute=False)),
            ('head with CRLF line ends', head_text(good, sep='\r\n')),
            ('head whose last file has no newline', head_text(good)[:-1]),
            # find without -type f: the directories are listed, with no content, and their files too
            ('head of find output with directories', head_text(
                {dbg[:-1]: '', dbg + 'restricted_dma_reserved@9f000000': '', **good})),
        ]:
            path = os.path.join(tmp, name.replace(' ', '-') + '.txt')
            open(path, 'w', newline='').write(text)
            fa, p = facts([tool, 'swiotlb', path])
            # "/sys/..." and "sys/..." are the same dump: the pool is known from the last components
            tap.ok(f'{name}: read as the grep text is', fa is not None and fa['swiotlb']['format'] == 'head'
                   and pools_of(fa) == pools_of(want), f'{p.returncode} {p.stderr!r} {pools_of(fa)}')
        # head /sys/kernel/debug/swiotlb/*: a pool directory gets its header and nothing else
        # (head's complaint goes to stderr, or into the text with 2>&1): its pool was not read.
        pool = dbg + 'restricted_dma_reserved@9f000000'
        for name, complaint in [('', ''), (' and head\'s complaint', f"head: error reading '/{pool}': "
                                                                   'Is a directory\n')]:
            files = {dbg + 'io_tlb_nslabs': '32768\n', dbg + 'io_tlb_used': '40\n', pool: complaint}
            path = os.path.join(tmp, f'head-star{len(name)}.txt')
            open(path, 'w').write(head_text(files))
            check_error(f'head of a pool directory (its header{name}): exit 2, not an empty pool',
                        [tool, 'swiotlb', path], 2,
                        f'cca-dma-audit: {path}: {pool}: listed with no content and no file under it: '
                        'a directory, which head does not read')

        # Linux 6.1, no bouncing needed: swiotlb/ exists and is empty. A copy of it, a tar of
        # it or of its contents is the default pool with no slots: SWIO004 fires in a realm.
        empty_dir = os.path.join(tmp, 'swiotlb-6.1')
        os.mkdir(empty_dir)
        for name, path in [
            ('empty directory copy', empty_dir),
            ('tar whose only member is swiotlb/', tar_of(os.path.join(tmp, 'only-dir.tar'), {'swiotlb': None})),
            ('tar -C swiotlb . of the empty directory', tar_of(os.path.join(tmp, 'dot.tar'), {'.': None})),
            ('tar.gz of /sys/kernel/debug/swiotlb, empty',
             tar_of(os.path.join(tmp, 'sys.tar.gz'), {'sys/kernel/debug/swiotlb': None}, gz=True)),
        ]:
            fa, p = facts([tool, 'swiotlb', path])
            got = pools_of(fa)
            tap.ok(f'{name} (Linux 6.1, no default pool): one empty default pool',
                   got is not None and len(got) == 1 and got[0][0] == 'swiotlb' and
                   got[0][2] is None and got[0][4] is True and fa['swiotlb']['pools'][0]['default'],
                   f'{p.returncode} {p.stderr!r} {got}')
            p = run([tool, 'swiotlb', path, '--platform', 'cca', '--format', 'json'])
            rep = json.loads(p.stdout) if p.stdout else {}
            tap.ok(f'{name} in a realm: SWIO004 fails (exit 1), no input error',
                   p.returncode == 1 and [f['rule_id'] for f in rep.get('findings', [])] == ['SWIO004'],
                   f'{p.returncode} {p.stderr!r}')


def limits(tool):
    """Each swiotlb limit: at the limit read, one past it refused in one line."""
    mib16 = 16 << 20
    with tempfile.TemporaryDirectory() as tmp:
        def text(name, data):
            path = os.path.join(tmp, name)
            open(path, 'w').write(data)
            return path

        def accepted(name, path, test):
            fa, p = facts([tool, 'swiotlb', path])
            tap.ok(name, fa is not None and test(fa['swiotlb']), f'{p.returncode} {p.stderr[:300]!r}')

        head = 'swiotlb/io_tlb_nslabs:1\n'
        # SW_MAX_INPUT: blank lines are skipped, so the size alone decides.
        at = text('input-at.txt', head + '\n' * (mib16 - len(head)))
        accepted('swiotlb dump of 16 MiB: read', at, lambda f: len(f['pools']) == 1)
        over = text('input-over.txt', head + '\n' * (mib16 - len(head) + 1))
        check_error('swiotlb dump of 16 MiB + 1 byte: exit 2', [tool, 'swiotlb', over], 2,
                    f'cca-dma-audit: {over}: larger than the 16 MiB limit')
        # SW_MAX_ENTRIES: 1024 lines (one pool file, 1023 other files).
        lines = [head] + [f'swiotlb/other{i}:1\n' for i in range(1023)]
        accepted('swiotlb dump of 1024 entries: read', text('entries-at.txt', ''.join(lines)),
                 lambda f: len(f['pools']) == 1)
        over = text('entries-over.txt', ''.join(lines) + 'swiotlb/other1023:1\n')
        check_error('swiotlb dump of 1025 entries: exit 2', [tool, 'swiotlb', over], 2,
                    f'cca-dma-audit: {over}: more than 1024 entries: not a swiotlb dump')
        # SW_MAX_POOLS
        pools = ''.join(f'swiotlb/pool{i}/io_tlb_nslabs:1\n' for i in range(63))
        accepted('swiotlb dump of 64 pools: read', text('pools-at.txt', head + pools),
                 lambda f: len(f['pools']) == 64)
        over = text('pools-over.txt', head + pools + 'swiotlb/pool63/io_tlb_nslabs:1\n')
        check_error('swiotlb dump of 65 pools: exit 2', [tool, 'swiotlb', over], 2,
                    f'cca-dma-audit: {over}: more than 64 pools')
        # SW_MAX_VALUE: a value file is never cut short.
        for form in ('dir', 'grep'):
            for n, ok in [(64, True), (65, False)]:
                if form == 'dir':  # a file of n bytes
                    path = os.path.join(tmp, f'value-{n}')
                    write_dump(path, {'io_tlb_nslabs': '1' + ' ' * (n - 2) + '\n'})
                else:  # n bytes after the colon
                    path = text(f'value-{n}.txt', 'swiotlb/io_tlb_nslabs:1' + ' ' * (n - 1) + '\n')
                name = f'{n}-byte value ({form}): '
                if ok:
                    accepted(name + 'read', path, lambda f: f['pools'][0]['nslabs'] == 1)
                else:
                    check_error(name + 'exit 2', [tool, 'swiotlb', path], 2,
                                'io_tlb_nslabs: longer than 64 bytes: not a slot count')
        # SW_MAX_DEPTH: a pool 8 directory levels down is read, 9 is refused.
        for levels, ok in [(8, True), (9, False)]:
            rel = '/'.join(f'l{i}' for i in range(1, levels + 1))
            top = os.path.join(tmp, f'depth-{levels}')
            write_dump(top, {rel + '/io_tlb_nslabs': '1\n'})
            if ok:
                accepted('swiotlb copy with a pool 8 levels down: read', top,
                         lambda f: f['pools'][0]['dir'] == rel)
            else:
                check_error('swiotlb copy 9 levels deep: exit 2', [tool, 'swiotlb', top], 2,
                            f'cca-dma-audit: {top}/{rel}: directories nested more than 8 levels deep')
        # SW_TAR_NAME_MAX: a GNU long-name or pax path of 4096 bytes is read, 4097 refused.
        for fmt, fname in [(tarfile.GNU_FORMAT, 'GNU'), (tarfile.PAX_FORMAT, 'pax')]:
            for n, ok in [(4096, True), (4097, False)]:
                pool = 'p' * (n - len('swiotlb//io_tlb_nslabs'))
                path = os.path.join(tmp, f'name-{fname}-{n}.tar')
                with tarfile.open(path, 'w', format=fmt) as tar:
                    info = tarfile.TarInfo(f'swiotlb/{pool}/io_tlb_nslabs')
                    info.size = 2
                    tar.addfile(info, io.BytesIO(b'1\n'))
                if ok:
                    accepted(f'{fname} tar member name of 4096 bytes: read', path,
                             lambda f: f['pools'][0]['name'] == pool)
                else:
                    check_error(f'{fname} tar member name of 4097 bytes: exit 2', [tool, 'swiotlb', path],
                                2, f'cca-dma-audit: {path}: tar entry name longer than 4096 bytes at byte 0')
        # The layout cp --parents makes: PREFIX/sys/kernel/debug/swiotlb/POOL (5 levels).
        top = os.path.join(tmp, 'parents')
        write_dump(top, {'sys/kernel/debug/swiotlb/io_tlb_nslabs': '32768\n',
                         'sys/kernel/debug/swiotlb/restricted@9f000000/io_tlb_nslabs': '512\n'})
        accepted('swiotlb copy made with cp --parents: both pools read', top,
                 lambda f: sorted(p['name'] for p in f['pools']) == ['restricted@9f000000', 'swiotlb'])


def zstd_rle_bomb(head, total):
    """A zstd frame of head, then RLE blocks of 'a' up to total bytes: 4 bytes each per 128 KiB."""
    block = 128 << 10
    out = bytearray(b'\x28\xb5\x2f\xfd\x00\x38')  # no content size; a 128 KiB window
    nblocks = (total - len(head)) // block
    out += ((len(head) << 3) | (nblocks == 0)).to_bytes(3, 'little') + head  # a raw block
    for i in range(nblocks):
        out += ((block << 3) | 2 | (i == nblocks - 1)).to_bytes(3, 'little') + b'a'  # RLE
    return bytes(out)


def decompression_cap(tool, rt, files):
    """--max-decompressed: a stream or a tar.gz dump of exactly the limit is read, one byte more
    is refused with the cause; a bomb stops in bounded time; input that gives no output is no spin."""
    log = os.path.join(rt, 'dmesg', 'realm-ok.log')
    plain = open(log, 'rb').read()
    n = len(plain)
    for fmt, name in [('gz', 'gzip'), ('xz', 'xz'), ('zst', 'zstd')]:
        if f'dmesg_{fmt}' not in files:
            continue
        path = files[f'dmesg_{fmt}']
        fa, p = facts([tool, 'audit', '--dmesg', path, '--max-decompressed', str(n)])
        tap.ok(f'{name} boot log of {n} bytes at --max-decompressed {n}: read', fa is not None,
               f'{p.returncode} {p.stderr!r}')
        check_error(f'{name} boot log at --max-decompressed {n - 1}: refused, naming file, format and limit',
                    [tool, 'audit', '--dmesg', path, '--max-decompressed', str(n - 1)], 2,
                    f'cca-dma-audit: {path}: {name} stream decompresses to more than {size_text(n - 1)} {LIMIT_WHY}')
    targz = files['targz_realm']
    tlen = len(gzip.decompress(open(targz, 'rb').read()))
    fa, p = facts([tool, 'swiotlb', targz, '--max-decompressed', str(tlen)])
    tap.ok(f'tar.gz dump of {tlen} bytes at --max-decompressed {tlen}: read', fa is not None,
           f'{p.returncode} {p.stderr!r}')
    check_error(f'tar.gz dump at --max-decompressed {tlen - 1}: over the limit, not corrupt',
                [tool, 'swiotlb', targz, '--max-decompressed', str(tlen - 1)], 2,
                f'cca-dma-audit: {targz}: gzip data decompresses to more than {size_text(tlen - 1)} {LIMIT_WHY}')
    with tempfile.TemporaryDirectory() as tmp:
        def write(name, data):
            path = os.path.join(tmp, name)
            open(path, 'wb').write(data)
            return path

        # 16 GiB (the old cap) from 512 KiB: stops at the default 1 GiB, in seconds.
        bomb = write('bomb.log.zst', zstd_rle_bomb(plain[:plain.index(b'\n') + 1], 16 << 30))
        check_error('zstd boot-log bomb: refused at the default 1 GiB, in bounded time',
                    [tool, 'audit', '--dmesg', bomb], 2,
                    f'cca-dma-audit: {bomb}: zstd stream decompresses to more than 1 GiB {LIMIT_WHY}',
                    timeout=60)
        check_error('zstd trace bomb: refused at --max-decompressed 4M',
                    [tool, 'trace', bomb, '--max-decompressed', '4M'], 2,
                    f'cca-dma-audit: {bomb}: zstd stream decompresses to more than 4 MiB {LIMIT_WHY}',
                    timeout=60)
        # Input that decodes to nothing (empty gzip members, xz streams, zstd skippable
        # frames) is read through, in time linear in its size, before the log itself.
        want, p = facts([tool, 'audit', '--dmesg', log])
        skippable = b'\x50\x2a\x4d\x18' + (0).to_bytes(4, 'little')
        for name, data in [('gzip', gzip.compress(b'', mtime=0) * 50000 + gzip.compress(plain, mtime=0)),
                           ('xz', lzma.compress(b'') * 30000 + lzma.compress(plain)),
                           ('zstd', skippable * 100000 + zstd_rle_bomb(plain, len(plain)))]:
            path = write(f'empty-first.{name}', data)
            fa, p = facts([tool, 'audit', '--dmesg', path, '--max-decompressed', str(n)])
            tap.ok(f'{name}: {len(data) >> 10} KiB decoding to nothing, then the log: read as the log',
                   fa is not None and fa['dmesg'] == want['dmesg'], f'{p.returncode} {p.stderr!r}')
        path = write('only-empty.gz', gzip.compress(b'', mtime=0) * 50000)
        check_error('gzip of 50,000 empty members: empty', [tool, 'audit', '--dmesg', path], 2,
                    f'cca-dma-audit: {path}: empty')


def dmesg_limits(tool):
    """64 restricted pools and 64 ITS tables are kept from a boot log; more are counted."""
    with tempfile.TemporaryDirectory() as tmp:
        for n in (64, 65):
            lines = [f'[    0.000000] software IO TLB: Reserved memory: created restricted DMA pool '
                     f'at 0x{0x90000000 + i * 0x1000000:016x}, size 16 MiB' for i in range(n)]
            lines += [f'[    0.000000] ITS@0x0000000008080000: allocated 512 Devices @{0x100a0000 + i * 0x10000:x} '
                      f'(flat, esz 8, psz 64K, shr 1)' for i in range(n)]
            path = os.path.join(tmp, f'pools-{n}.log')
            open(path, 'w').write('\n'.join(lines) + '\n')
            fa, p = facts([tool, 'audit', '--dmesg', path])
            d = fa and fa['dmesg']
            tap.ok(f'boot log of {n} restricted pools and ITS tables: 64 kept, {n} counted',
                   p.returncode == 0 and len(d['restricted_pools']) == 64 and len(d['its_tables']) == 64
                   and d['restricted_pools_seen'] == n and d['its_tables_seen'] == n,
                   d and {k: d[k] for k in ('restricted_pools_seen', 'its_tables_seen')})


def trace_line(n, event, dev, body):
    return f' k-1 [001] ..... {n}.0: {event}: {dev} {body}\n'


def trace_map(n, dev, addr=0x8000bfa01000, attrs=''):
    return trace_line(n, 'dma_map_phys', dev,
                      f'dir=TO_DEVICE dma_addr={addr:x} size=64 phys_addr=10a3c2000 attrs={attrs}')


def trace_limits(tool):
    """The trace's tables (MAX_DEVICES 1024, MAX_GROUPS 4096, MAX_ERRORS 256,
    MAX_DEVNAME 128) and CDA_LINE_MAX (64 KiB): at each limit every event is
    checked; past it the events that do not fit are counted as unchecked
    (TRACE006 says how many and where), never dropped or fatal, and a line over
    64 KiB is malformed."""
    none = {'count': 0, 'lines': []}
    with tempfile.TemporaryDirectory() as tmp:
        def write(name, lines):
            path = os.path.join(tmp, name)
            open(path, 'w').write(''.join(lines))
            return path

        def check(name, path, test):
            fa, p = facts([tool, 'trace', path, '--ipa-bits', '48'])
            t = fa and fa['trace']
            tap.ok(name, t is not None and t['malformed'] == none and test(t),
                   f'{p.returncode} {p.stderr[:300]!r} {t and (t["unchecked"], len(t["groups"]))}')

        # MAX_DEVICES: one mapping (two groups) per device; the 1025th device's is unchecked,
        # a known device's after it is still checked.
        at = [trace_map(i + 1, f'dev{i}') for i in range(1024)]
        check('trace of 1024 devices: every event checked', write('dev-at.trace', at),
              lambda t: t['unchecked'] == none and len({g['device'] for g in t['groups']}) == 1024)
        over = write('dev-over.trace', at + [trace_map(1025, 'dev1024'), trace_map(1026, 'dev0')])
        check('trace of 1025 devices: the 1025th device\'s event unchecked, line 1025', over,
              lambda t: t['unchecked'] == {'count': 1, 'lines': [1025]} and
              len(t['groups']) == 2048 and t['groups'][0]['runs'][0]['count'] == 2)
        p = run([tool, 'trace', over, '--ipa-bits', '48'])
        out = p.stdout.decode()
        tap.ok('trace of 1025 devices: TRACE006 says 1 event not checked, at line 1025',
               p.returncode == 0 and 'note [TRACE006 trace-unreadable-lines]: line 1025: ' in out and
               '1 event(s) not checked' in out, f'{p.returncode} {out[:300]!r}')
        first = run([tool, 'trace', over, '--ipa-bits', '48', '--facts'])
        again = run([tool, 'trace', over, '--ipa-bits', '48', '--facts'])
        tap.ok('trace of 1025 devices: the facts do not depend on the hash seed',
               first.stdout == again.stdout and first.returncode == 0)
        # MAX_DEVNAME: a name of 128 bytes is a device; a longer one's events are unchecked.
        check('device name of 128 bytes: checked', write('name-at.trace', [trace_map(1, 'd' * 128)]),
              lambda t: t['unchecked'] == none and t['groups'][0]['device'] == 'd' * 128)
        check('device name of 129 bytes: unchecked', write('name-over.trace', [trace_map(1, 'd' * 129)]),
              lambda t: t['unchecked'] == {'count': 1, 'lines': [1]} and not t['groups'])
        # MAX_GROUPS: 1024 devices x (dma_map_phys dma_addr and phys_addr, swiotlb_bounced
        # dev_addr, dma_alloc dma_addr).
        alloc = 'dir=BIDIRECTIONAL dma_addr=1000 size=4096 virt_addr=0 flags=GFP_KERNEL attrs='
        at = [line for d in range(1024) for line in (
                  trace_map(3 * d + 1, f'g{d}'),
                  trace_line(3 * d + 2, 'swiotlb_bounced', f'dev_name: g{d}',
                             'dma_mask=ffffffffffffffff dev_addr=1 size=1 FORCE'),
                  trace_line(3 * d + 3, 'dma_alloc', f'g{d}', alloc))]
        check('trace of 4096 address groups: every event checked', write('groups-at.trace', at),
              lambda t: t['unchecked'] == none and len(t['groups']) == 4096)
        extra = trace_line(3073, 'dma_alloc_pages', 'g0', alloc)
        check('trace of 4097 address groups: the 4097th unchecked, line 3073',
              write('groups-over.trace', at + [extra]),
              lambda t: t['unchecked'] == {'count': 1, 'lines': [3073]} and len(t['groups']) == 4096)
        # MAX_ERRORS: failed mappings (DMA_MAPPING_ERROR) of 256 devices, then one more.
        at = [trace_map(i + 1, f'e{i}', addr=(1 << 64) - 1) for i in range(256)]
        check('trace of 256 distinct mapping errors: every one kept', write('errors-at.trace', at),
              lambda t: t['unchecked'] == none and len(t['errors']) == 256)
        check('trace of 257 distinct mapping errors: the 257th unchecked',
              write('errors-over.trace', at + [trace_map(257, 'e256', addr=(1 << 64) - 1)]),
              lambda t: t['unchecked'] == {'count': 1, 'lines': [257]} and len(t['errors']) == 256)

        # CDA_LINE_MAX: a line of exactly 64 KiB is read whole, from a file and from a pipe
        # that delivers it without its newline first; one byte more and it is malformed.
        good = trace_map(1, 'dev0').encode()
        def long_line(n):
            line = trace_map(2, 'dev0', attrs='').encode().rstrip(b'\n')
            return line + b'X' * (n - len(line))  # an attrs flag of no meaning

        for n, ok in [(65536, True), (65537, False)]:
            path = os.path.join(tmp, f'line-{n}.trace')
            open(path, 'wb').write(good + long_line(n) + b'\n' + good)
            fa, p = facts([tool, 'trace', path])
            t = fa and fa['trace']
            want = (3, none) if ok else (2, {'count': 1, 'lines': [2]})
            tap.ok(f'trace line of {n} bytes: {"read" if ok else "malformed"}',
                   t is not None and (t['events'], t['malformed']) == want, f'{p.returncode} {t}')
        path = os.path.join(tmp, 'line-at-end.trace')
        open(path, 'wb').write(good + long_line(65536))
        fa, p = facts([tool, 'trace', path])
        tap.ok('trace ending in a line of 65536 bytes without a newline: read',
               fa is not None and (fa['trace']['events'], fa['trace']['malformed']) == (2, none),
               f'{p.returncode} {fa and fa["trace"]["malformed"]}')
        proc = subprocess.Popen([tool, 'trace', '-', '--facts'], stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        proc.stdin.write(good + long_line(65536))
        proc.stdin.flush()
        time.sleep(0.3)  # the reader has the 64 KiB, not the newline
        out, err = proc.communicate(b'\n' + good, timeout=120)
        t = proc.returncode == 0 and json.loads(out)['facts']['trace']
        tap.ok('trace line of 65536 bytes through a pipe, newline late: read',
               t and t['events'] == 3 and t['malformed'] == none, f'{proc.returncode} {err!r} {t}')


def trace_hostile(tool):
    """What a hostile trace's author controls: the device names (only printable
    ASCII reaches the report, anything else is a malformed line), the numbers
    (an extent past 2^64 ends at the top) and the attrs flags."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'names.trace')
        bad = [b'\x1b[31mred\x1b[0m', b'\xff\xfe', b'a\x00b', b'tab\tname', b'caf\xc3\xa9', b'\x7f']
        open(path, 'wb').write(trace_map(1, 'dev0').encode() * 7 + b''.join(
            trace_map(i + 8, 'NAME').encode().replace(b'NAME', d) for i, d in enumerate(bad)))
        fa, p = facts([tool, 'trace', path])
        t = fa and fa['trace']
        tap.ok('device names with control characters, invalid UTF-8, NUL: malformed lines',
               t is not None and t['malformed'] == {'count': 6, 'lines': [8, 9, 10, 11, 12]} and
               {g['device'] for g in t['groups']} == {'dev0'}, f'{p.returncode} {p.stderr!r} {t}')
        for fmt in ('text', 'json'):
            p = run([tool, 'trace', path, '--format', fmt])
            tap.ok(f'device names with control characters: none in the {fmt} report',
                   p.returncode in (0, 1) and b'\x1b' not in p.stdout and b'\xff' not in p.stdout
                   and b'[31m' not in p.stdout, f'{p.returncode} {p.stdout[:300]!r}')

        path = os.path.join(tmp, 'numbers.trace')
        open(path, 'w').write(''.join([
            trace_line(1, 'swiotlb_bounced', 'dev_name: d0',
                       'dma_mask=ffffffffffffffff dev_addr=ffffffffffffff00 size=4096 FORCE'),
            trace_line(2, 'swiotlb_bounced', 'dev_name: d0',
                       'dma_mask=ffffffffffffffff dev_addr=1ffffffffffffffff size=1 FORCE'),
            trace_line(3, 'swiotlb_bounced', 'dev_name: d0',
                       f'dma_mask=ffffffffffffffff dev_addr={"0" * 60000}1 size=1 FORCE'),
            trace_line(4, 'swiotlb_bounced', 'dev_name: d0',
                       f'dma_mask=ffffffffffffffff dev_addr=1 size={"9" * 30} FORCE')]))
        fa, p = facts([tool, 'trace', path])
        t = fa and fa['trace']
        g = t and {r['first_address']: r for x in t['groups'] for r in x['runs']}
        tap.ok('trace numbers: an extent past 2^64 ends at the top; over 64 bits is malformed',
               t is not None and g['0xffffffffffffff00']['end'] == '0xffffffffffffffff' and
               g['0x1']['count'] == 1 and t['malformed'] == {'count': 2, 'lines': [2, 4]},
               f'{p.returncode} {p.stderr!r} {t}')

        # attrs=MMIO is a whole flag among '|'-separated ones; thousands of empty flags are read.
        path = os.path.join(tmp, 'attrs.trace')
        attrs = ['MMIO', 'SKIP_CPU_SYNC|MMIO', 'MMIO|WEAK_ORDERING', 'MMIOX', 'XMMIO|MMMIO',
                 '|' * 60000, '|' * 30000 + 'MMIO']
        open(path, 'w').write(''.join(trace_map(i + 1, 'd0', attrs=a) for i, a in enumerate(attrs)))
        fa, p = facts([tool, 'trace', path])
        t = fa and fa['trace']
        tap.ok('attrs=MMIO found among other flags, not inside one',
               t is not None and t['mmio_mappings'] == 4 and t['malformed']['count'] == 0,
               f'{p.returncode} {p.stderr!r} {t and t["mmio_mappings"]}')


def trace_unreadable(tool):
    """A trace most of whose lines cannot be read is an input error (exit 2,
    one line: the file, how many lines, the first and what was expected), not
    a TRACE006 note: here the tracefs 'raw' option's lines, which carry no
    event name (kernel/trace/trace.c print_raw_fmt(): "PID CPU TS type: N")."""
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, 'raw.trace')
        open(path, 'w').write('# tracer: nop\n#\n' + ''.join(
            f'180 0 {9851983000 + i} type: 1306\n' for i in range(6)) + trace_map(1, 'dev0'))
        check_error('trace of mostly unreadable lines: exit 2, one line', [tool, 'trace', path], 2,
                    f"cca-dma-audit: {path}: 6 of its 7 lines could not be read (the first, line 3, "
                    f"'180 0 9851983000 type: 1306': no event header")
        check_error('trace of mostly unreadable lines, with audit: exit 2', [tool, 'audit', '--trace', path],
                    2, 'expected ftrace event lines as the trace and trace_pipe files or trace-cmd report')


def trace_dat(tool):
    """A trace-cmd trace.dat is read through libtracecmd, known by its magic:
    the same facts as trace-cmd report's text of it, and a cut one is one clear
    line (exit 2), never a crash or libtracecmd's own output. No trace.dat may
    be committed and this machine cannot trace, so the checks need one from a
    real guest: CDA_TRACE_DAT names it (CI records one); without it they are
    skipped."""
    dat = os.environ.get('CDA_TRACE_DAT')
    if not dat or not os.path.isfile(dat):
        tap.ok('trace.dat checks # SKIP CDA_TRACE_DAT does not name a trace.dat', True)
        return
    fa, p = facts([tool, 'trace', dat])
    t = fa and fa['trace']
    tap.ok('trace.dat: read through libtracecmd', t is not None and t['format'] == 'trace.dat' and
           t['events'] > 0 and t['malformed']['count'] == 0 and not p.stderr,
           f'{p.returncode} {p.stderr[:300]!r}')
    with open(dat, 'rb') as f:
        fb, p = facts([tool, 'trace', '-'], f)
    tap.ok('trace.dat on standard input from the file: the same facts',
           fb is not None and fb['trace'] == t, f'{p.returncode} {p.stderr[:300]!r}')
    with open(dat, 'rb') as f:
        data = f.read()
    p = subprocess.run([tool, 'trace', '-'], input=data, capture_output=True, timeout=120)
    tap.ok('trace.dat through a pipe: exit 2, one line saying to give the file',
           p.returncode == 2 and p.stderr.decode().count('\n') == 1 and
           b'a trace-cmd trace.dat (give it as a file' in p.stderr, f'{p.returncode} {p.stderr!r}')
    report = shutil.which('trace-cmd')
    if report:
        text = subprocess.run([report, 'report', dat], capture_output=True, timeout=300).stdout
        raw = subprocess.run([report, 'report', '-R', dat], capture_output=True, timeout=300).stdout
        for name, out in (('report', text), ('report -R', raw)):
            with tempfile.NamedTemporaryFile(suffix='.txt') as f:
                f.write(out)
                f.flush()
                fr, p = facts([tool, 'trace', f.name])
            # line numbers differ (report prints a header): drop them, in groups and runs
            def strip(tr):
                return [{k: ([{rk: rv for rk, rv in r.items() if rk != 'lines'} for r in v]
                             if k == 'runs' else v)
                         for k, v in g.items() if k != 'lines'} for g in tr['groups']]
            tap.ok(f'trace.dat and trace-cmd {name} of it: the same groups and counts',
                   fr is not None and strip(fr['trace']) == strip(t) and
                   fr['trace']['event_counts'] == t['event_counts'], f'{p.returncode} {p.stderr[:300]!r}')
    with tempfile.TemporaryDirectory() as tmp:
        for n in (10, 4096, len(data) // 3, len(data) // 2):
            cut = os.path.join(tmp, f'cut-{n}.dat')
            open(cut, 'wb').write(data[:n])
            check_error(f'trace.dat cut at {n} bytes: exit 2, one line', [tool, 'trace', cut], 2,
                        f'cca-dma-audit: {cut}: a trace-cmd trace.dat that libtracecmd could not read')


if __name__ == '__main__':
    main()
