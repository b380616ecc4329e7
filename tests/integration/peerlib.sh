# peerlib.sh: serve a reef-repogen repository on loopback where its TALs
# point, so that other relying parties (rpki-client, FORT) can fetch it.
# Sourced (bash) by tests/integration/peers.sh and
# tests/bench/bench_validate.sh; it runs nothing when sourced.
#
#   peer_missing PEER...     print why PEER... cannot run here (nothing
#                            printed: they can)
#   peer_read_tal_hosts DIR  set rsync_host, rsync_port, https_host and
#                            https_port from the TALs DIR/*.tal
#   peer_copy_tals DIR DEST  copy DIR/*.tal to DEST, readable by the peers
#   peer_serve_start GENDIR STATEDIR
#                            add /etc/hosts lines for TAL host names that do
#                            not resolve to 127.0.0.1, start
#                            tests/tools/serve.sh on the TALs' ports and
#                            install its throwaway CA in the system store
#   peer_serve_switch GENDIR serve another generation
#   peer_undo                undo all of peer_serve_start (safe to call
#                            more than once, or when it failed half-way)
#   peer_normalize FILE [TA] a VRP CSV as sorted AS<asn>,prefix,maxlen,ta
#
# Why root: rpki-client trusts HTTPS servers only through the system trust
# store (it has no CA option; FORT's libcurl uses the same store), so the
# throwaway CA is installed in /usr/local/share/ca-certificates for the
# duration of the run; rpki-client drops privileges to _rpki-client; and
# without a port in the TAL URIs the servers bind 873 and 443.  The peers
# must reach the loopback servers directly: callers unset the proxy
# variables (peer_serve_start does it for its own shell).

readonly PEER_MARK="reef-peers-$$"
readonly PEER_CA_STORE=/usr/local/share/ca-certificates
readonly PEER_CA_LINKS=/etc/ssl/certs
# Two update-ca-certificates at once (tests running in parallel) both write
# /etc/ssl/certs/ca-certificates.crt.new and can leave a bundle without our
# CA: every call here holds this lock.
readonly PEER_CA_LOCK=/tmp/reef-peers-ca.lock

peer_serve=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd -P)/serve.sh
peer_state=""
peer_ca_link=""
peer_hosts_added=0

# Print the reason the peers cannot run, if any.
peer_missing() {
	local t
	if [ "$(id -u)" != 0 ]; then
		echo "needs root (system CA store, rpki-client privilege drop)"
		return
	fi
	for t in "$@"; do
		case $t in
		rpki-client|fort) ;;
		*) echo "unknown peer $t"; return ;;
		esac
	done
	for t in "$@" rsync nginx openssl timeout update-ca-certificates \
	    getent; do
		command -v "$t" >/dev/null || { echo "$t is not installed";
		    return; }
	done
	case " $* " in
	*" rpki-client "*) id _rpki-client >/dev/null 2>&1 ||
		echo "no _rpki-client user" ;;
	esac
}

# URI scheme://host[:port]/...: print "host port" (port defaulted to $2).
peer_uri_hostport() {
	local hp
	hp=${1#*://}
	hp=${hp%%/*}
	case $hp in
	*:*) echo "${hp%:*} ${hp##*:}" ;;
	*) echo "$hp $2" ;;
	esac
}

# The rsync and HTTPS hosts and ports the TALs point at; every TAL of one
# generator run names the same ones.  Returns 1 when no TAL has rsync.
peer_read_tal_hosts() {
	local tal line
	rsync_host="" https_host="" rsync_port="" https_port=""
	for tal in "$1"/*.tal; do
		[ -f "$tal" ] || continue
		while read -r line; do
			line=${line%$'\r'}
			case $line in
			rsync://*) read -r rsync_host rsync_port \
				<<<"$(peer_uri_hostport "$line" 873)" ;;
			https://*) read -r https_host https_port \
				<<<"$(peer_uri_hostport "$line" 443)" ;;
			esac
		done <"$tal"
	done
	if [ -z "$rsync_host" ]; then
		echo "peerlib: no TAL with an rsync URI in $1" >&2
		return 1
	fi
	[ -n "$https_host" ] || https_host=$rsync_host https_port=443
	return 0
}

# rpki-client reads the TALs after dropping privileges.
peer_copy_tals() {
	mkdir -p "$2" && cp "$1"/*.tal "$2"/ && chmod 755 "$2" &&
	    chmod 644 "$2"/*.tal
}

peer_resolves_to_loopback() {
	getent ahostsv4 "$1" 2>/dev/null | awk '{ print $1 }' |
	    grep -qx '127\.0\.0\.1'
}

peer_add_hosts_entry() {
	local h
	for h in "$@"; do
		case $h in
		localhost|127.0.0.1) continue ;;
		esac
		peer_resolves_to_loopback "$h" && continue
		printf '127.0.0.1 %s # %s\n' "$h" "$PEER_MARK" >>/etc/hosts ||
		    { echo "peerlib: cannot edit /etc/hosts" >&2; return 1; }
		peer_hosts_added=1
	done
}

peer_update_ca() {
	if command -v flock >/dev/null; then
		flock "$PEER_CA_LOCK" update-ca-certificates >/dev/null 2>&1
	else
		update-ca-certificates >/dev/null 2>&1
	fi
}

peer_install_ca() {
	peer_ca_link="$PEER_CA_STORE/$PEER_MARK.crt"
	mkdir -p "$PEER_CA_STORE"
	cp "$1" "$peer_ca_link" && peer_update_ca ||
	    { echo "peerlib: cannot install the test CA" >&2; return 1; }
}

# Needs peer_read_tal_hosts first.  Prints serve.sh's variables.
peer_serve_start() {
	local gen=$1 state=$2 names=() nameargs=() t
	unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY ALL_PROXY all_proxy
	[ "$rsync_host" = "$https_host" ] || names+=("$rsync_host")
	names+=("$https_host")
	peer_add_hosts_entry "${names[@]}" || return 1
	for t in "${names[@]}"; do
		nameargs+=(--name "$t")
	done
	peer_state=$state
	if ! "$peer_serve" start "$gen" --state "$state" \
	    --rsync-port "$rsync_port" --https-port "$https_port" \
	    "${nameargs[@]}"; then
		peer_state=""
		echo "peerlib: serve.sh start failed" >&2
		return 1
	fi
	peer_install_ca "$state/ca.pem"
}

peer_serve_switch() {
	"$peer_serve" switch "$peer_state" "$1"
}

peer_undo() {
	local tmp
	[ -n "$peer_state" ] && "$peer_serve" stop "$peer_state"
	peer_state=""
	if [ -n "$peer_ca_link" ]; then
		rm -f "$peer_ca_link"
		# update-ca-certificates drops orphan links only when it adds
		# or removes something itself, so drop ours (name and hash).
		find "$PEER_CA_LINKS" -maxdepth 1 -type l \
		    -lname "*$PEER_MARK*" -delete
		peer_update_ca
		peer_ca_link=""
	fi
	if [ "$peer_hosts_added" = 1 ] && tmp=$(mktemp); then
		# /etc/hosts may be a bind mount: rewrite it in place.
		grep -v -- "# $PEER_MARK\$" /etc/hosts >"$tmp" &&
		    cat "$tmp" >/etc/hosts
		rm -f "$tmp"
		peer_hosts_added=0
	fi
}

# "AS<asn>,<prefix>,<maxlen>,<ta>" per line, sorted, from a CSV whose first
# three columns are ASN, prefix, maxLength; ta is column 4 unless given.
peer_normalize() {
	local file=$1 ta=${2:-}
	awk -F, -v ta="$ta" 'NR > 1 && $2 ~ /\// {
		asn = toupper($1); if (asn !~ /^AS/) asn = "AS" asn
		t = ta != "" ? ta : $4
		print asn "," tolower($2) "," $3 "," t
	}' "$file" | LC_ALL=C sort -u
}
