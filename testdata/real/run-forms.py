#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The forms users copy by hand agree with the collector's capture.

usage: run-forms.py TOOL REALDIR

For each captured variant in REALDIR (testdata/real), what a user gets from
the hand-made copies must be what the collector's snapshot gives:
  - swiotlb-grep.txt and swiotlb-head.txt: the same pools as snapshot/debugfs
    (the directory copy), the head form read as a form of its own;
  - trace-nocontext.txt and trace-latency.txt (the same ring buffer printed
    with other trace options) and trace-report.txt / trace-report-raw.txt
    (trace-cmd report and report -R of a trace.dat recorded in the same
    guest): no malformed line, and, for the ring-buffer copies, the same event
    counts and address groups as snapshot/trace.txt.
These are real kernels' outputs (see README.md), so a form the reader does
not understand fails here, not in a user's CI. TAP output.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..'))
import tap  # noqa: E402


def facts(tool, args):
    p = subprocess.run([tool] + args + ['--facts'], capture_output=True, text=True, timeout=120)
    if p.returncode:
        return None, p.stderr.strip()
    return json.loads(p.stdout)['facts'], ''


def pools(doc):
    """The pools of swiotlb facts, without where they were read from."""
    return sorted((p['name'], p.get('nslabs'), p.get('used'), p.get('used_hiwater'))
                  for p in doc['swiotlb']['pools'])


def groups(doc):
    t = doc['trace']
    return (t['event_counts'],
            sorted((g['event'], g['device'], g['field'], r['count'], r['min'], r['end'])
                   for g in t['groups'] for r in g['runs']))


def main():
    tool, real = sys.argv[1], sys.argv[2]
    t = tap.Tap()
    for v in sorted(os.listdir(real)):
        vdir = os.path.join(real, v)
        snap = os.path.join(vdir, 'snapshot')
        if not os.path.isdir(snap):
            continue
        debugfs = os.path.join(snap, 'debugfs')
        if os.path.isdir(debugfs):
            ref, err = facts(tool, ['swiotlb', debugfs])
            t.ok(f'{v}: snapshot/debugfs reads', ref, err)
            for form in ('swiotlb-grep.txt', 'swiotlb-head.txt'):
                path = os.path.join(vdir, form)
                if not os.path.exists(path) or not ref:
                    continue
                if os.path.getsize(path) == 0:
                    # an empty swiotlb/ (6.1, no pool): grep and head print
                    # nothing, which a wrong path does too: an input error
                    t.error_line(f'{v}: empty {form} is an input error', [tool, 'swiotlb', path],
                                 2, 'empty')
                    continue
                got, err = facts(tool, ['swiotlb', path])
                # grep and head copy the default pool's directory only
                want = [p for p in pools(ref) if p[0] == 'swiotlb']
                t.ok(f'{v}: {form} gives the pools of the directory copy',
                     got and [p for p in pools(got) if p[0] == 'swiotlb'] == want,
                     err or f'{pools(got)} != {want}')
        trace = os.path.join(snap, 'trace.txt')
        if not os.path.exists(trace):
            continue
        ref, err = facts(tool, ['trace', trace])
        t.ok(f'{v}: snapshot/trace.txt reads, nothing malformed',
             ref and ref['trace']['malformed']['count'] == 0, err or ref['trace']['malformed'])
        for form, same in (('trace-nocontext.txt', True), ('trace-latency.txt', True),
                           ('trace-report.txt', False), ('trace-report-raw.txt', False)):
            path = os.path.join(vdir, form)
            if not os.path.exists(path) or not ref:
                continue
            got, err = facts(tool, ['trace', path])
            ok = got and got['trace']['malformed']['count'] == 0
            detail = err or (got and got['trace']['malformed'])
            if ok and same:
                ok = groups(got) == groups(ref)
                detail = 'event counts or address groups differ from snapshot/trace.txt'
            t.ok(f'{v}: {form} reads' + (', as trace.txt' if same else ''), ok, detail)
    return t.finish()


sys.exit(main())
