#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Time `cca-dma-audit dtb DIR` on every board DTB Debian ships for one arm64
kernel against dtc decompiling the same files.

usage: bench/dtb-many.py [--runs N] [--tool BUILD/cca-dma-audit] [--cache DIR]
                         [--package NAME] [DTB_DIR]

Without DTB_DIR, the DTBs come from the newest linux-image-*-arm64-unsigned
package apt offers (or --package NAME), downloaded and unpacked by
bench/board-dtbs.py's code into its cache (~/.cache/cca-dma-audit/
debian-kernels; never into the repository). Never run in CI: it downloads
about 90 MB.

Commands timed, alternating (so cache state and machine noise hit both
alike), after one discarded warm-up round:
  audit  cca-dma-audit dtb DIR --format json -o /dev/null
         one process, one report over every tree (each audited on its own)
  dtc    dtc -q -I dtb -O dts -o /dev/null FILE, for each file in turn, from
         one shell loop (dtc takes one input per run)
The report gives, per command, the median and minimum wall time, the median
CPU time (user + system, the children included) and the peak RSS (wait4
rusage), then audit/dtc and the issue's two goals: audit under a quarter of
dtc's time, and under 1 s.
"""
import argparse
import glob
import importlib.util
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def board_dtbs():
    """bench/board-dtbs.py as a module: its package picking and download cache."""
    spec = importlib.util.spec_from_file_location('board_dtbs', os.path.join(HERE, 'board-dtbs.py'))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def debian_dtb_dir(cache, package):
    bd = board_dtbs()
    args = argparse.Namespace(list=False, all=False, package=[package] if package else None)
    name, version, debname = bd.pick_packages(args)[-1]
    root = bd.fetch(cache, name, version, debname)
    dirs = glob.glob(os.path.join(root, 'usr/lib/linux-image-*'))
    if len(dirs) != 1:
        sys.exit(f'dtb-many: expected one usr/lib/linux-image-* under {root}, found {dirs}')
    return dirs[0]


def run_once(cmd, ok):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    err = p.stderr.read().decode(errors='replace')
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in ok:
        sys.exit(f'dtb-many: {" ".join(cmd[:4])} ... exited {code}: {err[:500]}')
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss  # KiB on Linux


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--runs', type=int, default=5)
    ap.add_argument('--tool', default=os.path.join(os.path.dirname(HERE), 'build', 'cca-dma-audit'))
    ap.add_argument('--cache', default=os.path.expanduser('~/.cache/cca-dma-audit/debian-kernels'))
    ap.add_argument('--package', help='kernel image package (default: the newest arm64-unsigned)')
    ap.add_argument('dtb_dir', nargs='?')
    a = ap.parse_args()
    d = a.dtb_dir or debian_dtb_dir(a.cache, a.package)
    files = sorted(os.path.join(r, f) for r, _, fs in os.walk(d) for f in fs if f.endswith('.dtb'))
    if not files:
        sys.exit(f'dtb-many: no *.dtb under {d}')
    cmds = {
        # 0 clean, 1 findings: board trees are not guest trees, and some fail rules
        'audit': ([a.tool, 'dtb', d, '--format', 'json', '-o', '/dev/null'], (0, 1)),
        'dtc': (['sh', '-c', 'for f; do dtc -q -I dtb -O dts -o /dev/null "$f" || exit 1; done',
                 'sh'] + files, (0,)),
    }
    wall = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    for rnd in range(a.runs + 1):
        for name, (cmd, ok) in cmds.items():
            w, c, m = run_once(cmd, ok)
            if rnd:  # round 0 warms the page cache
                wall[name].append(w)
                cpu[name].append(c)
                rss[name] = max(rss[name], m)
    mb = sum(os.path.getsize(f) for f in files) / 2**20
    print(f'{d}: {len(files)} DTBs, {mb:.0f} MiB; {a.runs} runs each (alternating, after a warm-up '
          f'round); {os.cpu_count()} CPUs')
    print(f'{"command":<8}{"median wall s":>15}{"min wall s":>12}{"median CPU s":>14}'
          f'{"peak RSS MiB":>14}')
    for name in cmds:
        print(f'{name:<8}{statistics.median(wall[name]):>15.3f}{min(wall[name]):>12.3f}'
              f'{statistics.median(cpu[name]):>14.3f}{rss[name] / 1024:>14.1f}')
    ratio = statistics.median(wall['audit']) / statistics.median(wall['dtc'])
    print(f'audit / dtc (median wall) = {ratio:.3f}  (goal < 0.25)')
    print(f'audit median wall         = {statistics.median(wall["audit"]):.3f} s  (goal < 1 s)')


if __name__ == '__main__':
    main()
