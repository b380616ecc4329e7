#!/bin/sh
# GoBGP: gobgpd with one RPKI server and its gRPC API on 127.0.0.1, the
# table read with "gobgp rpki table".  GoBGP speaks RTR version 0 only.
. "$(dirname "$0")/common.sh"
CLIENT=gobgp

client_check()
{
	have gobgpd && have gobgp || skip "gobgpd not installed"
	have python3 || skip "python3 needed to pick a free API port"
	[ "$VERSION" -eq 0 ] || skip "GoBGP speaks RTR version 0 only"
}

client_start()
{
	API_PORT=$(free_port)
	subst "$(dirname "$0")/gobgpd.toml.in" "$WORK/gobgpd.toml"
	gobgpd -f "$WORK/gobgpd.toml" -p --pprof-disable \
	    --api-hosts "127.0.0.1:$API_PORT" >>"$WORK/client.log" 2>&1 &
	CLIENT_PID=$!
}

# "1.0.0.0/24   24   13335   127.0.0.1:PORT" lines.
client_dump()
{
	for af in ipv4 ipv6; do
		gobgp -u 127.0.0.1 -p "$API_PORT" rpki table -a $af
	done | awk 'NF == 4 && $1 ~ /\// && $2 ~ /^[0-9]+$/ {
		print "vrp," $1 "," $2 "," $3
	}'
}

interop_main "$@"
