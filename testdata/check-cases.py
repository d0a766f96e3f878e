#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every golden case in the tree is run by some test.

usage: check-cases.py SRCDIR BUILDDIR

The golden cases are listed by hand in testdata/meson.build; a case added to
the tree but not to that list would never run, and its expected output would
rot unseen. This test reads the tests meson registered (BUILDDIR/meson-info/
intro-tests.json) and checks that each case in SRCDIR/testdata (a .dts or
.case beside its golden .json) appears in one of their command lines. TAP.
"""
import json
import os
import sys


def main():
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
        print(f'# not run by any test: {os.path.relpath(m, src)}')
    return 1 if missing or not cases else 0


sys.exit(main())
