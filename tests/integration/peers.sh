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
# Why root: rpki-client trusts HTTPS servers only through the system trust
# store (it has no CA option; FORT's libcurl uses the same store), so the
# throwaway CA is installed in /usr/local/share/ca-certificates for the
# duration of the run; and rpki-client drops privileges to _rpki-client.
# Hosts and ports are those of the TAL URIs: without a port they are 873 and
# 443 (both peers also accept explicit ports), and a host name that does not
# resolve to loopback is added to /etc/hosts for the run.  Everything is
# undone on exit.
#
# Environment: PEERS (default "rpki-client fort"), PEER_TIMEOUT seconds per
# peer run (default 600), KEEP=1 keeps the work directory.

set -u

readonly MARK="reef-peers-$$"
readonly CA_STORE=/usr/local/share/ca-certificates
readonly CA_LINKS=/etc/ssl/certs
readonly DIFF_LINES=20
readonly EX_SKIP=77

here=$(cd "$(dirname "$0")" && pwd -P)
serve=$here/../tools/serve.sh
work=""
state=""
ca_link=""
hosts_added=0
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
	[ -n "$state" ] && "$serve" stop "$state"
	if [ -n "$ca_link" ]; then
		rm -f "$ca_link"
		# update-ca-certificates drops orphan links only when it adds
		# or removes something itself, so drop ours (name and hash).
		find "$CA_LINKS" -maxdepth 1 -type l -lname "*$MARK*" -delete
		update-ca-certificates >/dev/null 2>&1
	fi
	if [ "$hosts_added" = 1 ]; then
		# /etc/hosts may be a bind mount: rewrite it in place.
		grep -v -- "# $MARK\$" /etc/hosts >"$work/hosts.new" &&
		    cat "$work/hosts.new" >/etc/hosts
	fi
	if [ -n "$work" ]; then
		if [ "$failed" = 0 ] && [ "${KEEP:-0}" != 1 ]; then
			rm -rf "$work"
		else
			echo "peers: work directory kept: $work"
		fi
	fi
}

# URI scheme://host[:port]/...: print "host port" (port defaulted).
uri_hostport() {
	local hp
	hp=${1#*://}
	hp=${hp%%/*}
	case $hp in
	*:*) echo "${hp%:*} ${hp##*:}" ;;
	*) echo "$hp $2" ;;
	esac
}

# Find the rsync and HTTPS hosts and ports the TALs point at; every TAL of
# one generator run names the same ones.
read_tal_hosts() {
	local tal line
	rsync_host="" https_host=""
	for tal in "$out"/tals/*.tal; do
		[ -f "$tal" ] || continue
		while read -r line; do
			line=${line%$'\r'}
			case $line in
			rsync://*) read -r rsync_host rsync_port \
				<<<"$(uri_hostport "$line" 873)" ;;
			https://*) read -r https_host https_port \
				<<<"$(uri_hostport "$line" 443)" ;;
			esac
		done <"$tal"
	done
	[ -n "$rsync_host" ] || { echo "peers: no TAL with an rsync URI in" \
	    "$out/tals" >&2; exit 1; }
	[ -n "$https_host" ] || https_host=$rsync_host https_port=443
}

resolves_to_loopback() {
	getent ahostsv4 "$1" 2>/dev/null | awk '{ print $1 }' |
	    grep -qx '127\.0\.0\.1'
}

add_hosts_entry() {
	local h
	for h in "$@"; do
		case $h in
		localhost|127.0.0.1) continue ;;
		esac
		resolves_to_loopback "$h" && continue
		printf '127.0.0.1 %s # %s\n' "$h" "$MARK" >>/etc/hosts ||
		    { echo "peers: cannot edit /etc/hosts" >&2; exit 1; }
		hosts_added=1
	done
}

install_ca() {
	ca_link="$CA_STORE/$MARK.crt"
	mkdir -p "$CA_STORE"
	cp "$1" "$ca_link" && update-ca-certificates >/dev/null 2>&1 ||
	    { echo "peers: cannot install the test CA" >&2; exit 1; }
}

# "AS<asn>,<prefix>,<maxlen>,<ta>" per line, sorted, from a CSV whose first
# three columns are ASN, prefix, maxLength; ta is column 4 unless given.
normalize() {
	local file=$1 ta=${2:-}
	awk -F, -v ta="$ta" 'NR > 1 && $2 ~ /\// {
		asn = toupper($1); if (asn !~ /^AS/) asn = "AS" asn
		t = ta != "" ? ta : $4
		print asn "," tolower($2) "," $3 "," t
	}' "$file" | LC_ALL=C sort -u
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
	normalize "$dir/out-$gen/csv" >"$dir/vrps-$gen"
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
		normalize "$dir/out-$gen/$ta.csv" "$ta" >>"$dir/vrps-$gen.all"
	done
	LC_ALL=C sort -u "$dir/vrps-$gen.all" >"$dir/vrps-$gen"
	compare "fort ($mode) gen$gen" "$dir/vrps-$gen" "$work/expected-$gen"
}

# Print the request paths of the access log lines after line $1.
requests_since() {
	tail -n +"$(($1 + 1))" "$state/nginx/logs/access.log" |
	    awk '{ print $7, $9 }'
}

access_lines() {
	wc -l <"$state/nginx/logs/access.log"
}

rsync_connections() {
	grep -c ' connect from ' "$state/rsyncd.log"
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
	normalize "$out/gen$gen/expected/vrps.csv" >"$work/expected-$gen"
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
	local gen prev="" names=() nameargs=() t
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
	[ "$(id -u)" = 0 ] || skip "peers.sh needs root (system CA store," \
	    "rpki-client privilege drop)"
	for t in ${PEERS:-rpki-client fort}; do
		case $t in
		rpki-client|fort) ;;
		*) echo "peers: unknown peer $t in PEERS" >&2; exit 2 ;;
		esac
	done
	for t in ${PEERS:-rpki-client fort} rsync nginx openssl timeout \
	    update-ca-certificates getent; do
		command -v "$t" >/dev/null || skip "$t is not installed"
	done
	case " ${PEERS:-rpki-client} " in
	*" rpki-client "*) id _rpki-client >/dev/null 2>&1 ||
		skip "no _rpki-client user" ;;
	esac
	# The peers must reach our loopback servers directly.
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy

	read_tal_hosts
	[ "$rsync_host" = "$https_host" ] || names+=("$rsync_host")
	names+=("$https_host")

	trap cleanup EXIT
	trap 'exit 1' INT TERM HUP
	work=$(mktemp -d "${TMPDIR:-/tmp}/reef-peers.XXXXXX") || exit 1
	chmod 755 "$work"
	mkdir -p "$work/tals" "$work/logs"
	cp "$out"/tals/*.tal "$work/tals/" && chmod 644 "$work"/tals/*.tal
	: >"$work/skiplist"
	chmod 644 "$work/skiplist"

	add_hosts_entry "${names[@]}"
	for t in "${names[@]}"; do
		nameargs+=(--name "$t")
	done
	state="$work/serve"
	"$serve" start "$out/gen$1" --state "$state" \
	    --rsync-port "$rsync_port" --https-port "$https_port" \
	    "${nameargs[@]}" >"$work/serve.env" ||
	    { state=""; fail "serve.sh start failed"; exit 1; }
	install_ca "$state/ca.pem"
	log "serving $out/gen$1 at rsync://$rsync_host:$rsync_port," \
	    "https://$https_host:$https_port"

	for gen in "$@"; do
		if [ -n "$prev" ]; then
			"$serve" switch "$state" "$out/gen$gen" ||
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
