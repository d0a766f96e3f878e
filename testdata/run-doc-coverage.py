#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every option and exit status the documents name is exercised by a test.

Documented: the option lines of `cca-dma-audit --help` and of each command's
--help; *--name* terms and cca-dma-audit command lines in man/*.scd; code
spans and cca-dma-audit command lines in README.md and docs/ci/README.md; the
exit statuses run-exit-status.py reads from --help, the man page and README.

Exercised: an option passed to the binary somewhere a test runs it: a string
element of an argument list in a test script, testdata/run-*.py (not a check
of help text, so '--x' in p.stdout does not count; fixture makers, which pass
options to dtc and tar, are not tests), an "args:" line of a golden case, a
cca-dma-audit command of docs/ci/ (run by run-ci-docs.py) or of a shell
script CI runs (.ci/run, testdata/real/*.sh). A short option counts as its
long form. A status is exercised when run-exit-status.py asserts it with
status(NAME, ARGS, N).

Prints TAP; each untested option or status, and each documented option the
binary does not have, is a failure naming it.

usage: run-doc-coverage.py TOOL SRCDIR
"""
import ast
import glob
import os
import re
import shlex
import subprocess
import sys

from tap import Tap

TOOL, SRC = sys.argv[1:3]
HERE = os.path.dirname(os.path.abspath(__file__))
tap = Tap()
# cca-dma-audit's options are long, or one letter: -Dman=... and dmesg -T are not ours.
OPTION = r'--[a-z][a-z0-9-]*|-[A-Za-z](?![A-Za-z0-9-])'
# Options of other programs that the documents cite as such, each with where:
# not ours, so not checked (a documented option the binary lacks is an error).
OTHER_PROGRAMS = {
    '-l': 'trace-cmd report', '-t': 'trace-cmd report; cca-dma-audit-collect (README)',
    '-R': 'trace-cmd report', '--ts-diff': 'trace-cmd report', '--raw-ts': 'trace-cmd report',
    '--ts2secs': 'trace-cmd report', '--align-ts': 'trace-cmd report', '--cpu': 'trace-cmd report',
}


def script_functions(path):
    """The functions of a test script without running its checks, which it
    does at top level: its imports and defs only, executed."""
    tree = ast.parse(open(path).read())
    keep = (ast.Import, ast.ImportFrom, ast.FunctionDef)
    tree.body = [n for n in tree.body if isinstance(n, keep)]
    names = {}
    exec(compile(tree, path, 'exec'), names)
    return names


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=60)


def option_table():
    """{'--long': '--long', '-s': '--long'} from the binary's hidden --list-options."""
    names = {}
    for line in run('--list-options').stdout.splitlines():
        long, short = line.split('\t')[:2]
        names[long] = long
        if short:
            names[short] = long
    return names


# ---- what the documents name ----

def command_line_options(text):
    """Options of the cca-dma-audit command lines in text, up to a shell
    operator: "meson setup --reconfigure" or "| jq -r" are not ours."""
    found = []
    for m in re.finditer(r'(?:^|[\s/`])cca-dma-audit(?= )(.*)', text, re.M):
        line = re.sub(r'\$\([^)]*\)', '', re.split(r'&&|\|\||\s\|\s|;|`', m.group(1))[0])
        found += re.findall(rf'(?<![\w-])({OPTION})', line)
    return found


def help_options(text):
    """The option lines of a --help: '  -o, --output FILE' or '  --facts'."""
    return re.findall(rf'^  (?:(-[A-Za-z]), )?(--[a-z][a-z0-9-]*)', text, re.M)


def documented_options():
    """{option as written: [where]}."""
    where = {}

    def add(opts, place):
        for o in opts:
            if place not in where.setdefault(o, []):
                where[o].append(place)
    top = run('--help').stdout
    commands = re.findall(r'^  ([a-z]+) ', top.partition('commands:')[2].partition('\n\n')[0], re.M)
    for cmd, text in [('', top)] + [(c + ' ', run(c, '--help').stdout) for c in commands]:
        add([o for pair in help_options(text) for o in pair if o], f'{cmd}--help')
    for page in sorted(glob.glob(os.path.join(SRC, 'man/*.scd*'))):
        add(man_options(open(page).read(), page.endswith('collect.1.scd')), os.path.basename(page))
    for doc in ('README.md', 'docs/ci/README.md'):
        add(markdown_options(open(os.path.join(SRC, doc)).read()), doc)
    return where


def man_options(text, collector=False):
    """*--name* terms (also *--name* _ARG_, *--name=...*) and command lines.
    On the collector's page the short options are the collector's own."""
    opts = re.findall(rf'\*({OPTION})(?=[*\s=])', text) + command_line_options(text)
    return [o for o in opts if o.startswith('--') or not collector]


def markdown_options(text):
    """Code spans and code-block lines that are an option (`--fail-on warning`,
    a table cell) or a cca-dma-audit command line."""
    spans = re.findall(r'`([^`\n]+)`', text)
    found = [m.group(0) for s in spans for m in [re.match(OPTION, s)] if m]
    return found + command_line_options(text)


# ---- what the tests pass ----

# calls whose string arguments are not a command line: checks of output and test names
NOT_ARGUMENTS = {'check', 'ok', 'print', 'fail', 'startswith', 'endswith', 'replace', 'split',
                 'find', 'index', 'count', 'search', 'match', 'fullmatch', 'findall', 'sub', 'join'}


def python_arguments(source):
    """Options a test script passes: string elements of a list or tuple, or
    arguments of a call that runs something, as "--name" or "--name=...",
    and options of a 'cca-dma-audit ...' command string."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
            values = node.elts
        elif isinstance(node, ast.Call):
            f = node.func
            values = [] if getattr(f, 'attr', getattr(f, 'id', '')) in NOT_ARGUMENTS else node.args
        else:
            continue
        for v in values:
            if isinstance(v, ast.JoinedStr) and v.values:  # f'--baseline={path}'
                v = v.values[0]
            if isinstance(v, ast.Constant) and isinstance(v.value, str):
                m = re.fullmatch(rf'({OPTION})(=.*)?', v.value, re.S)
                found += [m.group(1)] if m else command_line_options(v.value)
    return found


def case_arguments(text):
    """The options of a golden case's "args:" line (run-golden.py reads it)."""
    return [a.split('=')[0] for line in re.findall(r'^(?://\s*)?args:(.*)$', text, re.M)
            for a in shlex.split(line) if re.fullmatch(rf'({OPTION})(=.*)?', a)]


def shell_arguments(text):
    """Options of the tool's command lines in a shell script ("$tool" dtb ...)."""
    return command_line_options(text.replace('"$tool"', ' cca-dma-audit'))


def exercised_options():
    found = []
    for path in glob.glob(os.path.join(HERE, '**/run-*.py'), recursive=True):
        if os.path.basename(path) != os.path.basename(__file__):  # its own self-tests
            found += python_arguments(open(path).read())
    for path in glob.glob(os.path.join(HERE, '**/*.case'), recursive=True) + \
            glob.glob(os.path.join(HERE, '**/*.dts'), recursive=True):
        found += case_arguments(open(path).read())
    ci_commands = script_functions(os.path.join(HERE, 'run-ci-docs.py'))['commands']
    for yml in glob.glob(os.path.join(SRC, 'docs/ci/*.yml')):
        found += command_line_options('\n'.join(ci_commands(yml)))
    for sh in [os.path.join(SRC, '.ci/run')] + glob.glob(os.path.join(HERE, 'real/*.sh')):
        found += shell_arguments(open(sh).read())
    return found


def untested(documented, exercised, table):
    """{option: why} for each documented option no test passes, or the binary lacks."""
    passed = {table.get(o, o) for o in exercised}
    out = {}
    for o, places in documented.items():
        if o in OTHER_PROGRAMS:
            continue
        if o not in table:
            out[o] = f'not an option of cca-dma-audit ({", ".join(places)})'
        elif table[o] not in passed:
            out[o] = f'no test passes it ({", ".join(places)})'
    return out


# ---- exit statuses ----

def asserted_statuses(source):
    """The N of every status(NAME, ARGS, N) call in run-exit-status.py."""
    return {n.args[2].value for n in ast.walk(ast.parse(source)) if isinstance(n, ast.Call)
            and getattr(n.func, 'id', '') == 'status' and len(n.args) == 3
            and isinstance(n.args[2], ast.Constant)}


table = option_table()
tap.ok('--list-options: the option table', table)
documented = documented_options()
exercised = exercised_options()
bad = untested(documented, exercised, table)
tap.ok(f'options found in the documents ({len(documented)}) and in the tests',
       documented and exercised)
for o in sorted(set(documented) - set(OTHER_PROGRAMS)):
    tap.ok(f'{o}: documented, and passed to cca-dma-audit by a test', o not in bad, bad.get(o))

exit_status_py = os.path.join(HERE, 'run-exit-status.py')
statuses = script_functions(exit_status_py)['documented_statuses'](run('--help').stdout, SRC)
asserted = asserted_statuses(open(exit_status_py).read())
for n in sorted({n for listed in statuses.values() for n in listed}):
    tap.ok(f'exit status {n} ({", ".join(d for d, l in statuses.items() if n in l)}) '
           'is asserted by run-exit-status.py', n in asserted, sorted(asserted))

# The check can fail: a documented option no test passes, one the binary
# lacks, a help-text check that is not an argument, a status not asserted.
fake = {'--no-such-option': ['man'], '--facts': ['man']}
tap.ok('self-test: an untested, unknown option is reported',
       untested(fake, exercised, table)
       == {'--no-such-option': 'not an option of cca-dma-audit (man)'})
tap.ok('self-test: a documented option no test passes is reported',
       untested(fake, [], dict(table, **{'--no-such-option': '--no-such-option'}))
       == {'--facts': 'no test passes it (man)', '--no-such-option': 'no test passes it (man)'})
tap.ok('self-test: "--facts" in p.stdout is not an argument, run(..., "--facts") is',
       python_arguments("x = '--facts' in p.stdout\ncheck('--facts', x)") == [] and
       python_arguments("run('dtb', F, '--facts')\ncmd = [T, '-o', x, f'--output={x}']")
       == ['--facts', '-o', '--output'])
tap.ok('self-test: a status without status(..., N) is not asserted',
       asserted_statuses("status('a', ['dtb'], 0)\ncheck('exit 4', p.returncode == 4)") == {0})
tap.ok('self-test: options of command lines, not of other programs',
       command_line_options('meson setup --reconfigure && cca-dma-audit dtb -q $(uname -r)'
                            ' | jq -r .\n`dmesg -T` `cca-dma-audit-collect -t 5`') == ['-q'] and
       markdown_options('`-Dman=disabled`, `--fail-on warning`, `-o FILE`') == ['--fail-on', '-o']
       and man_options('*--frob* _X_, *-o* _F_, *grep -r*', collector=True) == ['--frob'])
sys.exit(tap.finish())
