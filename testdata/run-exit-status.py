#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The exit status contract, every status, and --severity (which moves a
finding across --fail-on). Prints TAP.

usage: run-exit-status.py TOOL SCHEMA SRCDIR GOOD.dtb BAD.dtb WARN_INDET.dtb INDET.dtb
GOOD is clean; BAD has a GRAN001 error; WARN_INDET (pool004-fail) has a
warning and an indeterminate result; INDET (boot001-indet) only an
indeterminate result. SRCDIR is the source tree, whose README.md and man page
must document the same statuses as --help.

Contract: 0 clean, 1 findings and complete, 2 incomplete and no findings,
3 usage or configuration error, 4 findings and incomplete. In JSON,
summary.exit_code is the status.
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
from tap import Tap

TOOL, SCHEMA, SRC, GOOD, BAD, WARN_INDET, INDET = sys.argv[1:8]
schema = json.load(open(SCHEMA))
tap = Tap()
check = tap.ok


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=60)


def status(name, args, want):
    """The status in text and in JSON, and summary.exit_code, are all `want`."""
    p = run(*args)
    pj = run(args[0], '--format', 'json', *args[1:])  # before an option the parser refuses
    try:
        doc = json.loads(pj.stdout)
        jsonschema.validate(doc, schema)
        code = doc['summary']['exit_code']
    except (ValueError, jsonschema.ValidationError) as e:
        code = repr(e)[:200]
    check(f'{name}: exit {want}', p.returncode == want and pj.returncode == want and code == want,
          f'text {p.returncode}, json {pj.returncode}, summary.exit_code {code}; '
          f'{p.stderr.decode()[-300:]}')
    return p


def documented_statuses(help_text, src):
    """The statuses each document lists, {document: [status, ...]}: the end of
    --help ("Exit status: 0 clean, 1 ..."), the man page's EXIT STATUS terms,
    the README's table. run-doc-coverage.py reads them through this too."""
    help_end = ' '.join(help_text.split()).split('Exit status:')[-1]
    man = open(os.path.join(src, 'man/cca-dma-audit.1.scd')).read()
    section = man.partition('# EXIT STATUS')[2].split('\n# ', 1)[0]
    readme = open(os.path.join(src, 'README.md')).read()
    table = readme.partition('### Exit status')[2].split('\n#', 1)[0]
    return {'--help': [int(n) for n in re.findall(r'\b(\d) [a-z]', help_end)],
            'man EXIT STATUS': [int(n) for n in re.findall(r'^\*(\d)\*$', section, re.M)],
            'README exit status table': [int(n) for n in re.findall(r'^\| (\d) \|', table, re.M)]}


with tempfile.TemporaryDirectory() as tmp:
    missing = os.path.join(tmp, 'missing.dtb')
    status('clean tree', ['dtb', GOOD], 0)
    status('indeterminate without --fail-on-indeterminate is clean', ['dtb', INDET], 0)
    status('error finding, complete', ['dtb', BAD], 1)
    status('warning finding with --fail-on warning', ['dtb', WARN_INDET, '--fail-on', 'warning'], 1)
    status('unreadable input: incomplete', ['dtb', missing], 2)
    status('unreadable input among several: incomplete', ['audit', '--dtb', BAD, '--dmesg', missing], 2)
    status('undecided rule with --fail-on-indeterminate: incomplete',
           ['dtb', INDET, '--fail-on-indeterminate'], 2)
    status('undecided rule, finding below --fail-on: incomplete, no findings',
           ['dtb', WARN_INDET, '--fail-on-indeterminate'], 2)
    status('usage error', ['dtb', GOOD, '--fail-on', 'loud'], 3)
    status('unknown --severity rule: usage error', ['dtb', GOOD, '--severity', 'NOPE001=note'], 3)
    status('findings and an undecided rule with --fail-on-indeterminate: 4',
           ['dtb', WARN_INDET, '--fail-on', 'warning', '--fail-on-indeterminate'], 4)
    status('findings and undecided, --fail-on never: 2',
           ['dtb', WARN_INDET, '--fail-on', 'never', '--fail-on-indeterminate'], 2)

# --severity: applied when the rule set is loaded, so --fail-on compares the new level
status('--severity GRAN001=warning: below --fail-on error', ['dtb', BAD, '--severity', 'GRAN001=warning'], 0)
status('--severity GRAN001=warning with --fail-on warning',
       ['dtb', BAD, '--severity', 'GRAN001=warning', '--fail-on', 'warning'], 1)
p = run('dtb', WARN_INDET, '--format', 'json')
warned = [f['rule_id'] for f in json.loads(p.stdout)['findings']]
check('the warn case has one warning finding', len(warned) == 1, p.stdout[-400:])
rule = warned[0] if warned else 'POOL004'
status('--severity RULE=error lifts a warning over --fail-on error',
       ['dtb', WARN_INDET, '--severity', f'{rule}=error'], 1)
status('--severity by rule name', ['dtb', BAD, '--severity', 'restricted-pool-static-granule=note'], 0)
status('the last --severity for a rule wins',
       ['dtb', BAD, '--severity', 'GRAN001=note', '--severity', 'GRAN001=error'], 1)
for bad in ['GRAN001', 'GRAN001=', '=note', 'GRAN001=never', 'GRAN001=fatal']:
    p = run('dtb', GOOD, '--severity', bad)
    check(f'--severity {bad!r}: usage error naming the option', p.returncode == 3 and
          p.stderr.decode().startswith('cca-dma-audit: --severity:'), p.stderr)

p = run('dtb', BAD, '--severity', 'GRAN001=warning', '--disable', 'DEV001', '--format', 'json')
doc = json.loads(p.stdout)
jsonschema.validate(doc, schema)
check('JSON records every rule re-levelled or disabled, and where from',
      doc['invocation'].get('rule_overrides') == [
          {'rule_id': 'GRAN001', 'severity': 'warning', 'from': 'command line'},
          {'rule_id': 'DEV001', 'enabled': False, 'from': 'command line'}], doc['invocation'])
check('the finding carries the new severity',
      [f['severity'] for f in doc['findings'] if f['rule_id'] == 'GRAN001'] == ['warning'])
check('no override: no rule_overrides', 'rule_overrides' not in
      json.loads(run('dtb', BAD, '--format', 'json').stdout)['invocation'])
p = run('dtb', BAD, '--severity', 'GRAN001=warning', '--disable', 'DEV001')
lines = p.stdout.decode().splitlines()
check('text: one line naming each change and where from', lines and lines[0] ==
      'cca-dma-audit: rules changed: GRAN001 severity warning (command line), '
      'DEV001 disabled (command line)' and sum('rules changed' in l for l in lines) == 1, lines[:2])
check('text: -q drops it', b'rules changed' not in
      run('dtb', BAD, '--severity', 'GRAN001=warning', '-q').stdout)
p = run('rules', '--severity', 'GRAN001=note')
check('rules lists the new level', re.search(rb'^GRAN001 +note ', p.stdout, re.M), p.stdout[:300])
p = run('rules', '--severity', 'GRAN001=note', '--format', 'json')
check('rules --format json exports the new level',
      [r['severity'] for r in json.loads(p.stdout)['rules'] if r['id'] == 'GRAN001'] == ['note'])

# every status is documented in --help, the man page and README, and no other
docs = documented_statuses((run('--help').stdout + run('--help').stderr).decode(), SRC)
for n in range(5):
    check(f'status {n} in --help', n in docs['--help'], docs['--help'])
check('man EXIT STATUS lists exactly 0..4', docs['man EXIT STATUS'] == [0, 1, 2, 3, 4],
      docs['man EXIT STATUS'])
check('README exit status table lists exactly 0..4',
      docs['README exit status table'] == [0, 1, 2, 3, 4], docs['README exit status table'])
check('report schema: summary.exit_code is 0, 1, 2 or 4',
      sorted(schema['oneOf'][0]['properties']['summary']['properties']['exit_code']['enum']) == [0, 1, 2, 4])
tap.finish()
