# Shared driver of the router interop scripts; sourced, never run.
#
# A client script defines
#   client_check		exit through skip() when the client cannot run
#   client_start		start the client in the background, set CLIENT_PID
#   client_dump PHASE	print the ROA set the client holds, canonical form,
#			PHASE being "full" or "delta"
# and then calls interop_main "$@" with its arguments:
#   SCRIPT PORT INPUT NEXT WANT_FULL WANT_DELTA WORKDIR VERSION
# reef-rtrd listens on 127.0.0.1:PORT and serves INPUT.  The script waits
# until the client shows exactly WANT_FULL, renames NEXT onto INPUT, waits
# until the client shows exactly WANT_DELTA, and stops the client.  The
# dumps are left in WORKDIR/full.csv and WORKDIR/delta.csv, the client's
# output in WORKDIR/client.log.  VERSION is the RTR version the server is
# limited to (--max-version); a client with its own knob asks for it.
#
# Canonical form, one element a line, sorted with LC_ALL=C:
#   vrp,PREFIX,MAXLEN,ASN			prefix as inet_ntop() writes it
#   routerkey,ASN,SKI-HEX,SPKI-HEX
#   count,ipv4|ipv6,N			for clients that only show counts
# Exit status: 0 both sets seen, 1 a set differs or time-out, 2 usage,
# 77 skipped (the line "SKIP: reason" says why).

# Seconds to wait for the client to show a set.
SYNC_TIMEOUT=${REEF_INTEROP_TIMEOUT:-20}
# Seconds between two dumps while waiting.
POLL_INTERVAL=0.2
# Seconds a stopped client gets before SIGKILL.
STOP_TIMEOUT=5

EX_SKIP=77
CLIENT_PID=""
LC_ALL=C
export LC_ALL

skip()
{
	echo "SKIP: $*"
	exit $EX_SKIP
}

fail()
{
	echo "FAIL: $*" >&2
	exit 1
}

# Is a command installed?  $1 the command.
have()
{
	command -v "$1" >/dev/null 2>&1
}

# Need root for this client (chroot, privileged helpers).
need_root()
{
	[ "$(id -u)" -eq 0 ] || skip "$CLIENT needs root"
}

# A TCP port on 127.0.0.1 nobody listens on right now.
free_port()
{
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Fill a template: @PORT@, @DIR@ and any extra @NAME@=value pairs.
#   subst TEMPLATE OUT [NAME=VALUE ...]
subst()
{
	_in=$1 _out=$2
	shift 2
	_sed="s|@PORT@|$PORT|g;s|@DIR@|$WORK|g"
	for _kv in "$@"; do
		_sed="$_sed;s|@${_kv%%=*}@|${_kv#*=}|g"
	done
	sed "$_sed" "$_in" > "$_out"
}

# Stop the client by its PID: SIGTERM, then SIGKILL after STOP_TIMEOUT.
stop_client()
{
	[ -n "$CLIENT_PID" ] || return 0
	kill -TERM "$CLIENT_PID" 2>/dev/null
	_i=0
	while kill -0 "$CLIENT_PID" 2>/dev/null; do
		_i=$((_i + 1))
		if [ $_i -gt $((STOP_TIMEOUT * 10)) ]; then
			kill -KILL "$CLIENT_PID" 2>/dev/null
			break
		fi
		sleep 0.1
	done
	wait "$CLIENT_PID" 2>/dev/null
	CLIENT_PID=""
	# Clients may keep helpers (bgpd's engines) in the same group.
	command -v client_cleanup >/dev/null 2>&1 && client_cleanup
	return 0
}

# Poll the client until its dump equals WANT or SYNC_TIMEOUT passes.
#   wait_set PHASE WANT OUT; returns 0 when equal.
wait_set()
{
	_deadline=$(($(date +%s) + SYNC_TIMEOUT))
	while :; do
		client_dump "$1" 2>>"$WORK/client.log" | sort -u > "$3.tmp"
		mv "$3.tmp" "$3"
		cmp -s "$2" "$3" && return 0
		if [ -n "$CLIENT_PID" ] && ! kill -0 "$CLIENT_PID" 2>/dev/null; then
			echo "$CLIENT exited early" >&2
			return 1
		fi
		[ "$(date +%s)" -lt "$_deadline" ] || return 1
		sleep $POLL_INTERVAL
	done
}

# Show what differs and the end of the client's output.
report()
{
	echo "$CLIENT, RTR version $VERSION, $1 set differs (- wanted, + got):" >&2
	diff "$2" "$3" | sed -n 's/^</-/p;s/^>/+/p' >&2
	echo "last lines of $WORK/client.log:" >&2
	tail -n 20 "$WORK/client.log" >&2
}

interop_main()
{
	[ $# -eq 7 ] || { echo "usage: $0 PORT INPUT NEXT WANT_FULL" \
	    "WANT_DELTA WORKDIR VERSION" >&2; exit 2; }
	PORT=$1 INPUT=$2 NEXT=$3 WANT_FULL=$4 WANT_DELTA=$5 WORK=$6 VERSION=$7
	client_check
	trap 'stop_client' EXIT
	trap 'exit 1' INT TERM HUP
	: > "$WORK/client.log"
	client_start
	if ! wait_set full "$WANT_FULL" "$WORK/full.csv"; then
		report full "$WANT_FULL" "$WORK/full.csv"
		exit 1
	fi
	# Replace the input atomically, as a validator does.
	mv -f "$NEXT" "$INPUT" || fail "cannot rename $NEXT"
	if ! wait_set delta "$WANT_DELTA" "$WORK/delta.csv"; then
		report delta "$WANT_DELTA" "$WORK/delta.csv"
		exit 1
	fi
	stop_client
	exit 0
}
