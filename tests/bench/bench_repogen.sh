#!/bin/sh
# bench_repogen.sh: time and output size of reef-repogen at one scale.
#
# usage: bench_repogen.sh REPOGEN SCALE WORKDIR [JOBS]
#
# Runs REPOGEN (the reef-repogen binary) with --scale SCALE (medium for
# the quick benchmark, global for the full one) into WORKDIR/repo, with
# the key cache of REEF_KEY_CACHE or reef-repogen's default.  Keys not
# yet cached are generated first, which dominates a cold run at global
# scale (~40,000 RSA keys); the number of keys found in the cache before
# the run is reported so cold and warm figures are not mixed up.
#
# Prints "name<TAB>value<TAB>unit" lines on stdout; exit status 0, or 1
# on failure.
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
	echo "usage: bench_repogen.sh REPOGEN SCALE WORKDIR [JOBS]" >&2
	exit 2
fi
repogen=$1
scale=$2
work=$3
jobs=${4:-$(nproc)}
keys=${REEF_KEY_CACHE:-${HOME:-/nonexistent}/.cache/reef/keys}

cached=0
if [ -d "$keys" ]; then
	cached=$(find "$keys" -type f | wc -l)
fi

mkdir -p "$work"
out=$work/repo
# GNU time's %e (wall seconds) and %M (peak RSS, KiB) on the last line.
if ! /usr/bin/time -f '%e %M' -o "$work/time.txt" \
    "$repogen" -o "$out" --scale "$scale" -j "$jobs" \
    --key-cache "$keys" >"$work/repogen.log" 2>&1; then
	echo "bench_repogen.sh: reef-repogen failed, see $work/repogen.log" >&2
	tail -n 5 "$work/repogen.log" >&2
	exit 1
fi
set -- $(tail -n 1 "$work/time.txt")
wall=$1
rss_kb=$2

bytes=$(du -sb "$out" | cut -f 1)
files=$(find "$out" -type f | wc -l)
vrps=$(($(wc -l <"$out/gen1/expected/vrps.csv") - 1))

printf 'keys_cached_before\t%s\tcount\n' "$cached"
printf 'time\t%s\ts\n' "$wall"
printf 'output_size\t%s\tMB\n' "$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')"
printf 'files\t%s\tcount\n' "$files"
printf 'vrps\t%s\tcount\n' "$vrps"
printf 'rss_peak\t%s\tMiB\n' "$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')"
