#!/bin/sh
# check-peers.sh: validate a reef-repogen output with the peer validators
# (rpki-client, FORT) straight from the files, without any network, and
# compare their VRPs (and router keys) with OUTDIR/genN/expected.
#
# usage: check-peers.sh [-k] [-v] OUTDIR [N]
#   -k  keep the work directory (printed) for inspection
#   -v  show the peers' own logs
# Environment: PEERS="rpki-client fort" (default: both, when installed).
#
# Exits 0 only if every available peer matches; prints the differences
# otherwise.  Exit 77 (skip) if no peer is installed.
#
# Known peer deviations, accepted and reported as such:
#  - FORT 1.5.4 keeps the other prefixes of a ROA with a prefix outside its
#    EE resources (RFC 9582 section 4.3 rejects the whole ROA).
#  - rpki-client 8.2 and FORT 1.5.4 accept a signed object with trailing
#    garbage after the ContentInfo or with an indefinite-length (BER) outer
#    encoding, which RFC 6488 section 3 forbids, and one whose signed
#    attributes are a SET OF out of DER order (signed as sent; OpenSSL
#    verifies CMS signed attributes in the order given), which RFC 6488
#    section 2.1.6.4 forbids.
#  - rpki-client 8.2 with -n can crash on a stale CRL (a known bug); if it
#    fails while that defect is present, it is reported and not compared.
#  A tolerated deviation may only add VRPs of the defective ROA itself
#  (expected/defect_vrps.csv); anything else is still a mismatch.
#  - Neither peer implements the current ASPA profile: ASPA is not compared.
#  - FORT 1.5.4 ignores BGPsec router certificates: router keys are compared
#    with rpki-client only.
set -u

keep=0
verbose=0
while getopts kv o; do
	case $o in
	k) keep=1 ;;
	v) verbose=1 ;;
	*) echo "usage: $0 [-k] [-v] OUTDIR [N]" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || { echo "usage: $0 [-k] [-v] OUTDIR [N]" >&2; exit 2; }
out=$(cd "$1" && pwd) || exit 2
gen=${2:-1}
gdir=$out/gen$gen
exp=$gdir/expected
[ -f "$exp/vrps.csv" ] || { echo "no $exp/vrps.csv" >&2; exit 2; }
: "${PEERS:=rpki-client fort}"

work=$(mktemp -d "${TMPDIR:-/tmp}/check-peers.XXXXXX") || exit 2
chmod 755 "$work"
[ $keep -eq 1 ] || trap 'rm -rf "$work"' EXIT

# The rsync host as written in the TALs (second URI line).
host=$(sed -n 's|^rsync://\([^/]*\)/.*|\1|p' "$out"/tals/*.tal | head -n 1)
[ -n "$host" ] || { echo "cannot read rsync host from TALs" >&2; exit 2; }

defects=""
[ -f "$exp/defects.txt" ] && defects=$(cut -d' ' -f1 "$exp/defects.txt")
has_defect() {
	for _x in $defects; do [ "$_x" = "$1" ] && return 0; done
	return 1
}

tail -n +2 "$exp/vrps.csv" | LC_ALL=C sort -u > "$work/expected.vrps"
tail -n +2 "$exp/router_keys.csv" | LC_ALL=C sort -u > "$work/expected.rks"

status=0
ran=0

# compare PEER FILE NCOLS [DEFECT...]: FILE holds the peer's VRPs as the
# first NCOLS columns of "ASN,prefix,maxlen,TA".  VRPs that only the named
# defects' ROAs would give (expected/defect_vrps.csv) are tolerated as extra:
# those are the peer's known deviations.
compare() {
	_peer=$1 _got=$2 _n=$3
	shift 3
	cut -d, -f1-"$_n" "$work/expected.vrps" | LC_ALL=C sort -u > "$_got.exp"
	LC_ALL=C sort -u "$_got" > "$_got.sorted"
	LC_ALL=C comm -23 "$_got.exp" "$_got.sorted" > "$_got.missing"
	LC_ALL=C comm -13 "$_got.exp" "$_got.sorted" > "$_got.extra"
	: > "$_got.allowed"
	for _dv in "$@"; do
		has_defect "$_dv" || continue
		[ -f "$exp/defect_vrps.csv" ] || continue
		awk -F, -v d="$_dv" '$1 == d' "$exp/defect_vrps.csv" |
		    cut -d, -f2-$((_n + 1)) > "$_got.dv"
		LC_ALL=C sort -u -o "$_got.dv" "$_got.dv"
		if [ -n "$(LC_ALL=C comm -12 "$_got.extra" "$_got.dv")" ]; then
			echo "$_peer: known deviation: accepted the $_dv object"
		fi
		cat "$_got.dv" >> "$_got.allowed"
	done
	LC_ALL=C sort -u -o "$_got.allowed" "$_got.allowed"
	LC_ALL=C comm -23 "$_got.extra" "$_got.allowed" > "$_got.bad"
	if [ ! -s "$_got.missing" ] && [ ! -s "$_got.bad" ]; then
		echo "$_peer: OK ($(wc -l < "$_got.exp") expected VRPs match; $(wc -l < "$_got.extra") tolerated extra)"
		return 0
	fi
	echo "$_peer: VRP MISMATCH (expected $(wc -l < "$_got.exp"), got $(wc -l < "$_got.sorted"))"
	echo "  missing (expected, not produced):"
	head -n 20 "$_got.missing" | sed 's/^/    /'
	echo "  extra (produced, not expected):"
	head -n 20 "$_got.bad" | sed 's/^/    /'
	return 1
}

compare_rks() {
	LC_ALL=C sort -u "$2" > "$2.sorted"
	if cmp -s "$work/expected.rks" "$2.sorted"; then
		echo "$1: OK ($(wc -l < "$2.sorted") router keys match)"
		return 0
	fi
	echo "$1: ROUTER KEY MISMATCH"
	LC_ALL=C diff "$work/expected.rks" "$2.sorted" | head -n 10 | sed 's/^/    /'
	return 1
}

run_rpki_client() {
	command -v rpki-client > /dev/null 2>&1 || return 0
	ran=1
	d=$work/rpki-client
	mkdir -p "$d/cache/$host" "$d/out"
	for m in "$gdir"/rsync/*; do
		[ "$(basename "$m")" = ta ] && continue
		cp -R "$m" "$d/cache/$host/"
	done
	tals=""
	for t in "$out"/tals/*.tal; do
		n=$(basename "$t" .tal)
		mkdir -p "$d/cache/ta/$n"
		cp "$gdir/rsync/ta/$n.cer" "$d/cache/ta/$n/"
		tals="$tals -t $t"
	done
	if [ "$(id -u)" = 0 ] && id _rpki-client > /dev/null 2>&1; then
		chown -R _rpki-client "$d"
	fi
	# shellcheck disable=SC2086
	if ! rpki-client -n -c -j -v $tals -d "$d/cache" "$d/out" \
	    > "$d/log" 2>&1; then
		if has_defect stale-crl; then
			echo "rpki-client: failed with stale-crl present (known 8.2 bug); not compared"
			return 0
		fi
		echo "rpki-client: FAILED to run; log: $d/log"
		tail -n 5 "$d/log"
		status=1
		return 0
	fi
	[ $verbose -eq 1 ] && grep -v ': using cache$' "$d/log"
	tail -n +2 "$d/out/csv" | cut -d, -f1-4 > "$d/vrps"
	compare rpki-client "$d/vrps" 4 trailing-garbage ber-not-der \
	    signed-attrs-unsorted || status=1
	if command -v python3 > /dev/null 2>&1; then
		python3 - "$d/out/json" > "$d/rks" <<'EOF'
import json, sys
j = json.load(open(sys.argv[1]))
for k in j.get("bgpsec_keys", []):
    asn = str(k["asn"])
    if not asn.startswith("AS"):
        asn = "AS" + asn
    print("%s,%s,%s" % (asn, k["ski"].replace(":", "").lower(), k["pubkey"]))
EOF
		compare_rks rpki-client "$d/rks" || status=1
	fi
}

run_fort() {
	command -v fort > /dev/null 2>&1 || return 0
	ran=1
	d=$work/fort
	mkdir -p "$d/repo" "$d/tal"
	cp -R "$gdir/rsync" "$d/repo/$host"
	cp "$out"/tals/*.tal "$d/tal/"
	if ! fort --mode=standalone --tal "$d/tal" --local-repository "$d/repo" \
	    --rsync.enabled=false --http.enabled=false \
	    --output.roa="$d/roas.csv" --output.bgpsec="$d/rks.csv" \
	    --log.output=console --validation-log.enabled=true \
	    --validation-log.output=console > "$d/log" 2>&1; then
		echo "fort: FAILED to run; log: $d/log"
		tail -n 5 "$d/log"
		status=1
		return 0
	fi
	[ $verbose -eq 1 ] && cat "$d/log"
	# FORT has no TA column: compare (ASN, prefix, maxLength).
	tail -n +2 "$d/roas.csv" > "$d/vrps"
	compare fort "$d/vrps" 3 roa-prefix-outside-ee trailing-garbage \
	    ber-not-der signed-attrs-unsorted || status=1
	# FORT 1.5.4 ignores BGPsec router certificates ("Type: BGPsec EE.
	# Ignoring..."), so its router key output is not compared.
}

for p in $PEERS; do
	case $p in
	rpki-client) run_rpki_client ;;
	fort) run_fort ;;
	*) echo "unknown peer $p" >&2; exit 2 ;;
	esac
done
[ $keep -eq 1 ] && echo "work directory: $work"
if [ $ran -eq 0 ]; then
	echo "no peer validator installed"
	exit 77
fi
exit $status
