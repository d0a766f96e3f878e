#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""--format sarif and result fingerprints. TAP.

usage: run-sarif.py TOOL BUILDDIR DTB DMESG_LOG

For golden cases of every kind meson registered (BUILDDIR/meson-info/
intro-tests.json: dt, kernel when the cross compiler built the stub kernels,
runtime, snapshot, real captures), run the case's command as run-golden.py
does, once with --format json and once with --format sarif, and check:
  - the SARIF log has one result per finding and per indeterminate result,
    with the JSON report's fingerprints as partialFingerprints, and the same
    exit status;
  - Microsoft's SARIF Multitool (`validate --rule-kind "Gh;Sarif"`: the SARIF
    rules and GitHub code scanning's) reports no error and no warning, and
    the SARIF 2.1.0 JSON schema the Multitool's package ships holds;
  - a run that fails (no such input) still writes a valid SARIF log.
Fingerprints: a boot-log finding keeps its fingerprint when lines are
inserted before it, a DT finding whatever directory holds the DTB.
--source FILE.dts: a DT result is at the line of the .dts that opens its node
or sets its property (the line found here by searching the .dts), a node the
.dts does not hold (it is in an included file) stays at the .dtb; the JSON
report is the same with and without it; a missing or binary file is exit 2,
--source without a device tree exit 3; those SARIF logs are validated too.

The Multitool is $SARIF_MULTITOOL when that is set, else Sarif.Multitool on
PATH or where .ci/setup installs it (/opt/sarif-multitool). Without it its checks are
skipped, unless $CI is set: CI ran .ci/setup, so a missing Multitool there is
a failure, not a skip.
"""
import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile

from tap import CI_MULTITOOL, Tap, sarif_multitool

PER_KIND = (('fail', 3), ('indet', 2), ('', 1))  # cases per directory: name part, how many


def golden_tests(build):
    """{kind: [(case name, parsed arguments)]} of the golden cases meson registered."""
    ap = argparse.ArgumentParser()
    for opt in ('--tool', '--input', '--case', '--command', '--schema', '--facts-schema',
                '--fs-tool', '--workdir'):
        ap.add_argument(opt, default='')
    ap.add_argument('--file', action='append', default=[])
    tests = json.load(open(os.path.join(build, 'meson-info', 'intro-tests.json')))
    by_kind = {}
    for t in sorted(tests, key=lambda t: t['name']):
        if not any(s.endswith(':golden') for s in t['suite']):
            continue
        a, _ = ap.parse_known_args([x for x in t['cmd'] if isinstance(x, str)][2:])
        kind = os.path.relpath(os.path.abspath(a.case), os.path.dirname(os.path.abspath(
            sys.argv[0]))).split(os.sep)[0]
        by_kind.setdefault(kind, []).append((t['name'], a))
    return by_kind


def golden_commands(build):
    """(kind, case name, argv) for some golden cases of each directory, as run-golden.py runs them."""
    by_kind = golden_tests(build)
    out = []
    for kind, cases in sorted(by_kind.items()):
        picked = []
        for part, n in PER_KIND:
            picked += [c for c in cases if part in c[0] and c not in picked][:n]
        out += [(kind, name, argv_of(a)) for name, a in picked]
    return out


def argv_of(a):
    src = open(a.case).read()
    m = re.search(r'^(?://\s*)?args:(.*)$', src, re.M)
    args = shlex.split(m.group(1)) if m else []
    srcdir = os.path.dirname(os.path.abspath(a.case))
    for n, p in (f.split('=', 1) for f in a.file):
        args = [x.replace('{' + n + '}', p) for x in args]
    args = [x.replace('{input}', a.input).replace('{srcdir}', srcdir) for x in args]
    command = a.command or 'dtb'
    return [a.tool] + ([] if command == 'case' else [command, a.input]) + args


def run(cmd, cwd=None):
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300, cwd=cwd)


def fingerprints(doc):
    return sorted(r['fingerprint'] for r in doc['findings'] + doc['indeterminate'])


def check_case(t, name, argv, build, outdir):
    """Consistency of one case's SARIF with its JSON report; the SARIF file, or None."""
    j = run(argv + ['--format', 'json'], cwd=build)
    s = run(argv + ['--format', 'sarif'], cwd=build)
    try:
        doc, log = json.loads(j.stdout), json.loads(s.stdout)
    except json.JSONDecodeError as e:
        t.ok(f'{name}: JSON and SARIF parse', False, f'{e}; stderr {s.stderr}')
        return None
    res = log['runs'][0]['results']
    got = sorted(r['partialFingerprints']['ccaDmaAudit/v1'] for r in res)
    t.ok(f'{name}: a SARIF result per finding and indeterminate result, same fingerprints, '
         f'same exit status ({len(res)} results)',
         got == fingerprints(doc) and s.returncode == j.returncode,
         f'{got} vs {fingerprints(doc)}; exit {s.returncode} vs {j.returncode}')
    path = os.path.join(outdir, name + '.sarif')
    with open(path, 'w') as f:
        f.write(s.stdout)
    return path


def multitool_problems(tool, files, workdir):
    """{file: [problem, ...]}: the Multitool's errors and warnings per SARIF file."""
    out = os.path.join(workdir, 'multitool.sarif')
    if os.path.exists(out):
        os.remove(out)
    p = subprocess.run([tool, 'validate', '--rule-kind', 'Gh;Sarif', '-o', out] + files,
                       capture_output=True, text=True, timeout=600)
    problems = {f: [] for f in files}
    if not os.path.exists(out):
        return None, p.stdout + p.stderr
    for r in json.load(open(out))['runs'][0].get('results', []):
        if r.get('level', 'warning') not in ('error', 'warning'):
            continue
        uri = r['locations'][0]['physicalLocation']['artifactLocation']['uri']
        path = re.sub(r'^file://', '', uri)
        key = next((f for f in files if os.path.abspath(f) == os.path.abspath(path)), path)
        text = r['message'].get('text') or ' '.join(r['message'].get('arguments', []))
        problems.setdefault(key, []).append(f'{r.get("ruleId")}: {text}')
    return problems, p.stdout + p.stderr


def check_multitool(t, files, workdir):
    tool = sarif_multitool()
    if not tool:
        why = ('no SARIF Multitool ($SARIF_MULTITOOL, Sarif.Multitool on PATH or '
               f'{CI_MULTITOOL}; .ci/setup installs it)')
        if os.environ.get('CI'):
            t.ok('SARIF Multitool installed (CI runs .ci/setup)', False, why)
        else:
            t.ok(f'SARIF Multitool validation # SKIP {why}', True)
        return
    problems, out = multitool_problems(tool, files, workdir)
    if problems is None:
        t.ok('SARIF Multitool ran', False, out)
        return
    for f in files:
        t.ok(f'Multitool: {os.path.basename(f)}: no errors, no warnings', not problems[f],
             '\n'.join(problems[f]))
    unmatched = set(problems) - set(files)
    t.ok('Multitool: no problem outside the files given', not unmatched, str(unmatched))
    schema_path = os.path.join(os.path.dirname(os.path.realpath(tool)), 'sarif-2.1.0.json')
    try:
        import jsonschema
        schema = json.load(open(schema_path))
    except (ImportError, OSError) as e:
        t.ok(f'SARIF 2.1.0 JSON schema # SKIP {e}', True)
        return
    bad = []
    for f in files:
        errs = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(f))))
        bad += [f'{os.path.basename(f)}: {e.message}' for e in errs[:3]]
    t.ok(f'the SARIF 2.1.0 JSON schema holds for all {len(files)} logs', not bad, '\n'.join(bad))


def report(tool, args, cwd=None):
    p = run([tool] + args + ['--format', 'json'], cwd=cwd)
    return json.loads(p.stdout)


def check_fingerprints(t, tool, dtb, log, workdir):
    base = report(tool, ['audit', '--dmesg', log])
    moved = os.path.join(workdir, 'moved.log')
    with open(log) as src, open(moved, 'w') as dst:
        dst.write('\n' * 7 + src.read())
    after = report(tool, ['audit', '--dmesg', moved])
    subjects = [(f['subject'], g['subject']) for f, g in zip(base['findings'], after['findings'])]
    t.ok('boot log: findings are on other lines once lines are inserted before them',
         base['findings'] and all(a != b for a, b in subjects), str(subjects))
    t.ok('boot log: fingerprints are the same when lines are inserted before the findings',
         fingerprints(base) == fingerprints(after),
         f'{fingerprints(base)} vs {fingerprints(after)}')
    docs = []
    for d in ('a', 'b/c'):
        os.makedirs(os.path.join(workdir, d), exist_ok=True)
        copy = os.path.join(workdir, d, 'guest.dtb')
        shutil.copy(dtb, copy)
        docs.append(report(tool, ['dtb', copy]))
    docs.append(report(tool, ['dtb', 'guest.dtb'], cwd=os.path.join(workdir, 'a')))
    fps = [fingerprints(d) for d in docs]
    t.ok('DT: fingerprints are the same whatever directory holds the DTB',
         fps[0] and fps[0] == fps[1] == fps[2], str(fps))
    t.ok('fingerprints are 16 hex digits and unique in a report',
         all(re.fullmatch('[0-9a-f]{16}', x) for x in fps[0] + fingerprints(base)) and
         len(set(fps[0])) == len(fps[0]) and len(set(fingerprints(base))) == len(base['findings']
                                                                             + base['indeterminate']),
         f'{fps[0]} {fingerprints(base)}')


def dt_case(build, dts):
    """argv (absolute paths) of the golden dt case built from dts (its file name)."""
    for name, a in golden_tests(build).get('dt', []):
        if os.path.basename(a.case) == dts:
            argv = argv_of(a)
            return [os.path.join(build, argv[0]), argv[1], os.path.join(build, argv[2])] + argv[3:]
    return None


def dts_line(text, path, prop):
    """The line of text opening node path (its last name), or setting prop in it: the test's own search."""
    lines = text.split('\n')
    node = re.escape(path.rsplit('/', 1)[1]) if path != '/' else '/'
    at = next(i for i, l in enumerate(lines) if re.search(r'(^|[\s:{])' + node + r'\s*\{', l))
    if not prop:
        return at + 1
    hits = [i for i, l in enumerate(lines) if i >= at and re.search(
        r'(^|[\s{;])' + re.escape(prop) + r'\s*[=;]', l)]
    return hits[-1] + 1


def located(log):
    """{logical name: (uri, startLine)} of a SARIF log's results."""
    out = {}
    for r in log['runs'][0]['results']:
        loc = r['locations'][0]
        phys = loc['physicalLocation']
        out[loc['logicalLocations'][0]['fullyQualifiedName']] = (
            phys['artifactLocation']['uri'], phys['region']['startLine'])
    return out


def source_run(t, build, dts, outdir):
    """The case built from dts with --source dts (run in its directory): its SARIF log and file."""
    argv = dt_case(build, dts)
    if not argv:
        t.ok(f'--source: golden dt case {dts} registered', False)
        return None, None
    src = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), 'dt')
    p = run(argv + ['--format', 'sarif', '--source', dts], cwd=src)
    plain = run(argv + ['--format', 'json'], cwd=src)
    with_src = run(argv + ['--format', 'json', '--source', dts], cwd=src)
    t.ok(f'--source {dts}: the JSON report is the same with it', plain.stdout == with_src.stdout
         and plain.returncode == with_src.returncode, with_src.stderr)
    path = os.path.join(outdir, 'source-' + dts.replace('.dts', '.sarif'))
    with open(path, 'w') as f:
        f.write(p.stdout)
    try:
        return located(json.loads(p.stdout)), path
    except (json.JSONDecodeError, KeyError, IndexError) as e:
        t.ok(f'--source {dts}: a SARIF log', False, f'{e}: {p.stderr}')
        return None, None


def check_source(t, tool, build, outdir):
    """--source FILE.dts; the SARIF files it wrote, for the Multitool."""
    src = os.path.join(os.path.dirname(os.path.abspath(sys.argv[0])), 'dt')
    files = []
    for dts, subject, prop in (('dev002-fail.dts', '/gpu@2000000', 'memory-region'),
                               ('dt001-fail.dts', '/reserved-memory', '#address-cells')):
        got, path = source_run(t, build, dts, outdir)
        if not got:
            continue
        files.append(path)
        want = (dts, dts_line(open(os.path.join(src, dts)).read(), subject, prop))
        t.ok(f'--source {dts}: {subject}:{prop} is at {want[0]} line {want[1]}',
             got.get(f'{subject}:{prop}') == want, str(got))
    got, path = source_run(t, build, 'pool003-fail.dts', outdir)
    if got:
        files.append(path)
        where = got.get('/reserved-memory/restricted_dma_reserved@bc000000:reg', ('', 0))
        t.ok('--source: a node the .dts does not hold (base.dtsi\'s) stays at line 1 of the .dtb',
             where[0].endswith('pool003-fail.dtb') and where[1] == 1, str(got))
    dtb = dt_case(build, 'dev002-fail.dts')[:3]
    for name, argv, status, says in (
            ('a missing --source file', dtb + ['--source', os.path.join(src, 'no-such.dts')], 2,
             'no-such.dts: No such file'),
            ('a .dtb given as --source', dtb + ['--source', dtb[2]], 2, 'binary data'),
            ('--source with vmlinux, no device tree',
             [tool, 'vmlinux', 'vmlinux', '--source', 'x.dts'], 3, '--source:'),
            ('--source with audit and no device tree',
             [tool, 'audit', '--dmesg', 'x.log', '--source', 'x.dts'], 3, '--source:')):
        p = run(argv + ['--format', 'sarif'])
        err = p.stderr.strip().split('\n')
        t.ok(f'{name}: exit {status}, one line naming it', p.returncode == status and
             len(err) == 1 and err[0].startswith('cca-dma-audit: ') and says in err[0],
             f'exit {p.returncode}: {p.stderr}')
        if name.startswith('a missing'):
            path = os.path.join(outdir, 'source-error.sarif')
            with open(path, 'w') as f:
                f.write(p.stdout)
            files.append(path)
    return files


def main():
    tool, build, dtb, log = (os.path.abspath(x) for x in sys.argv[1:5])
    t = Tap()
    with tempfile.TemporaryDirectory() as work:
        check_fingerprints(t, tool, dtb, log, work)
        outdir = os.path.join(work, 'sarif')
        os.makedirs(outdir)
        cases = golden_commands(build)
        kinds = sorted({k for k, _, _ in cases})
        t.ok(f'golden cases of every kind registered: {", ".join(kinds)}',
             {'dt', 'runtime', 'snapshot'} <= set(kinds), str(kinds))
        files = [f for _, name, argv in cases
                 if (f := check_case(t, name, argv, build, outdir))]
        p = run([tool, 'dtb', os.path.join(work, 'no-such.dtb'), '--format', 'sarif'])
        err = os.path.join(outdir, 'error.sarif')
        with open(err, 'w') as f:
            f.write(p.stdout)
        try:
            inv = json.loads(p.stdout)['runs'][0]['invocations'][0]
        except (json.JSONDecodeError, KeyError, IndexError):
            inv = {}
        t.ok('an input that cannot be read: a SARIF log of a failed invocation, exit 2',
             p.returncode == 2 and inv.get('executionSuccessful') is False and
             inv.get('exitCode') == 2, f'exit {p.returncode}, {p.stdout[:300]}')
        files += check_source(t, tool, build, outdir)
        check_multitool(t, files + [err], work)
    return t.finish()


sys.exit(main())
