#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TAP test: damaged runtime inputs never crash. Unreadable swiotlb dumps and
missing files get one clear line and exit 2; damaged boot-log and trace lines
are counted, not fatal; bad combinations of inputs are usage errors (exit 3).

usage: run-runtime-errors.py TOOL RUNTIME_DIR [--file NAME=PATH]...
"""
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
    # An empty trace is zero events, not an error.
    fa, p = facts([tool, 'trace', os.devnull])
    tap.ok('empty trace: zero events', fa is not None and fa['trace']['events'] == 0,
           f'{p.returncode} {p.stderr!r}')
    # Binary garbage as a boot log: read, nothing found, no crash.
    fa, p = facts([tool, 'audit', '--dmesg', files['tar_realm']])
    tap.ok('binary boot log: no facts, no crash', fa is not None and fa['dmesg']['realm'] is False,
           f'{p.returncode} {p.stderr!r}')

    sys.exit(tap.finish())


if __name__ == '__main__':
    main()
