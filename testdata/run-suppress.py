#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--suppressions and --baseline. TAP.

usage: run-suppress.py TOOL DTB DMESG_LOG SCHEMA WORKDIR

DTB has a GRAN001 finding, DMESG_LOG log findings. Checks: a suppression by
rule and subject glob and one by fingerprint move findings to "suppressed"
(with the entry) and out of the exit status; a file without a reason, with a
bad date or not JSON is exit 3 with one line naming the file and the entry;
an expired entry suppresses nothing and gets a note, as does a stale one and
one matching a rule that is not suppressible; a baseline made from a run
makes the next run exit 0, a finding not in it makes it 1, and findings gone
since are counted as fixed; text, JSON (against SCHEMA), JUnit and SARIF
(Microsoft's SARIF Multitool when installed, see run-sarif.py) agree.
"""
import json
import os
import shutil
import subprocess
import sys

from tap import Tap, sarif_multitool

TODAY = {**os.environ, 'CDA_TODAY': '2026-06-01'}


def run(tool, args, env=TODAY):
    return subprocess.run([tool] + args, capture_output=True, text=True, env=env, timeout=120)


def report(tool, args):
    p = run(tool, args + ['--format', 'json'])
    return p.returncode, json.loads(p.stdout)


def write(workdir, name, doc):
    path = os.path.join(workdir, name)
    with open(path, 'w') as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def schema_ok(t, schema, doc, name):
    try:
        import jsonschema
    except ImportError:
        t.ok(f'{name}: report schema # SKIP no python3-jsonschema', True)
        return
    errs = [e.message for e in jsonschema.Draft7Validator(json.load(open(schema))).iter_errors(doc)]
    t.ok(f'{name}: the report schema holds', not errs, '\n'.join(errs[:3]))


def check_sarif(t, tool, dtargs, sup, base, workdir):
    p = run(tool, dtargs + ['--suppressions', sup, '--baseline', base, '--format', 'sarif'])
    log = json.loads(p.stdout)
    results = log['runs'][0]['results']
    supd = [r for r in results if r.get('suppressions')]
    t.ok('sarif: a suppressed result has suppressions[] external/accepted with the reason',
         len(supd) == 1 and supd[0]['suppressions'][0]['kind'] == 'external'
         and supd[0]['suppressions'][0]['status'] == 'accepted'
         and supd[0]['suppressions'][0]['justification'] == 'firmware fixed in 2.0', str(supd))
    states = {r.get('baselineState') for r in results if r['kind'] == 'fail' and not r.get('suppressions')}
    t.ok('sarif: findings have a baselineState', states <= {'new', 'unchanged'} and states, str(states))
    path = write(workdir, 'suppress.sarif', p.stdout)
    mt = sarif_multitool()
    if not mt:
        t.ok('sarif Multitool validation # SKIP no SARIF Multitool (.ci/setup installs it)',
             not os.environ.get('CI'))
        return
    out = os.path.join(workdir, 'suppress-mt.sarif')
    if os.path.exists(out):
        os.remove(out)
    m = subprocess.run([mt, 'validate', '--rule-kind', 'Gh;Sarif', '-o', out, path],
                       capture_output=True, text=True, timeout=600)
    bad = [r for r in json.load(open(out))['runs'][0].get('results', [])
           if r.get('level', 'warning') in ('error', 'warning')] if os.path.exists(out) else [m.stdout]
    t.ok('sarif with suppressions and a baseline: Multitool no errors, no warnings', not bad,
         str(bad)[:400])


def main():
    tool, dtb, log, schema, workdir = sys.argv[1:6]
    os.makedirs(workdir, exist_ok=True)
    t = Tap()
    dtargs = ['audit', '--dtb', dtb, '--dmesg', log]
    code, plain = report(tool, dtargs)
    fps = {f['rule_id']: f['fingerprint'] for f in plain['findings']}
    t.ok('no option: no suppressed, baseline or baselined key',
         'suppressed' not in plain and 'suppressions' not in plain['summary']
         and all('baselined' not in f for f in plain['findings']) and code == 1)

    log_ids = sorted(r for r in fps if r.startswith('LOG'))
    sup = write(workdir, 'sup.json', {'suppressions': [
        {'rule': 'GRAN001', 'subject': '/reserved-memory/*', 'reason': 'firmware fixed in 2.0',
         'expires': '2026-12-31'}] + [
        {'fingerprint': fps[r], 'reason': 'known log noise'} for r in log_ids]})
    code, doc = report(tool, dtargs + ['--suppressions', sup])
    schema_ok(t, schema, doc, 'suppressed')
    t.ok('rule+glob and fingerprint entries suppress every finding: exit 0',
         code == 0 and not doc['findings'] and len(doc['suppressed']) == len(fps)
         and doc['summary']['suppressions']['suppressed'] == len(fps), f'exit {code}')
    g = next(s for s in doc['suppressed'] if s['rule_id'] == 'GRAN001')
    t.ok('a suppressed finding keeps its fingerprint and says the reason, expiry and entry',
         g['fingerprint'] == fps['GRAN001'] and g['suppression'] ==
         {'reason': 'firmware fixed in 2.0', 'expires': '2026-12-31', 'from': sup + ': entry 1'},
         str(g))
    p = run(tool, dtargs + ['--suppressions', sup])
    t.ok('text: one "suppressed" line each, and the count in the summary',
         p.stdout.count(': suppressed [') == len(fps) and f'{len(fps)} suppressed' in p.stdout,
         p.stdout[-600:])
    p = run(tool, dtargs + ['--suppressions', sup, '-q'])
    t.ok('-q: no suppressed lines', ': suppressed [' not in p.stdout and p.returncode == 0)
    p = run(tool, dtargs + ['--suppressions', sup, '--format', 'junit'])
    t.ok('junit: suppressed findings are no failures', 'failures="0"' in p.stdout, p.stdout[:300])

    for name, entry, needle in (
            ('missing reason', {'rule': 'GRAN001'}, 'entry 1: missing "reason"'),
            ('bad date', {'rule': 'GRAN001', 'reason': 'x', 'expires': '2026-13-01'}, 'entry 1: "expires"'),
            ('no rule nor fingerprint', {'reason': 'x'}, 'entry 1: give "rule"'),
            ('unknown key', {'rule': 'GRAN001', 'reason': 'x', 'until': 'x'}, 'entry 1: unknown key')):
        bad = write(workdir, 'bad.json', {'suppressions': [entry]})
        t.error_line(f'suppressions: {name}: exit 3, one line', [tool] + dtargs + ['--suppressions', bad],
                     3, f'{bad}: {needle}')
    bad = write(workdir, 'bad.json', '{"suppressions": [')
    t.error_line('suppressions: not JSON: exit 3', [tool] + dtargs + ['--suppressions', bad], 3, bad)
    t.error_line('suppressions: missing file: exit 3',
                 [tool] + dtargs + ['--suppressions', os.path.join(workdir, 'none.json')], 3, 'none.json')
    t.error_line('CDA_TODAY not a date: exit 3', ['env', 'CDA_TODAY=tomorrow', tool] + dtargs +
                 ['--suppressions', sup], 3, 'CDA_TODAY')

    notes = write(workdir, 'notes.json', {'suppressions': [
        {'rule': 'GRAN001', 'reason': 'was fine', 'expires': '2026-05-31'},
        {'rule': 'DEV001', 'subject': '/nowhere/*', 'reason': 'stale'}]})
    code, doc = report(tool, dtargs + ['--suppressions', notes])
    kinds = [(n['from'], n['kind']) for n in doc['summary']['suppressions']['notes']]
    t.ok('expired entry: not suppressed (exit 1) and a note', code == 1 and not doc['suppressed']
         and (notes + ': entry 1', 'expired') in kinds, str(kinds))
    t.ok('stale entry: a note', (notes + ': entry 2', 'stale') in kinds, str(kinds))
    p = run(tool, dtargs + ['--suppressions', notes], env={**os.environ, 'CDA_TODAY': '2026-05-31'})
    t.ok('an entry holds on its expiry date', p.returncode == 1 and ': suppressed [GRAN001' in p.stdout
         and 'cca-dma-audit: note: ' + notes + ': entry 2: matched no finding' in p.stdout, p.stdout[-500:])

    exported = json.loads(run(tool, ['rules', 'GRAN001', '--format', 'json']).stdout)
    exported['rules'][0]['suppressible'] = False
    rules = write(workdir, 'gran001-nosup.json', exported)
    code, doc = report(tool, dtargs + ['--rules', rules, '--suppressions', sup])
    kinds = [n['kind'] for n in doc['summary']['suppressions']['notes']]
    t.ok('not suppressible rule: the finding stays (exit 1) with a note',
         code == 1 and [f['rule_id'] for f in doc['findings']] == ['GRAN001']
         and kinds == ['not_suppressible'], f'exit {code} {kinds}')
    exported['rules'][0]['suppressible'] = 'no'
    rules = write(workdir, 'gran001-bad.json', exported)
    t.error_line('"suppressible" not a boolean: exit 3', [tool] + dtargs + ['--rules', rules], 3,
                 '"suppressible" must be true or false')

    base = write(workdir, 'base.json', plain)
    code, doc = report(tool, dtargs + ['--baseline', base])
    schema_ok(t, schema, doc, 'baselined')
    t.ok('baseline of the same run: exit 0, every finding baselined, none fixed',
         code == 0 and all(f['baselined'] for f in doc['findings'])
         and doc['summary']['baseline'] == {'entries': len(fps), 'baselined': len(fps), 'fixed': 0},
         f'exit {code} {doc["summary"].get("baseline")}')
    p = run(tool, dtargs + ['--baseline', base])
    t.ok('text: "(baselined)" tags and the counts', p.stdout.count(' (baselined)\n') == len(fps)
         and f'{len(fps)} baselined, 0 fixed' in p.stdout, p.stdout[-300:])
    _, dt_only = report(tool, ['dtb', dtb])
    base_dt = write(workdir, 'base-dt.json', dt_only)
    code, doc = report(tool, dtargs + ['--baseline', base_dt])
    new = [f['rule_id'] for f in doc['findings'] if not f['baselined']]
    t.ok('a finding not in the baseline: exit 1', code == 1 and new == log_ids, f'exit {code} {new}')
    code, doc = report(tool, ['dtb', dtb, '--baseline', base])
    t.ok('baseline entries gone since are counted as fixed', code == 0 and
         doc['summary']['baseline']['fixed'] == len(log_ids), str(doc['summary'].get('baseline')))
    t.error_line('baseline not a report: exit 3', [tool] + dtargs + ['--baseline', sup], 3,
                 'not a cca-dma-audit JSON report')
    one = write(workdir, 'sup-one.json', {'suppressions': [
        {'rule': 'restricted-pool-static-granule', 'reason': 'firmware fixed in 2.0'}]})
    check_sarif(t, tool, dtargs, one, base_dt, workdir)
    return t.finish()


if __name__ == '__main__':
    sys.exit(main())
