#!/bin/sh
# OpenBGPD: bgpd with one rtr session, read with bgpctl.
# bgpctl cannot list the VRPs bgpd holds, only "show sets" with the number
# of ROA prefixes per family (entries of one prefix are merged in bgpd's
# trie), and "show rtr" with the session's serial; this client is checked
# by those counts and the serial.  bgpd 7.7 accepts version 1 PDUs only
# (no fall-back to version 0).
#
# bgpd chroots its engines to the home of _openbgpd, /run/openbgpd, which
# only the systemd unit creates.  It is started in a private mount
# namespace with a tmpfs on /run, so nothing outside is touched.
. "$(dirname "$0")/common.sh"
CLIENT=openbgpd

client_check()
{
	have bgpd && have bgpctl || skip "openbgpd not installed"
	need_root
	have unshare && unshare -m true 2>/dev/null ||
	    skip "no mount namespace for bgpd's chroot"
	getent passwd _openbgpd >/dev/null || skip "no _openbgpd user"
	have python3 || skip "python3 needed to pick a free port"
	[ "$VERSION" -eq 1 ] || skip "OpenBGPD 7.7 speaks RTR version 1 only"
}

client_start()
{
	subst "$(dirname "$0")/bgpd.conf.in" "$WORK/bgpd.conf" \
	    "BGP_PORT=$(free_port)"
	# unshare execs sh, which execs bgpd: the PID is bgpd's.
	unshare -m --propagation private sh -c 'mount -t tmpfs -o mode=755 \
	    tmpfs /run && mkdir /run/openbgpd && exec bgpd -d -v -f "$1"' \
	    sh "$WORK/bgpd.conf" >>"$WORK/client.log" 2>&1 &
	CLIENT_PID=$!
}

# "ROA    RPKI ROA    11    8    -    00:00:02" and
# " Session ID: 45883 Serial #: 2"
client_dump()
{
	[ -S "$WORK/bgpd.sock" ] || return 0
	bgpctl -s "$WORK/bgpd.sock" show rtr |
	    sed -n 's/.*Serial #: *\([0-9]*\).*/serial,\1/p'
	bgpctl -s "$WORK/bgpd.sock" show sets | awk '$1 == "ROA" &&
	    $2 == "RPKI" && $3 == "ROA" {
		print "count,ipv4," $4
		print "count,ipv6," $5
	}'
}

interop_main "$@"
