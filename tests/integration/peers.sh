#!/bin/bash
#
# peers.sh: check a reef-repogen repository with other relying parties over
# the network.
#
#   peers.sh OUTDIR GEN [GEN...]
#
# Serves OUTDIR/gen<GEN> with tests/tools/serve.sh, runs rpki-client and FORT
# against it over RRDP (their default) and over rsync only, and compares each
# peer's set of (ASN, prefix, maxLength, TA) with OUTDIR/gen<GEN>/expected/
# vrps.csv.  With several GENs the servers switch generation between runs and
# the peers keep their caches, so the RRDP runs must go through deltas;
# rpki-client must then fetch a delta for every repository it already knew
# and no snapshot (a snapshot means it rejected our delta).
#
# Exit 0 when every set matches, 1 on a difference or failure, 77 (with
# "SKIP: reason") when not root or a tool is missing.
#
# Root is needed for the throwaway CA in the system trust store and for
# rpki-client's privilege drop (peerlib.sh, which sets up the servers, says
# why).  Hosts and ports are those of the TAL URIs: without a port they are
# 873 and 443 (both peers also accept explicit ports), and a host name that
# does not resolve to loopback is added to /etc/hosts for the run.
# Everything is undone on exit.
#
# Environment: PEERS (default "rpki-client fort"), PEER_TIMEOUT seconds per
# peer run (default 600), KEEP=1 keeps the work directory.

set -u

readonly DIFF_LINES=20
readonly EX_SKIP=77

here=$(cd "$(dirname "$0")" && pwd -P)
# shellcheck source=peerlib.sh
. "$here/peerlib.sh"
work=""
failed=0

skip() {
	echo "SKIP: $*"
	exit "$EX_SKIP"
}

log() {
	echo "peers: $*"
}

fail() {
	echo "peers: FAIL: $*"
	failed=1
}

usage() {
	echo "usage: peers.sh OUTDIR GEN [GEN...]" >&2
	exit 2
}

cleanup() {
	peer_undo
	if [ -n "$work" ]; then
		if [ "$failed" = 0 ] && [ "${KEEP:-0}" != 1 ]; then
			rm -rf "$work"
		else
			echo "peers: work directory kept: $work"
		fi
	fi
}

compare() {
	local what=$1 got=$2 want=$3 miss extra
	miss=$(LC_ALL=C comm -13 "$got" "$want")
	extra=$(LC_ALL=C comm -23 "$got" "$want")
	if [ -z "$miss" ] && [ -z "$extra" ]; then
		log "$what: OK ($(wc -l <"$want") VRPs)"
		return 0
	fi
	fail "$what: $(printf '%s' "$miss" | grep -c .) missing," \
	    "$(printf '%s' "$extra" | grep -c .) unexpected"
	[ -n "$miss" ] && printf '%s\n' "$miss" | head -n "$DIFF_LINES" |
	    sed 's/^/  missing:    /'
	[ -n "$extra" ] && printf '%s\n' "$extra" | head -n "$DIFF_LINES" |
	    sed 's/^/  unexpected: /'
	return 1
}

show_log() {
	echo "  --- last lines of $1 ---"
	tail -n "$DIFF_LINES" "$1" | sed 's/^/  /'
}

# run_rpki_client GEN MODE: MODE is rrdp or rsync.
run_rpki_client() {
	local gen=$1 mode=$2 dir="$work/rpki-client-$2" args=() tal rc
	local logf="$work/logs/rpki-client-$mode-gen$gen.log"
	mkdir -p "$dir/cache" "$dir/out-$gen"
	# It drops privileges to _rpki-client before touching these.
	chown -R _rpki-client: "$dir"
	for tal in "$work"/tals/*.tal; do
		args+=(-t "$tal")
	done
	[ "$mode" = rsync ] && args+=(-R)
	timeout "${PEER_TIMEOUT:-600}" rpki-client -c -v -S "$work/skiplist" \
	    -s "${PEER_TIMEOUT:-600}" -d "$dir/cache" "${args[@]}" \
	    "$dir/out-$gen" >"$logf" 2>&1
	rc=$?
	if [ "$rc" != 0 ] || [ ! -f "$dir/out-$gen/csv" ]; then
		fail "rpki-client ($mode) gen$gen exited $rc"
		show_log "$logf"
		return 1
	fi
	peer_normalize "$dir/out-$gen/csv" >"$dir/vrps-$gen"
	compare "rpki-client ($mode) gen$gen" "$dir/vrps-$gen" \
	    "$work/expected-$gen" || show_log "$logf"
}

# FORT's CSV has no TA column, so it runs once per TAL with its own cache.
run_fort() {
	local gen=$1 mode=$2 dir="$work/fort-$2" tal ta rc logf
	local extra=()
	# FORT 1.5 calls RRDP and HTTPS "http"; the TA then comes over rsync.
	[ "$mode" = rsync ] && extra+=(--http.enabled=false)
	mkdir -p "$dir/out-$gen"
	: >"$dir/vrps-$gen.all"
	for tal in "$work"/tals/*.tal; do
		ta=$(basename "$tal" .tal)
		logf="$work/logs/fort-$mode-gen$gen-$ta.log"
		mkdir -p "$dir/cache-$ta"
		timeout "${PEER_TIMEOUT:-600}" fort --mode=standalone \
		    --tal="$tal" --local-repository="$dir/cache-$ta" \
		    --output.roa="$dir/out-$gen/$ta.csv" \
		    --log.output=console --validation-log.enabled=true \
		    --validation-log.output=console \
		    --validation-log.level=warning "${extra[@]}" \
		    >"$logf" 2>&1
		rc=$?
		if [ "$rc" != 0 ] || [ ! -f "$dir/out-$gen/$ta.csv" ]; then
			fail "fort ($mode) gen$gen $ta exited $rc"
			show_log "$logf"
			return 1
		fi
		peer_normalize "$dir/out-$gen/$ta.csv" "$ta" >>"$dir/vrps-$gen.all"
	done
	LC_ALL=C sort -u "$dir/vrps-$gen.all" >"$dir/vrps-$gen"
	compare "fort ($mode) gen$gen" "$dir/vrps-$gen" "$work/expected-$gen"
}

# Print the request paths of the access log lines after line $1.
requests_since() {
	tail -n +"$(($1 + 1))" "$peer_state/nginx/logs/access.log" |
	    awk '{ print $7, $9 }'
}

access_lines() {
	wc -l <"$peer_state/nginx/logs/access.log"
}

rsync_connections() {
	grep -c ' connect from ' "$peer_state/rsyncd.log"
}

# After a generation switch, check that the peer's RRDP run used deltas:
# a snapshot fetched for a repository whose session the peer already had
# means our delta was refused.  strict=0 only reports (FORT 1.5 keeps no
# RRDP state between standalone runs, so it always starts from snapshots).
check_deltas() {
	local who=$1 since=$2 prev=$3 strict=$4 path status mod nd=0 ns=0 bad=""
	while read -r path status; do
		case $path in
		*/delta.xml) [ "$status" = 200 ] && nd=$((nd + 1)) ;;
		*/snapshot.xml)
			ns=$((ns + 1))
			mod=${path#/rrdp/}
			mod=${mod%%/*}
			sess=${path%/*/snapshot.xml}
			sess=${sess##*/}
			[ -d "$out/gen$prev/rrdp/$mod/$sess" ] &&
			    bad="$bad $mod"
			;;
		esac
	done < <(requests_since "$since")
	if [ "$strict" = 1 ] && { [ "$nd" = 0 ] || [ -n "$bad" ]; }; then
		fail "$who fetched $nd deltas; snapshots instead of deltas" \
		    "for:${bad:- (none)}"
		return 1
	fi
	[ -n "$bad" ] && bad=" (snapshot refetched for:$bad)"
	log "$who: $nd delta and $ns snapshot fetches$bad"
}

run_gen() {
	local gen=$1 prev=$2 peer mode since rsyncs
	peer_normalize "$out/gen$gen/expected/vrps.csv" >"$work/expected-$gen"
	for peer in ${PEERS:-rpki-client fort}; do
		for mode in rrdp rsync; do
			since=$(access_lines)
			rsyncs=$(rsync_connections)
			case $peer in
			rpki-client) run_rpki_client "$gen" "$mode" ;;
			fort) run_fort "$gen" "$mode" ;;
			esac
			[ "$mode" = rrdp ] || continue
			# Falling back to rsync would hide a broken RRDP.
			rsyncs=$(($(rsync_connections) - rsyncs))
			[ "$rsyncs" = 0 ] || fail "$peer used rsync $rsyncs" \
			    "times in RRDP mode (gen$gen)"
			[ -n "$prev" ] || continue
			if [ "$peer" = rpki-client ]; then
				check_deltas "$peer" "$since" "$prev" 1
			else
				check_deltas "$peer" "$since" "$prev" 0
			fi
		done
	done
}

main() {
	local gen prev="" why
	[ $# -ge 2 ] || usage
	[ -d "$1/tals" ] ||
	    { echo "peers: $1: no tals/ directory" >&2; exit 1; }
	out=$(cd "$1" && pwd -P)
	shift
	for gen in "$@"; do
		case $gen in
		''|*[!0-9]*) usage ;;
		esac
		[ -f "$out/gen$gen/expected/vrps.csv" ] || {
			echo "peers: $out/gen$gen/expected/vrps.csv missing" >&2
			exit 1
		}
	done
	why=$(peer_missing ${PEERS:-rpki-client fort})
	case $why in
	"") ;;
	"unknown peer"*) echo "peers: $why in PEERS" >&2; exit 2 ;;
	*) skip "$why" ;;
	esac
	peer_read_tal_hosts "$out/tals" || exit 1

	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	work=$(mktemp -d "${TMPDIR:-/tmp}/reef-peers.XXXXXX") || exit 1
	chmod 755 "$work"
	mkdir -p "$work/logs"
	peer_copy_tals "$out/tals" "$work/tals" || exit 1
	: >"$work/skiplist"
	chmod 644 "$work/skiplist"

	peer_serve_start "$out/gen$1" "$work/serve" >"$work/serve.env" ||
	    { fail "serving $out/gen$1 failed"; exit 1; }
	log "serving $out/gen$1 at rsync://$rsync_host:$rsync_port," \
	    "https://$https_host:$https_port"

	for gen in "$@"; do
		if [ -n "$prev" ]; then
			peer_serve_switch "$out/gen$gen" ||
			    { fail "serve.sh switch failed"; exit 1; }
			log "switched to $out/gen$gen"
		fi
		run_gen "$gen" "$prev"
		prev=$gen
	done
	[ "$failed" = 0 ] && log "all peers agree with expected"
	exit "$failed"
}

main "$@"
