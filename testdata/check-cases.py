#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every golden case in the tree is run by some test.

usage: check-cases.py SRCDIR BUILDDIR
       check-cases.py --list DIR [--kernel|--no-kernel]

A golden case is a NAME.dts or NAME.case beside its expected NAME.json.
testdata/meson.build registers the cases of a directory with --list, which
prints their names, in name order; --kernel keeps only the cases whose
command names a stub kernel ({kernel_...}, built only with the cross
compiler), --no-kernel the others. The stub-kernel cases of testdata/kernel
are listed by hand there, each with its kernel variant.

Meson lists cases when it configures, so a case added since would never run
and its expected output would rot unseen. This test reads the tests meson
registered (BUILDDIR/meson-info/intro-tests.json) and checks that each case
in SRCDIR/testdata appears in one of their command lines. TAP.
"""
import json
import os
import sys


def needs_kernel(path):
    with open(path) as f:
        return '{kernel_' in f.read()


def list_cases(folder, which):
    """The golden cases in folder; which: None, '--kernel' or '--no-kernel'."""
    files = set(os.listdir(folder))
    for f in sorted(files):
        base, ext = os.path.splitext(f)
        if ext not in ('.case', '.dts') or base + '.json' not in files:
            continue
        if which and needs_kernel(os.path.join(folder, f)) != (which == '--kernel'):
            continue
        print(base)
    return 0


def main():
    if sys.argv[1] == '--list':
        return list_cases(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else None)
    src, build = sys.argv[1], sys.argv[2]
    tests = json.load(open(os.path.join(build, 'meson-info', 'intro-tests.json')))
    used = {os.path.realpath(a) for t in tests for a in t['cmd'] if isinstance(a, str) and
            (a.endswith('.case') or a.endswith('.dts'))}
    cases = []
    for root, _, files in os.walk(os.path.join(src, 'testdata')):
        for f in sorted(files):
            base, ext = os.path.splitext(f)
            if ext in ('.case', '.dts') and base + '.json' in files:
                cases.append(os.path.realpath(os.path.join(root, f)))
    missing = [c for c in sorted(cases) if c not in used]
    print('1..2')
    print(f'{"ok" if cases else "not ok"} 1 - golden cases found in the tree ({len(cases)})')
    print(f'{"not ok" if missing else "ok"} 2 - every golden case is registered in a test')
    for m in missing:
        print(f'# not run by any test: {os.path.relpath(m, src)} '
              '(added since meson configured? run meson setup --reconfigure)')
    return 1 if missing or not cases else 0


sys.exit(main())
