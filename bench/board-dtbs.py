#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Survey cca-dma-audit's verdicts over every board DTB Debian ships for arm64.

usage: bench/board-dtbs.py [--cache DIR] [--package NAME]... [--all] [--list]
                           [--tool PATH] [--jobs N] [--timeout S] [--limit N]
                           [--verbose] [--json FILE] [-- TOOL-OPTIONS...]

Downloads Debian's arm64 kernel image packages (linux-image-*-arm64-unsigned)
with `apt-get download` into a cache (default ~/.cache/cca-dma-audit/
debian-kernels; never into the repository), extracts only their *.dtb files,
runs `cca-dma-audit dtb FILE --format json` on each one (two at a time) and
prints an aggregate: the number of DTBs, the exit-status histogram, findings per
rule and severity, indeterminate results per rule, the DTBs with error
findings, and a classification of the POOL003 (reserved regions overlap)
errors by whether a DMA pool takes part in the overlap (read from the tool's
--facts output for those DTBs). Options after `--` go to the tool, e.g.
`-- --host-granule 4K`.

Which packages: by default the newest plain arm64 flavour apt knows about;
--package NAME (repeatable) picks others (e.g. linux-image-6.1.0-56-arm64-
unsigned, or a -cloud- or -rt- flavour); --all takes every version of the
plain arm64 flavour. On an amd64 machine apt must know the arm64 architecture:
if it does not, the script runs `dpkg --add-architecture arm64` and
`apt-get update` (as root; it prints what it runs). Board DTBs are real
hardware trees, not guest trees, so they exercise the loader and the rules on
inputs nobody wrote for this tool; they are not a claim about confidential
guests.

Exit status: 0 when every run of the tool ended normally with one JSON report
on standard output (whatever its verdict); 1 when the tool was killed by a
signal, timed out, or printed something that is not a JSON report on some
input (the files are named: that is a bug in the tool); 2 when the packages
could not be found, downloaded or unpacked, or the tool binary is missing;
3 when the tool's first run exits 3 (the options after `--` or its rule set
were rejected), before the others run. The tool is copied to a temporary
directory first, so a rebuild during the survey cannot mix two builds.

Run from the repository root after building, e.g.:
    python3 bench/board-dtbs.py
    python3 bench/board-dtbs.py --all --json /tmp/board-dtbs.json -- --host-granule 4K
Never run in CI (it downloads about 90 MB per package).
"""
import argparse
import collections
import concurrent.futures
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ARCH = 'arm64'
FLAVOUR_RE = re.compile(r'^linux-image-(.+)-arm64-unsigned$')
# Flavours other than the plain one: same DTBs (rt) or none (cloud).
OTHER_FLAVOURS = ('-cloud-', '-rt-')
DMA_POOL_COMPATIBLES = ('restricted-dma-pool', 'shared-dma-pool')
SEVERITIES = ('error', 'warning', 'note')


def say(msg):
    print(msg, file=sys.stderr, flush=True)


def die(msg):
    """Setup failures (apt, packages, unpacking, no tool binary): exit 2."""
    say(msg)
    sys.exit(2)


def run(cmd, **kw):
    return subprocess.run(cmd, capture_output=True, text=True, **kw)


# ---------------------------------------------------------------- packages

def apt_knows_arm64():
    native = run(['dpkg', '--print-architecture']).stdout.strip()
    foreign = run(['dpkg', '--print-foreign-architectures']).stdout.split()
    return native == ARCH or ARCH in foreign


def ensure_arm64():
    """Make apt list arm64 packages, adding the architecture if needed."""
    need_update = False
    if not apt_knows_arm64():
        if os.geteuid() != 0:
            die('board-dtbs: apt does not know arm64; run as root:\n'
                     '  dpkg --add-architecture arm64 && apt-get update')
        say('board-dtbs: running: dpkg --add-architecture arm64')
        subprocess.run(['dpkg', '--add-architecture', ARCH], check=True)
        need_update = True
    elif not search_packages():
        need_update = True
    if need_update:
        if os.geteuid() != 0:
            die('board-dtbs: apt lists have no arm64 kernels; run as root: apt-get update')
        say('board-dtbs: running: apt-get update')
        r = subprocess.run(['apt-get', 'update'], stdout=subprocess.DEVNULL)
        if r.returncode != 0:
            sys.exit(2)


def search_packages():
    """Names of every linux-image-*-arm64-unsigned package apt can see."""
    r = run(['apt-cache', 'search', '--names-only', r'^linux-image-.*-arm64-unsigned$'])
    return sorted({line.split(' - ')[0].strip() for line in r.stdout.splitlines()
                   if FLAVOUR_RE.match(line.split(' - ')[0].strip())})


def candidates(names):
    """{name: (version, .deb file name, suite)} of the arm64 candidates apt has.

    One apt-cache call for all names: each call reads the lists (about 1.5 s).
    """
    if not names:
        return {}
    r = run(['apt-cache', 'show', '--no-all-versions'] + [f'{n}:{ARCH}' for n in names])
    out = {}
    for stanza in r.stdout.split('\n\n'):
        fields = {}
        for line in stanza.splitlines():
            if ':' in line and not line.startswith(' '):
                k, v = line.split(':', 1)
                fields.setdefault(k, v.strip())
        if {'Package', 'Version', 'Filename'} <= fields.keys():
            out[fields['Package']] = [fields['Version'], os.path.basename(fields['Filename']), '']
    for line in run(['apt-cache', 'madison'] + [f'{n}:{ARCH}' for n in out]).stdout.splitlines():
        cols = [c.strip() for c in line.split('|')]
        name = cols[0].split(':')[0]
        if len(cols) == 3 and name in out and cols[1] == out[name][0] and not out[name][2]:
            where = cols[2].split()
            out[name][2] = where[1] if len(where) > 1 else ''   # e.g. bookworm-security/main
    return {n: tuple(v) for n, v in out.items()}


def version_cmp(a, b):
    if a == b:
        return 0
    lt = subprocess.run(['dpkg', '--compare-versions', a, 'lt', b]).returncode == 0
    return -1 if lt else 1


def pick_packages(args):
    ensure_arm64()
    names = search_packages()
    plain = [n for n in names if not any(f in n for f in OTHER_FLAVOURS)]
    info = candidates(names if args.list else plain)
    if args.list or not args.package:
        say('board-dtbs: arm64-unsigned kernel packages apt offers here:')
        for n in sorted(info, key=functools.cmp_to_key(lambda a, b: version_cmp(info[a][0], info[b][0]))):
            say(f'  {n} {info[n][0]}  ({info[n][2]})')
    if args.list:
        sys.exit(0)
    if args.package:
        chosen = []
        info.update(candidates([n for n in args.package if n not in info]))
        for n in args.package:
            c = info.get(n)
            if not c:
                die(f'board-dtbs: apt has no {n}:{ARCH}')
            chosen.append(n)
    elif not info:
        die('board-dtbs: apt offers no linux-image-*-arm64-unsigned package')
    else:
        order = sorted(info, key=functools.cmp_to_key(lambda a, b: version_cmp(info[a][0], info[b][0])))
        chosen = order if args.all else order[-1:]
    return [(n, info[n][0], info[n][1]) for n in chosen]


def fetch(cache, name, version, debname):
    """Download (once) and unpack the .dtb files (once); return the DTB root."""
    debdir = os.path.join(cache, 'debs')
    os.makedirs(debdir, exist_ok=True)
    deb = os.path.join(debdir, debname)
    if not os.path.exists(deb):
        say(f'board-dtbs: apt-get download {name}:{ARCH}={version}')
        r = subprocess.run(['apt-get', 'download', '-q', f'{name}:{ARCH}={version}'],
                           cwd=debdir, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if r.returncode != 0 or not os.path.exists(deb):
            # Only the "unsandboxed as root" note is expected on stderr.
            sys.stderr.write(r.stderr)
            sys.exit(2)
    dest = os.path.join(cache, 'dtbs', f'{name}_{version}')
    if not os.path.exists(os.path.join(dest, '.complete')):
        say(f'board-dtbs: extracting *.dtb from {debname}')
        shutil.rmtree(dest, ignore_errors=True)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        tmp = tempfile.mkdtemp(dir=os.path.dirname(dest), prefix='.extract-')
        try:
            with subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb], stdout=subprocess.PIPE) as p:
                t = subprocess.run(['tar', '-x', '-C', tmp, '--wildcards', '*.dtb'], stdin=p.stdout)
                p.stdout.close()
            if p.returncode != 0 or t.returncode != 0:
                die(f'board-dtbs: could not unpack {deb}')
            os.rename(tmp, dest)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        open(os.path.join(dest, '.complete'), 'w').close()
    return dest


def list_dtbs(root):
    out = []
    for d, _, files in os.walk(root):
        out += [os.path.join(d, f) for f in files if f.endswith('.dtb')]
    return sorted(out)


def short_name(root, path):
    """DTB path below usr/lib/linux-image-VER/, e.g. rockchip/rk3399-rock-pi-4a.dtb."""
    rel = os.path.relpath(path, root)
    m = re.match(r'usr/lib/linux-image-[^/]+/(.*)', rel)
    return m.group(1) if m else rel


# ---------------------------------------------------------------- running

def run_tool(tool, extra, timeout, path, facts=False):
    cmd = [tool, 'dtb', path] + (['--facts'] if facts else ['--format', 'json']) + extra
    try:
        r = subprocess.run(cmd, capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {'rc': None, 'timeout': True, 'stdout': b'', 'stderr': b''}
    return {'rc': r.returncode, 'timeout': False, 'stdout': r.stdout, 'stderr': r.stderr}


def parse_report(raw):
    """The report object, or (None, why) when stdout is not one JSON object."""
    try:
        doc = json.loads(raw.decode('utf-8'))
    except (UnicodeDecodeError, ValueError) as e:
        return None, f'not JSON: {e}'
    if not isinstance(doc, dict) or 'schema_version' not in doc:
        return None, 'JSON but not a report object'
    return doc, None


def audit_one(tool, extra, timeout, entry):
    r = run_tool(tool, extra, timeout, entry['path'])
    entry['rc'] = r['rc']
    entry['stderr'] = r['stderr'].decode('utf-8', 'replace').strip()
    if r['timeout']:
        entry['bug'] = f'timed out after {timeout}s'
        return entry
    if r['rc'] < 0:
        entry['bug'] = f'killed by signal {-r["rc"]}'
        return entry
    if r['rc'] == 3 and not r['stdout'].strip():
        entry['usage_error'] = entry['stderr']
        return entry
    doc, why = parse_report(r['stdout'])
    if doc is None:
        entry['bug'] = f'exit {r["rc"]}, stdout {why}: {r["stdout"][:80]!r}'
        return entry
    entry['report'] = doc
    code = doc.get('summary', {}).get('exit_code')
    if code is not None and code != r['rc']:
        entry['mismatch'] = f'summary.exit_code {code} but exit status {r["rc"]}'
    return entry


def get_facts(tool, extra, timeout, entry):
    r = run_tool(tool, extra, timeout, entry['path'], facts=True)
    if r['timeout'] or r['rc'] is None or r['rc'] < 0:
        entry['facts_bug'] = 'timed out' if r['timeout'] else f'killed by signal {-r["rc"]}'
        return entry
    doc, why = parse_report(r['stdout'])
    if doc is None:
        entry['facts_bug'] = f'--facts exit {r["rc"]}, stdout {why}'
        return entry
    entry['facts'] = doc.get('facts', {})
    return entry


# ---------------------------------------------------------------- POOL003

def num(v):
    if isinstance(v, int):
        return v
    if isinstance(v, str):
        try:
            return int(v, 0)
        except ValueError:
            return None
    return None


def is_dma_pool(p):
    compat = p.get('compatible') or []
    if isinstance(compat, str):
        compat = [compat]
    return bool(p.get('restricted') or p.get('shared_dma') or p.get('reusable')
                or any(c in DMA_POOL_COMPATIBLES for c in compat))


def overlaps(a, asz, b, bsz):
    return a < b + bsz and b < a + asz


def classify_pool003(finding, facts):
    """(subject kind, other kind, other region) for one POOL003 finding.

    Kinds are 'pool' (a DMA pool), 'carve-out', 'memreserve' or 'unknown'.

    The rule reports a region against the earlier regions it overlaps (the
    message names the first) or a /memreserve/ entry; the overlap involves a
    DMA pool when the subject or any region it overlaps is one.
    """
    dt = facts.get('dt', {})
    pools = dt.get('pools') or []
    subj = next((p for p in pools if p.get('path') == finding.get('subject')), None)
    if subj is None:
        return 'unknown', 'unknown', finding.get('subject')
    sb, ss = num(subj.get('base')), num(subj.get('size'))
    others = []
    if sb is not None and ss:
        for o in pools:
            if o is subj or not o.get('available', True) or not o.get('static', True):
                continue
            ob, osz = num(o.get('base')), num(o.get('size'))
            if ob is not None and osz and overlaps(sb, ss, ob, osz):
                others.append(('pool' if is_dma_pool(o) else 'carve-out', o.get('path')))
        for r in dt.get('memreserve') or []:
            rb, rs = num(r.get('base')), num(r.get('size'))
            if rb is not None and rs and overlaps(sb, ss, rb, rs):
                others.append(('memreserve', f'/memreserve/ {r.get("base")}+{r.get("size")}'))
    # The message names the region the rule picked; prefer it for display.
    m = re.search(r'overlaps (/[^\s:,]+)', finding.get('message', ''))
    named = m.group(1) if m else None
    other = next((o for o in others if o[1] == named), others[0] if others else ('unknown', named))
    skind = 'pool' if is_dma_pool(subj) else 'carve-out'
    okind = 'pool' if any(k == 'pool' for k, _ in others) else other[0]
    return skind, okind, other[1]


# ---------------------------------------------------------------- report

def table(rows, header):
    """Numbers right-aligned, anything else left-aligned; no trailing blanks."""
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(len(header))]
    numeric = [all(isinstance(r[i], int) for r in rows) for i in range(len(header))]

    def line(cells):
        return '  ' + '  '.join((str(c).rjust(w) if n else str(c).ljust(w))
                                for c, w, n in zip(cells, widths, numeric)).rstrip()
    return '\n'.join([line(header), line(['-' * w for w in widths])] + [line(r) for r in rows])


def main():
    argv = sys.argv[1:]
    extra = []
    if '--' in argv:
        i = argv.index('--')
        argv, extra = argv[:i], argv[i + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--cache', default=os.path.expanduser('~/.cache/cca-dma-audit/debian-kernels'),
                    help='download and unpack directory (default %(default)s)')
    ap.add_argument('--package', action='append', metavar='NAME',
                    help='kernel image package to survey (repeatable; default: newest arm64-unsigned)')
    ap.add_argument('--all', action='store_true',
                    help='every version of linux-image-*-arm64-unsigned (plain flavour) apt offers')
    ap.add_argument('--list', action='store_true', help='list the packages apt offers and stop')
    ap.add_argument('--tool', default=os.path.join(ROOT, 'build', 'cca-dma-audit'),
                    help='cca-dma-audit binary (default: build/cca-dma-audit in the repository)')
    ap.add_argument('--jobs', type=int, default=2, help='parallel runs (default %(default)s)')
    ap.add_argument('--timeout', type=float, default=60, help='seconds per run (default %(default)s)')
    ap.add_argument('--limit', type=int, default=40, help='lines per list without --verbose (default %(default)s)')
    ap.add_argument('-v', '--verbose', action='store_true', help='show every line of every list')
    ap.add_argument('--json', metavar='FILE', help='also write the aggregate as JSON')
    args = ap.parse_args(argv)

    tool = os.path.abspath(args.tool)
    if not os.access(tool, os.X_OK):
        die(f'board-dtbs: no executable {tool} (build it: meson setup build && meson compile -C build)')
    # Run a private copy: a rebuild during the survey must not mix two builds.
    with open(tool, 'rb') as fh:
        tool_sha = hashlib.sha256(fh.read()).hexdigest()[:16]
    tool_built = time.strftime('%Y-%m-%d %H:%M:%S', time.localtime(os.stat(tool).st_mtime))
    snapdir = tempfile.TemporaryDirectory(prefix='board-dtbs-')
    runner = os.path.join(snapdir.name, os.path.basename(tool))
    shutil.copy2(tool, runner)
    cache = os.path.abspath(args.cache)
    os.makedirs(cache, exist_ok=True)

    t0 = time.monotonic()
    pkgs = pick_packages(args)
    entries = []
    for name, version, debname in pkgs:
        root = fetch(cache, name, version, debname)
        dtbs = list_dtbs(root)
        tag = f'{name}_{version}'
        for p in dtbs:
            sn = short_name(root, p)
            entries.append({'package': tag, 'path': p,
                            'name': sn if len(pkgs) == 1 else f'{tag}/{sn}'})
        say(f'board-dtbs: {name} {version}: {len(dtbs)} DTBs in {root}')
    t1 = time.monotonic()
    if not entries:
        die('board-dtbs: no DTB found in the packages')

    # One run first, so that options the tool rejects stop everything at once.
    first = audit_one(runner, extra, args.timeout, entries[0])
    if first.get('rc') == 3:
        why = first.get('usage_error') or (first.get('report') or {}).get('error', {}).get('message') \
            or first.get('bug') or first['stderr']
        say(f'board-dtbs: the tool rejected its options or rules (exit 3) on {first["name"]}'
            f'{" with " + " ".join(extra) if extra else ""}: {why}')
        sys.exit(3)
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        list(ex.map(functools.partial(audit_one, runner, extra, args.timeout), entries[1:]))
    pool003 = [e for e in entries if any(f.get('rule_id') == 'POOL003' and f.get('severity') == 'error'
                                         for f in e.get('report', {}).get('findings', []))]
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as ex:
        list(ex.map(functools.partial(get_facts, runner, extra, args.timeout), pool003))
    t2 = time.monotonic()

    # ---- aggregate
    exits = collections.Counter()
    per_rule = collections.defaultdict(collections.Counter)   # rule -> severity -> findings
    per_rule_dtbs = collections.defaultdict(set)
    rule_names = {}
    indet = collections.Counter()
    indet_dtbs = collections.defaultdict(set)
    indet_reasons = collections.defaultdict(collections.Counter)
    error_lines, bugs, mismatches, usage, input_errors = [], [], [], [], []
    stderr_noise = 0
    for e in entries:
        exits['timeout' if e.get('rc') is None else (f'signal {-e["rc"]}' if e['rc'] < 0 else e['rc'])] += 1
        if 'bug' in e:
            bugs.append((e['name'], e['bug']))
            continue
        if 'usage_error' in e:
            usage.append((e['name'], e['usage_error']))
            continue
        if 'mismatch' in e:
            mismatches.append((e['name'], e['mismatch']))
        rep = e['report']
        if 'error' in rep:
            input_errors.append((e['name'], rep['error'].get('message', '')))
        if e['stderr'] and 'error' not in rep:
            stderr_noise += 1
        for f in rep.get('findings', []):
            rid, sev = f.get('rule_id', '?'), f.get('severity', '?')
            per_rule[rid][sev] += 1
            per_rule_dtbs[rid].add(e['name'])
            rule_names[rid] = f.get('name', '')
            if sev == 'error':
                error_lines.append((e['name'], rid, f.get('subject', ''), f.get('message', '')[:100]))
        for i in rep.get('indeterminate', []):
            rid = i.get('rule_id', '?')
            indet[rid] += 1
            indet_dtbs[rid].add(e['name'])
            rule_names.setdefault(rid, i.get('name', ''))
            indet_reasons[rid][i.get('reason', '')] += 1

    classes = collections.Counter()
    class_lines = []
    disagree = set()   # regions where the tool's dma_pool fact differs from ours
    for e in pool003:
        for f in e['report']['findings']:
            if f.get('rule_id') != 'POOL003' or f.get('severity') != 'error':
                continue
            if 'facts' not in e:
                classes['no facts'] += 1
                class_lines.append((e['name'], f.get('subject'), '?', e.get('facts_bug', '')))
                continue
            skind, okind, oname = classify_pool003(f, e['facts'])
            key = 'DMA pool involved' if 'pool' in (skind, okind) else \
                ('unknown' if 'unknown' in (skind, okind) else 'unrelated to DMA pools')
            classes[key] += 1
            for p in e['facts'].get('dt', {}).get('pools') or []:
                if 'dma_pool' in p and bool(p['dma_pool']) != is_dma_pool(p):
                    disagree.add((e['name'], p.get('path')))
            class_lines.append((e['name'], f'{skind} {f.get("subject")}', f'{okind} {oname}', key))
    bugs += [(e['name'], e['facts_bug']) for e in pool003 if e.get('facts_bug')]

    # ---- print
    lim = None if args.verbose else args.limit

    def capped(lines):
        shown = lines if lim is None else lines[:lim]
        more = len(lines) - len(shown)
        return shown, (f'  ... {more} more (--verbose shows all)' if more else None)

    out = []
    out.append('board-dtbs: cca-dma-audit over Debian arm64 board DTBs')
    out.append(f'tool: {tool} (sha256 {tool_sha}, built {tool_built})'
               + (f'  options: {" ".join(extra)}' if extra else ''))
    for name, version, _ in pkgs:
        n = sum(1 for e in entries if e['package'] == f'{name}_{version}')
        out.append(f'package: {name} {version} ({n} DTBs)')
    out.append(f'DTBs: {len(entries)}')
    out.append(f'time: {t1 - t0:.1f}s packages, {t2 - t1:.1f}s audit ({args.jobs} jobs)')
    out.append('')
    out.append('exit status:')
    meaning = {0: 'no error finding', 1: 'error findings', 2: 'input unreadable', 3: 'usage error'}
    keys = [0, 1, 2, 3] + sorted((k for k in exits if k not in (0, 1, 2, 3)), key=str)
    out.append(table([(k, exits.get(k, 0), meaning.get(k, 'BUG')) for k in keys], ('exit', 'DTBs', 'meaning')))
    out.append('')
    out.append('findings per rule:')
    rows = []
    for rid in sorted(per_rule):
        rows.append((rid, rule_names.get(rid, ''), *(per_rule[rid].get(s, 0) for s in SEVERITIES),
                     len(per_rule_dtbs[rid])))
    rows.append(('total', '', *(sum(per_rule[r].get(s, 0) for r in per_rule) for s in SEVERITIES),
                 len(set().union(*per_rule_dtbs.values())) if per_rule_dtbs else 0))
    out.append(table(rows, ('rule', 'name', 'error', 'warning', 'note', 'DTBs')))
    out.append('')
    out.append('indeterminate per rule:')
    if indet:
        out.append(table([(rid, rule_names.get(rid, ''), indet[rid], len(indet_dtbs[rid]),
                           '; '.join(f'{r} ({c})' for r, c in indet_reasons[rid].most_common(2)))
                          for rid in sorted(indet)], ('rule', 'name', 'count', 'DTBs', 'reasons')))
    else:
        out.append('  none')
    out.append('')
    ndtb = len({x[0] for x in error_lines})
    out.append(f'error findings: {len(error_lines)} in {ndtb} DTBs')
    shown, more = capped(error_lines)
    for name, rid, subj, msg in shown:
        out.append(f'  {name}: {rid} {subj}: {msg}')
    if more:
        out.append(more)
    out.append('')
    total3 = sum(classes.values())
    out.append(f'POOL003 errors: {total3}; unrelated to DMA pools (carve-out vs carve-out or '
               f'/memreserve/): {classes.get("unrelated to DMA pools", 0)}; with a DMA pool '
               f'(restricted-dma-pool, shared-dma-pool or reusable): {classes.get("DMA pool involved", 0)}'
               + ''.join(f'; {k}: {v}' for k, v in classes.items()
                         if k not in ('unrelated to DMA pools', 'DMA pool involved')))
    shown, more = capped(class_lines)
    for name, subj, other, key in shown:
        out.append(f'  {name}: {subj} / {other}: {key}')
    if more:
        out.append(more)
    if disagree:
        out.append(f'  regions whose dma_pool fact differs from compatible/reusable: {len(disagree)}')
        for name, path in capped(sorted(disagree))[0]:
            out.append(f'    {name}: {path}')
    if input_errors:
        out.append('')
        out.append(f'inputs the tool could not read: {len(input_errors)}')
        shown, more = capped(input_errors)
        for name, msg in shown:
            out.append(f'  {name}: {msg[:160]}')
        if more:
            out.append(more)
    if mismatches:
        out.append('')
        out.append(f'summary.exit_code disagrees with the exit status: {len(mismatches)}')
        for name, msg in capped(mismatches)[0]:
            out.append(f'  {name}: {msg}')
    if stderr_noise:
        out.append('')
        out.append(f'DTBs with text on stderr in json mode (no input error): {stderr_noise}')
    out.append('')
    if bugs:
        out.append(f'BUGS: {len(bugs)} runs crashed, timed out or printed no JSON report:')
        for name, why in bugs:
            out.append(f'  {name}: {why}')
    else:
        out.append('crashes, timeouts, non-JSON output: none')
    print('\n'.join(out))

    if args.json:
        agg = {
            'tool': tool, 'tool_sha256_16': tool_sha, 'tool_built': tool_built, 'options': extra,
            'packages': [{'name': n, 'version': v} for n, v, _ in pkgs],
            'dtbs': len(entries),
            'seconds': {'packages': round(t1 - t0, 2), 'audit': round(t2 - t1, 2)},
            'exit_status': {str(k): v for k, v in exits.items()},
            'findings': {rid: dict(per_rule[rid]) for rid in sorted(per_rule)},
            'findings_dtbs': {rid: len(per_rule_dtbs[rid]) for rid in sorted(per_rule)},
            'indeterminate': {rid: {'count': indet[rid], 'dtbs': len(indet_dtbs[rid]),
                                    'reasons': dict(indet_reasons[rid])}
                              for rid in sorted(indet)},
            'errors': [{'dtb': n, 'rule_id': r, 'subject': s, 'message': m} for n, r, s, m in error_lines],
            'pool003': {'counts': dict(classes),
                        'dma_pool_fact_disagrees': [{'dtb': n, 'path': p} for n, p in sorted(disagree)],
                        'findings': [{'dtb': n, 'subject': s, 'other': o, 'class': k}
                                     for n, s, o, k in class_lines]},
            'input_errors': [{'dtb': n, 'message': m} for n, m in input_errors],
            'exit_code_mismatches': [{'dtb': n, 'message': m} for n, m in mismatches],
            'bugs': [{'dtb': n, 'why': w} for n, w in bugs],
            'per_dtb': [{'dtb': e['name'], 'exit': e.get('rc'),
                         'summary': e.get('report', {}).get('summary')} for e in entries],
        }
        with open(args.json, 'w') as fh:
            json.dump(agg, fh, indent=1)
            fh.write('\n')
    snapdir.cleanup()
    return 1 if bugs else 0


if __name__ == '__main__':
    sys.exit(main())
