#!/bin/bash
# bench_validate.sh: "reef validate" against rpki-client and FORT on one
# generated repository, and against the bound signature checks set.
#
# usage: bench_validate.sh [--table FILE] REEF REPOGEN SCALE WORKDIR
#
# REEF is the reef binary, REPOGEN reef-repogen.  Unless BENCH_REPO names
# an existing reef-repogen output directory (with gen1/ and, for the 1%
# re-run, gen2/), one is generated into WORKDIR/repo with --scale SCALE
# --generations 2 and free loopback ports in its URIs.  Then, each
# measured with GNU time (wall, user+sys CPU including waited-for
# children, peak RSS):
#
#  1. cold: every validator fetches everything from tests/tools/serve.sh
#     (RRDP and rsync on 127.0.0.1) into an empty cache;
#  2. warm full: each validates its own cache without fetching: "reef
#     validate --offline --full" (without --full: the memo removed first),
#     rpki-client -n, FORT --work-offline=true;
#  3. reef re-runs, offline, memo kept: nothing changed; then 1% of the
#     publication points (leaves: a manifest and no certificate) replaced
#     in reef's cache by their generation-2 versions, then checked against
#     a full validation of the same cache;
#  4. the signature-check bound: RSA verifications a full validation needs
#     over OpenSSL's RSA-2048 verification rate (see sig_bound below).
#
# The peers (rpki-client, FORT) need root (tests/integration/peerlib.sh
# says why) and are skipped with the reason otherwise; so is every cold
# run when the repository's URIs name privileged ports and we are not
# root.  The peers have no incremental mode, so their re-run cost is their
# warm full run.
#
# Peak RSS is the larger of GNU time's (the largest single process of the
# tree) and the largest sum of the RSS of every process of the tree,
# sampled every 0.2 s: rpki-client works in several processes.
#
# Prints "name<TAB>value<TAB>unit" lines on stdout (tests/bench/run.sh
# puts them in its table and bench.json) and the table in human form on
# standard error, or into FILE with --table.  Exit status 0; 1 if reef
# failed or a VRP count differs from the generator's; 2 on usage errors.
#
# Environment: BENCH_REPO, BENCH_TIMEOUT (seconds per run, default 1800),
# BENCH_PEERS (default "rpki-client fort"; empty: none), REEF_KEY_CACHE
# (reef-repogen's key cache), KEEP=1 keeps WORKDIR's caches.
set -u

readonly SAMPLE_S=0.2
# Share of the publication points changed for the second re-run.
readonly CHANGE_PERCENT=1
# CPU seconds openssl speed spends on RSA verifications.
readonly RSA_SECONDS=3
readonly PORT_LO=20000
readonly PORT_SPAN=30000

here=$(cd "$(dirname "$0")" && pwd -P)
. "$here/../integration/peerlib.sh"

table=""
while [ $# -gt 0 ]; do
	case $1 in
	--table) table=${2:?}; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 4 ]; then
	echo "usage: bench_validate.sh [--table FILE] REEF REPOGEN SCALE" \
	    "WORKDIR" >&2
	exit 2
fi
reef=$1 repogen=$2 scale=$3 work=$4
timeout_s=${BENCH_TIMEOUT:-1800}
peers=${BENCH_PEERS-rpki-client fort}
ncpu=$(nproc)
failed=0
notes=()

log() { echo "bench_validate: $*" >&2; }
note() { notes+=("$*"); log "$*"; }
bad() { note "FAIL: $*"; failed=1; }

mkdir -p "$work" || exit 1
work=$(cd "$work" && pwd -P)
trap 'peer_undo' EXIT
trap 'exit 1' INT TERM HUP

# ---- Measuring -----------------------------------------------------------

# Sum of the RSS (KiB) of every descendant of pid $1.
tree_rss_kib() {
	ps -e -o pid=,ppid=,rss= 2>/dev/null | awk -v root="$1" '
		{ pp[$1] = $2; rss[$1] = $3 }
		END {
			in_tree[root] = 1
			do {
				more = 0
				for (p in pp)
					if (!(p in in_tree) && (pp[p] in in_tree)) {
						in_tree[p] = 1; more = 1
					}
			} while (more)
			for (p in in_tree)
				if (p != root) sum += rss[p]
			print sum + 0
		}'
}

# measure NAME LOG COMMAND...: run COMMAND (output to LOG) under GNU time
# with a deadline; sets m_rc, m_wall, m_cpu (s), m_rss (MiB) and m_log.
measure() {
	local name=$1 logf=$2 pid peak=0 v tf
	shift 2
	m_log=$logf
	tf=$work/$name.time
	/usr/bin/time -f '%e %U %S %M' -o "$tf" \
	    timeout "$timeout_s" "$@" >"$logf" 2>&1 &
	pid=$!
	if command -v ps >/dev/null; then
		while kill -0 "$pid" 2>/dev/null; do
			v=$(tree_rss_kib "$pid")
			[ "${v:-0}" -gt "$peak" ] && peak=$v
			sleep "$SAMPLE_S"
		done
	fi
	wait "$pid"
	m_rc=$?
	set -- $(tail -n 1 "$tf" 2>/dev/null) 0 0 0 0
	m_wall=$1
	m_cpu=$(awk -v u="$2" -v s="$3" 'BEGIN { printf "%.2f", u + s }')
	[ "$4" -gt "$peak" ] 2>/dev/null && peak=$4
	m_rss=$(awk -v k="$peak" 'BEGIN { printf "%.1f", k / 1024 }')
}

# Data lines of a CSV (header excluded), or 0 when it is missing.
csv_rows() {
	if [ -f "$1" ]; then
		echo $(($(wc -l <"$1") - 1))
	else
		echo 0
	fi
}

# record WHO RUN VRPS [WANT]: the last measure()'s figures, as TSV and for
# the table.  A run that failed or whose VRP count is not WANT (default:
# the generator's; "-": any) fails the benchmark and gives no figures.
declare -A R_WALL R_CPU R_RSS R_VRPS R_FAIL
record() {
	local who=$1 run=$2 vrps=$3 want=${4:-$expected} key=$1.$2
	printf '%s.%s.vrps\t%s\tcount\n' "$who" "$run" "$vrps"
	if [ "$m_rc" != 0 ] || { [ "$want" != - ] && [ "$vrps" != "$want" ]; }
	then
		R_FAIL[$key]="FAILED: exit $m_rc, $vrps VRPs"
		printf '%s.%s.exit\t%s\tstatus\n' "$who" "$run" "$m_rc"
		bad "$who $run: exit status $m_rc, $vrps VRPs (expected $want)"
		tail -n 5 "$m_log" | sed 's/^/  /' >&2
		return
	fi
	R_WALL[$key]=$m_wall R_CPU[$key]=$m_cpu R_RSS[$key]=$m_rss
	R_VRPS[$key]=$vrps
	printf '%s.%s.wall\t%s\ts\n' "$who" "$run" "$m_wall"
	printf '%s.%s.cpu\t%s\ts\n' "$who" "$run" "$m_cpu"
	printf '%s.%s.rss_peak\t%s\tMiB\n' "$who" "$run" "$m_rss"
}

# ---- The repository ------------------------------------------------------

port_in_use() {
	local hex
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p \
		{ found = 1 } END { exit !found }'
}

free_port() {
	local i p
	for ((i = 0; i < 50; i++)); do
		p=$((PORT_LO + (RANDOM * 32768 + RANDOM) % PORT_SPAN))
		if [ "$p" != "${1:-}" ] && ! port_in_use "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

# Ports of our own in the URIs: 873 and 443 may be taken by a concurrent
# test, and need root.
generate() {
	local rp hp
	rp=$(free_port) && hp=$(free_port "$rp") || return 1
	log "reef-repogen --scale $scale --generations 2 into $work/repo"
	"$repogen" -o "$work/repo" --scale "$scale" --generations 2 \
	    -j "$ncpu" --rsync-host "localhost:$rp" \
	    --https-host "localhost:$hp" >"$work/repogen.log" 2>&1 || {
		log "reef-repogen failed, see $work/repogen.log"
		tail -n 5 "$work/repogen.log" >&2
		return 1
	}
}

if [ -n "${BENCH_REPO:-}" ]; then
	repo=$(cd "$BENCH_REPO" && pwd -P) || exit 1
else
	generate || exit 1
	repo=$work/repo
fi
[ -f "$repo/gen1/expected/vrps.csv" ] ||
    { log "$repo: no gen1/expected/vrps.csv"; exit 1; }
expected=$(csv_rows "$repo/gen1/expected/vrps.csv")
summary() {
	awk -v k="$1" '$1 == k { print $2 }' "$repo/gen1/expected/summary.txt"
}
printf 'expected_vrps\t%s\tcount\n' "$expected"
printf 'cas\t%s\tcount\n' "$(summary cas)"
printf 'roas\t%s\tcount\n' "$(summary roas)"

# Where the TALs point; cold runs need the servers on those ports.
peer_read_tal_hosts "$repo/tals" || exit 1
cold_why=""
if [ "$(id -u)" != 0 ] && { [ "$rsync_port" -lt 1024 ] ||
    [ "$https_port" -lt 1024 ]; }; then
	cold_why="the TALs name ports $rsync_port and $https_port: needs root"
fi
peer_why=""
if [ -z "$peers" ]; then
	peer_why="BENCH_PEERS is empty"
else
	peer_why=$(peer_missing $peers)
fi
[ -n "$peer_why" ] && note "peers skipped: $peer_why"
[ -n "$cold_why" ] && note "cold runs skipped: $cold_why"
# rpki-client, once it has dropped privileges, must reach its cache, the
# TALs and the skiplist: under WORKDIR if every directory above it lets
# others through (run.sh's scratch directory does not), else in TMPDIR.
traversable() {
	local d=$1
	while [ "$d" != / ]; do
		[ "$(stat -L -c %A "$d" | cut -c 10)" = x ] ||
		    [ "$(stat -L -c %A "$d" | cut -c 10)" = t ] || return 1
		d=$(dirname "$d")
	done
}
chmod 755 "$work"
if traversable "$work"; then
	pub=$work/pub
	mkdir -p "$pub"
else
	pub=$(mktemp -d "${TMPDIR:-/tmp}/reef-bench-validate.XXXXXX") ||
	    exit 1
	trap 'peer_undo; [ "${KEEP:-0}" = 1 ] || rm -rf "$pub"' EXIT
fi
chmod 755 "$pub"
mkdir -p "$work/logs"
peer_copy_tals "$repo/tals" "$pub/tals" || exit 1
: >"$pub/skiplist"
chmod 644 "$pub/skiplist"

has_full=0
"$reef" validate --help 2>&1 | grep -q -- '--full' && has_full=1

# ---- The runs ------------------------------------------------------------

# Started as root, reef runs as _reef when that account exists (reef(8),
# --user): its directories, like rpki-client's, live under $pub, owned
# by that user.
reef_user=$(id -un)
[ "$(id -u)" = 0 ] && id _reef >/dev/null 2>&1 && reef_user=_reef
mkdir -p "$pub/reef" && chown "$reef_user": "$pub/reef"
reef_cache=$pub/reef/cache
reef_out=$pub/reef/out
rpki_dir=$pub/rpki-client
fort_dir=$work/fort

# reef_run RUN WANT [ARGS...]: one measured run of reef validate into
# reef_out; WANT as for record().
reef_run() {
	local run=$1 want=$2
	shift 2
	rm -rf "$reef_out"
	measure "reef-$run" "$work/logs/reef-$run.log" "$reef" validate \
	    -t "$pub/tals" -d "$reef_cache" -o "$reef_out" -f csv \
	    --allow-dubious-hosts "$@"
	record reef "$run" "$(csv_rows "$reef_out/vrps.csv")" "$want"
}

# reef_full RUN WANT: a full validation of reef's cache, whatever the memo
# holds.
reef_full() {
	if [ "$has_full" = 1 ]; then
		reef_run "$1" "$2" --offline --full
	else
		rm -rf "$reef_cache/memo"
		reef_run "$1" "$2" --offline
	fi
}

rpki_client_run() {
	local run=$1 tals=() t
	shift
	for t in "$pub"/tals/*.tal; do
		tals+=(-t "$t")
	done
	mkdir -p "$rpki_dir/cache" "$rpki_dir/out"
	rm -f "$rpki_dir/out/csv"
	# It drops privileges to _rpki-client before touching these.
	chown -R _rpki-client: "$rpki_dir"
	measure "rpki-client-$run" "$work/logs/rpki-client-$run.log" \
	    rpki-client -c -S "$pub/skiplist" -s "$timeout_s" \
	    -d "$rpki_dir/cache" "${tals[@]}" "$@" "$rpki_dir/out"
	record rpki_client "$run" "$(csv_rows "$rpki_dir/out/csv")"
}

fort_run() {
	local run=$1
	shift
	mkdir -p "$fort_dir/cache"
	rm -f "$fort_dir/vrps.csv"
	measure "fort-$run" "$work/logs/fort-$run.log" fort \
	    --mode=standalone --tal="$pub/tals" \
	    --local-repository="$fort_dir/cache" \
	    --output.roa="$fort_dir/vrps.csv" --log.output=console \
	    --log.level=warning "$@"
	record fort "$run" "$(csv_rows "$fort_dir/vrps.csv")"
}

run_peer() {
	local peer=$1
	shift
	case $peer in
	rpki-client) rpki_client_run "$@" ;;
	fort) fort_run "$@" ;;
	esac
}

# 1. Cold, from the loopback servers.
if [ -z "$cold_why" ]; then
	if [ -z "$peer_why" ]; then
		peer_serve_start "$repo/gen1" "$work/serve" >/dev/null
	else
		unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY \
		    ALL_PROXY all_proxy
		peer_state=$work/serve
		"$peer_serve" start "$repo/gen1" --state "$peer_state" \
		    --rsync-port "$rsync_port" --https-port "$https_port" \
		    >/dev/null || peer_state=""
	fi
	if [ -n "$peer_state" ]; then
		# Readable by reef's user, as reef(8) asks.
		cp "$work/serve/ca.pem" "$pub/ca.pem" &&
		    chmod 644 "$pub/ca.pem"
		reef_run cold "$expected" --ca-file "$pub/ca.pem"
		if [ -z "$peer_why" ]; then
			for p in $peers; do
				run_peer "$p" cold
			done
		fi
	else
		bad "the loopback servers did not start"
	fi
	# Nothing below may fetch: stop the servers.
	peer_undo
fi
if [ ! -d "$reef_cache/rsync" ]; then
	# No cold run: give reef the repository as rsync would have left it
	# (the cache layout of reef-formats(5)): rsync/HOST[:PORT]/...
	host=$(sed -n 's|^rsync://\([^/]*\)/.*|\1|p' "$pub"/tals/*.tal |
	    head -n 1)
	mkdir -p "$reef_cache/rsync/$host" "$reef_cache/ta"
	cp -a "$repo/gen1/rsync/." "$reef_cache/rsync/$host/"
	for t in "$pub"/tals/*.tal; do
		t=$(basename "$t" .tal)
		cp "$repo/gen1/rsync/ta/$t.cer" "$reef_cache/ta/$t.cer"
	done
	chown -R "$reef_user": "$reef_cache"
fi

# 2. Warm, full.
reef_full warm_full "$expected"
if [ -z "$peer_why" ] && [ -z "$cold_why" ]; then
	for p in $peers; do
		case $p in
		rpki-client) rpki_client_run warm_full -n ;;
		fort) fort_run warm_full --work-offline=true ;;
		esac
	done
fi

# 3. Incremental re-runs: nothing changed, then 1% of the publication
# points.  reef_full above left the memo of every publication point.
reef_run no_change "$expected" --offline

host_dir=$(ls -d "$reef_cache"/rsync/*/ | head -n 1)
host_dir=${host_dir%/}
# Publication points of the cache: directories holding a manifest.
find -L "$host_dir" -name '*.mft' -printf '%h\n' | LC_ALL=C sort -u \
    >"$work/pubpoints"
pps=$(wc -l <"$work/pubpoints")
find -L "$host_dir" -name '*.cer' -printf '%h\n' | LC_ALL=C sort -u |
    LC_ALL=C comm -23 "$work/pubpoints" - >"$work/leaves"
leaves=$(wc -l <"$work/leaves")
nchange=$(((pps * CHANGE_PERCENT + 99) / 100))
changed=0
if [ ! -d "$repo/gen2/rsync" ]; then
	note "change_1pct skipped: $repo has no gen2"
elif [ "$leaves" -lt "$nchange" ]; then
	note "change_1pct skipped: $leaves leaf publication points," \
	    "$nchange wanted"
else
	# Every (leaves/nchange)-th leaf: spread over the repositories.
	awk -v n="$nchange" -v t="$leaves" \
	    'int((NR - 1) * n / t) != int(NR * n / t)' "$work/leaves" |
	    while read -r d; do
		src=$repo/gen2/rsync/${d#"$host_dir"/}
		[ -d "$src" ] || continue
		# rm first: the cache's files may be hard links.
		rm -f "$d"/* && cp -p "$src"/* "$d"/ &&
		    chown "$reef_user": "$d"/* && echo "$d"
	    done >"$work/changed"
	changed=$(wc -l <"$work/changed")
	# Its VRP count is checked below, against a full validation.
	reef_run change_1pct - --offline
	cp "$reef_out/vrps.csv" "$work/vrps-incremental.csv" 2>/dev/null
	reef_full check_full - >"$work/check.tsv"
	if [ -z "${R_WALL[reef.change_1pct]:-}" ] ||
	    [ -z "${R_WALL[reef.check_full]:-}" ]; then
		:	# record() has said why
	elif cmp -s <(cut -d, -f1-4 "$work/vrps-incremental.csv") \
	    <(cut -d, -f1-4 "$reef_out/vrps.csv"); then
		note "change_1pct: same VRPs as a full validation of that" \
		    "cache ($(csv_rows "$reef_out/vrps.csv"))"
	else
		bad "change_1pct: VRPs differ from a full validation"
	fi
fi
printf 'pubpoints\t%s\tcount\n' "$pps"
printf 'pubpoints_changed\t%s\tcount\n' "$changed"

# 4. The signature-check bound.  Every certificate (TA, CA, router) and
# CRL is one RSA verification with its issuer's key; every signed object
# (manifest, ROA, ASPA, any other CMS object) two: its CMS signature with
# the EE key and its EE certificate with the CA key.  Counted on the
# generation-1 files, all of which a full validation checks.
#   bound (CPU s) = verifications / rate, the rate being OpenSSL's
#                   RSA-2048 verifications per CPU second ("openssl speed
#                   rsa2048", the bare public-key operation: no parsing,
#                   no digest of the signed data);
#   bound (wall s) = bound (CPU s) / cores.
sig_counts() {
	find "$repo/gen1/rsync" -type f | awk -F. '
		{ e = $NF }
		e == "cer" || e == "crl" { one++; next }
		e == "mft" || e == "roa" || e == "asa" || e == "gbr" ||
		    e == "sig" || e == "tak" { two++ }
		END { print one + 0, two + 0, one + 2 * two }'
}
set -- $(sig_counts)
verifies=$3
rate=$(openssl speed -seconds "$RSA_SECONDS" rsa2048 2>/dev/null |
    awk '$1 == "rsa" && $2 == "2048" { print $NF }')
printf 'sig_verifies\t%s\tverifies\n' "$verifies"
if [ -n "$rate" ]; then
	bound_cpu=$(awk -v v="$verifies" -v r="$rate" \
	    'BEGIN { printf "%.3f", v / r }')
	bound_wall=$(awk -v b="$bound_cpu" -v n="$ncpu" \
	    'BEGIN { printf "%.3f", b / n }')
	printf 'rsa2048_verify_per_cpu_s\t%.0f\tverifies/s\n' "$rate"
	printf 'sig_bound_cpu\t%s\ts\n' "$bound_cpu"
	printf 'sig_bound_wall\t%s\ts\n' "$bound_wall"
else
	note "openssl speed rsa2048 failed: no signature-check bound"
	bound_cpu="" bound_wall=""
fi

# ---- Ratios and the table ------------------------------------------------

# ratio NAME A B SCALE UNIT LABEL [AIM]: A / B * SCALE, when both are
# known, as a TSV line and, in ratios.txt, a line of the table.
ratio() {
	[ -n "$2" ] && [ -n "$3" ] || return 0
	awk -v a="$2" -v b="$3" -v s="$4" -v n="$1" -v u="$5" -v l="$6" \
	    -v aim="${7:-}" -v h="$work/ratios.txt" 'BEGIN {
		if (b <= 0) exit
		v = a / b * s
		printf "%s\t%.2f\t%s\n", n, v, u
		printf "%-52s %8.2f %-2s%s\n", l, v, u,
		    aim != "" ? " (aim: " aim ")" : "" >>h
	}'
}
w_full=${R_WALL[reef.warm_full]:-} c_full=${R_CPU[reef.warm_full]:-}
: >"$work/ratios.txt"
{
	ratio ratio_reef_full_to_sig_bound "$w_full" "$bound_wall" 1 x \
	    "reef warm full / signature bound, wall on $ncpu cores" "<= 2x"
	ratio ratio_reef_full_cpu_to_sig_bound_cpu "$c_full" "$bound_cpu" \
	    1 x "reef warm full / signature bound, CPU"
	ratio ratio_reef_no_change_to_full "${R_WALL[reef.no_change]:-}" \
	    "$w_full" 100 % "reef no-change / reef warm full, wall" "< 5%"
	ratio ratio_reef_no_change_cpu_to_full_cpu \
	    "${R_CPU[reef.no_change]:-}" "$c_full" 100 % \
	    "reef no-change / reef warm full, CPU"
	ratio ratio_reef_change_1pct_to_full \
	    "${R_WALL[reef.change_1pct]:-}" "$w_full" 100 % \
	    "reef 1%-change / reef warm full, wall" "< 10%"
	ratio ratio_reef_change_1pct_cpu_to_full_cpu \
	    "${R_CPU[reef.change_1pct]:-}" "$c_full" 100 % \
	    "reef 1%-change / reef warm full, CPU"
	ratio ratio_reef_rss_to_rpki_client_rss \
	    "${R_RSS[reef.warm_full]:-}" "${R_RSS[rpki_client.warm_full]:-}" \
	    1 x "reef / rpki-client peak RSS, warm full" "<= 0.5x"
	ratio ratio_reef_cold_rss_to_rpki_client_cold_rss \
	    "${R_RSS[reef.cold]:-}" "${R_RSS[rpki_client.cold]:-}" 1 x \
	    "reef / rpki-client peak RSS, cold"
	ratio ratio_reef_full_to_rpki_client_full "$w_full" \
	    "${R_WALL[rpki_client.warm_full]:-}" 1 x \
	    "reef / rpki-client wall, warm full" "<= 0.2x"
	ratio ratio_reef_full_cpu_to_rpki_client_full_cpu "$c_full" \
	    "${R_CPU[rpki_client.warm_full]:-}" 1 x \
	    "reef / rpki-client CPU, warm full"
	ratio ratio_reef_cold_to_rpki_client_cold "${R_WALL[reef.cold]:-}" \
	    "${R_WALL[rpki_client.cold]:-}" 1 x "reef / rpki-client wall, cold"
	ratio ratio_reef_full_to_fort_full "$w_full" \
	    "${R_WALL[fort.warm_full]:-}" 1 x "reef / FORT wall, warm full"
}

row() {
	local who=$1 run=$2 label=$3 key=$1.$2
	if [ -n "${R_WALL[$key]:-}" ]; then
		printf '%-12s %-14s %9s %9s %12s %9s\n' "$label" "$run" \
		    "${R_WALL[$key]}" "${R_CPU[$key]}" "${R_RSS[$key]}" \
		    "${R_VRPS[$key]}"
	elif [ -n "${R_FAIL[$key]:-}" ]; then
		printf '%-12s %-14s %s\n' "$label" "$run" "${R_FAIL[$key]}"
	fi
}
{
	printf '\nValidation: %s (%s CAs, %s ROAs), %s expected VRPs,' \
	    "$repo" "$(summary cas)" "$(summary roas)" "$expected"
	printf ' %s CPUs\n\n' "$ncpu"
	printf '%-12s %-14s %9s %9s %12s %9s\n' validator run "wall s" \
	    "CPU s" "peak RSS MiB" VRPs
	for w in reef rpki_client fort; do
		label=${w/_/-}
		for r in cold warm_full no_change change_1pct; do
			row "$w" "$r" "$label"
		done
		if [ "$w" != reef ] &&
		    [ -n "${R_WALL[$w.warm_full]:-}${R_FAIL[$w.warm_full]:-}" ]
		then
			printf '%-12s %-14s %s\n' "$label" "no_change" \
			    "(no incremental mode: = warm_full)"
			printf '%-12s %-14s %s\n' "$label" "change_1pct" \
			    "(no incremental mode: = warm_full)"
		fi
	done
	printf '\nchange_1pct: %s of %s publication points (%s leaves)' \
	    "$changed" "$pps" "$leaves"
	printf ' replaced by their generation-2 versions\n'
	printf 'signature checks: %s RSA verifications' "$verifies"
	if [ -n "$bound_cpu" ]; then
		printf ' / %.0f per CPU s = %s CPU s, %s s on %s cores\n' \
		    "$rate" "$bound_cpu" "$bound_wall" "$ncpu"
	else
		printf '\n'
	fi
	printf '\n'
	cat "$work/ratios.txt"
	for n in "${notes[@]}"; do
		printf 'note: %s\n' "$n"
	done
} >"$work/table.txt"
if [ -n "$table" ]; then
	cp "$work/table.txt" "$table"
else
	cat "$work/table.txt" >&2
fi

if [ "${KEEP:-0}" = 1 ]; then
	log "caches and logs kept in $work"
else
	rm -rf "$pub/reef" "$rpki_dir" "$work/fort"
fi
exit "$failed"
