#!/bin/sh
# run.sh: runs Reef's benchmarks and prints a table; also writes JSON.
#
# usage: run.sh [--quick | --full] [--builddir DIR] [--srcdir DIR]
#               [--json FILE]
#
# Builds nothing (make does: "make bench" or "make bench-full").  The
# quick variant runs in a few minutes; the full one works at global
# scale and can take more than an hour on a cold key cache.
#
#   quick: 100,000 VRPs, 100 RTR clients, 100 MiB RRDP snapshot,
#          reef-repogen --scale medium, parsed and checked by bench_parse,
#          validated by reef, rpki-client and FORT (bench_validate.sh)
#   full:  1,000,000 VRPs, 1,000 RTR clients, 512 MiB RRDP snapshot,
#          reef-repogen --scale global, parsed and checked by bench_parse,
#          validated by reef, rpki-client and FORT (bench_validate.sh)
#
# Environment overrides (for trying things out): BENCH_VRPS,
# BENCH_CLIENTS, BENCH_PEER_CLIENTS, BENCH_RRDP_MIB, BENCH_SCALE,
# BENCH_TIMEOUT (seconds per phase), TMPDIR; for the validation
# benchmark BENCH_REPO (an existing reef-repogen output directory with
# two generations, instead of generating one) and BENCH_PEERS (default
# "rpki-client fort", empty for none).
#
# Every server binds 127.0.0.1 only and is stopped by PID (bench_rtrd
# does it, and its servers die with it); the scratch directory is
# removed on exit.  Exit status: 0, or 1 if any benchmark failed (the
# others still run and the table says which).
set -u

variant=quick
builddir=.
srcdir=
json=

while [ $# -gt 0 ]; do
	case $1 in
	--quick) variant=quick ;;
	--full) variant=full ;;
	--builddir) builddir=$2; shift ;;
	--srcdir) srcdir=$2; shift ;;
	--json) json=$2; shift ;;
	*) echo "usage: run.sh [--quick | --full] [--builddir DIR]" \
	    "[--srcdir DIR] [--json FILE]" >&2; exit 2 ;;
	esac
	shift
done
[ -n "$srcdir" ] || srcdir=$(cd "$(dirname "$0")/../.." && pwd)
[ -n "$json" ] || json=$builddir/bench.json

if [ "$variant" = full ]; then
	vrps=${BENCH_VRPS:-1000000}
	clients=${BENCH_CLIENTS:-1000}
	rrdp_mib=${BENCH_RRDP_MIB:-512}
	scale=${BENCH_SCALE:-global}
else
	vrps=${BENCH_VRPS:-100000}
	clients=${BENCH_CLIENTS:-100}
	rrdp_mib=${BENCH_RRDP_MIB:-100}
	scale=${BENCH_SCALE:-medium}
fi
# StayRTR answers concurrent full resets one after the other (about 1 s
# per client and 100,000 VRPs here): 1,000 clients with 1,000,000 VRPs
# would take hours, so the peer gets at most 100.
peer_clients=${BENCH_PEER_CLIENTS:-$((clients < 100 ? clients : 100))}
timeout=${BENCH_TIMEOUT:-1800}

bench_rtrd=$builddir/tests/bench/bench_rtrd
bench_rrdp=$builddir/tests/bench/bench_rrdp
bench_check=$builddir/tests/bench/bench_check
bench_parse=$builddir/tests/bench/bench_parse
bench_output=$builddir/tests/bench/bench_output
rtrd=$builddir/rtrd/reef-rtrd
reef=$builddir/validator/reef
repogen=$builddir/tests/tools/repogen/reef-repogen

# 1,000 clients plus the server's own descriptors.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

work=$(mktemp -d "${TMPDIR:-/tmp}/reef-bench.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' HUP INT TERM
results=$work/results.tsv
: >"$results"
failed=

# run SECTION COMMAND...: results of COMMAND, prefixed with SECTION.
run() {
	section=$1
	shift
	echo "== $section" >&2
	if "$@" >"$work/out.tsv" 2>"$work/err.txt"; then
		sed "s/^/$section./" "$work/out.tsv" >>"$results"
	else
		sed "s/^/$section./" "$work/out.tsv" >>"$results"
		echo "$section: FAILED" >&2
		tail -n 5 "$work/err.txt" >&2
		failed="$failed $section"
	fi
}

# ---- reef-rtrd and StayRTR ----------------------------------------------
data=$work/rtr
if "$bench_rtrd" gen -n "$vrps" "$data" 2>"$work/err.txt"; then
	run rtrd.load "$bench_rtrd" load "$data"
	expect=$(awk -F '\t' '$1 == "rtrd.load.vrps" { print $2 }' "$results")
	run rtrd.reef "$bench_rtrd" serve -c "$clients" -e "${expect:-0}" \
	    -t "$timeout" -- "$rtrd" -l '127.0.0.1:{port}' -i "$data/vrps.json"
	run rtrd.reef_handoff "$bench_rtrd" serve -c 1 -r 1 \
	    -e "${expect:-0}" -t "$timeout" -- \
	    "$rtrd" -l '127.0.0.1:{port}' -i "$data/reef.handoff"
	if command -v stayrtr >/dev/null 2>&1; then
		run rtrd.stayrtr "$bench_rtrd" serve -c "$peer_clients" \
		    -e "${expect:-0}" -t "$timeout" -- \
		    stayrtr -bind '127.0.0.1:{port}' \
		    -metrics.addr 127.0.0.1:0 -cache "$data/vrps.json" \
		    -checktime=false -loglevel warn
	else
		echo "stayrtr not installed: peer comparison skipped" >&2
	fi
else
	cat "$work/err.txt" >&2
	failed="$failed rtrd"
fi
rm -rf "$data"

# ---- RRDP snapshot ingest -----------------------------------------------
run rrdp "$bench_rrdp" -m "$rrdp_mib" "$work/rrdp"
rm -rf "$work/rrdp"

# ---- Route origin validation (if built) ---------------------------------
if [ -x "$bench_check" ]; then
	check_out() {
		"$bench_check" 1000000 >"$work/check.txt" || return 1
		sed -n 's/.* indexed in \([0-9.]*\) s$/index_build\t\1\ts/p;
		    s/.*: \([0-9]*\) routes\/s.*/routes_per_cpu_s\t\1\troutes\/s/p' \
		    "$work/check.txt"
	}
	run check check_out
fi

# ---- Output writers, one core (1,000,000 synthetic VRPs) -----------------
if [ -x "$bench_output" ]; then
	output_out() {
		"$bench_output" | sed -n \
		    's/^bench_output: \([a-z0-9.]*\)  *\([0-9.]*\) s CPU$/\1\t\2\ts/p'
	}
	run output output_out
fi

# ---- reef-repogen -------------------------------------------------------
run repogen sh "$srcdir/tests/bench/bench_repogen.sh" "$repogen" "$scale" \
    "$work/repogen"

# ---- Object parsing and signature checks, one core ----------------------
# The repository reef-repogen just wrote, against OpenSSL's RSA-2048
# verification rate (bench_parse.c says how the bound is derived).
if [ -x "$bench_parse" ] && [ -d "$work/repogen/repo/gen1" ]; then
	run parse "$bench_parse" "$work/repogen/repo"
fi

# ---- reef validate against rpki-client and FORT -------------------------
# Cold, warm full, no-change and 1%-change runs on one repository of the
# same scale with two generations, and the signature-check bound
# (bench_validate.sh says how each is measured).  The peers need root.
# The repository: BENCH_REPO, else the one above if it has a generation
# 2, else bench_validate.sh generates one.
vrepo=${BENCH_REPO:-}
[ -z "$vrepo" ] && [ -d "$work/repogen/repo/gen2" ] &&
    vrepo=$work/repogen/repo
run validate env BENCH_REPO="$vrepo" bash \
    "$srcdir/tests/bench/bench_validate.sh" --table "$work/validate.txt" \
    "$reef" "$repogen" "$scale" "$work/validate"
rm -rf "$work/validate" "$work/repogen"

# ---- Report -------------------------------------------------------------
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)
mem=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)
machine="$cpu, $(nproc) CPUs, $mem, Linux $(uname -r)"

printf '\nReef benchmarks (%s): %s VRPs, %s clients (StayRTR %s), ' \
    "$variant" "$vrps" "$clients" "$peer_clients"
printf '%s MiB snapshot, repogen %s\n%s\n\n' "$rrdp_mib" "$scale" "$machine"
awk -F '\t' '{ printf "%-40s %14s  %s\n", $1, $2, $3 }' "$results"

# Ratios against the peer, where both ran.
awk -F '\t' '
	{ v[$1] = $2 }
	END {
		n = split("ready reset concurrent_resets rss_loaded rss_peak", k, " ")
		for (i = 1; i <= n; i++) {
			a = v["rtrd.reef." k[i]]; b = v["rtrd.stayrtr." k[i]]
			if (a > 0 && b > 0)
				printf "%-40s %14.1f  x (StayRTR / reef)\n", \
				    "ratio." k[i], b / a
		}
	}' "$results" | tee "$work/ratios.txt"
awk -F ' +' '{ sub(/^ +/, "", $2); printf "%s\t%s\tx\n", $1, $2 }' \
    "$work/ratios.txt" >>"$results"
# The validation benchmark's own table (its figures are in the list above).
[ -f "$work/validate.txt" ] && cat "$work/validate.txt"

{
	printf '{\n  "variant": "%s",\n' "$variant"
	printf '  "date": "%s",\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
	printf '  "machine": "%s",\n' "$(printf '%s' "$machine" | sed 's/["\\]/\\&/g')"
	printf '  "params": { "vrps": %s, "clients": %s, "peer_clients": %s, ' \
	    "$vrps" "$clients" "$peer_clients"
	printf '"rrdp_mib": %s, "repogen_scale": "%s" },\n' "$rrdp_mib" "$scale"
	printf '  "failed": ['
	sep=
	for f in $failed; do printf '%s"%s"' "$sep" "$f"; sep=', '; done
	printf '],\n  "results": {\n'
	awk -F '\t' '{
		sep = NR > 1 ? ",\n" : ""
		printf "%s    \"%s\": { \"value\": %s, \"unit\": \"%s\" }",
		    sep, $1, $2 + 0, $3
	} END { printf "\n" }' "$results"
	printf '  }\n}\n'
} >"$json"
echo "results written to $json" >&2

if [ -n "$failed" ]; then
	echo "FAILED:$failed" >&2
	exit 1
fi
exit 0
