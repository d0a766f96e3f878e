#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The profile file: --profile FILE, the default .cca-dma-audit.json in the
current directory, --no-profile. Each key goes through its option's row, the
command line overrides it, rule changes are recorded with "from": "profile
FILE", relative paths are taken from the profile's directory, and a bad
profile is one line and exit 3. Prints TAP.

usage: run-profile.py TOOL SCHEMA BAD.dtb
BAD has a GRAN001 error (a pool off the 64K granule).
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema
from tap import Tap

TOOL, SCHEMA, BAD = sys.argv[1:4]
TOOL = os.path.abspath(TOOL)  # some runs change directory
BAD = os.path.abspath(BAD)
schema = json.load(open(SCHEMA))
tap = Tap()
check = tap.ok


def run(*args, cwd=None):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=60, cwd=cwd)


def report(*args, cwd=None):
    """The JSON report of `dtb BAD args`, schema-checked, and the status."""
    p = run('dtb', BAD, '--format', 'json', *args, cwd=cwd)
    try:
        doc = json.loads(p.stdout)
        jsonschema.validate(doc, schema)
    except (ValueError, jsonschema.ValidationError) as e:
        return {'error': repr(e)[:300], 'stderr': p.stderr.decode()[-300:]}, p.returncode
    return doc, p.returncode


def write(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'w') as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def gran001(doc):
    return [f['severity'] for f in doc.get('findings', []) if f.get('rule_id') == 'GRAN001']


def overrides(doc):
    return {(o['rule_id'], o.get('severity', o.get('enabled'))): o['from']
            for o in doc.get('invocation', {}).get('rule_overrides', [])}


options = run('--list-options').stdout.decode()
with tempfile.TemporaryDirectory() as tmp:
    prof = write(os.path.join(tmp, 'fleet', 'prof.json'), {
        'profile': 1, 'host_granule': '16K', 'platform': 'pkvm', 'ipa_bits': 48,
        'fail_on': 'warning', 'severity': {'GRAN001': 'warning'}, 'disable': ['POOL007']})
    origin = f'profile {prof}'

    doc, st = report('--profile', prof)
    host = doc.get('host', {})
    check('profile sets granule, platform and IPA bits (host section, source option)',
          host.get('granule') == '0x4000' and host.get('platform') == 'pkvm'
          and host.get('ipa_bits') == 48 and host.get('platform_source') == 'option', doc)
    check('profile recorded as invocation.profile, fail_on from it',
          doc.get('invocation', {}).get('profile') == prof
          and doc['invocation'].get('fail_on') == 'warning', doc)
    check('severity and disable from the profile recorded with their origin',
          overrides(doc) == {('GRAN001', 'warning'): origin, ('POOL007', False): origin}, doc)
    check('re-levelled finding fails at the profile\'s fail_on: exit 1',
          gran001(doc) == ['warning'] and st == 1, (gran001(doc), st))

    doc, st = report('--profile', prof, '--platform', 'cca', '--fail-on', 'error',
                     '--host-granule', '64K')
    host = doc.get('host', {})
    check('command line overrides the profile\'s platform, granule and fail_on',
          host.get('platform') == 'cca' and host.get('granule') == '0x10000'
          and host.get('ipa_bits') == 48 and doc['invocation'].get('fail_on') == 'error'
          and st == 0, (host, st))
    doc, st = report('--severity', 'GRAN001=note', '--profile', prof, '--enable', 'POOL007')
    check('command line --severity/--enable applied after the profile\'s, from "command line"',
          overrides(doc) == {('GRAN001', 'note'): 'command line', ('POOL007', True): 'command line'}
          and gran001(doc) == ['note'], doc)

    p = run('dtb', BAD, '--profile', prof)
    check('text: rules changed line names the profile',
          f'GRAN001 severity warning ({origin})' in p.stdout.decode(), p.stdout.decode()[-400:])

    # the default profile, found in the current directory only
    cwd = os.path.join(tmp, 'job')
    write(os.path.join(cwd, '.cca-dma-audit.json'), {'profile': 1, 'platform': 'cca'})
    doc, _ = report(cwd=cwd)
    check('default .cca-dma-audit.json in the current directory is read',
          doc.get('invocation', {}).get('profile') == '.cca-dma-audit.json'
          and doc.get('host', {}).get('platform') == 'cca', doc)
    doc, _ = report('--no-profile', cwd=cwd)
    check('--no-profile ignores it', 'profile' not in doc.get('invocation', {'profile': 1})
          and 'platform' not in doc.get('host', {'platform': 1}), doc)
    doc, _ = report('--profile', prof, cwd=cwd)
    check('--profile FILE replaces the default one',
          doc.get('invocation', {}).get('profile') == prof
          and doc.get('host', {}).get('platform') == 'pkvm', doc)
    doc, _ = report(cwd=tmp)
    check('no profile in the current directory: none read',
          'profile' not in doc.get('invocation', {'profile': 1}), doc)
    write(os.path.join(cwd, '.cca-dma-audit.json'), '{"profile": 1, "platform": "x86"}')
    p = run('dtb', BAD, cwd=cwd)
    check('broken default profile: exit 3, one line naming it and the key',
          p.returncode == 3 and p.stderr.decode().splitlines() ==
          ["cca-dma-audit: .cca-dma-audit.json: key platform: --platform: 'x86' is not cca, "
           "pkvm or auto"], p.stderr)
    p = run('--version', cwd=cwd)
    check('--version does not read the profile', p.returncode == 0, p.stderr)

    # relative paths: from the profile's directory, whatever the current one
    export = json.loads(run('rules', 'GRAN001', '--format', 'json').stdout)
    export['rules'][0]['severity'] = 'note'
    write(os.path.join(tmp, 'fleet', 'rules.d', 'gran.json'), export)
    write(os.path.join(tmp, 'fleet', 'rel.json'), {'profile': 1, 'rules': ['rules.d']})
    doc, _ = report('--profile', os.path.join(tmp, 'fleet', 'rel.json'), cwd=cwd)
    check('relative rules path resolved against the profile\'s directory',
          gran001(doc) == ['note'], doc)
    fleet = os.path.join(tmp, 'fleet')
    if '--baseline\t' in options:  # a previous report, beside the profile
        with open(os.path.join(fleet, 'base.json'), 'wb') as f:
            f.write(run('dtb', BAD, '--format', 'json', '--no-profile').stdout)
        base = write(os.path.join(fleet, 'base-prof.json'), {'profile': 1, 'baseline': 'base.json'})
        p = run('dtb', BAD, '--profile', base, cwd=cwd)
        check('baseline: relative path resolved against the profile\'s directory',
              p.returncode == 0 and not p.stderr, (p.returncode, p.stderr))
    for key in ('suppressions', 'baseline'):
        bad = write(os.path.join(fleet, key + '.json'), {'profile': 1, key: f'missing-{key}.json'})
        p = run('dtb', BAD, '--profile', bad, cwd=cwd)
        lines = p.stderr.decode().splitlines()
        if f'--{key}\t' in options:
            want = os.path.join(fleet, f'missing-{key}.json')
            check(f'{key}: a missing file is named by its path from the profile\'s directory',
                  p.returncode in (2, 3) and len(lines) == 1 and want in lines[0], lines)
        else:
            check(f'{key}: refused by a build without --{key}',
                  p.returncode == 3 and lines == [f'cca-dma-audit: {bad}: key {key}: not '
                                                  'supported by this build'], lines)

    # bad profiles: exit 3, one line naming the file (and the key)
    cases = [
        ('not JSON', '{"profile": 1,', 'not JSON'),
        ('not an object', '[1]', 'a profile is a JSON object'),
        ('no version', '{"platform": "cca"}', 'key profile: want 1'),
        ('unknown version', '{"profile": 2}', 'key profile: want 1'),
        ('unknown key', '{"profile": 1, "platfrom": "cca"}', 'key platfrom: not a profile key'),
        ('wrong type: list', '{"profile": 1, "disable": "POOL007"}', 'key disable: want an array'),
        ('wrong type: flag', '{"profile": 1, "fail_on_indeterminate": 1}',
         'key fail_on_indeterminate: want true or false'),
        ('wrong type: severity', '{"profile": 1, "severity": ["GRAN001"]}', 'key severity: want'),
        ('bad value', '{"profile": 1, "ipa_bits": 99}', "key ipa_bits: --ipa-bits: '99'"),
        ('bad level', '{"profile": 1, "severity": {"GRAN001": "fatal"}}', 'key severity: '),
        ('unknown rule', '{"profile": 1, "disable": ["NOPE999"]}',
         "key disable: unknown rule 'NOPE999'"),
    ]
    for name, text, needle in cases:
        bad = write(os.path.join(tmp, 'bad', name.replace(' ', '_').replace(':', '') + '.json'),
                    text)
        tap.error_line(f'bad profile, {name}: exit 3, one line', [TOOL, 'dtb', BAD, '--profile', bad],
                       3, f'cca-dma-audit: {bad}: {needle}')
    tap.error_line('missing profile: exit 3, one line',
                   [TOOL, 'dtb', BAD, '--profile', os.path.join(tmp, 'nope.json')], 3,
                   'nope.json: No such file')

sys.exit(tap.finish())
