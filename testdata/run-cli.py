#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Command-line behaviour a user or CI job relies on: exit statuses, error
lines, JSON error documents, rule selection and overrides. Prints TAP.

usage: run-cli.py TOOL GOOD.dtb BAD.dtb SCHEMA WORKDIR MANPAGE.scd
GOOD is a clean tree; BAD has a GRAN001 error (testdata/dt/gran001-fail.dts).
"""
import json
import os
import re
import subprocess
import sys
import tempfile

import jsonschema
from tap import Tap, unprivileged

TOOL, GOOD, BAD, SCHEMA, WORK, MAN = sys.argv[1:7]
schema = json.load(open(SCHEMA))


def run(*args, stdin=None):
    return subprocess.run([TOOL, *args], capture_output=True, timeout=60,
                          input=stdin)


tap = Tap()
check = tap.ok


def json_doc(p):
    doc = json.loads(p.stdout)
    jsonschema.validate(doc, schema)
    return doc


# exit statuses: 0 clean, 1 findings, 2 input error, 3 usage/config error
check('clean tree exits 0', run('dtb', GOOD).returncode == 0)
p = run('dtb', BAD)
check('finding exits 1', p.returncode == 1, p.stdout)
check('text finding names rule, path and property',
      b'error [GRAN001 restricted-pool-static-granule]: /reserved-memory/restricted_dma_reserved@bc000000:reg:' in p.stdout)
check('--fail-on never exits 0', run('dtb', BAD, '--fail-on', 'never').returncode == 0)
check('-q drops the summary line', b'cca-dma-audit:' not in run('dtb', BAD, '-q').stdout)
check('--host-granule 4K clears the 4K-aligned pool', run('dtb', BAD, '--host-granule', '4K').returncode == 0)
check('--disable silences a rule', run('dtb', BAD, '--disable', 'GRAN001').returncode == 0)
check('--disable takes the rule name too',
      run('dtb', BAD, '--disable', 'restricted-pool-static-granule').returncode == 0)

for args, want in [(['dtb'], 3), (['frobnicate', GOOD], 3), (['dtb', GOOD, '--format', 'xml'], 3),
                   (['dtb', GOOD, '--host-granule', '8K'], 3), (['dtb', GOOD, '--ipa-bits', '64'], 3),
                   (['dtb', GOOD, '--bogus'], 3), (['dtb', GOOD, '--disable', 'NOPE001'], 3),
                   (['dtb', GOOD, '--rules', '/nonexistent.json'], 3), (['rules', 'NOPE001'], 3),
                   (['dtb', '/nonexistent.dtb'], 2), (['dtb', GOOD, GOOD], 3)]:
    p = run(*args)
    lines = p.stderr.decode().strip().splitlines()
    check(f'{" ".join(args[:1] + args[2:])} -> exit {want}', p.returncode == want and lines
          and lines[-1].startswith('cca-dma-audit: '), p.stderr)

# hostile input: one line naming the file, exit 2; JSON error document in json mode
junk = os.path.join(WORK, 'junk.dtb')
open(junk, 'wb').write(b'\xd0\x0d\xfe\xed' + b'\xff' * 60)
p = run('dtb', junk)
check('corrupt blob: exit 2, one line naming the file', p.returncode == 2 and
      p.stderr.decode().count('\n') == 1 and junk in p.stderr.decode(), p.stderr)
truncated = os.path.join(WORK, 'truncated.dtb')
open(truncated, 'wb').write(open(BAD, 'rb').read()[:200])
p = run('dtb', truncated, '--format', 'json')
doc = json_doc(p)
check('truncated blob in json mode: JSON error document, exit 2',
      p.returncode == 2 and doc['summary']['exit_code'] == 2 and 'truncated' in doc['error']['message'])
p = run('dtb', GOOD, '--format', 'json', '--fail-on', 'loud')
check('usage error in json mode is a JSON document too',
      p.returncode == 3 and json_doc(p)['summary']['exit_code'] == 3)

err_out = os.path.join(WORK, 'error.json')
p = run('dtb', truncated, '--format', 'json', '-o', err_out)
check('json error with -o goes to the file, stdout stays empty',
      p.returncode == 2 and not p.stdout and json.load(open(err_out))['summary']['exit_code'] == 2)

# A directory that is not a device tree, and an ELF file that is not a kernel:
# exit 2 and one line saying what the input looked like, never an empty pass.
not_dt = ('not a device-tree directory (no root properties such as compatible or '
          '#address-cells, no chosen or memory node)')
dirs = {
    'blobs': ({'b-guest.dtb': open(GOOD, 'rb').read(), 'a-guest.dtb': open(BAD, 'rb').read()},
              'it holds 2 .dtb files (a-guest.dtb, ...): give one of them'),
    'one-blob': ({'guest.dtb': open(GOOD, 'rb').read()},
                 'it holds one .dtb file, guest.dtb: give that file'),
    'dts-sources': ({'guest.dts': b'/dts-v1/;\n/ { };\n', 'base.dtsi': b''},
                    'it looks like device-tree sources (2 .dts/.dtsi files): compile one with dtc -O dtb'),
    'src-tree': ({'Makefile': b'all:\n', 'main.c': b'int main(void) { return 0; }\n'},
                 'it looks like a source tree (.c/.h files, a Makefile or .git at its top)'),
    'other': ({'notes.txt': b'hello\n'}, 'it holds 1 file and 0 folders'),
}
for name, (content, says) in dirs.items():
    d = os.path.join(WORK, 'not-dt-' + name)
    os.makedirs(d, exist_ok=True)
    for fname, data in content.items():
        open(os.path.join(d, fname), 'wb').write(data)
    # dtb audits a directory of blobs as many trees (run-many.py); --dtb takes one tree
    cmd = [TOOL, 'audit', '--dtb', d] if name in ('blobs', 'one-blob') else [TOOL, 'dtb', d]
    tap.error_line(f'{cmd[1]} on a directory that is not a device tree ({name}): exit 2, one line',
                   cmd, 2, f'cca-dma-audit: {d}: {not_dt}; {says}')
# An ELF program that is not a kernel: the Python running this test (TOOL may be
# the valgrind wrapper script, see meson.build).
program = os.path.realpath(sys.executable)
p = run('vmlinux', program)
err_lines = p.stderr.decode().splitlines()
check('vmlinux on an ELF program (the Python interpreter): exit 2, one line, not a Linux kernel',
      p.returncode == 2 and len(err_lines) == 1 and not p.stdout and
      err_lines[0].startswith(f'cca-dma-audit: {program}: an ELF executable for ') and
      err_lines[0].endswith("but not a Linux kernel (no linux_banner symbol and no 'Linux version' string)"),
      p.stderr)

# stdin, -o, --facts
p = run('dtb', '-', '--format', 'json', stdin=open(BAD, 'rb').read())
check('stdin input', p.returncode == 1 and json_doc(p)['inputs'][0]['path'] == '<stdin>')
out = os.path.join(WORK, 'report.json')
p = run('dtb', BAD, '--format', 'json', '-o', out)
check('-o writes the report, stdout stays empty',
      p.returncode == 1 and not p.stdout and json.load(open(out))['summary']['errors'] == 1)
p = run('dtb', BAD, '--facts')
facts = json.loads(p.stdout)['facts']
check('--facts shows what rules see, addresses as hex strings',
      p.returncode == 0 and facts['dt']['pools'][0]['base'] == '0xbc001000'
      and facts['host']['granule'] == '0x10000')
check('--color always colours, NO_COLOR does not override an explicit always',
      b'\x1b[' in run('dtb', BAD, '--color', 'always').stdout)

# rules: listing, explaining, overriding from a file
p = run('rules')
check('rules lists every built-in rule', p.returncode == 0 and all(
    r.encode() in p.stdout for r in ['GRAN001', 'GRAN002', 'GRAN003', 'POOL001', 'POOL006', 'DT001', 'DT002', 'BOOT001']))
p = run('rules', 'GRAN001')
check('rules ID explains why, fix and references',
      p.returncode == 0 and b'why:' in p.stdout and b'fix:' in p.stdout and b'references:' in p.stdout)
p = run('rules', '--format', 'json')
check('rules --format json', p.returncode == 0 and len(json.loads(p.stdout)['rules']) >= 12)
override = os.path.join(WORK, 'override.json')
json.dump({'rules': [{
    'id': 'GRAN001', 'name': 'restricted-pool-static-granule', 'severity': 'note',
    'summary': 'site policy: only a note', 'why': 'local override', 'inputs': ['dt'],
    'for_each': 'pool in dt.pools', 'where': 'pool.restricted && pool.static',
    'assert': 'aligned(pool.base, host.granule)', 'message': 'pool at {pool.base} unaligned'}]},
    open(override, 'w'))
p = run('dtb', BAD, '--rules', override, '--format', 'json')
doc = json_doc(p)
check('--rules overrides a built-in rule by id',
      p.returncode == 0 and doc['findings'][0]['severity'] == 'note'
      and doc['findings'][0]['message'] == 'pool at 0xbc001000 unaligned')
# A set-wide name (top-level "let") redefined by --rules holds for every built-in rule using it.
guard = os.path.join(WORK, 'guard.json')
json.dump({'let': {'maybe_confidential': 'false'}, 'rules': []}, open(guard, 'w'))
p = run('dtb', BAD, '--rules', guard, '--format', 'json')
doc = json_doc(p)
check('--rules redefines a set-wide name for the built-in rules',
      p.returncode == 0 and not any(f['rule_id'] == 'GRAN001' for f in doc['findings']))
p = run('rules', '--rules', guard, 'GRAN001')
check('rules ID shows the set-wide names a rule uses, and where each is defined',
      p.returncode == 0 and f'set-wide maybe_confidential = false ({guard})'.encode() in p.stdout
      and b'set-wide log_confidential = ' not in p.stdout)
bad_rule = os.path.join(WORK, 'bad-rule.json')
open(bad_rule, 'w').write('{"rules": [{"id": "X"}]}')
p = run('dtb', GOOD, '--rules', bad_rule)
check('malformed rule file: exit 3 naming the file', p.returncode == 3 and bad_rule.encode() in p.stderr)
# A rule directory: only NAME.json regular files (or links to them) are read.
# Anything else by that name is refused at once, never opened: a FIFO would
# hang the run. An unreadable file is an error, never a smaller rule set.
with tempfile.TemporaryDirectory(dir=WORK) as tmp:
    os.chmod(tmp, 0o755)
    rdir = os.path.join(tmp, 'rules.d')
    os.makedirs(os.path.join(rdir, 'old'))
    json.dump(json.load(open(override)), open(os.path.join(rdir, 'site.json'), 'w'))
    open(os.path.join(rdir, 'old', 'broken.json'), 'w').write('{')  # subdirectories are not read
    open(os.path.join(rdir, 'README'), 'w').write('notes')
    for dirpath, _, names in os.walk(rdir):
        os.chmod(dirpath, 0o755)
        for n in names:
            os.chmod(os.path.join(dirpath, n), 0o644)
    p = run('dtb', BAD, '--rules', rdir, '--format', 'json')
    check('rule directory with a subdirectory and a README: site.json read, the rest not',
          p.returncode == 0 and json_doc(p)['findings'][0]['severity'] == 'note', p.stderr)
    fifo = os.path.join(rdir, 'zz-fifo.json')
    os.mkfifo(fifo)
    tap.error_line('FIFO in a --rules directory: exit 3 at once, one line naming it',
                   [TOOL, 'dtb', GOOD, '--rules', rdir], 3,
                   f'cca-dma-audit: {fifo}: a FIFO, not a regular file', timeout=10)
    os.unlink(fifo)
    site = os.path.join(rdir, 'site.json')
    os.chmod(site, 0)
    cmd = unprivileged([TOOL, 'dtb', GOOD, '--rules', rdir], reach=[rdir])
    if cmd is None:
        check('unreadable rule file: skipped, root cannot run the tool as nobody here', True)
    else:
        tap.error_line('unreadable rule file in a --rules directory: exit 3, PATH: Permission denied',
                       cmd, 3, f'cca-dma-audit: {site}: Permission denied')
    os.chmod(site, 0o644)
    # RULE_FILE_MAX: a rule file of 4 MiB is read, one byte more is refused.
    big = os.path.join(tmp, 'big.json')
    for size, ok in [(4 << 20, True), ((4 << 20) + 1, False)]:
        open(big, 'w').write('{"rules": [' + ' ' * (size - 13) + ']}')
        if ok:
            p = run('rules', '--rules', big)
            check('rule file of 4 MiB: read', p.returncode == 0, p.stderr)
        else:
            tap.error_line('rule file of 4 MiB + 1 byte: exit 3, one line', [TOOL, 'rules', '--rules', big],
                           3, f'cca-dma-audit: {big}: larger than the 4 MiB limit')
    # A rule file named on the command line may be a pipe: --rules <(generate-rules).
    pipe = os.path.join(tmp, 'rules.fifo')
    os.mkfifo(pipe)
    proc = subprocess.Popen([TOOL, 'dtb', BAD, '--rules', pipe, '--format', 'json'],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(pipe, 'w') as w:
        w.write(open(override).read())
    try:
        out, err = proc.communicate(timeout=30)
        ok = proc.returncode == 0 and json.loads(out)['findings'][0]['severity'] == 'note'
    except subprocess.TimeoutExpired:
        proc.kill()
        err, ok = b'no exit within 30 s', False
    check('--rules naming a FIFO reads it like the file', ok, err)
    two = os.path.join(tmp, 'two.json')
    open(two, 'w').write(open(override).read() + '\n{"rules": []}\n')
    tap.error_line('rule file with a second object after the first: exit 3, one line',
                   [TOOL, 'rules', '--rules', two], 3,
                   f'cca-dma-audit: {two}:2: invalid JSON: text after the end of the object')

    # A FIFO in a device-tree directory copy: the run does not hang. The DT
    # walk does not read entries that are not regular files (lib/dt_fs.c), so
    # the report is the one without it.
    dt = os.path.join(tmp, 'proc-dt')
    os.makedirs(os.path.join(dt, 'chosen'))
    for name, data in [('compatible', b'linux,dummy-virt\0'), ('model', b'fifo test\0'),
                       ('#address-cells', b'\0\0\0\2'), ('#size-cells', b'\0\0\0\2')]:
        open(os.path.join(dt, name), 'wb').write(data)
    want = run('dtb', dt, '--format', 'json')
    os.mkfifo(os.path.join(dt, 'chosen', 'bootargs'))
    try:
        got = subprocess.run([TOOL, 'dtb', dt, '--format', 'json'], capture_output=True, timeout=10)
        check('FIFO in a device-tree directory copy: no hang, the report without it',
              (got.returncode, got.stdout) == (want.returncode, want.stdout) and want.stdout, got.stderr)
    except subprocess.TimeoutExpired:
        check('FIFO in a device-tree directory copy: no hang', False, 'no exit within 10 s')

# A rule naming a fact that does not exist fails when loaded, not silently at every audit.
with tempfile.TemporaryDirectory(dir=WORK) as tmp:
    typo = os.path.join(tmp, 'typo.json')
    with open(typo, 'w') as f:
        json.dump({'rules': [{
            'id': 'TYPO001', 'name': 'typo', 'severity': 'error', 'summary': 's', 'why': 'w',
            'inputs': ['dt'], 'for_each': 'pool in dt.pools',
            'assert': 'aligned(pool.bse, host.granule)', 'message': 'm'}]}, f)
    tap.error_line('rule naming a missing fact: exit 3, one line naming file, rule and fact',
                   [TOOL, 'rules', '--rules', typo], 3,
                   f"{typo}: rule TYPO001: assert: no fact 'pool.bse'; pool (an item of dt.pools) has: path,")
    # Hostile rule files: a stack-deep expression or JSON nesting is a rule-file error.
    deep = os.path.join(tmp, 'deep.json')
    with open(deep, 'w') as f:
        json.dump({'rules': [{
            'id': 'DEEP001', 'name': 'deep', 'severity': 'error', 'summary': 's', 'why': 'w',
            'inputs': ['dt'], 'subject': 's', 'assert': ' && '.join(['true'] * 50000), 'message': 'm'}]}, f)
    tap.error_line('50,000 chained && in a rule: exit 3, not a stack overflow',
                   [TOOL, 'rules', '--rules', deep], 3,
                   f'{deep}: rule DEEP001: assert: at offset')
    for depth, status in ((32, 0), (33, 3)):  # json-c's limit: the object and 31 arrays
        nested = os.path.join(tmp, f'nested-{depth}.json')
        with open(nested, 'w') as f:
            f.write('{"rules": [], "x": ' + '[' * (depth - 1) + ']' * (depth - 1) + '}')
        p = run('rules', '--rules', nested)
        check(f'rule file JSON nested {depth} deep: exit {status}', p.returncode == status
              and (b'nesting too deep' in p.stderr) == (status == 3), p.stderr)
    nested = os.path.join(tmp, 'nested.json')
    with open(nested, 'w') as f:
        f.write('{"rules": ' + '[' * 100000 + ']' * 100000 + '}')
    tap.error_line('JSON nested 100,000 deep: exit 3 naming the file',
                   [TOOL, 'rules', '--rules', nested], 3, f'{nested}:1: invalid JSON: nesting too deep')

# A hostile node name: terminal escapes, a newline and invalid UTF-8 in the pool's
# name (same length, patched into the blob). JSON must stay valid UTF-8; text must
# not pass a control character to the terminal, and one finding stays one line.
blob = open(BAD, 'rb').read()
name = b'restricted_dma_reserved@'
hostile_name = b'\x1b[2J\x1b]0;x\x07\n\xff\xc0\xaf' + b'\xe2\x80\xae' + b'served@'
assert len(hostile_name) == len(name) and name in blob
hostile = os.path.join(WORK, 'hostile-name.dtb')
open(hostile, 'wb').write(blob.replace(name, hostile_name, 1))  # the node, not its label
p = run('dtb', hostile, '--format', 'json')
try:
    doc = json.loads(p.stdout.decode('utf-8', errors='strict'))
    subject = doc['findings'][0]['subject']
except (UnicodeDecodeError, ValueError, KeyError, IndexError) as e:
    doc, subject = None, repr(e)
check('JSON of a tree with invalid UTF-8 in a node name is valid UTF-8 (U+FFFD)',
      p.returncode == 1 and '\ufffd' in subject and '\x1b[2J' in subject, subject)
p = run('dtb', hostile)
out = p.stdout.decode('utf-8', errors='strict')
bad_chars = sorted({c for c in out if (ord(c) < 0x20 and c != '\n') or 0x7f <= ord(c) <= 0x9f
                    or c == '\u202e'})
check('text escapes control characters, invalid bytes and bidi overrides from node names',
      p.returncode == 1 and not bad_chars and '\\x1b[2J\\x1b]0;x\\x07\\x0a\\xff' in out
      and '\\u{202e}' in out and len(out.splitlines()) == 4, out)  # finding, fix, evidence, summary

# At most 1000 findings per rule are listed; the rest are counted (limit and limit + 1).
def many_pools(n):
    pools = ''.join(f'  p{i}: pool@{0x80001000 + i * 0x10000:x} {{ compatible = "restricted-dma-pool"; '
                    f'reg = <0x0 0x{0x80001000 + i * 0x10000:x} 0x0 0x1000>; }};\n' for i in range(n))
    dts = ('/dts-v1/;\n/ { #address-cells = <2>; #size-cells = <2>;\n'
           ' memory@80000000 { device_type = "memory"; reg = <0x0 0x80000000 0x0 0x40000000>; };\n'
           ' reserved-memory { #address-cells = <2>; #size-cells = <2>; ranges;\n' + pools + ' };\n};\n')
    path = os.path.join(WORK, f'pools-{n}.dtb')
    subprocess.run(['dtc', '-q', '-I', 'dts', '-O', 'dtb', '-o', path, '-'], input=dts.encode(),
                   check=True)
    return path
for n, omitted in ((1000, None), (1001, {'rule_id': 'GRAN001', 'findings': 1, 'indeterminate': 0})):
    path = many_pools(n)
    p = run('dtb', path, '--format', 'json')
    doc = json_doc(p)
    listed = [f for f in doc['findings'] if f['rule_id'] == 'GRAN001'] if doc else []
    check(f'{n} misaligned pools: 1000 GRAN001 findings listed, the rest counted in summary.omitted',
          p.returncode == 1 and len(listed) == 1000 and doc['summary']['errors'] >= n
          and (omitted in doc['summary']['omitted'] if omitted else 'omitted' not in doc['summary']),
          doc and doc['summary'])
    text = run('dtb', path).stdout.decode()
    line = '[GRAN001 restricted-pool-static-granule]: 1 more findings and 0 more indeterminate'
    check(f'{n} misaligned pools: text says how many were not listed',
          (line in text) == (omitted is not None), text[-400:])

p = run('--help')
check('--help exits 0 and lists the commands', p.returncode == 0 and b'dtb FILE|DIR|-' in p.stdout)
check('--version', run('--version').stdout.startswith(b'cca-dma-audit '))
man = open(MAN).read()
help_opts = set(re.findall(r'--[a-z][a-z-]+', p.stdout.decode()))
missing = sorted(o for o in help_opts if f'*{o}*' not in man)
check('every --help option is documented in cca-dma-audit(1)', help_opts and not missing, missing)
help_cmds = set(re.findall(r'^  ([a-z]+) ', p.stdout.decode(), re.M))
check('every command is documented in cca-dma-audit(1)',
      help_cmds and all(f'*{c}*' in man for c in help_cmds), help_cmds)

sys.exit(tap.finish())
