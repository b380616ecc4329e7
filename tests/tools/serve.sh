#!/bin/bash
#
# serve.sh: serve a reef-repogen generation over rsync and HTTPS on loopback.
#
#   serve.sh start DIR [--state STATEDIR] [--rsync-port P] [--https-port P]
#                      [--name HOST]...
#   serve.sh switch STATEDIR NEWDIR
#   serve.sh stop STATEDIR
#
# DIR is OUTDIR/gen<N> of reef-repogen.  "start" runs an rsync daemon with one
# read-only module per directory under DIR/rsync/ and an nginx serving
# /ta/ from DIR/rsync/ta/ and /rrdp/ from DIR/rrdp/, both bound to loopback
# only, with a throwaway CA and a server certificate for localhost (plus every
# --name) made in STATEDIR.  It prints shell-sourceable lines:
#   STATE_DIR=...  RSYNC_PORT=...  HTTPS_PORT=...  CA_FILE=...
# Ports default to 873 and 443 when run as root, otherwise free high ports;
# "auto" as a port picks a free high port for root too.
#
# "switch" points the running servers at another generation without a restart:
# both serve through the symlink STATEDIR/root, and the rsync daemon re-reads
# its configuration on every connection.  It may move the mtimes of NEWDIR's
# changed files forward (see bump_mtimes).
#
# "stop" kills exactly the processes recorded in STATEDIR/pids and waits.

set -u

# How long to wait for a server to listen, and for one to exit, in 0.1 s.
readonly WAIT_TICKS=100
# Free ports are picked from PORT_LO up to just below the kernel's
# ephemeral range (ip_local_port_range), where no client socket can take
# them between our pick and the server's bind().
readonly PORT_LO=10000
readonly PORT_TRIES=50
readonly CERT_DAYS=30

die() {
	echo "serve.sh: $*" >&2
	exit 1
}

usage() {
	echo "usage: serve.sh start DIR [--state STATEDIR] [--rsync-port P]" \
	    "[--https-port P] [--name HOST]..." >&2
	echo "       serve.sh switch STATEDIR NEWDIR" >&2
	echo "       serve.sh stop STATEDIR" >&2
	exit 2
}

# Is a TCP port in LISTEN state on any address?  (/proc needs no tools.)
port_in_use() {
	port_has_socket "$1" 0A
}

# Does any TCP socket in state st (hex, "" for any) have port as its local
# port?  A connected or TIME_WAIT socket there makes a server's bind() fail
# on the address it holds, while it may still succeed on the others.
port_has_socket() {
	local hex
	hex=$(printf '%04X' "$1")
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
	    awk -v p=":$hex" -v st="${2:-}" \
		'(st == "" || $4 == st) && substr($2, length($2) - 4) == p \
		{ found = 1 } END { exit !found }'
}

# The first port of the kernel's ephemeral range (32768 if unreadable).
ephemeral_lo() {
	local lo hi
	read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null ||
	    lo=32768
	echo "$lo"
}

pick_port() {
	local i p span
	span=$(($(ephemeral_lo) - PORT_LO))
	# An ephemeral range starting low leaves no safe band: use the
	# traditional one and rely on the socket check alone.
	[ "$span" -ge 1000 ] || span=20000
	for ((i = 0; i < PORT_TRIES; i++)); do
		p=$((PORT_LO + (RANDOM * 32768 + RANDOM) % span))
		if [ "$p" != "${1:-}" ] && ! port_has_socket "$p"; then
			echo "$p"
			return 0
		fi
	done
	return 1
}

have_ipv6_loopback() {
	grep -q '^00000000000000000000000000000001 ' /proc/net/if_inet6 \
	    2>/dev/null
}

# The pid is ours if the process still runs with our state dir in argv:
# a recycled pid must never be killed.
pid_is_ours() {
	local pid=$1 state=$2
	[ -r "/proc/$pid/cmdline" ] &&
	    tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$state"
}

# Wait until pid listens on port and, given a pid file, has written it:
# nginx writes its pid file only once every listen address is bound, while
# the first one already listens as it retries a busy second one (and then
# exits).
wait_listen() {
	local pid=$1 port=$2 pidfile=${3:-} i
	for ((i = 0; i < WAIT_TICKS; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		if port_in_use "$port" &&
		    { [ -z "$pidfile" ] || [ -s "$pidfile" ]; }; then
			return 0
		fi
		sleep 0.1
	done
	return 1
}

make_certs() {
	local state=$1; shift
	local san="DNS:localhost,IP:127.0.0.1,IP:::1" n
	for n in "$@"; do
		san="$san,DNS:$n"
	done
	cat >"$state/server.ext" <<-EOF
	basicConstraints = critical,CA:FALSE
	keyUsage = critical,digitalSignature
	extendedKeyUsage = serverAuth
	subjectAltName = $san
	EOF
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$state/ca.key" -out "$state/ca.pem" -days "$CERT_DAYS" \
	    -subj "/CN=Reef throwaway test CA $(basename "$state")" \
	    -addext "basicConstraints=critical,CA:TRUE" \
	    -addext "keyUsage=critical,keyCertSign,cRLSign" \
	    >"$state/openssl.log" 2>&1 &&
	openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$state/server.key" -out "$state/server.csr" \
	    -subj "/CN=localhost" >>"$state/openssl.log" 2>&1 &&
	openssl x509 -req -in "$state/server.csr" -CA "$state/ca.pem" \
	    -CAkey "$state/ca.key" -CAcreateserial -days "$CERT_DAYS" \
	    -extfile "$state/server.ext" -out "$state/server.pem" \
	    >>"$state/openssl.log" 2>&1 ||
	    die "certificate generation failed, see $state/openssl.log"
}

# One module per directory under root/rsync; written to a temporary file and
# renamed, so a connection never reads a half-written configuration.
write_rsyncd_conf() {
	local state=$1 dir=$2 port=$3 m
	{
		echo "# generated by serve.sh"
		echo "address = 127.0.0.1"
		echo "port = $port"
		echo "use chroot = no"
		echo "read only = yes"
		echo "list = yes"
		# As root, stay root rather than the default "nobody", who
		# may not enter a 0700 scratch directory; otherwise rsync
		# cannot change user and must not be asked to.
		if [ "$(id -u)" = 0 ]; then
			echo "uid = 0"
			echo "gid = 0"
		fi
		echo "log file = $state/rsyncd.log"
		echo "max connections = 0"
		for m in "$dir"/rsync/*/; do
			[ -d "$m" ] || continue
			m=$(basename "$m")
			echo "[$m]"
			echo "	path = $state/root/rsync/$m"
		done
	} >"$state/rsyncd.conf.new" && mv -f "$state/rsyncd.conf.new" \
	    "$state/rsyncd.conf"
}

write_nginx_conf() {
	local state=$1 port=$2
	local six=""
	have_ipv6_loopback && six="listen [::1]:$port ssl;"
	mkdir -p "$state/nginx/tmp" "$state/nginx/logs"
	cat >"$state/nginx.conf" <<-EOF
	# generated by serve.sh
	daemon off;
	worker_processes 1;
	pid $state/nginx/nginx.pid;
	error_log $state/nginx/logs/error.log;
	$( [ "$(id -u)" = 0 ] && echo "user root root;" )
	events { worker_connections 256; }
	http {
		access_log $state/nginx/logs/access.log;
		client_body_temp_path $state/nginx/tmp/body;
		proxy_temp_path $state/nginx/tmp/proxy;
		fastcgi_temp_path $state/nginx/tmp/fastcgi;
		uwsgi_temp_path $state/nginx/tmp/uwsgi;
		scgi_temp_path $state/nginx/tmp/scgi;
		types { application/xml xml; }
		default_type application/octet-stream;
		server_tokens off;
		server {
			listen 127.0.0.1:$port ssl;
			$six
			server_name _;
			ssl_certificate $state/server.pem;
			ssl_certificate_key $state/server.key;
			location /ta/ { alias $state/root/rsync/ta/; }
			location /rrdp/ { alias $state/root/rrdp/; }
			location / { return 404; }
		}
	}
	EOF
}

# Point STATEDIR/root at dir atomically.
set_root() {
	local state=$1 dir=$2
	ln -sfn "$dir" "$state/root.new" && mv -T "$state/root.new" \
	    "$state/root"
}

# Clients skip what looks unchanged: rsync ("rsync -rt") a file whose size
# and mtime in seconds are the same, and rpki-client's HTTP a notification
# that is not newer than its If-Modified-Since.  A generator writes
# consecutive generations within the same second, so give each changed file
# a later mtime than its predecessor, as a server writing it later would.
bump_mtimes() {
	local old=$1 new=$2 f ot nt
	(cd "$new" && find rsync rrdp -type f 2>/dev/null) |
	    while IFS= read -r f; do
		[ -f "$old/$f" ] || continue
		cmp -s "$old/$f" "$new/$f" && continue
		ot=$(stat -c %Y "$old/$f")
		nt=$(stat -c %Y "$new/$f")
		[ "$nt" -gt "$ot" ] || touch -d "@$((ot + 1))" "$new/$f"
	done
}

check_gen_dir() {
	[ -d "$1/rsync" ] || die "$1: not a generation directory (no rsync/)"
}

stop_pids() {
	local state=$1 pid i alive
	[ -f "$state/pids" ] || return 0
	for pid in $(cat "$state/pids"); do
		pid_is_ours "$pid" "$state" && kill -TERM "$pid" 2>/dev/null
	done
	for ((i = 0; i < WAIT_TICKS; i++)); do
		alive=
		for pid in $(cat "$state/pids"); do
			pid_is_ours "$pid" "$state" && alive="$alive $pid"
		done
		[ -z "$alive" ] && break
		sleep 0.1
	done
	for pid in $alive; do
		kill -KILL "$pid" 2>/dev/null
	done
	rm -f "$state/pids"
	return 0
}

cmd_start() {
	local dir="" state="" rport="" hport="" names=() pid
	[ $# -ge 1 ] || usage
	dir=$1; shift
	while [ $# -gt 0 ]; do
		case $1 in
		--state) state=${2:?}; shift 2 ;;
		--rsync-port) rport=${2:?}; shift 2 ;;
		--https-port) hport=${2:?}; shift 2 ;;
		--name) names+=("${2:?}"); shift 2 ;;
		*) usage ;;
		esac
	done
	command -v rsync >/dev/null || die "rsync not installed"
	command -v nginx >/dev/null || die "nginx not installed"
	command -v openssl >/dev/null || die "openssl not installed"
	check_gen_dir "$dir"
	dir=$(cd "$dir" && pwd -P) || die "$dir: cannot resolve"
	if [ -z "$state" ]; then
		state=$(mktemp -d "${TMPDIR:-/tmp}/reef-serve.XXXXXX") ||
		    die "mktemp failed"
	fi
	mkdir -p "$state" || die "$state: cannot create"
	state=$(cd "$state" && pwd -P)
	[ -f "$state/pids" ] && die "$state: servers already running"
	# The servers may run as another user than the one owning a 0700
	# mkdtemp() directory only when not root; as root they keep root.
	chmod 755 "$state"

	if [ "$(id -u)" = 0 ]; then
		: "${rport:=873}" "${hport:=443}"
	else
		: "${rport:=auto}" "${hport:=auto}"
	fi
	if [ "$rport" = auto ]; then
		rport=$(pick_port) || die "no free port"
	fi
	if [ "$hport" = auto ]; then
		hport=$(pick_port "$rport") || die "no free port"
	fi
	case $rport$hport in
	*[!0-9]*) die "ports must be numbers or auto" ;;
	esac
	[ "$rport" != "$hport" ] || die "rsync and https ports must differ"
	port_in_use "$rport" && die "rsync port $rport is in use"
	port_in_use "$hport" && die "https port $hport is in use"

	make_certs "$state" "${names[@]}"
	set_root "$state" "$dir" || die "$state/root: cannot link"
	write_rsyncd_conf "$state" "$dir" "$rport" ||
	    die "$state/rsyncd.conf: cannot write"
	write_nginx_conf "$state" "$hport" ||
	    die "$state/nginx.conf: cannot write"
	: >"$state/pids"

	# Detach from the caller's stdio so a captured pipe does not stay open.
	rsync --daemon --no-detach --config="$state/rsyncd.conf" \
	    </dev/null >>"$state/rsyncd.out" 2>&1 &
	pid=$!
	echo "$pid" >>"$state/pids"
	if ! wait_listen "$pid" "$rport"; then
		cat "$state/rsyncd.out" "$state/rsyncd.log" >&2 2>/dev/null
		stop_pids "$state"
		die "rsync daemon did not start on port $rport"
	fi

	rm -f "$state/nginx/nginx.pid"
	nginx -p "$state/nginx/" -c "$state/nginx.conf" \
	    -e "$state/nginx/logs/error.log" \
	    </dev/null >>"$state/nginx.out" 2>&1 &
	pid=$!
	echo "$pid" >>"$state/pids"
	if ! wait_listen "$pid" "$hport" "$state/nginx/nginx.pid"; then
		cat "$state/nginx.out" "$state/nginx/logs/error.log" >&2 \
		    2>/dev/null
		stop_pids "$state"
		die "nginx did not start on port $hport"
	fi

	{
		echo "STATE_DIR=$state"
		echo "RSYNC_PORT=$rport"
		echo "HTTPS_PORT=$hport"
		echo "CA_FILE=$state/ca.pem"
	} | tee "$state/env"
}

cmd_switch() {
	local state dir port
	[ $# -eq 2 ] || usage
	state=$1 dir=$2
	[ -f "$state/pids" ] || die "$state: no servers running"
	check_gen_dir "$dir"
	dir=$(cd "$dir" && pwd -P) || die "$dir: cannot resolve"
	port=$(sed -n 's/^port = //p' "$state/rsyncd.conf")
	bump_mtimes "$(readlink "$state/root")" "$dir"
	write_rsyncd_conf "$state" "$dir" "$port" ||
	    die "$state/rsyncd.conf: cannot write"
	set_root "$state" "$dir" || die "$state/root: cannot link"
}

cmd_stop() {
	[ $# -eq 1 ] || usage
	[ -d "$1" ] || die "$1: no such state directory"
	stop_pids "$(cd "$1" && pwd -P)"
}

[ $# -ge 1 ] || usage
cmd=$1; shift
case $cmd in
start) cmd_start "$@" ;;
switch) cmd_switch "$@" ;;
stop) cmd_stop "$@" ;;
*) usage ;;
esac
