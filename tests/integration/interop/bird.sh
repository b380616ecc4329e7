#!/bin/sh
# BIRD 2: its rpki protocol loads the ROA tables, read back with birdc.
# BIRD 2.0 has no version knob: it starts at version 1 and falls back to
# 0 when the server (--max-version 0) answers Unsupported Protocol Version.
. "$(dirname "$0")/common.sh"
CLIENT=bird

client_check()
{
	have bird && have birdc || skip "bird2 not installed"
	[ "$VERSION" -le 1 ] || skip "BIRD 2.0 speaks RTR versions 0 and 1"
}

client_start()
{
	subst "$(dirname "$0")/bird.conf.in" "$WORK/bird.conf"
	bird -f -c "$WORK/bird.conf" -s "$WORK/bird.ctl" \
	    -P "$WORK/bird.pid" >>"$WORK/client.log" 2>&1 &
	CLIENT_PID=$!
}

# "1.0.0.0/24-24 AS13335  [cache 02:57:44] * (100)" lines.
client_dump()
{
	for t in r4 r6; do
		birdc -s "$WORK/bird.ctl" show route table $t
	done | awk '$2 ~ /^AS[0-9]+$/ && $1 ~ /-[0-9]+$/ {
		split($1, p, "-")
		print "vrp," p[1] "," p[2] "," substr($2, 3)
	}'
}

interop_main "$@"
