#!/bin/busybox sh
# SPDX-License-Identifier: MIT
#
# /init of the capture guests (testdata/real/capture.sh): load the virtio
# modules, read the disk and the RNG through the DMA API while the
# collector traces the dma and swiotlb events, then print every capture on
# the serial console between "=== BEGIN name ===" and "=== END name ==="
# markers (binary ones base64'd, name ending in .b64) and power off.
/bin/busybox --install -s /bin
export PATH=/bin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t debugfs none /sys/kernel/debug
mount -t tracefs none /sys/kernel/tracing 2>/dev/null

if [ -f /lib/modules/order ]; then
	while read -r m; do insmod "/lib/modules/$m.ko"; done </lib/modules/order
fi
# the console carries the captures from here on: keep printk off it
dmesg -n 1
sleep 1

# The workload: direct reads of the disk (each one a DMA mapping, bounced
# when a pool is in use: 64 KiB and 1 MiB requests, then 8 MiB through the
# page cache, whose readahead maps many pages at once), and a few reads of the
# RNG. A pool the kernel cannot use livelocks block I/O, leaving dd in D
# state where no signal reaches it: each command gets 60 s, then the capture
# goes on without it (and says so in workload.txt).
cat >/tmp/workload.sh <<'WORKLOAD'
run() {
	"$@" 2>&1 | tail -1 &
	p=$!
	i=0
	while kill -0 $p 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 60 ]; then
			echo "$*: still running after 60 s (blocked in the kernel?)"
			return 1
		fi
		sleep 1
	done
}
run dd if=/dev/vda of=/dev/null bs=64k count=64 iflag=direct
run dd if=/dev/vda of=/dev/null bs=1M count=16 iflag=direct
run dd if=/dev/vda of=/dev/null bs=1M count=8
run dd if=/dev/hwrng of=/dev/null bs=64 count=8
WORKLOAD

section() { echo "=== BEGIN $1 ==="; cat; echo "=== END $1 ==="; }

cca-dma-audit-collect -t 1 -b 128 -o /tmp/snapshot.tar.gz -- sh /tmp/workload.sh \
	>/tmp/workload.txt 2>&1
section workload.txt </tmp/workload.txt
base64 </tmp/snapshot.tar.gz | section snapshot.tar.gz.b64

# With cda.forms on the command line (one variant: the forms are the same
# for every kernel), the same ring buffer printed with the common trace
# options changed, and a trace.dat recorded by trace-cmd.
T=/sys/kernel/tracing
if grep -q cda.forms /proc/cmdline && [ -d $T/events/dma ]; then
	echo nocontext-info >$T/trace_options
	section trace-nocontext.txt <$T/trace
	echo context-info >$T/trace_options
	echo latency-format >$T/trace_options
	section trace-latency.txt <$T/trace
	echo nolatency-format >$T/trace_options
	if command -v trace-cmd >/dev/null; then
		trace-cmd record -q -b 128 -e dma -e swiotlb -o /tmp/trace.dat sh /tmp/workload.sh \
			>/dev/null 2>&1
		[ -s /tmp/trace.dat ] && base64 </tmp/trace.dat | section trace.dat.b64
	fi
fi

# the ways users copy the swiotlb directory by hand
if [ -d /sys/kernel/debug/swiotlb ]; then
	grep -r . /sys/kernel/debug/swiotlb | section swiotlb-grep.txt
	find /sys/kernel/debug/swiotlb -type f | xargs head 2>&1 | section swiotlb-head.txt
	tar -C /sys/kernel/debug -cf - swiotlb | base64 | section swiotlb-busybox-tar.tar.b64
fi
echo "=== DONE ==="
poweroff -f
