#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""cca-dma-audit(1) documents exactly the options and commands of the tool's
own tables (cmd/cca-dma-audit.c): every option in the OPTIONS section with
its short form and argument name, no option the tables lack, every command
in COMMANDS; and each command's --help lists the options its table rows
give it. The tables come from the binary (the hidden --list-options), so
this cannot drift from the code. Prints TAP.

usage: run-man-options.py TOOL MANPAGE.scd
"""
import re
import subprocess
import sys

from tap import Tap

TOOL, MAN = sys.argv[1:3]
tap = Tap()


def table():
    """{--long: (short or '', argument or '', [commands])} from --list-options."""
    p = subprocess.run([TOOL, '--list-options'], capture_output=True, text=True, timeout=60)
    rows = {}
    for line in p.stdout.splitlines():
        long, short, arg, cmds = line.split('\t')
        rows[long] = (short, arg, cmds.split(',') if cmds else [])
    tap.ok('--list-options: exit 0, one row per option', p.returncode == 0 and rows, p.stderr)
    return rows


def section(text, name):
    m = re.search(rf'^# {name}\n(.*?)(?=^# )', text, re.M | re.S)
    return m.group(1) if m else ''


def man_options(text):
    """{--long: (short, argument)} from the OPTIONS section's term lines, e.g.
    '*-o*, *--output* _FILE_' or '*--dtb* _FILE_|_DIR_|*-*, *--kernel* _FILE_'."""
    opts = {}
    for term in re.findall(r'^(\*-.*)$', section(text, 'OPTIONS'), re.M):
        short = ''
        for piece in re.split(r', (?=\*-)', term):
            m = re.fullmatch(r'\*(--?[A-Za-z0-9-]+)\*\s*(.*)', piece.strip())
            if not m:
                opts[piece] = ('?', '?')  # a term this parser does not understand is a mismatch
            elif not m.group(1).startswith('--'):
                short = m.group(1)
            else:
                opts[m.group(1)] = (short, re.sub(r'[*_\\]', '', m.group(2)))
                short = ''
    return opts


def man_commands(text):
    return set(re.findall(r'^\*([a-z]+)\*', section(text, 'COMMANDS'), re.M))


def mismatches(rows, text):
    """What the page says that the table does not, one line each."""
    documented = man_options(text)
    out = [f'{o}: in the table, not in OPTIONS' for o in rows if o not in documented]
    out += [f'{o}: in OPTIONS, not in the table' for o in documented if o not in rows]
    for o, (short, arg, _) in rows.items():
        if o in documented and documented[o] != (short, arg):
            out.append(f'{o}: table says {(short, arg)}, man page {documented[o]}')
    commands = {c for _, _, cmds in rows.values() for c in cmds}
    out += [f'command {c}: not in COMMANDS' for c in sorted(commands - man_commands(text))]
    out += [f'command {c}: in COMMANDS, not a command' for c in sorted(man_commands(text) - commands)]
    return out


rows = table()
man = open(MAN).read()
bad = mismatches(rows, man)
tap.ok('cca-dma-audit(1) documents exactly the options and commands of the tables', rows and not bad,
       '\n'.join(bad))
# The comparison can fail: an option taken out of the page, one added that
# the table lacks, and a wrong argument name are each caught.
tap.ok('an option missing from the page is caught',
       mismatches(rows, man.replace('\n*--facts*\n', '\n')) != [])
tap.ok('an option the table lacks is caught',
       mismatches(rows, man.replace('\n# OPTIONS\n', '\n# OPTIONS\n\n*--frobnicate*\n\tNo.\n')) != [])
tap.ok('a wrong argument name is caught',
       mismatches(rows, man.replace('*--color* _WHEN_', '*--color* _MODE_')) != [])
tap.ok('cca-dma-audit(1) says how to get a command\'s own help',
       re.search(r'\*cca-dma-audit\* _COMMAND_ \*--help\*', man) is not None)

# Per-command help: the synopsis, then the options whose rows name the command
# (less, for dtb, vmlinux, swiotlb and trace, the input option its argument stands for).
commands = sorted({c for _, _, cmds in rows.values() for c in cmds})
for cmd in commands:
    p = subprocess.run([TOOL, cmd, '--help'], capture_output=True, text=True, timeout=60)
    listed = set(re.findall(r'^  (?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)', p.stdout, re.M))
    want = {o for o, (_, _, cmds) in rows.items() if cmd in cmds}
    tap.ok(f'{cmd} --help: exit 0, its synopsis and the options its rows give it',
           p.returncode == 0 and p.stdout.startswith(f'usage: cca-dma-audit {cmd} [OPTIONS]')
           and listed <= want and len(want - listed) <= 1, (p.returncode, sorted(want ^ listed)))
p = subprocess.run([TOOL, '--help'], capture_output=True, text=True, timeout=60)
listed = set(re.findall(r'^  (?:-[A-Za-z], )?(--[a-z][a-z0-9-]*)', p.stdout, re.M))
tap.ok('--help lists every option of the table', p.returncode == 0 and listed == set(rows),
       sorted(listed ^ set(rows)))

sys.exit(tap.finish())
