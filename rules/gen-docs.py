#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Generate the rule documentation from the rule files, so it cannot drift.

usage: gen-docs.py [--check [--built FILE...]] REPO_ROOT
       gen-docs.py --list REPO_ROOT                    the rule files, one a line
       gen-docs.py --man REPO_ROOT TEMPLATE OUTPUT     fill @RULES@ in a man page

The rule files are the rules/*.json that hold "rules" (probes.json holds
only probes), in name order, the order the binary loads them in: the build
embeds the --list (rules/meson.build) and lists the rules in the man page from
them, so a new rule file needs no edit elsewhere.

Every rule must cite references a user can open (a kernel path and function,
a commit id with its release, a lore thread, a dt-schema binding); a rule
without them fails both modes. Writes, from the rule files:
  docs/rules/README.md   an index of every rule
  docs/rules/ID.md       one page per rule: what it checks (with the set-wide
                         names it uses), why, the evidence it reads, how to
                         fix it, its references and test cases
  README.md              the rule table between <!-- rules-table --> markers

With --check nothing is written; the exit status is 1 (and the stale files
are named) when a generated file differs from what is in the tree, or when
the files the build embedded (--built, from meson) are not the rule files in
the tree. The test suite runs it that way; after changing a rule, run it
without --check.
"""
import glob
import re
import json
import os
import sys

INPUT_NAMES = {'dt': 'device tree', 'kernel': 'kernel image', 'swiotlb': 'swiotlb debugfs',
               'dmesg': 'boot log', 'trace': 'DMA trace', 'snapshot': 'snapshot',
               'virtio': 'virtio devices (snapshot)'}


def rule_files(root):
    """rules/NAME.json holding "rules", in name order (how the binary loads them)."""
    found = []
    for path in sorted(glob.glob(os.path.join(root, 'rules', '*.json'))):
        with open(path) as f:
            if 'rules' in json.load(f):
                found.append(path)
    return found


def load_rules(root):
    """The rules, and the set-wide names: {NAME: (EXPR, FILE)}, later files replacing."""
    rules, lets = [], {}
    for path in rule_files(root):
        name = 'rules/' + os.path.basename(path)
        with open(path) as f:
            doc = json.load(f)
        lets.update((k, (v, name)) for k, v in doc.get('let', {}).items())
        for r in doc['rules']:
            r['_file'] = name
            rules.append(r)
    return rules, lets


def uses(r, lets):
    """The set-wide names rule r uses, directly or through one another, in definition order."""
    own = set(r.get('let', {}))
    text = [r.get(k, '') for k in ('for_each', 'where', 'assert', 'message', 'fix', 'subject',
                                   'property')]
    text += list(r.get('let', {}).values()) + list(r.get('evidence', {}).values())
    found, todo = set(), ' '.join(text)
    while todo:
        new = {n for n in re.findall(r'(?<![\w.])[a-z_][a-z0-9_]*', todo) if n in lets and n not in own}
        new -= found
        found |= new
        todo = ' '.join(lets[n][0] for n in new)
    return [n for n in lets if n in found]


def cases(root, rule_id):
    """Test cases named after the rule (RULE-fail*, RULE-pass*, RULE-indet*)."""
    found = []
    for ext in ('dts', 'case'):
        found += glob.glob(os.path.join(root, 'testdata', '*', f'{rule_id.lower()}-*.{ext}'))
    return sorted(os.path.relpath(p, root) for p in found)


def code(text):
    return '`' + text.replace('`', "'") + '`'


def page(root, r, lets):
    out = [f'# {r["id"]} {r["name"]}', '',
           f'**Severity:** {r["severity"]} · **Inputs:** '
           + ', '.join(INPUT_NAMES.get(i, i) for i in r['inputs'])
           + f' · **Defined in:** `{r["_file"]}`', '', r['summary'][0].upper() + r['summary'][1:] + '.', '',
           '## What it checks', '']
    if r.get('for_each'):
        out.append(f'- for each {code(r["for_each"])}')
    for name in uses(r, lets):
        out.append(f'- set-wide `{name}` = {code(lets[name][0])} (`{lets[name][1]}`)')
    for name, expr in r.get('let', {}).items():
        out.append(f'- let `{name}` = {code(expr)}')
    if r.get('where'):
        out.append(f'- where {code(r["where"])}')
    out.append(f'- it must hold that {code(r["assert"])}')
    if r.get('params'):
        out.append('- parameters: ' + ', '.join(f'`{k}` = {v}' for k, v in r['params'].items()))
    out += ['', 'A false assertion is a finding; when the facts it needs are missing the rule is '
            '*indeterminate* for that subject, with the reason (see `cca-dma-audit rules '
            + r['id'] + '`).', '', '## Why', '', r['why'], '']
    if r.get('evidence'):
        out += ['## Evidence reported', '']
        out += [f'- `{k}`: {code(v)}' for k, v in r['evidence'].items()]
        out.append('')
    if r.get('fix'):
        fix = r['fix'].replace('{', '*{').replace('}', '}*')
        if '{' in r['fix']:
            fix += ' (starred parts are filled in from the facts)'
        out += ['## How to fix', '', fix, '']
    out += ['## References', '']
    out += [f'- {ref}' for ref in r.get('refs', [])]
    out += ['', '## Test cases', '']
    cs = cases(root, r['id'])
    out += [f'- `{c}`' for c in cs] if cs else ['- none']
    return '\n'.join(out) + '\n'


def index(rules):
    out = ['# The rules', '',
           'Generated from `rules/*.json` by `rules/gen-docs.py`; do not edit by hand.', '',
           '| rule | severity | name | inputs | checks |', '|---|---|---|---|---|']
    for r in rules:
        out.append(f'| [{r["id"]}]({r["id"]}.md) | {r["severity"]} | {r["name"]} | '
                   + ', '.join(r['inputs']) + f' | {r["summary"]} |')
    return '\n'.join(out) + '\n'


def readme_table(rules):
    out = ['<!-- rules-table: generated by rules/gen-docs.py from rules/*.json -->',
           '| id | severity | name | checks |', '|---|---|---|---|']
    for r in rules:
        out.append(f'| [{r["id"]}](docs/rules/{r["id"]}.md) | {r["severity"]} | {r["name"]} | '
                   f'{r["summary"]} |')
    out.append('<!-- /rules-table -->')
    return '\n'.join(out)


def with_table(text, table):
    start = text.index('<!-- rules-table')
    end = text.index('<!-- /rules-table -->') + len('<!-- /rules-table -->')
    return text[:start] + table + text[end:]


# A reference a user can open: a kernel source path (and function), a commit
# id with its release, a mailing-list thread, or a dt-schema binding.
REF_PATTERN = re.compile(r'^((arch|drivers|include|kernel|mm|virt|Documentation)/[\w./-]+'
                         r'|commits? [0-9a-f]{12}|lore: |devicetree-org/dt-schema )')


def bad_refs(rules):
    """Rules without references, or with one a user cannot open."""
    bad = []
    for r in rules:
        if not r.get('refs'):
            bad.append(f'{r["id"]}: no refs')
        bad += [f'{r["id"]}: reference cannot be opened: {ref!r}' for ref in r.get('refs', [])
                if not REF_PATTERN.match(ref)]
    return bad


def scd(text):
    """Plain text for scdoc: no markup characters."""
    return text.replace('\\', '\\\\').replace('_', '\\_').replace('*', '\\*')


def man_section(rules, lets):
    """The BUILT-IN RULES list of cca-dma-audit-rules(5), in scdoc."""
    out = []
    for r in rules:
        out += [f'*{r["id"]}* {scd(r["name"])} ({r["severity"]}; {", ".join(r["inputs"])})',
                '\t' + scd(r['summary'][0].upper() + r['summary'][1:]) + '.', '']
    out += ['The set-wide names of the built-in rule files (see *RULE FILES*):', '']
    for name, (expr, origin) in lets.items():
        out += [f'*{scd(name)}* ({scd(origin)})', '\t' + scd(expr), '']
    return '\n'.join(out).rstrip('\n')


def man(root, template, output):
    rules, lets = load_rules(root)
    text = open(template).read()
    if text.count('@RULES@') != 1:
        sys.exit(f'{template}: expected one @RULES@ marker')
    with open(output, 'w') as f:
        f.write(text.replace('@RULES@', man_section(rules, lets)))
    return 0


def built_in_tree(root, built):
    """The rule files the build embedded (meson lists them when it configures) are the tree's."""
    tree = {os.path.basename(p) for p in rule_files(root)}
    have = {os.path.basename(p) for p in built}
    msgs = [f'rules/{n} is not built in: run meson setup --reconfigure' for n in sorted(tree - have)]
    msgs += [f'rules/{n} is built in but no rule file: run meson setup --reconfigure'
             for n in sorted(have - tree)]
    return msgs


def main():
    args = sys.argv[1:]
    if args[:1] == ['--list']:
        print('\n'.join(rule_files(args[1])))
        return 0
    if args[:1] == ['--man']:
        return man(*args[1:4])
    check = '--check' in args
    built = args[args.index('--built') + 1:] if '--built' in args else None
    args = args[:args.index('--built')] if built is not None else args
    root = [a for a in args if a != '--check'][0]
    rules, lets = load_rules(root)
    bad = bad_refs(rules) + (built_in_tree(root, built) if built is not None else [])
    if bad:
        print('\n'.join(bad))
        return 1
    want = {os.path.join('docs', 'rules', 'README.md'): index(rules)}
    for r in rules:
        want[os.path.join('docs', 'rules', r['id'] + '.md')] = page(root, r, lets)
    with open(os.path.join(root, 'README.md')) as f:
        want['README.md'] = with_table(f.read(), readme_table(rules))
    stale = []
    for rel, text in want.items():
        path = os.path.join(root, rel)
        try:
            with open(path) as f:
                same = f.read() == text
        except OSError:
            same = False
        if same:
            continue
        stale.append(rel)
        if not check:
            os.makedirs(os.path.dirname(path) or '.', exist_ok=True)
            with open(path, 'w') as f:
                f.write(text)
    extra = [p for p in glob.glob(os.path.join(root, 'docs', 'rules', '*.md'))
             if os.path.relpath(p, root) not in want]
    if check and (stale or extra):
        for rel in stale:
            print(f'{rel} is out of date: run rules/gen-docs.py .')
        for p in extra:
            print(f'{os.path.relpath(p, root)} documents no rule: remove it')
        return 1
    for p in extra:
        os.remove(p)
    return 0


if __name__ == '__main__':
    sys.exit(main())
