#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Many inputs, one run (issue 13): `dtb a.dtb b.dtb boards/` audits every
blob given and every *.dtb under a directory, each tree alone, in one report.
What a user sees: exit statuses, the error line of a tree that cannot be read,
the report's inputs and where each result comes from (JSON, text, JUnit,
SARIF), the same results as one run per tree, threads that change nothing,
fingerprints that tell trees apart and survive a moved directory, usage
errors. Prints TAP.

usage: run-many.py TOOL GOOD.dtb BAD.dtb BAD2.dtb INDET.dtb SCHEMA WORKDIR
GOOD is a clean tree, BAD and BAD2 have errors, INDET has an indeterminate
result (testdata/dt/*.dts). The fixtures are built in a temporary directory
under WORKDIR; the tool runs there, so paths in reports are relative.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

import jsonschema
from tap import CI_MULTITOOL, Tap, sarif_multitool

TOOL, GOOD, BAD, BAD2, INDET, SCHEMA, WORK = sys.argv[1:8]
TOOL, GOOD, BAD, BAD2, INDET = map(os.path.abspath, (TOOL, GOOD, BAD, BAD2, INDET))
schema = json.load(open(SCHEMA))
tap = Tap()
check = tap.ok
NO_DTB = 'no *.dtb file under it'


def run(*args, cwd):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=300, cwd=cwd)


def json_run(*args, cwd):
    """(process, report validated against the schema), or (process, None)."""
    p = run(*args, '--format', 'json', cwd=cwd)
    try:
        doc = json.loads(p.stdout)
        jsonschema.validate(doc, schema)
    except (json.JSONDecodeError, jsonschema.ValidationError) as e:
        check(f'{" ".join(args)}: a JSON report valid for the schema', False, f'{e}; {p.stderr}')
        return p, None
    return p, doc


def put(top, name, data):
    """Write data to top/name, making its directories."""
    path = os.path.join(top, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(data)
    return path


def blob(path):
    return open(path, 'rb').read()


def truncated():
    return blob(BAD)[:200]


def stderr_lines(p):
    return p.stderr.decode(errors='replace').splitlines()


def results_by_file(doc):
    """{tree: sorted results}: what each finding or indeterminate result says
    (fingerprints aside)."""
    out = {}
    for f in doc.get('findings', []):
        out.setdefault(f['location']['file'], []).append(
            ('finding', f['rule_id'], f['subject'], f['location'].get('property'), f['message']))
    for r in doc.get('indeterminate', []):
        out.setdefault(r['file'], []).append(('indeterminate', r['rule_id'], r['subject'], None,
                                              r['reason']))
    return {k: sorted(v) for k, v in out.items()}


single_cache = {}


def single(src, cwd):
    """The results of a run over src alone (a source blob: every copy gives the same)."""
    if src not in single_cache:
        _, doc = json_run('dtb', src, cwd=cwd)
        single_cache[src] = sorted(sum(results_by_file(doc).values(), [])) if doc else None
    return single_cache[src]


def same_as_single(name, doc, trees, cwd):
    """Each audited tree of doc (path -> source blob) has the results of a run over its source."""
    got = results_by_file(doc)
    bad = [path for path, src in trees.items() if got.get(path, []) != single(src, cwd)]
    check(f'{name}: results per tree equal those of one run per tree', not bad,
          f'differ for {bad[:3]}')


def fingerprints(doc):
    return [r['fingerprint'] for r in doc['findings'] + doc['indeterminate']]


def no_duplicate_fingerprints(name, doc):
    fps = fingerprints(doc)
    check(f'{name}: no fingerprint twice ({len(fps)} results)', len(fps) == len(set(fps)),
          sorted(fps))


def boards(tmp):
    """A vendor's board directory: nested trees good and bad, a truncated one,
    a hidden directory and files that are not .dtb (both ignored).
    {name under the directory: source blob, or None when unreadable}."""
    trees = {'indet.dtb': INDET, 'soc-a/bad.dtb': BAD, 'soc-a/deep/bad2.dtb': BAD2,
             'soc-b/good.dtb': GOOD, 'soc-b/trunc.dtb': None}
    top = os.path.join(tmp, 'boards')
    for name, src in trees.items():
        put(top, name, blob(src) if src else truncated())
    put(top, '.hidden/hidden.dtb', blob(BAD))
    put(top, 'README.txt', b'board trees\n')
    put(top, 'soc-b/good.dts', b'/dts-v1/;\n/ { };\n')
    return trees


def check_directory(tmp):
    trees = boards(tmp)
    p, doc = json_run('dtb', 'boards', cwd=tmp)
    trunc = 'boards/soc-b/trunc.dtb'
    reason = 'truncated: header says'
    lines = stderr_lines(p)
    check('dtb DIR with findings and a truncated tree: exit 4', p.returncode == 4, p.returncode)
    check('dtb DIR: one stderr line, naming the truncated tree and why',
          len(lines) == 1 and lines[0].startswith(f'cca-dma-audit: {trunc}: {reason}'), lines)
    if not doc:
        return
    want = [(f'boards/{n}', 'unreadable' if src is None else 'audited') for n, src in trees.items()]
    got = [(i['path'], i['status']) for i in doc['inputs']]
    check('dtb DIR: inputs in name order, hidden and non-.dtb files left out, with their status',
          got == want, got)
    bad = [i for i in doc['inputs'] if i['status'] == 'unreadable']
    check('dtb DIR: the unreadable input has the reason, the others none',
          len(bad) == 1 and bad[0]['reason'].startswith(reason) and
          all('reason' not in i for i in doc['inputs'] if i['status'] == 'audited'), bad)
    check('dtb DIR: summary exit_code 4', doc['summary']['exit_code'] == 4, doc['summary'])
    files = set(results_by_file(doc))
    check('dtb DIR: results name the trees that have them',
          files == {'boards/indet.dtb', 'boards/soc-a/bad.dtb', 'boards/soc-a/deep/bad2.dtb'},
          files)
    same_as_single('dtb DIR', doc, {f'boards/{n}': src for n, src in trees.items() if src}, tmp)
    no_duplicate_fingerprints('dtb DIR', doc)


def check_exit_statuses(tmp):
    d = os.path.join(tmp, 'exit')
    clean = os.path.join(d, 'clean')
    for name in ('x.dtb', 'sub/y.dtb'):
        put(clean, name, blob(GOOD))
    good, bad = put(d, 'good.dtb', blob(GOOD)), put(d, 'bad.dtb', blob(BAD))
    t1, t2 = put(d, 't1.dtb', truncated()), put(d, 't2.dtb', truncated())
    empty = os.path.join(d, 'empty')
    put(empty, 'notes.txt', b'nothing here\n')
    for name, args, want, nlines in [
            ('a directory of clean trees', [clean], 0, 0),
            ('clean and clean directory', [good, clean], 0, 0),
            ('findings, all readable', [good, bad], 1, 0),
            ('unreadable and clean', [good, t1], 2, 1),
            ('two unreadable and clean', [t1, good, t2], 2, 2),
            ('unreadable and findings', [bad, t1], 4, 1)]:
        p = run('dtb', *args, cwd=tmp)
        lines = stderr_lines(p)
        check(f'dtb {name}: exit {want}, {nlines} stderr lines',
              p.returncode == want and len(lines) == nlines and
              all(ln.startswith('cca-dma-audit: ') for ln in lines), (p.returncode, lines))
    p, doc = json_run('dtb', good, empty, cwd=tmp)
    lines = stderr_lines(p)
    check('dtb on a directory with no .dtb among others: exit 2, one line saying no *.dtb',
          p.returncode == 2 and len(lines) == 1 and
          lines[0].startswith(f'cca-dma-audit: {empty}: ') and NO_DTB in lines[0], lines)
    ins = [(i['path'], i['status']) for i in doc['inputs']] if doc else None
    check('dtb on a directory with no .dtb: an unreadable input of the report',
          ins == [(good, 'audited'), (empty, 'unreadable')] and
          NO_DTB in doc['inputs'][1].get('reason', ''), ins)


def copies(top, n):
    """n copies c00.. in top, bad, good and bad2 in turn: {path: source}."""
    trees = {}
    for i in range(n):
        src = (BAD, GOOD, BAD2)[i % 3]
        trees[os.path.join(os.path.basename(top), f'c{i:02d}.dtb')] = src
        put(top, f'c{i:02d}.dtb', blob(src))
    return trees


def check_threads(tmp):
    """40 trees: more than one part (16 trees a part, one per CPU) on a machine of 2 CPUs."""
    trees = copies(os.path.join(tmp, 'many'), 40)
    p1, doc = json_run('dtb', 'many', cwd=tmp)
    p2 = run('dtb', 'many', '--format', 'json', cwd=tmp)
    check('40 trees: exit 1, nothing on stderr', p1.returncode == 1 and not p1.stderr, p1.stderr)
    if not doc:
        return
    got = [i['path'] for i in doc['inputs']]
    check('40 trees: inputs in name order, all audited',
          got == sorted(trees) and all(i['status'] == 'audited' for i in doc['inputs']), got)
    same_as_single('40 trees', doc, trees, tmp)
    check('40 trees: two runs give byte-identical JSON', p1.stdout == p2.stdout)
    no_duplicate_fingerprints('40 trees', doc)
    order = [f['location']['file'] for f in doc['findings']]
    check('40 trees: findings in the order of the trees', order == sorted(order), order)


def check_fingerprints(tmp):
    top = os.path.join(tmp, 'fp')
    put(top, 'x.dtb', blob(BAD))
    put(top, 'sub/y.dtb', blob(BAD))
    _, doc = json_run('dtb', 'fp', cwd=tmp)
    shutil.move(top, os.path.join(tmp, 'moved'))
    os.makedirs(os.path.join(tmp, 'elsewhere'))
    shutil.move(os.path.join(tmp, 'moved'), os.path.join(tmp, 'elsewhere', 'fp2'))
    _, moved = json_run('dtb', 'elsewhere/fp2', cwd=tmp)
    if not doc or not moved:
        return
    by = {}
    for f in doc['findings']:
        by.setdefault(f['location']['file'], []).append(f['fingerprint'])
    x, y = by.get('fp/x.dtb', []), by.get('fp/sub/y.dtb', [])
    check('two copies of a bad tree under other names: different fingerprints',
          x and y and not set(x) & set(y), by)
    no_duplicate_fingerprints('two copies', doc)
    check('the directory moved and renamed: every fingerprint kept',
          fingerprints(doc) == fingerprints(moved), (fingerprints(doc), fingerprints(moved)))
    _, one = json_run('dtb', BAD, cwd=tmp)
    _, copy = json_run('dtb', put(tmp, 'lone/other-name.dtb', blob(BAD)), cwd=tmp)
    check('one tree: its name is not hashed (a renamed copy keeps its fingerprints)',
          one and copy and fingerprints(one) == fingerprints(copy))
    check('one tree in a run over many: its fingerprints differ from a lone run',
          one and not set(fingerprints(one)) & set(x))


def check_same_names(tmp):
    """Two directories with the same layout: every result still has a fingerprint of
    its own (the trees are named by their paths). One file reached twice (a
    directory under two spellings, a file given and found under a directory):
    a usage error naming both, before anything runs."""
    for top in ('va', 'vb'):
        put(tmp, f'{top}/board.dtb', blob(BAD))
    _, doc = json_run('dtb', 'va', 'vb', cwd=tmp)
    fps = fingerprints(doc) if doc else []
    check('two directories with the same layout: no fingerprint twice',
          fps and len(fps) == len(set(fps)), fps)
    check('... and each tree is named by its path',
          doc and [i['path'] for i in doc['inputs']] == ['va/board.dtb', 'vb/board.dtb'], doc)
    for args, what in ((['va', './va'], 'one directory under two spellings'),
                       (['va', 'va/board.dtb'], 'a file given and found under a directory given')):
        p = run('dtb', *args, cwd=tmp)
        err = p.stderr.decode()
        check(f'{what}: exit 3, one line naming the file twice, no report',
              p.returncode == 3 and err.count('\n') == 1 and 'are the same file' in err
              and not p.stdout, (p.returncode, err))


def check_text(tmp):
    p = run('dtb', 'boards', cwd=tmp)
    out = p.stdout.decode(errors='replace').splitlines()
    _, doc = json_run('dtb', 'boards', cwd=tmp)
    check('text: "PATH: unreadable: REASON" for the truncated tree',
          any(ln.startswith('boards/soc-b/trunc.dtb: unreadable: truncated: header says')
              for ln in out), out)
    for path in ('boards/soc-a/bad.dtb', 'boards/soc-a/deep/bad2.dtb'):
        check(f'text: a finding line led by {path}',
              any(re.match(f'{re.escape(path)}: (error|warning|note) \\[', ln) for ln in out),
              out)
    check('text: the indeterminate result led by its tree',
          any(ln.startswith('boards/indet.dtb: indeterminate [BOOT001') for ln in out), out)
    m = re.match(r'cca-dma-audit: (\d+) errors?, (\d+) warnings?, (\d+) notes?, '
                 r'(\d+) indeterminate', out[-1] if out else '')
    s = doc['summary'] if doc else {}
    check('text: the summary line counts every tree',
          m and [int(g) for g in m.groups()] ==
          [s.get(k) for k in ('errors', 'warnings', 'notes', 'indeterminate')], (out[-1:], s))


def check_junit(tmp):
    p = run('dtb', 'boards', '--format', 'junit', cwd=tmp)
    try:
        root = ET.fromstring(p.stdout)
    except ET.ParseError as e:
        check('junit: the XML parses', False, e)
        return
    _, doc = json_run('dtb', 'boards', cwd=tmp)
    suites = root.findall('testsuite')
    check('junit: one suite per tree, in the inputs\' order',
          [s.get('name') for s in suites] == [i['path'] for i in doc['inputs']],
          [s.get('name') for s in suites])
    trunc = [s for s in suites if s.get('name') == 'boards/soc-b/trunc.dtb']
    errors = [e for s in trunc for e in s.iter('error')]
    reason = next(i['reason'] for i in doc['inputs'] if i['status'] == 'unreadable')
    check('junit: the unreadable tree is a suite with one test case, an <error> with the reason',
          len(trunc) == 1 and len(trunc[0].findall('testcase')) == 1 and len(errors) == 1 and
          errors[0].get('message') == reason, [ET.tostring(s) for s in trunc])


def check_sarif(tmp):
    p = run('dtb', 'boards', '--format', 'sarif', cwd=tmp)
    path = put(tmp, 'boards.sarif', p.stdout)
    try:
        log = json.loads(p.stdout)
        notes = log['runs'][0]['invocations'][0].get('toolExecutionNotifications', [])
    except (json.JSONDecodeError, KeyError, IndexError) as e:
        check('sarif: the log parses', False, e)
        return
    uris = [n['locations'][0]['physicalLocation']['artifactLocation']['uri'] for n in notes]
    check('sarif: the unreadable tree is an error notification of the invocation',
          len(notes) == 1 and notes[0]['level'] == 'error' and
          notes[0]['message']['text'].startswith('truncated: header says') and
          uris[0].endswith('boards/soc-b/trunc.dtb'), notes)
    tool = sarif_multitool()
    if not tool:
        why = (f'no SARIF Multitool ($SARIF_MULTITOOL, Sarif.Multitool on PATH or {CI_MULTITOOL})')
        check('SARIF Multitool installed (CI runs .ci/setup)' if os.environ.get('CI')
              else f'SARIF Multitool validation # SKIP {why}', not os.environ.get('CI'), why)
        return
    out = os.path.join(tmp, 'multitool.sarif')
    v = subprocess.run([tool, 'validate', '--rule-kind', 'Gh;Sarif', '-o', out, path],
                       capture_output=True, text=True, timeout=600)
    problems = None
    if os.path.exists(out):
        problems = [r for r in json.load(open(out))['runs'][0].get('results', [])
                    if r.get('level', 'warning') in ('error', 'warning')]
    check('sarif: the Multitool finds no errors, no warnings', problems == [],
          problems if problems is not None else v.stdout + v.stderr)


def check_usage(tmp):
    good = put(tmp, 'usage/good.dtb', blob(GOOD))
    other = put(tmp, 'usage/other.dtb', blob(BAD))
    dts = put(tmp, 'usage/good.dts', b'/dts-v1/;\n/ { };\n')
    top = os.path.join(tmp, 'boards')
    for name, args, needle in [
            ('the same path given twice', [good, other, good],
             f'{good} and {good} are the same file: give it once'),
            ('the same directory given twice', [top, top], f'{top}/'),
            ('standard input given twice', ['-', '-'], 'standard input (-) given twice'),
            ('--facts with several trees', [good, other, '--facts'], 'dtb: --facts takes one'),
            ('--facts with a directory of trees', [top, '--facts'], 'dtb: --facts takes one'),
            ('--source with several trees', [good, other, '--source', dts], 'dtb: --source is the')]:
        tap.error_line(f'usage: {name}: exit 3, one line', [TOOL, 'dtb', *args], 3,
                       'cca-dma-audit: ' + needle)


def proc_dt(top):
    """A minimal /proc/device-tree copy: root properties as files, a memory node."""
    props = {'compatible': b'linux,dummy-virt\0', '#address-cells': b'\0\0\0\2',
             '#size-cells': b'\0\0\0\2', 'memory@0/device_type': b'memory\0',
             'memory@0/reg': bytes(8) + (1 << 30).to_bytes(8, 'big')}
    for name, data in props.items():
        put(top, name, data)


def check_tree_copy(tmp):
    proc_dt(os.path.join(tmp, 'proc-dt'))
    good = put(tmp, 'copy/good.dtb', blob(GOOD))
    p, doc = json_run('dtb', 'proc-dt', good, cwd=tmp)
    ins = [(i['path'], i['status']) for i in doc['inputs']] if doc else None
    check('a /proc/device-tree copy and a blob: two trees, both audited',
          p.returncode in (0, 1) and ins == [('proc-dt', 'audited'), (good, 'audited')],
          (p.returncode, ins, p.stderr))
    p1, lone = json_run('dtb', 'proc-dt', cwd=tmp)
    check('a /proc/device-tree copy alone: one tree, not a list',
          lone and [i['path'] for i in lone['inputs']] == ['proc-dt'] and
          results_by_file(lone).get('proc-dt', []) == results_by_file(doc).get('proc-dt', []),
          p1.stderr)


with tempfile.TemporaryDirectory(dir=WORK) as tmp:
    check_directory(tmp)
    check_exit_statuses(tmp)
    check_threads(tmp)
    check_fingerprints(tmp)
    check_same_names(tmp)
    check_text(tmp)
    check_junit(tmp)
    check_sarif(tmp)
    check_usage(tmp)
    check_tree_copy(tmp)
sys.exit(tap.finish())
