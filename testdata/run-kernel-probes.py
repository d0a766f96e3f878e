#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""TAP test: probes are rule-set data, and the whole .config is a fact.

usage: run-kernel-probes.py TOOL WORKDIR KERNEL
KERNEL is a stub realm kernel with symbols and an IKCONFIG (realm-6.15-4k).
Checks that a --rules file replacing a built-in probe changes what the kernel
facts and the findings say, that a --rules file may add a probe and a rule
reading it, that `rules` lists and explains probes (text and JSON), that a
rule may read any CONFIG_ option, and that a bad probe is a rule-file error.
"""
import json
import os
import subprocess
import sys

from tap import Tap

tap = Tap()
TOOL, WORK, KERNEL = sys.argv[1:4]


def run(*args):
    return subprocess.run([TOOL, *args], capture_output=True, text=True, timeout=120)


def write(name, doc):
    path = os.path.join(WORK, name)
    with open(path, 'w') as f:
        f.write(doc if isinstance(doc, str) else json.dumps(doc))
    return path


def facts(*args):
    p = run('vmlinux', KERNEL, '--facts', *args)
    return json.loads(p.stdout)['facts']['kernel'] if p.returncode == 0 else {'error': p.stderr}


def rule(rid, assert_):
    return {'id': rid, 'name': rid.lower() + '-test', 'severity': 'error', 'summary': 'test',
            'why': 'test', 'inputs': ['kernel'], 'subject': 'kernel', 'assert': assert_,
            'message': 'failed: ' + assert_}


def findings(*args):
    p = run('vmlinux', KERNEL, '--format', 'json', *args)
    return p.returncode, {f['rule_id'] for f in json.loads(p.stdout).get('findings', [])} \
        if p.stdout else p.stderr


# --- a --rules file replaces a built-in probe by name ---
k = facts()
tap.ok('built-in realm_guest decided by a symbol',
       k.get('probes', {}).get('realm_guest', {}).get('evidence') == 'symbol', k.get('probes'))
override = write('override.json', {'probes': [{
    'name': 'realm_guest', 'summary': 'forced: a symbol no kernel has',
    'evidence': [{'symbol': ['no_such_symbol_xyz']}]}]})
k = facts('--rules', override)
rg = k.get('probes', {}).get('realm_guest', {})
tap.ok('override: realm_guest answered from the --rules probe',
       rg.get('value') is False and rg.get('decided_by') == 'no symbol no_such_symbol_xyz (symtab)',
       rg)
tap.ok('override: the other probes stay', len(k.get('probes', {})) == 9, k.get('probes'))
st, ids = findings('--platform', 'cca')
tap.ok('built-in probe: no KERN001 finding', st == 0 and 'KERN001' not in ids, (st, ids))
st, ids = findings('--platform', 'cca', '--rules', override)
tap.ok('overridden probe: KERN001 fails', st == 1 and 'KERN001' in ids, (st, ids))

# --- a --rules file adds a probe, and a rule reading it ---
added = write('added.json', {
    'probes': [{'name': 'test_probe', 'summary': 'CONFIG_SWIOTLB, for the test',
                'refs': ['testdata'], 'evidence': [{'config': 'SWIOTLB'}]}],
    'rules': [rule('TST001', 'kernel.probes.test_probe.value')]})
k = facts('--rules', added)
tp = k.get('probes', {}).get('test_probe', {})
tap.ok('added probe answered', tp.get('value') is True and tp.get('decided_by') ==
       'CONFIG_SWIOTLB=y (ikconfig)', tp)
st, ids = findings('--rules', added)
tap.ok('a rule reading the added probe passes', st == 0 and 'TST001' not in ids, (st, ids))

# --- rules lists and explains probes ---
p = run('rules')
tap.ok('rules lists the probes after the rules', p.returncode == 0 and
       '\nPROBE ' in p.stdout and '\nrestricted_dma_pool ' in p.stdout, p.stdout[-300:])
p = run('rules', 'realm_guest')
tap.ok('rules PROBE explains it', p.returncode == 0 and p.stdout.startswith(
    'realm_guest (probe: kernel.probes.realm_guest)\n') and
    '  1. symbol  arm64_rsi_init, rsi_present\n  2. version 6.13\n' in p.stdout and
    'defined in: rules/probes.json\n' in p.stdout, p.stdout)
p = run('rules', 'realm_guest', '--rules', override)
tap.ok('rules PROBE shows the override', p.returncode == 0 and
       '  1. symbol  no_such_symbol_xyz\n' in p.stdout and f'defined in: {override}\n' in p.stdout,
       p.stdout)
p = run('rules', 'swiotlb_pool_state', '--format', 'json')
doc = json.loads(p.stdout) if p.returncode == 0 else {}
ev = doc.get('probes', [{}])[0].get('evidence', [])
tap.ok('rules PROBE --format json', 'rules' not in doc and len(doc.get('probes', [])) == 1 and
       ev == [{'member': ['io_tlb_mem.unencrypted', 'io_tlb_mem.cc_shared'],  # as a rule file writes it
               'anchor': 'swiotlb_tbl_map_single', 'cu': 'kernel/dma/swiotlb.c'}], doc)
p = run('rules', '--format', 'json')
doc = json.loads(p.stdout) if p.returncode == 0 else {}
tap.ok('rules --format json has rules and probes', len(doc.get('rules', [])) >= 12 and
       [x['name'] for x in doc.get('probes', [])][:2] == ['realm_guest', 'pkvm_guest'], doc.keys())

# --- the whole .config: a rule may read any option ---
config = ('CONFIG_ARM64=y\nCONFIG_SWIOTLB=y\nCONFIG_DMA_RESTRICTED_POOL=y\n'
          'CONFIG_CMDLINE="console=ttyAMA0"\n# CONFIG_SOME_UNLISTED_OPTION is not set\n')
cfg = write('config', config + 'CONFIG_SOME_OTHER_OPTION=m\n')
opts = write('options.json', {'rules': [rule(
    'TST002', "kernel.config.SOME_OTHER_OPTION == 'y' && kernel.config.SOME_UNLISTED_OPTION == 'n'"
    " && !has(kernel.config.NOT_IN_THIS_CONFIG)")]})
k = facts('--config', cfg)
tap.ok('--facts: the whole config, as written', k.get('config') == {
    'ARM64': 'y', 'SWIOTLB': 'y', 'DMA_RESTRICTED_POOL': 'y', 'CMDLINE': '"console=ttyAMA0"',
    'SOME_UNLISTED_OPTION': 'n', 'SOME_OTHER_OPTION': 'm'}, k.get('config'))
st, ids = findings('--config', cfg, '--rules', opts)
tap.ok('a rule reading an option: =m fails it', st == 1 and ids == {'TST002'}, (st, ids))
cfg = write('config-y', config + 'CONFIG_SOME_OTHER_OPTION=y\n')
st, ids = findings('--config', cfg, '--rules', opts)
tap.ok('a rule reading an option: =y passes it', st == 0 and not ids, (st, ids))
k = facts('--config', cfg)
tap.ok('an option the config does not name is not set for a probe',
       k.get('probes', {}).get('swiotlb_dynamic', {}).get('decided_by') ==
       'CONFIG_SWIOTLB_DYNAMIC=n (file)', k.get('probes'))

# --- a bad probe is a rule-file error: exit 3, one line ---
bad = {
    'bad version': ({'name': 'x', 'summary': 's', 'evidence': [{'version': 'six'}]},
                    'probe x: version evidence is written X.Y or X.Y.Z'),
    'no evidence': ({'name': 'x', 'summary': 's', 'evidence': []},
                    'probe x: needs a non-empty "evidence" list'),
    'two kinds': ({'name': 'x', 'summary': 's', 'evidence': [{'symbol': 'a', 'config': 'B'}]},
                  'probe x: each evidence item needs exactly one of symbol, config, member, version'),
    'unknown key': ({'name': 'x', 'summary': 's', 'evidence': [{'symbol': 'a'}], 'why': 'w'},
                    'probe x: unknown key'),
    'no summary': ({'name': 'x', 'evidence': [{'symbol': 'a'}]}, 'probe x: needs a "summary" string'),
}
for name, (probe, needle) in bad.items():
    path = write('bad.json', {'probes': [probe]})
    tap.error_line(f'bad probe ({name}): exit 3', [TOOL, 'rules', '--rules', path], 3,
                   f'{path}: {needle}')
path = write('twice.json', {'probes': [{'name': 'x', 'summary': 's', 'evidence': [{'symbol': 'a'}]}] * 2})
tap.error_line('a probe twice in one file: exit 3', [TOOL, 'rules', '--rules', path], 3,
               f'{path}: probe x: defined twice in one file')
path = write('noprobe.json', {'rules': [rule('TST003', 'kernel.probes.no_such_probe.value')]})
tap.error_line('a rule naming a probe the rule set lacks: exit 3', [TOOL, 'rules', '--rules', path],
               3, "no fact 'kernel.probes.no_such_probe'")

sys.exit(tap.finish())
