#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Time `cca-dma-audit vmlinux` against `pahole -C io_tlb_mem` on one kernel.

usage: bench/vmlinux-bench.py [--runs N] [--tool BUILD/cca-dma-audit] [VMLINUX]
       bench/vmlinux-bench.py --fetch DIR     download and unpack a Debian arm64
                                              debug vmlinux into DIR, print its path

Never run in CI: the input is a real distro debug vmlinux (hundreds of MB),
fetched with `apt-get download` of linux-image-*-arm64-dbg. Runs alternate
between the commands (so cache state and machine noise hit all alike), the
first round is a discarded warm-up, and the report gives the median wall time
of each, the ratio to pahole, and each command's peak RSS (wait4 rusage).

Commands timed:
  audit        cca-dma-audit vmlinux FILE             (full audit; BTF if present)
  audit-dwarf  cca-dma-audit vmlinux --no-btf FILE    (DWARF-only path)
  pahole       pahole -C io_tlb_mem FILE              (its default: BTF if present)
  pahole-dwarf pahole -F dwarf -C io_tlb_mem FILE
"""
import argparse
import glob
import os
import shutil
import statistics
import subprocess
import sys
import time


def fetch(dest):
    os.makedirs(dest, exist_ok=True)
    arch = subprocess.run(['dpkg', '--print-foreign-architectures'], capture_output=True,
                          text=True).stdout.split()
    if 'arm64' not in arch and subprocess.run(['dpkg', '--print-architecture'], capture_output=True,
                                              text=True).stdout.strip() != 'arm64':
        sys.exit('add the arm64 architecture first: dpkg --add-architecture arm64 && apt-get update')
    names = subprocess.run(['apt-cache', 'search', '--names-only', r'^linux-image-[0-9.]+-[0-9]+-arm64-dbg$'],
                           capture_output=True, text=True, check=True).stdout.split('\n')
    pkgs = sorted((n.split()[0] for n in names if n.strip()),
                  key=lambda p: [int(x) if x.isdigit() else x for x in p.replace('-', '.').split('.')])
    if not pkgs:
        sys.exit('no linux-image-*-arm64-dbg package found')
    subprocess.run(['apt-get', 'download', pkgs[-1] + ':arm64'], cwd=dest, check=True)
    deb = glob.glob(os.path.join(dest, pkgs[-1] + '_*.deb'))[0]
    tar = subprocess.Popen(['dpkg-deb', '--fsys-tarfile', deb], stdout=subprocess.PIPE)
    subprocess.run(['tar', '-x', '-C', dest, '--wildcards', '*/vmlinux-*'], stdin=tar.stdout, check=True)
    tar.wait()
    path = glob.glob(os.path.join(dest, 'usr/lib/debug/boot/vmlinux-*'))[0]
    print(path)


def run_once(cmd):
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode()
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1 = findings, which is a successful audit
        sys.exit(f'{" ".join(cmd)} exited {code}: {err}')
    return wall, ru.ru_maxrss  # KiB on Linux


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--runs', type=int, default=7)
    ap.add_argument('--tool', default='build/cca-dma-audit')
    ap.add_argument('--fetch', metavar='DIR')
    ap.add_argument('vmlinux', nargs='?')
    a = ap.parse_args()
    if a.fetch:
        return fetch(a.fetch)
    if not a.vmlinux:
        ap.error('give a vmlinux, or --fetch DIR first')
    pahole = shutil.which('pahole')
    if not pahole:
        sys.exit('pahole not found (package dwarves)')
    cmds = {
        'audit': [a.tool, 'vmlinux', a.vmlinux],
        'audit-dwarf': [a.tool, 'vmlinux', '--no-btf', a.vmlinux],
        'pahole': [pahole, '-C', 'io_tlb_mem', a.vmlinux],
        'pahole-dwarf': [pahole, '-F', 'dwarf', '-C', 'io_tlb_mem', a.vmlinux],
    }
    times = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    for rnd in range(a.runs + 1):
        for name, cmd in cmds.items():
            wall, maxrss = run_once(cmd)
            if rnd:  # round 0 warms the page cache
                times[name].append(wall)
                rss[name] = max(rss[name], maxrss)
    size = os.path.getsize(a.vmlinux) / 2**20
    print(f'{a.vmlinux}: {size:.0f} MiB, {a.runs} runs each (alternating, after one warm-up round)')
    print(f'{"command":<14}{"median s":>10}{"min s":>9}{"peak RSS MiB":>14}')
    for name in cmds:
        print(f'{name:<14}{statistics.median(times[name]):>10.3f}{min(times[name]):>9.3f}'
              f'{rss[name] / 1024:>14.1f}')
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f'audit / pahole             = {med["audit"] / med["pahole"]:.3f}  (target <= 0.5)')
    print(f'audit-dwarf / pahole-dwarf = {med["audit-dwarf"] / med["pahole-dwarf"]:.3f}')
    print(f'audit-dwarf median         = {med["audit-dwarf"]:.3f} s  (target < 1 s)')


if __name__ == '__main__':
    main()
