#!/bin/sh
# FRR: bgpd alone with the rpki module (rtrlib), without zebra, its vty
# socket in the work directory; the table is read with vtysh.
# rtrlib starts at RTR version 1 and falls back to 0 on Unsupported
# Protocol Version, so the server's --max-version picks the version.
. "$(dirname "$0")/common.sh"
CLIENT=frr
FRR_BGPD=/usr/lib/frr/bgpd

client_check()
{
	[ -x "$FRR_BGPD" ] && have vtysh || skip "frr not installed"
	ls /usr/lib/*/frr/modules/bgpd_rpki.so >/dev/null 2>&1 ||
	    skip "frr-rpki-rtrlib not installed"
	need_root
	[ "$VERSION" -le 1 ] || skip "FRR's rtrlib speaks RTR versions 0 and 1"
}

client_start()
{
	subst "$(dirname "$0")/frr-bgpd.conf.in" "$WORK/bgpd.conf"
	# -Z no zebra, -n no kernel, -p 0 no BGP listener, -P 0 no vty port,
	# -S stay root (no frr user needed).
	"$FRR_BGPD" -M rpki -f "$WORK/bgpd.conf" -i "$WORK/bgpd.pid" \
	    --vty_socket "$WORK" -A 127.0.0.1 -P 0 -p 0 -Z -n -S \
	    --log stdout >>"$WORK/client.log" 2>&1 &
	CLIENT_PID=$!
}

# "1.0.0.0    24 -  24    13335" lines.
client_dump()
{
	[ -S "$WORK/bgpd.vty" ] || return 0
	vtysh --vty_socket "$WORK" -c 'show rpki prefix-table' |
	    awk 'NF == 5 && $3 == "-" && $2 ~ /^[0-9]+$/ {
		print "vrp," $1 "/" $2 "," $4 "," $5
	}'
}

interop_main "$@"
