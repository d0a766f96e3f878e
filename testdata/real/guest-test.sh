#!/bin/bash
# SPDX-License-Identifier: MIT
#
# guest-test.sh - the collector in a real guest, audited: boot Debian's
# arm64 6.12 kernel under QEMU with cca-dma-audit-collect in its initramfs
# (capture.sh deb612-virtio), then audit the snapshot and the trace.dat it
# recorded, as a user would. TAP output; .ci/run counts it.
#
# usage: testdata/real/guest-test.sh TOOL [CACHE]
# Needs network (apt-get download), qemu-system-aarch64, dtc and trace-cmd.
set -uo pipefail

tool=$(realpath "$1")
cache=${2:-$HOME/.cache/cca-dma-audit/guests}
here=$(cd "$(dirname "$0")" && pwd)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
n=0
failed=0

ok() { # status description
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
	fi
}

variant=deb612-virtio
bash "$here/capture.sh" -c "$cache" -o "$out" "$variant" >"$out/capture.log" 2>&1
ok $? "boot $variant with the collector in its initramfs" || true
bin=$cache/work/binaries/$variant
snap=$bin/snapshot.tar.gz
[ -s "$snap" ]
ok $? "the collector wrote a snapshot and the console carried it out"

# The snapshot as the guest wrote it, on pKVM: exit 1 (findings), never 2.
"$tool" audit --snapshot "$snap" --platform pkvm --format json >"$out/audit.json" 2>"$out/audit.err"
rc=$?
[ "$rc" -eq 1 ]
ok $? "audit --snapshot --platform pkvm exits 1 (got $rc: $(head -c 300 "$out/audit.err"))"

python3 - "$out/audit.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
ids = {f['rule_id'] for f in doc['findings']}
paths = [i.get('path', '') for i in doc['inputs']]
# QEMU's virtio-rng-pci has no iommu_platform=on: it bypasses the DMA API
virtio = [f for f in doc['findings'] if 'virtio_rng' in f['message']]
assert virtio, f'no finding for the virtio-rng device without VIRTIO_F_ACCESS_PLATFORM: {sorted(ids)}'
assert not [f for f in doc['findings'] if 'virtio_blk' in f['message'] and 'ACCESS_PLATFORM' in f['message']], \
    'virtio-blk has iommu_platform=on and must not be reported'
assert all(':snapshot/' in p or p.endswith('.tar.gz') for p in paths if p), paths
PY
ok $? "the snapshot's virtio-rng (no iommu_platform) is reported, its virtio-blk is not"

"$tool" audit --snapshot "$snap" --format json >"$out/auto.json" 2>"$out/auto.err"
rc=$?
python3 - "$out/auto.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
errors = [f for f in doc['findings'] if f['severity'] == 'error']
assert not errors, f'--platform auto on a plain guest gave errors: {errors}'
PY
ok $? "--platform auto: no errors on a healthy non-confidential guest (exit $rc)"

dat=$bin/trace.dat
if [ -s "$dat" ]; then
	"$tool" trace "$dat" --format json >"$out/dat.json" 2>"$out/dat.err"
	rc=$?
	python3 - "$out/dat.json" "$rc" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
assert sys.argv[2] in ('0', '1'), f'exit {sys.argv[2]}'
assert doc['summary']['exit_code'] == int(sys.argv[2])
PY
	ok $? "trace.dat from trace-cmd record in the guest is read (exit $rc: $(head -c 300 "$out/dat.err"))"
	"$tool" trace "$dat" --facts >"$out/dat-facts.json" 2>&1
	python3 - "$out/dat-facts.json" <<'PY'
import json, sys
doc = json.load(open(sys.argv[1]))
t = doc['facts']['trace']
assert t['events'] > 0, 'no dma events read from trace.dat'
assert t['malformed']['count'] == 0, t['malformed']
PY
	ok $? "trace.dat: every dma event read, none malformed"
	head -c $(($(stat -c %s "$dat") / 3)) "$dat" >"$out/cut.dat"
	"$tool" trace "$out/cut.dat" >/dev/null 2>"$out/cut.err"
	rc=$?
	[ "$rc" -eq 2 ] && [ "$(wc -l <"$out/cut.err")" -eq 1 ]
	ok $? "a trace.dat cut to a third is one error line, exit 2 (got $rc: $(cat "$out/cut.err"))"
else
	ok 1 "trace-cmd record wrote a trace.dat in the guest"
fi

tarpit=$bin/swiotlb-busybox-tar.tar
"$tool" swiotlb "$tarpit" >/dev/null 2>"$out/tar.err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "grep -r" "$out/tar.err"
ok $? "busybox tar of debugfs (empty files) is an input error saying how to capture (exit $rc)"

echo "1..$n"
echo "# guest tests: $((n - failed)) passed, $failed failed"
[ "$failed" -eq 0 ]
