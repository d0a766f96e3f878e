#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""`meson install` into a DESTDIR puts exactly the documented files in place
(README "Install", cca-dma-audit(1) FILES), with their modes; and what it
installs works from there: the binary runs --version (with the rule-set
version the source tree's rule files give) and lists its rules with no rule
file installed, the schemas are the source tree's, man -l renders the pages,
and the bash completion completes commands and options. Prints TAP.

usage: run-install.py MESON BUILD_ROOT SOURCE_ROOT PREFIX BINDIR DATADIR MANDIR MAN(yes|no)
(BINDIR, DATADIR and MANDIR absolute, as meson's prefix / option gives them.)
"""
import json
import os
import re
import shutil
import stat
import subprocess
import sys
import tempfile

from tap import Tap

MESON, BUILD, SRC, PREFIX, BINDIR, DATADIR, MANDIR, MAN = sys.argv[1:9]
tap = Tap()
NAME = 'cca-dma-audit'


def expected():
    """{installed path (absolute, without DESTDIR): mode}."""
    files = {f'{BINDIR}/{NAME}': 0o755, f'{BINDIR}/{NAME}-collect': 0o755,
             f'{DATADIR}/{NAME}/report-v1.schema.json': 0o644,
             f'{DATADIR}/{NAME}/facts-v1.schema.json': 0o644,
             f'{DATADIR}/bash-completion/completions/{NAME}': 0o644}
    for doc in ('LICENSE', 'NEWS', 'README.md'):
        files[f'{DATADIR}/doc/{NAME}/{doc}'] = 0o644
    if MAN == 'yes':
        for page in (f'man1/{NAME}.1', f'man1/{NAME}-collect.1', f'man5/{NAME}-rules.5'):
            files[f'{MANDIR}/{page}'] = 0o644
    return files


def installed(dest):
    """{installed path (absolute, without DESTDIR): mode} of every file under dest."""
    found = {}
    for root, _, names in os.walk(dest):
        for n in names:
            path = os.path.join(root, n)
            found['/' + os.path.relpath(path, dest)] = stat.S_IMODE(os.lstat(path).st_mode)
    return found


def check_files(dest):
    want, got = expected(), installed(dest)
    missing = sorted(set(want) - set(got))
    extra = sorted(set(got) - set(want))
    tap.ok('the documented files are installed', not missing, f'missing {missing}')
    tap.ok('nothing else is installed (no rule files: the binary holds them)', not extra,
           f'not in the list: {extra}')
    modes = {p: oct(got[p]) for p in want if p in got and got[p] != want[p]}
    tap.ok('programs are 0755, data 0644', not modes, f'wrong modes {modes}')


def check_binary(dest):
    tool = dest + f'{BINDIR}/{NAME}'
    p = subprocess.run([tool, '--version'], capture_output=True, text=True, timeout=60)
    lines = p.stdout.splitlines()
    rules = [os.path.join(SRC, 'rules', f) for f in os.listdir(os.path.join(SRC, 'rules'))
             if f.endswith('.json')]
    want = subprocess.run([sys.executable, os.path.join(SRC, 'rules/embed-rules.py'),
                           '--print-version'] + rules, capture_output=True, text=True).stdout
    tap.ok('installed --version: the version, then the rule-set version of rules/*.json',
           p.returncode == 0 and len(lines) == 2 and re.fullmatch(rf'{NAME} \d+\.\d+\.\d+\S*',
                                                                  lines[0])
           and re.fullmatch(r'rule set sha256:[0-9a-f]{12}, [1-9]\d* rules', lines[1])
           and lines[1] == 'rule set ' + want.strip(),
           f'exit {p.returncode}, stdout {p.stdout!r}, expected rule set {want!r}')
    p = subprocess.run([tool, 'rules', '--format', 'json'], capture_output=True, text=True,
                       timeout=60)
    ok = p.returncode == 0 and json.loads(p.stdout).get('rules')
    tap.ok('installed binary lists its built-in rules', ok, f'exit {p.returncode} {p.stderr}')
    collect = dest + f'{BINDIR}/{NAME}-collect'
    p = subprocess.run(['sh', '-n', collect], capture_output=True, text=True)
    tap.ok('installed collector is a valid sh script', p.returncode == 0, p.stderr)


def check_schemas(dest):
    same = all(open(dest + f'{DATADIR}/{NAME}/{s}', 'rb').read() ==
               open(os.path.join(SRC, 'lib/schema', s), 'rb').read()
               for s in ('report-v1.schema.json', 'facts-v1.schema.json'))
    tap.ok('installed schemas are lib/schema/*.json', same)


def check_man(dest):
    if MAN != 'yes' or not shutil.which('man'):
        print('# man pages not built (no scdoc) or no man: man -l checks skipped')
        return
    env = dict(os.environ, MANPAGER='cat', PAGER='cat', MANWIDTH='80', LC_ALL='C.UTF-8')
    # The title line, and a section each page must have (FILES: what this test checks).
    for page, title, part in ((f'man1/{NAME}.1', 'cca-dma-audit(1)', 'FILES'),
                              (f'man1/{NAME}-collect.1', 'cca-dma-audit-collect(1)', 'NAME'),
                              (f'man5/{NAME}-rules.5', 'cca-dma-audit-rules(5)', 'FACTS')):
        p = subprocess.run(['man', '-l', dest + f'{MANDIR}/{page}'], capture_output=True,
                           text=True, env=env, timeout=60)
        out = p.stdout
        tap.ok(f'man -l renders {page}', p.returncode == 0 and title in out
               and re.search(rf'^{part}$', out, re.M),
               f'exit {p.returncode}, stderr {p.stderr[:300]!r}, stdout {out[:200]!r}')


def complete(dest, *words):
    """COMPREPLY of the installed completion for the command line words (the
    last one is completed), with the installed binary as the command."""
    script = ('source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
              f'complete -p {NAME} >/dev/null || exit 9; _cca_dma_audit; '
              'printf "%s\\n" "${COMPREPLY[@]}"')
    p = subprocess.run(['bash', '--norc', '--noprofile', '-c', script, 'bash',
                        dest + f'{DATADIR}/bash-completion/completions/{NAME}',
                        dest + f'{BINDIR}/{NAME}'] + list(words),
                       capture_output=True, text=True, timeout=60)
    return p.stdout.split(), p


def check_completion(dest):
    if not shutil.which('bash'):
        print('# no bash: completion checks skipped')
        return
    for words, want in ((['d'], ['dtb']), (['dtb', '--fo'], ['--format']),
                        (['--format', 'json', 'r'], ['rules'])):
        got, p = complete(dest, *words)
        tap.ok(f'completion of "{NAME} {" ".join(words)}" is {want}', got == want,
               f'got {got}, exit {p.returncode}, stderr {p.stderr!r}')
    got, _ = complete(dest, 'rules', '--')
    tap.ok('completion offers only the options a command takes (rules: no --dtb)',
           '--format' in got and '--dtb' not in got, got)


def main():
    with tempfile.TemporaryDirectory(dir=BUILD, prefix='install-test-') as dest:
        # --no-rebuild: meson test has built everything; a second ninja would race it.
        p = subprocess.run([MESON, 'install', '-C', BUILD, '--no-rebuild', '--quiet',
                            '--destdir', dest], capture_output=True, text=True, timeout=300)
        tap.ok('meson install --destdir succeeds', p.returncode == 0,
               p.stdout[-500:] + p.stderr[-500:])
        if p.returncode == 0:
            check_files(dest)
            check_binary(dest)
            check_schemas(dest)
            check_man(dest)
            check_completion(dest)
    return tap.finish()


if __name__ == '__main__':
    sys.exit(main())
