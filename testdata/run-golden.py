#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden test for one testdata case: run the real binary, check what a user sees.

usage: run-golden.py --tool BIN --schema FILE --facts-schema FILE [--input FILE]
                     --case CASE.dts|CASE.case
                     [--command dtb|vmlinux|case] [--file NAME=PATH]...
                     [--fs-tool DTB2FS --workdir DIR] [--update]

Checks, in order:
  1. the exit status equals the report's summary.exit_code;
  2. the JSON report validates against the shipped JSON Schema;
  3. the case's file name holds: RULE-fail* has a finding of RULE, RULE-pass*
     has neither a finding nor an indeterminate result of RULE, RULE-indet*
     has an indeterminate result of RULE; a case with an "expect:" line
     (real captures, which show several rules) is held to each word of it
     instead, e.g. "expect: xin008-fail trace001-pass" ("no-errors": no
     error-level finding at all);
  4. the same command with --facts validates against the facts schema
     (every fact a rule can name is described there);
  5. the normalised report equals CASE.json (the golden file); for vmlinux
     the kernel facts, and for a case naming its own command the swiotlb,
     dmesg and trace facts, equal CASE.facts.json (kernel.config cut to the
     options the rule files name);
  6. with --fs-tool: the same tree as a /proc/device-tree directory gives the
     same facts as the blob.
Options for the run come from an "args: ..." line in the case file ("// args:"
in a .dts); {input} stands for the input path, {srcdir} for the case's
directory and {NAME} for a --file NAME=PATH. With --command case the args line
starts with the command itself (e.g. "args: audit --dmesg {srcdir}/x.log").
"""
import argparse
import copy
import difflib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys

import jsonschema


def fail(msg):
    print(f'FAIL: {msg}')
    sys.exit(1)


def run(cmd):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def normalise(doc, input_path, subst=()):
    doc['tool']['version'] = 'VERSION'
    if subst:
        text = json.dumps(doc)
        for path, name in subst:
            text = text.replace(json.dumps(path)[1:-1], name)
        doc = json.loads(text)
    inv = doc.get('invocation')
    if isinstance(inv, dict) and 'args' in inv:
        inv['args'] = [x.replace(input_path, 'INPUT') for x in inv['args']]
    for inp in doc.get('inputs', []):
        if inp.get('path') == input_path:
            inp['path'] = 'INPUT'
    for f in doc.get('findings', []):
        if f['location'].get('file') == input_path:
            f['location']['file'] = 'INPUT'
    return doc


def config_read_by_rules():
    """The CONFIG options the rule files name (kernel.config.NAME, a probe's "config")."""
    names = set()
    rules = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'rules')
    for f in os.listdir(rules):
        if f.endswith('.json'):
            text = open(os.path.join(rules, f)).read()
            names.update(re.findall(r'kernel\.config\.([A-Za-z0-9_]+)', text))
            names.update(re.findall(r'"config":\s*"([A-Za-z0-9_]+)"', text))
    return names


def trim_config(kernel):
    """
    The kernel facts with kernel.config cut to the options the rules read: the
    whole .config is a fact (thousands of options from a distribution kernel),
    but a golden records what the rules see, not a copy of every config.
    """
    config = kernel.get('config') if isinstance(kernel, dict) else None
    if isinstance(config, dict):
        keep = config_read_by_rules()
        kernel['config'] = {k: v for k, v in config.items() if k in keep}
    return kernel


def check_golden(path, doc, update, what):
    text = json.dumps(doc, indent=2, ensure_ascii=False) + '\n'
    if update:
        open(path, 'w').write(text)
    elif not os.path.exists(path):
        fail(f'{path} missing (run with --update and review it)')
    elif json.load(open(path)) != doc:
        # what changed, not the whole document: a unified diff, stored -> now
        diff = difflib.unified_diff(open(path).read().splitlines(), text.splitlines(),
                                    f'{path} (expected)', f'{what} (got)', lineterm='')
        fail(f'{what} differs from {path} (meson compile -C BUILD update-goldens rewrites it):\n'
             + '\n'.join(diff))


def check_expectation(doc, rule, kind):
    found = [f for f in doc['findings'] if f['rule_id'] == rule]
    indet = [i for i in doc['indeterminate'] if i['rule_id'] == rule]
    if kind == 'fail' and not found:
        fail(f'expected a {rule} finding, got none')
    if kind == 'pass' and (found or indet):
        fail(f'expected {rule} to pass, got {found or indet}')
    if kind == 'indet' and not indet:
        fail(f'expected {rule} to be indeterminate')


def facts_of(cmd, schema):
    """The --facts document of cmd, which must validate against the facts schema."""
    r = run(cmd + ['--facts'])
    if r.returncode:
        fail(f'--facts: {r.stderr}')
    doc = json.loads(r.stdout)
    try:
        jsonschema.validate(doc, schema)
    except jsonschema.ValidationError as e:
        where = '.'.join(str(x) for x in e.absolute_path)
        fail(f'--facts does not match the facts schema at {where or "top"}: {e.message}')
    return doc


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', required=True)
    ap.add_argument('--schema', required=True)
    ap.add_argument('--facts-schema', required=True)
    ap.add_argument('--input', default='')
    ap.add_argument('--file', action='append', default=[])
    ap.add_argument('--case', required=True)
    ap.add_argument('--command', default='dtb')
    ap.add_argument('--fs-tool')
    ap.add_argument('--workdir')
    ap.add_argument('--update', action='store_true')
    a = ap.parse_args()

    src = open(a.case).read()
    m = re.search(r'^(?://\s*)?args:(.*)$', src, re.M)
    args = shlex.split(m.group(1)) if m else []
    srcdir = os.path.dirname(os.path.abspath(a.case))
    files = dict(f.split('=', 1) for f in a.file)
    subst = [(srcdir, 'SRCDIR')] + [(p, '{' + n + '}') for n, p in files.items()]
    for n, p in files.items():
        args = [x.replace('{' + n + '}', p) for x in args]
    args = [x.replace('{input}', a.input).replace('{srcdir}', srcdir) for x in args]
    base_cmd = [a.tool] + ([] if a.command == 'case' else [a.command, a.input])
    p = run(base_cmd + args + ['--format', 'json'])
    try:
        doc = json.loads(p.stdout)
    except json.JSONDecodeError as e:
        fail(f'stdout is not JSON ({e}); stderr: {p.stderr}')
    if p.returncode != doc['summary']['exit_code']:
        fail(f'exit status {p.returncode} != summary.exit_code {doc["summary"]["exit_code"]}')
    jsonschema.validate(doc, json.load(open(a.schema)))

    base, _ = os.path.splitext(a.case)
    name = os.path.basename(base)
    # What the case is about: its name (RULE-fail...), or an "expect:" line of
    # RULE-fail/pass/indet words for a real capture that shows several rules.
    m = re.search(r'^(?://\s*)?expect:(.*)$', src, re.M)
    for word in (m.group(1).split() if m else [name]):
        if word == 'no-errors':  # a healthy guest: no error-level finding at all
            errors = [f['rule_id'] for f in doc['findings'] if f['severity'] == 'error']
            if errors:
                fail(f'expected no error findings, got {errors}')
            continue
        rule, kind = re.match(r'([a-z]+[0-9]{3})-(fail|pass|indet)', word.lower()).groups()
        check_expectation(doc, rule.upper(), kind)
    # Reasons are for people: a bare missing-fact name means a rule lacks a need() or
    # a loader an unknown value with a reason.
    for i in doc['indeterminate']:
        if i['reason'].startswith("no fact '"):
            fail(f'{i["rule_id"]} is indeterminate with a bare fact name: {i["reason"]}')

    facts_schema = json.load(open(a.facts_schema))
    facts_doc = facts_of(base_cmd + args, facts_schema)

    doc = normalise(doc, a.input, subst if a.command == 'case' else ())
    check_golden(base + '.json', doc, a.update, 'report')

    if a.command == 'case':
        # What the runtime loaders read: the facts of the swiotlb, dmesg and trace inputs,
        # a snapshot's own and its virtio devices, and kernel facts from a config alone.
        facts = normalise(facts_doc, a.input, subst)['facts']
        kernel_config = facts.get('kernel', {}).get('format') == 'config'
        trim_config(facts.get('kernel'))
        check_golden(base + '.facts.json', {k: v for k, v in facts.items()
                                            if k in ('swiotlb', 'dmesg', 'trace', 'snapshot', 'virtio')
                                            or (k == 'kernel' and kernel_config)}, a.update,
                     'runtime facts')

    if a.command == 'vmlinux':
        # The kernel facts too: which format, page size and probe decisions.
        check_golden(base + '.facts.json', trim_config(facts_doc['facts']['kernel']), a.update,
                     'kernel facts')

    if a.fs_tool:
        fsdir = os.path.join(a.workdir, name + '.fs')
        shutil.rmtree(fsdir, ignore_errors=True)
        r = run([a.fs_tool, a.input, fsdir])
        if r.returncode:
            fail(f'dtb2fs: {r.stderr}')
        facts = []
        # The blob's facts are the ones already read above (base_cmd is 'dtb INPUT').
        for f in (copy.deepcopy(facts_doc['facts']),
                  facts_of([a.tool, 'dtb', fsdir] + args, facts_schema)['facts']):
            f['dt'].pop('format')
            f['dt'].pop('memreserve')  # a directory copy has no /memreserve/ block
            for pool in f['dt']['pools']:
                pool.pop('memreserve_overlap', None)
            facts.append(f)
        if facts[0] != facts[1]:
            fail('facts from the directory form differ from the blob')
    print(f'ok: {name}')


if __name__ == '__main__':
    main()
