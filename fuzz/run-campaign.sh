#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# The long fuzz campaign: every libFuzzer target for SECONDS (default 1200,
# 20 minutes) each, JOBS at a time (default 2), on an ASan/UBSan build, seeded
# with every test input. .ci/run only gives each target 30 s to keep them
# green; run this before a release and after touching a parser.
#
#   fuzz/run-campaign.sh [-n] [-t SECONDS] [-j JOBS] [-o OUTDIR] [TARGET...]
#
# -n runs the targets as built, without rebuilding build-fuzz first.
# TARGET is dtb, dtdir, rules, expr, kernel, runtime or snapshot (default: all). Needs
# clang, and the normal build in build/ for the generated test inputs (run
# `meson test -C build` once first). Corpora grow in OUTDIR/corpus-TARGET and
# are reused by the next run; crashes are written as OUTDIR/crash-TARGET-*.
# Prints one line per target (executions, corpus size, result), also kept in
# OUTDIR/summary, and exits 1 if any target crashed, leaked or timed out.
set -uo pipefail
cd "$(dirname "$0")/.."

seconds=1200 jobs=2 out=build-fuzz/campaign rebuild=1
while getopts nt:j:o: opt; do
	case $opt in
	n) rebuild=0 ;;
	t) seconds=$OPTARG ;;
	j) jobs=$OPTARG ;;
	o) out=$OPTARG ;;
	*) echo "usage: $0 [-n] [-t SECONDS] [-j JOBS] [-o OUTDIR] [TARGET...]" >&2; exit 3 ;;
	esac
done
shift $((OPTIND - 1))
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(dtb dtdir rules expr kernel runtime snapshot)

if [ ! -d build-fuzz ]; then
	CC=clang meson setup build-fuzz --buildtype=debug -Dfuzzing=true -Dtests=false \
		-Db_sanitize=address,undefined -Db_lundef=false >/dev/null || exit 2
fi
[ "$rebuild" = 0 ] || ninja -C build-fuzz >/dev/null || exit 2
[ -d build/testdata ] || { echo "$0: build/testdata missing: run 'meson test -C build' first" >&2; exit 2; }
mkdir -p "$out"
rm -f "$out/summary"

# Per-target options: input size bound, memory, dictionary.
opts_for() {
	case $1 in
	dtb) echo "-max_len=65536" ;;
	dtdir) echo "-max_len=16384" ;;
	rules) echo "-max_len=16384 -dict=fuzz/rules.dict" ;;
	expr) echo "-max_len=4096 -dict=fuzz/rules.dict" ;;
	kernel) echo "-max_len=131072 -rss_limit_mb=4096" ;;
	runtime) echo "-max_len=65536" ;;
	snapshot) echo "-max_len=65536" ;;
	esac
}

# Seeds: every input the tests use, in the form each target reads.
seed() {
	local t=$1 c=$out/corpus-$1
	mkdir -p "$c"
	case $t in
	dtb) cp build/testdata/*.dtb "$c"/ ;;
	dtdir) python3 fuzz/dtdir-seeds.py build/testdata/dtb2fs "$c" build/testdata/*.dtb ;;
	rules) cp rules/*.json "$c"/ ;;
	expr) python3 - "$c" rules/*.json <<'PY'
import hashlib, json, os, sys
out = sys.argv[1]
for path in sys.argv[2:]:
    for rule in json.load(open(path)).get('rules', []):
        for key in ('for_each', 'where', 'assert', 'message', 'fix', 'subject'):
            text = rule.get(key)
            if isinstance(text, str):
                name = hashlib.sha1(text.encode('utf-8', 'surrogatepass')).hexdigest()
                open(os.path.join(out, name), 'wb').write(text.encode('utf-8', 'surrogatepass'))
PY
		;;
	kernel) cp build/testdata/kernel-* "$c"/ 2>/dev/null ;;
	runtime) find testdata/runtime -type f \( -name '*.log' -o -name '*.trace' -o -name '*.txt' \) \
			-exec cp {} "$c"/ \;
		cp build/testdata/*.tar build/testdata/*.tar.gz "$c"/ 2>/dev/null ;;
	snapshot) for f in build/testdata/snapshot-*.tar.gz; do
			[ -f "$f" ] && gzip -dc "$f" >"$c/$(basename "$f" .gz)"
		done ;;
	esac
	return 0
}

run_one() {
	local t=$1 log=$out/fuzz-$1.log
	seed "$t"
	# shellcheck disable=SC2046 # the options are words
	./build-fuzz/fuzz/fuzz-"$t" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
		-artifact_prefix="$out/crash-$t-" $(opts_for "$t") "$out/corpus-$t" >"$log" 2>&1
	echo $? >"$out/fuzz-$t.rc"
}

running=0
for t in "${targets[@]}"; do
	[ -x "build-fuzz/fuzz/fuzz-$t" ] || { echo "$0: no target '$t'" >&2; exit 3; }
	run_one "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait

failed=0
{
	printf '%-8s %12s %10s %8s %s\n' TARGET EXECUTIONS EXEC/S CORPUS RESULT
	for t in "${targets[@]}"; do
		log=$out/fuzz-$t.log
		execs=$(awk '/stat::number_of_executed_units:/ { print $2 }' "$log")
		rate=$(awk '/stat::average_exec_per_sec:/ { print $2 }' "$log")
		corpus=$(find "$out/corpus-$t" -type f | wc -l)
		result=ok
		[ "$(cat "$out/fuzz-$t.rc")" = 0 ] || result="FAILED (exit $(cat "$out/fuzz-$t.rc"); see $log)"
		printf '%-8s %12s %10s %8s %s\n' "$t" "${execs:-?}" "${rate:-?}" "$corpus" "$result"
	done
} >"$out/summary"
cat "$out/summary"
for t in "${targets[@]}"; do
	if [ "$(cat "$out/fuzz-$t.rc")" != 0 ]; then
		failed=1
		tail -40 "$out/fuzz-$t.log" >&2
	fi
done
exit $failed
