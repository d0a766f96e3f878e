#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--format junit: JUnit XML for CI test-report views (GitLab, Jenkins,
Azure). Every document is parsed with xml.etree (expat: a control character
or a bad entity is a parse error) and checked against the structure those
readers take: <testsuites>/<testsuite>/<testcase classname name> with at most
one <failure message type>, <skipped message> or <error message type>, and
counts that add up. No JUnit XSD is used: the common ones (Ant's, Jenkins')
require a timestamp and a host name, which would make the report differ from
run to run. The results are checked against the JSON report of the same run.
Prints TAP.

usage: run-junit.py TOOL BAD.dtb INDET.dtb GOOD.dtb DMESG WORKDIR
BAD has a GRAN001 error, INDET an undecided BOOT001, GOOD nothing; DMESG is a
boot log, for a second input (a second <testsuite>).
"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

from tap import Tap

TOOL, BAD, INDET, GOOD, DMESG, WORK = sys.argv[1:7]
tap = Tap()
check = tap.ok


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=60)


def ints(e, *names):
    return [int(e.get(n)) for n in names]


def structure(root):
    """'' when root is a JUnit document the CI readers take, else what is wrong."""
    if root.tag != 'testsuites':
        return f'root is <{root.tag}>'
    total = [0, 0, 0, 0]
    for suite in root:
        if suite.tag != 'testsuite' or not suite.get('name'):
            return f'<{suite.tag}> under <testsuites>, or a suite without a name'
        seen = [0, 0, 0, 0]  # tests, failures, errors, skipped
        for case in suite:
            if case.tag != 'testcase' or not case.get('classname') or not case.get('name') \
                    or case.get('time') != '0':
                return f'bad <{case.tag}> {case.attrib}'
            kids = list(case)
            if len(kids) > 1 or any(k.tag not in ('failure', 'error', 'skipped') for k in kids):
                return f'test case {case.get("name")} holds {[k.tag for k in kids]}'
            if kids and kids[0].get('message') is None:
                return f'<{kids[0].tag}> without a message'
            if kids and kids[0].tag != 'skipped' and not kids[0].get('type'):
                return f'<{kids[0].tag}> without a type'
            seen[0] += 1
            for i, tag in ((1, 'failure'), (2, 'error'), (3, 'skipped')):
                seen[i] += bool(kids) and kids[0].tag == tag
        if ints(suite, 'tests', 'failures', 'errors', 'skipped') != seen:
            return f'suite {suite.get("name")} counts {suite.attrib}, has {seen}'
        total = [a + b for a, b in zip(total, seen)]
    if ints(root, 'tests', 'failures', 'errors', 'skipped') != total:
        return f'document counts {root.attrib}, suites add up to {total}'
    return ''


def junit(p, name):
    """The parsed document of a run, checked; None (and a failed check) if it is not one."""
    try:
        root = ET.fromstring(p.stdout)
    except ET.ParseError as e:
        check(f'{name}: well-formed XML', False, f'{e}: {p.stdout[:300]!r}')
        return None
    why = structure(root)
    check(f'{name}: well-formed JUnit, counts add up', not why, why)
    return root


def cases(root):
    return {(c.get('classname'), c.get('name')): c for c in root.iter('testcase')}


def outcome(case):
    kids = list(case)
    return kids[0].tag if kids else 'passed'


# A finding: a <failure> with the first finding's message and every finding in the body.
p = run('dtb', BAD, '--format', 'junit')
j = json.loads(run('dtb', BAD, '--format', 'json').stdout)
root = junit(p, 'finding')
check('finding: exit status as with text (1)', p.returncode == 1, p.returncode)
if root is not None:
    c = cases(root).get((BAD, 'GRAN001 restricted-pool-static-granule'))
    grans = [f for f in j['findings'] if f['rule_id'] == 'GRAN001']
    fail = c.find('failure') if c is not None else None
    check('finding: GRAN001 on the input is a <failure> named "ID name", classname the input',
          fail is not None and fail.get('type') == 'error', c and c.attrib)
    if fail is not None:
        lines = fail.text.strip().split('\n')
        check('failure message is the first finding\'s', fail.get('message') == grans[0]['message'],
              fail.get('message'))
        check('failure body: one line per finding, with severity, subject, property and fix',
              len(lines) == len(grans) and lines[0].startswith(
                  f'error: {grans[0]["subject"]}:reg: {grans[0]["message"]}; fix: {grans[0]["fix"]}'),
              lines)
    check('one test case per rule run (summary.rules_run)',
          int(root.get('tests')) == j['summary']['rules_run'], root.attrib)
    check('every rule not in a failure passed',
          int(root.get('failures')) == len({f['rule_id'] for f in j['findings']})
          and root.get('skipped') == '0' and root.get('errors') == '0', root.attrib)
    check('rules that did not run (kernel rules on a device tree) are left out',
          not any(c.get('name').startswith('KERN') for c in root.iter('testcase')))
p2 = run('dtb', BAD, '--format', 'junit')
check('byte-identical across runs (no timestamp)', p.stdout == p2.stdout)
p2 = run('dtb', BAD, '--format', 'junit', '--disable', 'GRAN001')
root = junit(p2, 'disabled rule')
check('a disabled rule has no test case', root is not None and not any(
    c.get('name').startswith('GRAN001') for c in root.iter('testcase')) and p2.returncode == 0)

# An undecided rule: <skipped message="subject: reason">, not a pass, not a failure.
p = run('dtb', INDET, '--format', 'junit')
j = json.loads(run('dtb', INDET, '--format', 'json').stdout)
root = junit(p, 'indeterminate')
if root is not None:
    undecided = [i for i in j['indeterminate'] if i['rule_id'] == 'BOOT001']
    c = [c for c in root.iter('testcase') if c.get('name').startswith('BOOT001 ')]
    skip = c[0].find('skipped') if c else None
    check('indeterminate: BOOT001 is <skipped> with the reason', skip is not None and undecided
          and undecided[0]['reason'] in skip.get('message'), c and c[0].attrib)
    check('indeterminate: skipped counted', int(root.get('skipped')) == len(
        {i['rule_id'] for i in j['indeterminate']} - {f['rule_id'] for f in j['findings']}))

# A clean tree: every test case passes.
p = run('dtb', GOOD, '--format', 'junit')
root = junit(p, 'clean')
check('clean: exit 0, only plain test cases', p.returncode == 0 and root is not None
      and all(outcome(c) == 'passed' for c in root.iter('testcase')) and int(root.get('tests')) > 0)

# Two inputs: a suite each; a rule is listed under the input its findings name (its first).
p = run('audit', '--dtb', BAD, '--dmesg', DMESG, '--format', 'junit')
root = junit(p, 'two inputs')
if root is not None:
    suites = [s.get('name') for s in root]
    check('two inputs: one <testsuite> per input, named by it', suites == [BAD, DMESG], suites)
    check('two inputs: each case\'s classname is its suite\'s input', all(
        c.get('classname') == s.get('name') for s in root for c in s))

# Nothing to report on: an input that cannot be read is an <error>; exit 2 as ever.
missing = os.path.join(WORK, 'no-such.dtb')
p = run('dtb', missing, '--format', 'junit')
root = junit(p, 'unreadable input')
check('unreadable input: exit 2, one stderr line', p.returncode == 2
      and len(p.stderr.decode().splitlines()) == 1, p.stderr)
if root is not None:
    errs = list(root.iter('error'))
    check('unreadable input: an <error> naming the file', root.get('errors') == '1' and errs
          and missing in errs[0].get('message'), root.attrib)
p = run('rules', '--format', 'junit')
check('rules --format junit: usage error (exit 3)', p.returncode == 3, p.returncode)
p = run('dtb', GOOD, '--format', 'yaml')
check('--format names junit in its error', p.returncode == 3 and b'junit' in p.stderr, p.stderr)

with tempfile.TemporaryDirectory(dir=WORK) as tmp:
    out = os.path.join(tmp, 'report.xml')
    p = run('dtb', BAD, '--format', 'junit', '-o', out)
    check('-o FILE writes the JUnit report there', p.returncode == 1 and not p.stdout
          and ET.parse(out).getroot().tag == 'testsuites')

    # Hostile text: a file name and a rule message with control characters (not
    # allowed in XML 1.0 at all), XML's specials, invalid UTF-8 and a noncharacter.
    hostile = os.path.join(tmp.encode(), b'a<&"\'>\x01\x1b[31m\xff\n.dtb')
    shutil.copy(BAD, hostile)
    rules = os.path.join(tmp, 'hostile.json')
    json.dump({'rules': [{
        'id': 'XML001', 'name': 'hostile-message', 'severity': 'warning', 'summary': 's',
        'why': 'w', 'inputs': ['dt'], 'subject': '/', 'assert': 'false',
        'message': 'm \u0001\u001b[2J <b>&amp; "q" \uffff \u0008 ]]> end',
        'fix': 'f \u000b\u000c\t\r end'}]}, open(rules, 'w'))
    p = subprocess.run([TOOL, 'dtb', hostile, '--rules', rules, '--format', 'junit'],
                       capture_output=True, timeout=60)
    root = junit(p, 'hostile text')
    if root is not None:
        c = [c for c in root.iter('testcase') if c.get('name') == 'XML001 hostile-message']
        fail = c[0].find('failure') if c else None
        check('hostile text: XML specials come back as they were, controls escaped',
              fail is not None and fail.get('message') ==
              'm \\x01\\x1b[2J <b>&amp; "q" \\u{ffff} \\x08 ]]> end'
              and '; fix: f \\x0b\\x0c\\x09\\x0d end\n' in fail.text,
              fail is not None and (fail.get('message'), fail.text))
        name = c[0].get('classname') if c else ''
        check('hostile file name: escaped in classname and suite name',
              name.endswith('a<&"\'>\\x01\\x1b[31m\\xff\\x0a.dtb')
              and root[0].get('name') == name, name)
    p = subprocess.run([TOOL, 'dtb', os.path.join(tmp.encode(), b'\x01<&>\xff'), '--format',
                        'junit'], capture_output=True, timeout=60)
    root = junit(p, 'hostile unreadable name')
    check('hostile unreadable name: <error> with it escaped', root is not None
          and '\\x01<&>\\xff' in next(root.iter('error')).get('message'))

sys.exit(tap.finish())
