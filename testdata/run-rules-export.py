#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`rules --format json` is lossless: the export holds every key of every
rule and probe as loaded and the set-wide names, and --rules reads it back to
the same rule set. Prints TAP.

usage: run-rules-export.py TOOL SRCDIR WORKDIR DTB...
SRCDIR is the source tree (rules/*.json, testdata/runtime/*.case); WORKDIR
holds scratch files. Each failing or indeterminate DTB case, and each failing
runtime case that needs no generated file, is audited with the built-in rules
and with the re-imported export: the reports must be byte-identical.
"""
import glob
import json
import os
import re
import shlex
import subprocess
import sys
import tempfile

from tap import Tap

TOOL, SRC, WORK = sys.argv[1:4]
DTBS = sys.argv[4:]
tap = Tap()
check = tap.ok


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=120)


def export(*extra):
    p = run('rules', '--format', 'json', *extra)
    check(f'export {" ".join(extra) or "(built-in)"}: exit 0', p.returncode == 0, p.stderr)
    return json.loads(p.stdout) if p.returncode == 0 else {'rules': [], 'probes': [], 'let': {}}


def without_origin(doc):
    """The export less "origin": where each rule was loaded from, by design the re-imported file."""
    doc = json.loads(json.dumps(doc))
    for obj in doc.get('rules', []) + doc.get('probes', []):
        obj.pop('origin', None)
    return doc


first = export()

# (0) lossless against the source: every rule and probe object of rules/*.json, key for key
source_rules, source_probes, source_lets = {}, {}, {}
for path in sorted(glob.glob(os.path.join(SRC, 'rules', '*.json'))):
    doc = json.load(open(path))
    source_lets.update(doc.get('let', {}))
    for r in doc.get('rules', []):
        source_rules[r['id']] = dict(r, enabled=r.get('enabled', True))
    for p in doc.get('probes', []):
        source_probes[p['name']] = p
exported = without_origin(first)
got_rules = {r['id']: r for r in exported['rules']}
lost = [f'{i}.{k}' for i, r in source_rules.items() for k in r if got_rules.get(i, {}).get(k) != r[k]]
check('every key of every built-in rule is exported as written', source_rules and not lost, lost[:10])
check('no rule is exported twice or invented', len(exported['rules']) == len(got_rules) == len(source_rules))
check('every probe is exported as written',
      {p['name']: p for p in exported['probes']} == source_probes and source_probes)
check('the set-wide names are exported', exported.get('let') == source_lets and source_lets,
      sorted(set(exported.get('let', {})) ^ set(source_lets)))
check('keys that were dropped before are there: property, evidence, params, subject',
      all(any(k in r for r in exported['rules']) for k in ('property', 'evidence', 'params', 'subject',
                                                           'let', 'for_each', 'where')))
check('every rule and probe says where it came from',
      all(o.get('origin', '').startswith('rules/') for o in first['rules'] + first['probes']))

with tempfile.TemporaryDirectory(dir=WORK) as tmp:
    as_file = os.path.join(tmp, 'export.json')
    with open(as_file, 'w') as f:
        json.dump(first, f, indent=2)
    as_dir = os.path.join(tmp, 'dir')
    os.mkdir(as_dir)
    with open(os.path.join(as_dir, 'all.json'), 'w') as f:
        json.dump(first, f)

    # (a) re-imported, as a file and as a directory, it exports the same
    for how, where in [('file', as_file), ('directory', as_dir)]:
        second = export('--rules', where)
        check(f're-imported as a {how}, the export is the same (but for origin)',
              without_origin(second) == exported)
        check(f're-imported as a {how}, origin names it',
              all(o['origin'].startswith(where) for o in second['rules'] + second['probes']))

    # one rule alone, with the set-wide names it uses, is a rule file too
    p = run('rules', 'GRAN001', '--format', 'json')
    one = os.path.join(tmp, 'one.json')
    open(one, 'wb').write(p.stdout)
    doc = json.loads(p.stdout)
    check('one rule: its set-wide names come with it', doc['let'] and set(doc['let']) <= set(source_lets))
    p = run('rules', '--rules', one, '--format', 'json')
    check('one rule re-imported: accepted, the same rule', p.returncode == 0 and
          without_origin(json.loads(p.stdout)) == exported, p.stderr)

    # an edited export: the re-import is what it says (a disabled rule, a new level)
    edited = json.loads(json.dumps(first))
    for r in edited['rules']:
        if r['id'] == 'GRAN001':
            r.update(severity='note', enabled=False)
    with open(os.path.join(tmp, 'edited.json'), 'w') as f:
        json.dump(edited, f)
    p = run('rules', '--rules', os.path.join(tmp, 'edited.json'))
    check('an edited export re-imports as edited', re.search(rb'^GRAN001 +note .*\[disabled\]', p.stdout, re.M),
          p.stdout[:400])

    # (b) the same findings, byte for byte, with the re-imported rules as with the built-in ones:
    # the cases with findings or undecided rules (a pass case shows less), JSON, the first few text too
    cases = [['dtb', d] for d in DTBS if re.search(r'-(fail|indet)', os.path.basename(d))]
    for case in sorted(glob.glob(os.path.join(SRC, 'testdata/runtime/*-fail*.case'))):
        line = next((l for l in open(case) if l.startswith('args:')), '')
        args = line[len('args:'):].strip()
        if args and not re.search(r'\{(?!srcdir\})', args):
            cases.append(shlex.split(args.replace('{srcdir}', os.path.join(SRC, 'testdata/runtime'))))
    differ = []
    for n, args in enumerate(cases):
        for fmt in ('json', 'text')[:2 if n < 8 else 1]:
            a = run(*args, '--format', fmt)
            b = run(*args, '--format', fmt, '--rules', as_file)
            if (a.returncode, a.stdout, a.stderr) != (b.returncode, b.stdout, b.stderr):
                differ.append(' '.join(os.path.basename(x) for x in args) + ' ' + fmt)
    check(f'{len(cases)} golden cases: the same report with the re-imported rules', len(cases) > 20 and
          not differ, differ[:5])
tap.finish()
