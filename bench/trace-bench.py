#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Trace throughput: `cca-dma-audit trace` against `grep -c dma_map` on one file.

usage: bench/trace-bench.py [--tool BUILD/cca-dma-audit] [--size-gib N] [--runs N] [--dir DIR]

Generates (once, into DIR, default /tmp/cda-trace-bench) a realm DMA trace of
N GiB (default 2) and a quarter-size one, made of ftrace lines as a busy realm
guest writes them: swiotlb_bounced + dma_map_phys pairs, unmaps, syncs, sg maps
and unmaps, coherent allocs, and unrelated sched events in between, over eight
devices and addresses that move through the 64 MiB bounce pool. Never run in CI.

Both files are read once to warm the page cache; then the commands alternate,
the first round discarded, and the report gives each command's median wall
time, MB/s (10^6 bytes) and peak RSS (wait4 rusage). The audit reads the trace
with the boot log's pool (testdata/runtime/dmesg/realm-ok.log) and --ipa-bits
48, so every address is checked; its RSS at both sizes shows memory is flat.
"""
import argparse
import os
import random
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DMESG = os.path.join(HERE, '..', 'testdata', 'runtime', 'dmesg', 'realm-ok.log')
BIT = 1 << 47
POOL = 0xbbe00000


def block(seed=1, target=64 << 20):
    """About target bytes of trace lines."""
    rnd = random.Random(seed)
    out, n, ts = [], 0, 100.0
    devs = [f'0000:00:{i:02x}.0' for i in range(2, 10)]
    while n < target:
        dev = rnd.choice(devs)
        slot = POOL + rnd.randrange(0, 0x4000000 - 0x10000, 0x800)
        phys = 0x100000000 + rnd.randrange(0, 1 << 32, 0x200)
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
            lines.append(f'{h}dma_map_sg: {dev} dir=FROM_DEVICE dma_addrs={{0x{slot | BIT:x},0x{s2 | BIT:x}}} '
                         f'sizes={{0x1000,0x800}} phys_addrs={{0x{phys:x},0x{phys + 0x1000:x}}} attrs=')
            lines.append(f'{h}dma_unmap_sg: {dev} dir=FROM_DEVICE phys_addrs={{0x{phys:x},0x{phys + 0x1000:x}}} attrs=')
        if rnd.random() < 0.01:
            lines.append(f'{h}dma_alloc: {dev} dir=BIDIRECTIONAL dma_addr={0xa0000000 | BIT:x} size=65536 '
                         f'virt_addr=00000000c0ffee12 flags=GFP_KERNEL attrs=')
        text = '\n'.join(lines) + '\n'
        out.append(text)
        n += len(text)
    return ''.join(out).encode()


def make(path, size):
    if os.path.exists(path) and os.path.getsize(path) >= size:
        return
    data = block()
    with open(path + '.tmp', 'wb') as f:
        written = 0
        while written < size:
            f.write(data)
            written += len(data)
    os.rename(path + '.tmp', path)


def run_once(cmd, out):
    """Wall time and peak RSS of one run. The peak is the child's own VmHWM,
    polled from /proc (it starts afresh at exec, unlike wait4's ru_maxrss,
    which would include this Python process copied at fork). Output goes to
    a file: GNU grep stops at the first match when stdout is /dev/null."""
    with open(out, 'wb') as f:
        t = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.DEVNULL)
        hwm = 0
        while p.poll() is None:
            try:
                for line in open(f'/proc/{p.pid}/status'):
                    if line.startswith('VmHWM:'):
                        hwm = max(hwm, int(line.split()[1]))
            except (FileNotFoundError, ProcessLookupError, ValueError):
                pass
            time.sleep(0.002)
        wall = time.perf_counter() - t
    if p.returncode not in (0, 1):
        sys.exit(f'{cmd[0]} exited {p.returncode}')
    return wall, hwm  # KiB


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tool', default=os.path.join(HERE, '..', 'build', 'cca-dma-audit'))
    ap.add_argument('--size-gib', type=float, default=2.0)
    ap.add_argument('--runs', type=int, default=3)
    ap.add_argument('--dir', default='/tmp/cda-trace-bench')
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    big = os.path.join(a.dir, 'big.trace')
    small = os.path.join(a.dir, 'small.trace')
    make(big, int(a.size_gib * (1 << 30)))
    make(small, int(a.size_gib * (1 << 30) / 4))
    for path in (small, big):
        subprocess.run(['cat', path], stdout=subprocess.DEVNULL, check=True)  # warm the cache
    cmds = {
        'audit (small)': [a.tool, 'trace', small, '--dmesg', DMESG, '--ipa-bits', '48', '-q'],
        'audit': [a.tool, 'trace', big, '--dmesg', DMESG, '--ipa-bits', '48', '-q'],
        'grep -c dma_map': ['grep', '-c', 'dma_map', big],
    }
    times = {k: [] for k in cmds}
    rss = {k: 0 for k in cmds}
    for r in range(a.runs + 1):
        for k, cmd in cmds.items():
            wall, maxrss = run_once(cmd, os.path.join(a.dir, 'out'))
            if r:
                times[k].append(wall)
                rss[k] = max(rss[k], maxrss)
    sizes = {'audit (small)': os.path.getsize(small)}
    print(f'trace: {os.path.getsize(big) / 1e9:.2f} GB ({os.path.getsize(small) / 1e9:.2f} GB small), '
          f'{a.runs} runs after a warm-up')
    print(f'{"command":<18} {"median s":>9} {"MB/s":>8} {"peak RSS":>10}')
    for k in cmds:
        med = statistics.median(times[k])
        mb = sizes.get(k, os.path.getsize(big)) / 1e6 / med
        print(f'{k:<18} {med:9.3f} {mb:8.0f} {rss[k] / 1024:8.1f} MiB')
    print('grep -c dma_map counted', open(os.path.join(a.dir, 'out')).read().strip(), 'lines')


if __name__ == '__main__':
    main()
