#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""The ready-made CI jobs in docs/ci/ work: every `cca-dma-audit ...` command
in the GitHub Actions workflow and the GitLab CI job is taken from the file
(so the two cannot drift), run as the job's shell would run it, with $DTBS
the bundled examples, and its report must be written and parse: SARIF
(JSON, version 2.1.0), JUnit XML, JSON. The GitLab job's code-quality step
(a python3 script in the file) is run on that JSON report and its output
checked against what GitLab reads. Each status is the one the JSON report
gives. The exit statuses README.md's table lists are the ones docs/ci/README.md
explains. Prints TAP.

usage: run-ci-docs.py TOOL SOURCE_ROOT EXAMPLES_DIR WORKDIR
"""
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
import xml.etree.ElementTree as ET

from tap import Tap

TOOL, ROOT, EXAMPLES, WORK = sys.argv[1:5]
CI = os.path.join(ROOT, 'docs/ci')
tap = Tap()
check = tap.ok


def commands(path):
    """The cca-dma-audit command lines of a CI file, without their '|| ...' tail."""
    found = []
    for line in open(path):
        m = re.match(r'\s*(?:- )?(cca-dma-audit \S.*?)(?:\s+\|\|.*)?$', line)
        if m:
            found.append(m.group(1))
    return found


def output_of(cmd):
    m = re.search(r'(?:-o|--output)\s+(\S+)', cmd)
    return m.group(1) if m else None


def format_of(cmd):
    m = re.search(r'--format\s+(\S+)', cmd)
    return m.group(1) if m else 'text'


def sh(cmd, cwd, env):
    return subprocess.run(['bash', '-c', cmd], cwd=cwd, env=env, capture_output=True, timeout=120)


def parses(fmt, path):
    """'' when the report at path is a document of its format, else why not."""
    try:
        if fmt == 'sarif':
            doc = json.load(open(path))
            return '' if doc.get('version') == '2.1.0' and doc.get('runs') else 'not SARIF 2.1.0'
        if fmt == 'junit':
            return '' if ET.parse(path).getroot().tag == 'testsuites' else 'not <testsuites>'
        if fmt == 'json':
            return '' if json.load(open(path)).get('schema_version') == 1 else 'no schema_version'
    except (ValueError, ET.ParseError, OSError) as e:
        return str(e)
    return f'no check for --format {fmt}'


def sarif_supported(env, cwd):
    p = sh('cca-dma-audit --format sarif --version', cwd, env)
    return b"'sarif' is not" not in p.stderr


def codequality_script(path):
    """The GitLab job's python3 step: (input, output, the script), or None."""
    m = re.search(r"python3 - (\S+) > (\S+) <<'EOF'\n(.*?)\n\s*EOF\n", open(path).read(), re.S)
    return (m.group(1), m.group(2), textwrap.dedent(m.group(3))) if m else None


CQ_SEVERITIES = {'info', 'minor', 'major', 'critical', 'blocker'}


def codequality_ok(issues):
    """'' when issues is what GitLab's code quality report takes, else why not."""
    if not isinstance(issues, list):
        return 'not a list'
    for i in issues:
        loc = i.get('location', {})
        if not (isinstance(i.get('description'), str) and i.get('check_name')
                and i.get('fingerprint') and i.get('severity') in CQ_SEVERITIES
                and loc.get('path') and isinstance(loc.get('lines', {}).get('begin'), int)):
            return f'bad issue {i}'
    if len({i['fingerprint'] for i in issues}) != len(issues):
        return 'fingerprints not unique'
    return ''


def run_file(name, dtbs, env, sarif_ok):
    """Run the file's commands in a fresh directory; returns that directory's reports."""
    cmds = commands(os.path.join(CI, name))
    check(f'{name}: has cca-dma-audit commands', cmds, cmds)
    cwd = tempfile.mkdtemp(dir=WORK)
    env = dict(env, DTBS=' '.join(dtbs), HOST_GRANULE='64K')
    want = json.loads(subprocess.run([TOOL, 'dtb', *dtbs, '--format', 'json'],
                                     capture_output=True).stdout)['summary']['exit_code']
    for cmd in cmds:
        fmt, out = format_of(cmd), output_of(cmd)
        if fmt == 'sarif' and not sarif_ok:
            check(f'{name}: {cmd} # SKIP --format sarif not in this binary yet', True)
            continue
        p = sh(cmd, cwd, env)
        check(f'{name}: {cmd}: exit {want}, as the JSON report says', p.returncode == want,
              (p.returncode, p.stderr))
        why = parses(fmt, os.path.join(cwd, out)) if out else 'no -o FILE'
        check(f'{name}: {cmd}: writes a {fmt} report that parses', not why, why)
    return cwd


os.makedirs(WORK, exist_ok=True)
bindir = tempfile.mkdtemp(dir=WORK)
os.symlink(os.path.abspath(TOOL), os.path.join(bindir, 'cca-dma-audit'))
env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get('PATH', ''))
examples = sorted(glob.glob(os.path.join(EXAMPLES, '*.dtb')))
check('bundled examples are built', examples, EXAMPLES)
sarif_ok = sarif_supported(env, WORK)
if not sarif_ok:
    print('# --format sarif is not accepted by this binary: its commands are skipped',
          file=sys.stderr)

# One example, then their directory: $DTBS may name a folder of trees, all
# audited in one run and one report.
runs = [examples[:1], [EXAMPLES]] if examples else []
for dtbs in runs:
    run_file('github-actions.yml', dtbs, env, sarif_ok)
    cwd = run_file('gitlab-ci.yml', dtbs, env, sarif_ok)
    cq = codequality_script(os.path.join(CI, 'gitlab-ci.yml'))
    check('gitlab-ci.yml: has the code-quality step', cq)
    if cq:
        src, dst, script = cq
        p = subprocess.run(['python3', '-', src], input=script.encode(), cwd=cwd,
                           capture_output=True, timeout=60)
        open(os.path.join(cwd, dst), 'wb').write(p.stdout)
        try:
            issues = json.loads(p.stdout)
        except ValueError as e:
            issues = e
        report = json.load(open(os.path.join(cwd, src)))
        why = codequality_ok(issues)
        check('gitlab-ci.yml: code-quality step writes GitLab code quality issues',
              p.returncode == 0 and not why, (why, p.stderr))
        check('gitlab-ci.yml: one code-quality issue per finding',
              isinstance(issues, list) and len(issues) == len(report['findings'])
              and len(issues) > 0, len(report['findings']))

# The exit statuses the README's table lists are the ones docs/ci/README.md explains.
readme = open(os.path.join(ROOT, 'README.md')).read()
table = re.search(r'### Exit status\n(.*?)\n#', readme, re.S)
statuses = set(re.findall(r'^\| (\d+) \|', table.group(1), re.M)) if table else set()
ci_readme = open(os.path.join(CI, 'README.md')).read()
explained = set(re.findall(r'^\| (\d+) \|', ci_readme, re.M))
check('docs/ci/README.md explains every exit status README.md lists',
      statuses and statuses == explained, (sorted(statuses), sorted(explained)))

sys.exit(tap.finish())
