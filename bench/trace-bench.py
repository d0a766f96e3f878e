#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Trace throughput with few and with many devices, before and after.

usage: bench/trace-bench.py [--tool BUILD/cca-dma-audit] [--before BINARY]
                            [--devices 8,1024] [--size-mib N] [--runs N] [--dir DIR]
                            [--dat TRACE.DAT]

Generates (once, into DIR, default /tmp/cda-trace-bench) one realm DMA trace
of N MiB (default 512) per device count, made of ftrace lines as a busy realm
guest writes them: swiotlb_bounced + dma_map_phys pairs, unmaps, syncs, sg maps
and unmaps, coherent allocs, and unrelated sched events in between, with
addresses that move through the 64 MiB bounce pool. The files differ only in
how many devices the bounce/map events are spread over (each event picks one
at random), so a tool whose cost grows with the device count shows it. The sg
and alloc events stay on the first eight devices, so even 1024 devices stay
within the 4096 address groups and every event is checked (the report says
how many were not). Never run in CI.

The files are read once to warm the page cache; then the commands alternate,
the first round discarded, and the report gives each command's median wall
time and CPU time (user + system: steadier on a shared machine), the MB/s
(10^6 bytes) of each, and peak RSS. --tool (the after binary, default
build/cca-dma-audit) and --before (default /work/baseline/build/cca-dma-audit
when it exists; --before '' to leave it out) each read every file with the
boot log's pool (testdata/runtime/dmesg/realm-ok.log) and --ipa-bits 48, so
every address is checked; `grep -c dma_map` on the first file is the yardstick.
The goal: the most devices as fast as the fewest, in the same memory.

--dat adds a trace-cmd trace.dat (from a real guest: this machine cannot
trace) read by --tool, and the text `trace-cmd report` makes of it, when
trace-cmd is installed. A trace.dat is read by libtracecmd in a child
process (lib/trace_dat.c), so its peak RSS is the tool's and the child's,
each given.
"""
import argparse
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DMESG = os.path.join(HERE, '..', 'testdata', 'runtime', 'dmesg', 'realm-ok.log')
BEFORE = '/work/baseline/build/cca-dma-audit'
BIT = 1 << 47
POOL = 0xbbe00000


def block(ndevs, seed=1, target=64 << 20):
    """About target bytes of trace lines over ndevs devices."""
    rnd = random.Random(seed)
    out, n, ts = [], 0, 100.0
    devs = [f'{i >> 8:04x}:{i & 0xff:02x}:00.0' for i in range(ndevs)]
    while n < target:
        i = rnd.randrange(ndevs)
        dev, few = devs[i], devs[i % 8]  # sg and alloc: eight devices at most
        slot = POOL + rnd.randrange(0, 0x4000000 - 0x10000, 0x800)
        phys = 0x100000000 + rnd.randrange(0, 1 << 31, 0x200)  # bit 32 cleared: not in the pool
        size = rnd.choice([64, 512, 1536, 4096, 65536])
        ts += 0.000013
        pid = rnd.choice(['kworker/u8:2-57', 'irq/45-virtio1-312', 'fio-1201'])
        cpu = rnd.randrange(4)
        h = f' {pid:>20} [{cpu:03d}] ..... {ts:12.6f}: '
        lines = [
            f'{h}swiotlb_bounced: dev_name: {dev} dma_mask=ffffffffffffffff dev_addr={phys:x} size={size} FORCE',
            f'{h}dma_map_phys: {dev} dir=TO_DEVICE dma_addr={slot | BIT:x} size={size} phys_addr={phys:x} attrs=',
            f'{h}sched_switch: prev_comm=fio prev_pid=1201 prev_prio=120 prev_state=S ==> next_comm=swapper/1 next_pid=0 next_prio=120',
            f'{h}dma_sync_single_for_cpu: {dev} dir=FROM_DEVICE dma_addr={slot | BIT:x} size={size}',
            f'{h}dma_unmap_phys: {dev} dir=TO_DEVICE dma_addr={slot | BIT:x} size={size} attrs=',
        ]
        if rnd.random() < 0.2:
            s2 = slot + 0x1000
            lines.append(f'{h}dma_map_sg: {few} dir=FROM_DEVICE dma_addrs={{0x{slot | BIT:x},0x{s2 | BIT:x}}} '
                         f'sizes={{0x1000,0x800}} phys_addrs={{0x{phys:x},0x{phys + 0x1000:x}}} attrs=')
            lines.append(f'{h}dma_unmap_sg: {few} dir=FROM_DEVICE phys_addrs={{0x{phys:x},0x{phys + 0x1000:x}}} attrs=')
        if rnd.random() < 0.01:
            lines.append(f'{h}dma_alloc: {few} dir=BIDIRECTIONAL dma_addr={0xa0000000 | BIT:x} size=65536 '
                         f'virt_addr=00000000c0ffee12 flags=GFP_KERNEL attrs=')
        text = '\n'.join(lines) + '\n'
        out.append(text)
        n += len(text)
    return ''.join(out).encode()


def make(path, size, ndevs):
    if os.path.exists(path) and os.path.getsize(path) == size:
        return
    data = block(ndevs)
    with open(path + '.tmp', 'wb') as f:
        written = 0
        while written < size:
            f.write(data[:size - written])
            written += min(len(data), size - written)
    os.rename(path + '.tmp', path)


def vm_hwm(pid):
    """A process's peak RSS so far (KiB), 0 once it is gone."""
    try:
        for line in open(f'/proc/{pid}/status'):
            if line.startswith('VmHWM:'):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0


def children(pid):
    try:
        return [int(c) for c in open(f'/proc/{pid}/task/{pid}/children').read().split()]
    except (FileNotFoundError, ProcessLookupError, ValueError):
        return []


def run_once(cmd, out):
    """Wall time, CPU time (user + system, its children's included) and peak
    RSS of one run, and the largest peak RSS of its children (the trace.dat
    reader's). On a shared machine the CPU time is the steadier figure. A
    peak is the process's own VmHWM, polled from /proc (it starts afresh at
    exec, unlike wait4's ru_maxrss, which would include this Python process
    copied at fork). Output goes to a file: GNU grep stops at the first
    match when stdout is /dev/null."""
    with open(out, 'wb') as f:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        hwm, kids = 0, {}
        while True:
            pid, status, ru = os.wait4(p.pid, os.WNOHANG)
            if pid:
                break
            hwm = max(hwm, vm_hwm(p.pid))
            for c in children(p.pid):
                kids[c] = max(kids.get(c, 0), vm_hwm(c))
            time.sleep(0.002)
        wall = time.perf_counter() - t
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode not in (0, 1):
        sys.exit(f'{" ".join(cmd)}: exited {p.returncode}')
    return wall, ru.ru_utime + ru.ru_stime, hwm, max(kids.values(), default=0)  # s, s, KiB, KiB


def coverage(tool, path):
    """Devices, groups and unchecked events the tool reports for path."""
    p = subprocess.run([tool, 'trace', path, '--dmesg', DMESG, '--ipa-bits', '48', '--facts'],
                       capture_output=True, check=True)
    t = json.loads(p.stdout)['facts']['trace']
    devs = {g['device'] for g in t['groups']}
    return f'{len(devs)} devices, {len(t["groups"])} groups, {t["unchecked"]["count"]} events unchecked'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', default=os.path.join(HERE, '..', 'build', 'cca-dma-audit'))
    ap.add_argument('--before', default=BEFORE if os.path.exists(BEFORE) else '')
    ap.add_argument('--devices', default='8,1024')
    ap.add_argument('--size-mib', type=int, default=512)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--dir', default='/tmp/cda-trace-bench')
    ap.add_argument('--dat', help='a trace.dat to read too')
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    size = a.size_mib << 20
    traces = {}
    for n in (int(d) for d in a.devices.split(',')):
        traces[n] = os.path.join(a.dir, f'{n}dev-{a.size_mib}m.trace')
        make(traces[n], size, n)
        subprocess.run(['cat', traces[n]], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    tools = {'after': a.tool}
    if a.before:
        tools = {'before': a.before, **tools}
    cmds = {}
    for name, tool in tools.items():
        for n, path in traces.items():
            cmds[f'{name}, {n} devices'] = [tool, 'trace', path, '--dmesg', DMESG, '--ipa-bits', '48', '-q']
    first = next(iter(traces.values()))
    cmds['grep -c dma_map'] = ['grep', '-c', 'dma_map', first]
    sizes = {k: size for k in cmds}
    if a.dat:
        cmds['after, trace.dat'] = [a.tool, 'trace', a.dat, '--dmesg', DMESG, '--ipa-bits', '48', '-q']
        sizes['after, trace.dat'] = os.path.getsize(a.dat)
        if shutil.which('trace-cmd'):
            report = os.path.join(a.dir, 'report.txt')
            with open(report, 'wb') as f:
                subprocess.run(['trace-cmd', 'report', a.dat], stdout=f, check=True)
            cmds['after, its report'] = [a.tool, 'trace', report, '--dmesg', DMESG, '--ipa-bits', '48', '-q']
            sizes['after, its report'] = os.path.getsize(report)
    times = {k: [] for k in cmds}
    cpu = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    kid_rss = {k: 0 for k in cmds}
    for r in range(a.runs + 1):
        for k, cmd in cmds.items():
            wall, used, maxrss, kid = run_once(cmd, os.path.join(a.dir, 'out'))
            if r:
                times[k].append(wall)
                cpu[k].append(used)
                rss[k] = max(rss[k], maxrss)
                kid_rss[k] = max(kid_rss[k], kid)
    print(f'traces of {size / 1e6:.0f} MB each, {a.runs} runs after a warm-up')
    for n, path in traces.items():
        print(f'  {n} devices: {coverage(a.tool, path)}')
    print(f'{"command":<22} {"wall s":>7} {"MB/s":>6} {"CPU s":>7} {"MB/CPU s":>9} {"peak RSS":>12}'
          f' {"child RSS":>12}')
    for k in cmds:
        wall, used = statistics.median(times[k]), statistics.median(cpu[k])
        n = sizes[k] / 1e6
        child = f'{kid_rss[k] / 1024:8.1f} MiB' if kid_rss[k] else ''
        print(f'{k:<22} {wall:7.3f} {n / wall:6.0f} {used:7.3f} {n / max(used, 1e-9):9.0f} '
              f'{rss[k] / 1024:8.1f} MiB {child:>12}')


if __name__ == '__main__':
    main()
