#!/bin/bash
# SPDX-License-Identifier: MIT
#
# capture.sh - boot real arm64 guests under QEMU (TCG) and keep what their
# kernels print, as the fixtures in testdata/real/ (see README.md there).
#
# usage: testdata/real/capture.sh [-c CACHE] [-o OUTDIR] [-l] [VARIANT...]
#   -c CACHE   downloads, builds and disk images (default
#              ~/.cache/cca-dma-audit/guests); nothing here is committed
#   -o OUTDIR  where each variant's directory is written (default: this
#              directory, i.e. the committed fixtures)
#   -l         list the variants and exit
# With no VARIANT every variant is captured.
#
# What it does, all reproducible from Debian 12's archive:
#   - apt-get download the Debian arm64 kernels (6.1, 6.12, 6.12 16K pages),
#     busybox-static:arm64, trace-cmd:arm64 and its libraries, and
#     linux-source-6.12;
#   - builds a small arm64 kernel from that source (allnoconfig plus
#     guest-kernel.config: CONFIG_DMA_RESTRICTED_POOL, which Debian's kernels
#     lack), with 4K and with 16K pages;
#   - builds a busybox initramfs holding guest-init.sh, the collector
#     (cmd/cca-dma-audit-collect) and trace-cmd;
#   - boots each variant under qemu-system-aarch64 -M virt (bounded by
#     timeout), the guest reads its disk through the DMA API with the dma
#     and swiotlb events on, then prints its captures on the serial console
#     between markers; this script cuts them out into OUTDIR/VARIANT/.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
cache=${HOME}/.cache/cca-dma-audit/guests
outdir=$here
list=

while getopts c:o:lh opt; do
	case $opt in
	c) cache=$OPTARG ;;
	o) outdir=$OPTARG ;;
	l) list=1 ;;
	*) sed -n '4,12p' "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))

# name | kernel | qemu memory | extra kernel command line | DT edit | devices
# kernel: deb61, deb612, deb612-16k (Debian's), own4k, own16k (built here).
# DT edit: none (QEMU's own DT), or a pool spec for add_pools() below.
# devices: pci (virtio-blk-pci with iommu_platform=on, virtio-rng-pci
# without it), mmio (virtio-blk-device with iommu_platform=on, and
# virtio-rng-device: the transport a DT restricted pool attaches to), or
# mmio-legacy (the same with QEMU's default force-legacy=true for virt's
# virtio-mmio: a legacy device has no VIRTIO_F_ACCESS_PLATFORM, bit 33).
VARIANTS='
deb61-virtio|deb61|2G||none|pci
deb61-force|deb61|2G|swiotlb=force|none|pci
deb612-virtio|deb612|2G|cda.forms|none|pci
deb612-force|deb612|2G|swiotlb=force|none|pci
deb612-16k-force|deb612-16k|2G|swiotlb=force|none|pci
deb612-pool|deb612|2G||pool:0x50000000:0x400000|mmio
own4k-pool|own4k|2G||pool:0x50000000:0x400000|mmio
own4k-pool-legacy|own4k|2G||pool:0x50000000:0x400000|mmio-legacy
own4k-pool-misaligned|own4k|2G||pool:0x50001000:0x400000|mmio
own4k-pool-nomap|own4k|2G||pool:0x50000000:0x400000:no-map|mmio
own4k-pool-dynamic|own4k|2G||dynpool:0x400000:0x10000|mmio
own4k-pool-shared|own4k|2G||pool:0x50000000:0x400000:shared|mmio
own16k-pool|own16k|2G||pool:0x50000000:0x400000|mmio
own16k-pool-misaligned|own16k|2G||pool:0x50001000:0x400000|mmio
'

if [ -n "$list" ]; then
	echo "$VARIANTS" | sed '/^$/d'
	exit 0
fi

debs=$cache/debs
mkdir -p "$debs" "$cache/work"

# The newest package whose name matches the extended regexp $1.
newest() {
	apt-cache search --names-only "$1" | awk '{print $1}' | sort -V | tail -1
}

fetch() {
	local pkg=$1
	if ! ls "$debs/${pkg%%:*}_"*.deb >/dev/null 2>&1; then
		(cd "$debs" && apt-get download "$pkg" >/dev/null 2>&1) ||
			{ echo "capture.sh: apt-get download $pkg failed" >&2; exit 1; }
	fi
	ls "$debs/${pkg%%:*}_"*.deb | sort -V | tail -1
}

unpack() { # deb dir
	[ -d "$2" ] || { mkdir -p "$2.tmp" && dpkg-deb -x "$1" "$2.tmp" && mv "$2.tmp" "$2"; }
}

deb_kernel_pkg() {
	case $1 in
	deb61) newest '^linux-image-6\.1\.0-[0-9]+-arm64-unsigned$' ;;
	deb612) newest '^linux-image-6\.12\.[0-9]+\+deb12-arm64-unsigned$' ;;
	deb612-16k) newest '^linux-image-6\.12\.[0-9]+\+deb12-arm64-16k-unsigned$' ;;
	esac
}

# A module file of kernel tree $1 by name, decompressed into $2, with the
# modules it depends on first (their names from its .modinfo "depends=").
add_module() {
	local tree=$1 dest=$2 name=$3 f dep
	[ -e "$dest/.have-$name" ] && return 0
	f=$(find "$tree/lib/modules" -name "$name.ko" -o -name "$name.ko.xz" | head -1)
	[ -n "$f" ] || return 0 # built in
	mkdir -p "$dest/lib/modules"
	case $f in
	*.xz) xz -dc "$f" >"$dest/lib/modules/$name.ko" ;;
	*) cp "$f" "$dest/lib/modules/$name.ko" ;;
	esac
	for dep in $(tr '\0' '\n' <"$dest/lib/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		add_module "$tree" "$dest" "$dep"
	done
	echo "$name" >>"$dest/lib/modules/order"
	touch "$dest/.have-$name"
}

build_own_kernel() { # 4k|16k -> prints the Image path
	local pg=$1 src out deb
	deb=$(fetch linux-source-6.12)
	src=$cache/work/linux-source
	if [ ! -d "$src" ]; then
		mkdir -p "$src.tmp"
		dpkg-deb --fsys-tarfile "$deb" | tar -xO --wildcards './usr/src/linux-source-*.tar.xz' |
			tar -xJ -C "$src.tmp" --strip-components=1
		mv "$src.tmp" "$src"
	fi
	out=$cache/work/own$pg
	mkdir -p "$out"
	cp "$here/guest-kernel.config" "$out/fragment.new"
	if [ "$pg" = 16k ]; then echo CONFIG_ARM64_16K_PAGES=y >>"$out/fragment.new"; fi
	# (re)configure when the fragment changed; make rebuilds only what it changes
	if [ ! -e "$out/arch/arm64/boot/Image" ] || ! cmp -s "$out/fragment.new" "$out/fragment"; then
		mv "$out/fragment.new" "$out/fragment"
		make -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- allnoconfig >/dev/null
		(cd "$src" && ARCH=arm64 scripts/kconfig/merge_config.sh -m -O "$out" "$out/.config" \
			"$out/fragment" >/dev/null)
		make -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- olddefconfig >/dev/null
		make -C "$src" O="$out" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
			-j"$(nproc)" Image >"$out/build.log" 2>&1 ||
			{ tail -20 "$out/build.log" >&2; exit 1; }
	fi
	echo "$out/arch/arm64/boot/Image"
}

# busybox, trace-cmd (dynamic: its libraries and the loader come along), the
# collector and the guest's init.
base_initramfs() {
	local root=$cache/work/initramfs-base p
	if [ ! -d "$root" ]; then
		mkdir -p "$root.tmp"/{bin,dev,proc,sys,tmp,lib,mnt}
		unpack "$(fetch busybox-static:arm64)" "$cache/work/busybox"
		cp "$cache/work/busybox/bin/busybox" "$root.tmp/bin/"
		for p in trace-cmd:arm64 libc6:arm64 libtraceevent1:arm64 libtracefs1:arm64 libzstd1:arm64; do
			unpack "$(fetch "$p")" "$cache/work/pkg-${p%%:*}"
			cp -a "$cache/work/pkg-${p%%:*}/." "$root.tmp/"
		done
		rm -rf "$root.tmp/usr/share"
		mv "$root.tmp" "$root"
	fi
	# always the current collector and init
	install -m 755 "$repo/cmd/cca-dma-audit-collect" "$root/bin/"
	install -m 755 "$here/guest-init.sh" "$root/init"
	echo "$root"
}

# DT edits with fdtput on QEMU's own DT: a restricted-dma-pool node under
# /reserved-memory, referenced from the virtio-mmio transports QEMU plugs
# the two devices into (the two highest: QEMU fills them from the top).
add_pools() { # dtb spec
	local dtb=$1 spec=$2 kind base size flag rm=/reserved-memory node n
	IFS=: read -r kind base size flag <<<"$spec"
	fdtput -c "$dtb" "$rm"
	fdtput -t x "$dtb" "$rm" '#address-cells' 2
	fdtput -t x "$dtb" "$rm" '#size-cells' 2
	fdtput -t x "$dtb" "$rm" ranges
	if [ "$kind" = dynpool ]; then
		node=$rm/restricted-dma
		fdtput -c "$dtb" "$node"
		fdtput -t x "$dtb" "$node" size 0 "$base"
		fdtput -t x "$dtb" "$node" alignment 0 "$size"
	else
		node=$rm/restricted-dma@${base#0x}
		fdtput -c "$dtb" "$node"
		fdtput -t x "$dtb" "$node" reg 0 "$base" 0 "$size"
	fi
	fdtput -t s "$dtb" "$node" compatible restricted-dma-pool
	fdtput -t x "$dtb" "$node" phandle 0x7000
	[ "$flag" = no-map ] && fdtput -t x "$dtb" "$node" no-map
	for n in a003e00 a003c00; do
		fdtput -t x "$dtb" "/virtio_mmio@$n" memory-region 0x7000
		[ "$flag" = shared ] || break
	done
	return 0
}

devices() {
	case $1 in
	pci) echo -device virtio-blk-pci,drive=d0,iommu_platform=on,disable-legacy=on \
		-device virtio-rng-pci,disable-legacy=on ;;
	mmio) echo -global virtio-mmio.force-legacy=false \
		-device virtio-blk-device,drive=d0,iommu_platform=on -device virtio-rng-device ;;
	mmio-legacy) echo -device virtio-blk-device,drive=d0,iommu_platform=on \
		-device virtio-rng-device ;;
	esac
}

# Cut "=== BEGIN name ===" ... "=== END name ===" sections of the console
# log into files; base64 sections (name ending in .b64) are decoded.
split_console() { # log dir
	awk -v dir="$2" '
		/^=== BEGIN [^ ]+ ===/ { name = $3; file = dir "/" name; printf "" > file; next }
		/^=== END [^ ]+ ===/ { close(file); name = ""; next }
		name != "" { sub(/\r$/, ""); print >> file }
	' "$1"
	local f
	for f in "$2"/*.b64; do
		[ -e "$f" ] || continue
		base64 -d <"$f" >"${f%.b64}" && rm "$f"
	done
}

capture() { # variant line
	local name kernel mem append dtedit devs image tree modroot initrd dtb log vdir qdt pkg
	IFS='|' read -r name kernel mem append dtedit devs <<<"$1"
	vdir=$outdir/$name
	modroot=$cache/work/root-$kernel
	case $kernel in
	own*)
		image=$(build_own_kernel "${kernel#own}")
		pkg="linux-source-6.12 $(dpkg-deb -f "$(fetch linux-source-6.12)" Version), allnoconfig + guest-kernel.config$([ "$kernel" = own16k ] && echo " + CONFIG_ARM64_16K_PAGES=y")"
		mkdir -p "$modroot"
		;;
	*)
		pkg=$(deb_kernel_pkg "$kernel")
		tree=$cache/work/$pkg
		unpack "$(fetch "$pkg")" "$tree"
		image=$(ls "$tree"/boot/vmlinuz-*)
		pkg="$pkg $(dpkg-deb -f "$(fetch "$pkg")" Version)"
		if [ ! -d "$modroot" ]; then
			mkdir -p "$modroot.tmp"
			for m in virtio_pci virtio_mmio virtio_blk virtio-rng; do
				add_module "$tree" "$modroot.tmp" "$m"
			done
			# as on a Debian system: the collector takes /boot/config-RELEASE
			mkdir -p "$modroot.tmp/boot"
			cp "$tree"/boot/config-* "$modroot.tmp/boot/"
			rm -f "$modroot.tmp"/.have-*
			mv "$modroot.tmp" "$modroot"
		fi
		;;
	esac
	initrd=$cache/work/initrd-$kernel.cpio.gz
	(cd "$(base_initramfs)" && find . | cpio -o -H newc 2>/dev/null
	 cd "$modroot" && find . | cpio -o -H newc 2>/dev/null) | gzip -c >"$initrd"
	[ -e "$cache/disk.img" ] || head -c 64M /dev/urandom >"$cache/disk.img"

	local qemu=(qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m "$mem"
		-nographic -no-reboot -nic none -kernel "$image" -initrd "$initrd"
		-drive "if=none,id=d0,file=$cache/disk.img,format=raw,readonly=on")
	# shellcheck disable=SC2207
	qemu+=($(devices "$devs"))
	local cmdline="console=ttyAMA0 panic=-1 $append"
	if [ "$dtedit" != none ]; then
		dtb=$cache/work/$name.dtb
		"${qemu[@]}" -machine dumpdtb="$dtb" -append "$cmdline" >/dev/null 2>&1
		add_pools "$dtb" "$dtedit"
		qemu+=(-dtb "$dtb")
	fi
	rm -rf "$vdir"
	mkdir -p "$vdir"
	log=$cache/work/$name.console
	echo "capture.sh: $name: booting $pkg" >&2
	timeout 900 "${qemu[@]}" -append "$cmdline" </dev/null >"$log" 2>&1 || true
	split_console "$log" "$vdir"
	[ -n "${dtb:-}" ] && dtc -q -I dtb -O dts -o "$vdir/guest.dts" "$dtb"
	{
		echo "variant: $name"
		echo "kernel: $pkg"
		echo "qemu: $(qemu-system-aarch64 --version | head -1)"
		echo "qemu args: -M virt -cpu max,pauth-impdef=on -smp 2 -m $mem $(devices "$devs")"
		echo "kernel command line: $cmdline"
		echo "device tree: ${dtedit/none/QEMU virt as generated}"
		echo "captured by: testdata/real/capture.sh $name"
	} >"$vdir/PROVENANCE"
	if [ ! -e "$vdir/snapshot.tar.gz" ]; then
		echo "capture.sh: $name: no snapshot in the console log ($log)" >&2
		return 1
	fi
	keep_text "$vdir" "$kernel"
}

# A trace cut to its first $TRACE_EVENTS event lines (comment and header
# lines kept), at a line boundary: what the kernel printed, shorter, so the
# repository stays small. The forms of one ring buffer are cut alike.
TRACE_EVENTS=800
cut_trace() {
	awk -v max="$TRACE_EVENTS" '/^#/ || /^cpus=/ || /^version = / { print; next } n++ < max' \
		"$1" >"$1.cut" && mv "$1.cut" "$1"
}

# Only text is committed: the snapshot is unpacked (its DTB decompiled, its
# config.gz gunzipped; testdata/real/make-snapshot.py packs them again at test
# time), trace.dat is printed with the host's trace-cmd in the forms users
# attach, and the binaries stay in the cache.
keep_text() { # variant-dir kernel
	local v=$1 keep=$cache/work/binaries/${1##*/} f
	rm -rf "$keep"
	mkdir -p "$keep"
	tar -xzf "$v/snapshot.tar.gz" -C "$v"
	if [ -e "$v/snapshot/fdt" ]; then
		dtc -q -I dtb -O dts -o "$v/snapshot/fdt.dts" "$v/snapshot/fdt"
		mv "$v/snapshot/fdt" "$keep/"
	fi
	if [ -e "$v/snapshot/config.gz" ]; then
		# one copy per kernel, shared by its variants through a link
		mkdir -p "$outdir/configs"
		gzip -dc "$v/snapshot/config.gz" >"$outdir/configs/$2"
		ln -sfn "../../configs/$2" "$v/snapshot/config"
		rm "$v/snapshot/config.gz"
	fi
	if [ -e "$v/trace.dat" ] && command -v trace-cmd >/dev/null; then
		trace-cmd report "$v/trace.dat" >"$v/trace-report.txt" 2>/dev/null || true
		trace-cmd report -R "$v/trace.dat" >"$v/trace-report-raw.txt" 2>/dev/null || true
	fi
	# git keeps no empty directory (Linux 6.1's swiotlb/ with no pool)
	find "$v/snapshot" -type d -empty -exec touch {}/.keep \;
	for f in "$v"/snapshot/trace.txt "$v"/trace-*.txt; do
		[ -e "$f" ] && cut_trace "$f"
	done
	for f in snapshot.tar.gz trace.dat swiotlb-busybox-tar.tar; do
		[ -e "$v/$f" ] && mv "$v/$f" "$keep/"
	done
	return 0
}

status=0
if [ $# -eq 0 ]; then
	set -- $(echo "$VARIANTS" | sed '/^$/d' | cut -d'|' -f1)
fi
for v in "$@"; do
	line=$(echo "$VARIANTS" | grep "^$v|") || { echo "capture.sh: no variant $v" >&2; exit 2; }
	capture "$line" || status=1
done
exit $status
