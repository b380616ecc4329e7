#!/bin/sh
# RTRlib's rtrclient (rtr-tools): a live session printing every prefix
# (-p) and router key (-k) announced or withdrawn; the set is that log
# replayed.  RTRlib 0.8 starts at version 1 and falls back to 0 on
# Unsupported Protocol Version, so the server's --max-version picks it.
. "$(dirname "$0")/common.sh"
CLIENT=rtrclient

client_check()
{
	have rtrclient || skip "rtr-tools (rtrclient) not installed"
	have stdbuf || skip "stdbuf needed to read rtrclient's output live"
	[ "$VERSION" -le 1 ] || skip "RTRlib 0.8 speaks RTR versions 0 and 1"
}

client_start()
{
	stdbuf -oL rtrclient -p -k tcp 127.0.0.1 "$PORT" \
	    >"$WORK/rtrclient.out" 2>>"$WORK/client.log" &
	CLIENT_PID=$!
}

# "+ 1.0.0.0    24 -  24    13335" and router key blocks:
# "+ HOST: ...", "ASN: 64497", "  SKI: 01:05:..", "  SPKI: 30:59:.." with
# tab-indented continuation lines.
client_dump()
{
	[ -f "$WORK/rtrclient.out" ] || return 0
	awk '
	function flush() {
		if (op == "") return
		k = "routerkey," asn "," ski "," spki
		if (op == "+") set[k] = 1; else delete set[k]
		op = ""
	}
	($1 == "+" || $1 == "-") && NF == 6 && $4 == "-" {
		flush()
		k = "vrp," $2 "/" $3 "," $5 "," $6
		if ($1 == "+") set[k] = 1; else delete set[k]
		next
	}
	($1 == "+" || $1 == "-") && $2 == "HOST:" { flush(); op = $1; next }
	$1 == "ASN:" { asn = $2; next }
	$1 == "SKI:" { ski = $2; gsub(":", "", ski); next }
	$1 == "SPKI:" { spki = $2; gsub(":", "", spki); next }
	/^\t/ { s = $1; gsub(":", "", s); spki = spki s; next }
	END { flush(); for (k in set) print k }
	' "$WORK/rtrclient.out"
}

interop_main "$@"
