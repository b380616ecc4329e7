#!/bin/sh
# run.sh: run every built libFuzzer harness for a while, for CI.
#
# usage: run.sh SECONDS [BINDIR]
#
# BINDIR (default tests/fuzz, relative to the build directory) holds the
# harnesses "make fuzz" built (fuzz_*).  Each runs for SECONDS under the
# ASan/UBSan it was built with, seeded from the corpus files of its input
# type, copied into a scratch directory (the shared corpus is never
# written).  One line per harness: name, executions, result.  Exit
# status: 0 if no harness crashed, leaked, hung or hit undefined
# behaviour; 1 otherwise (the log and the reproducer are kept and their
# place printed); 2 on a usage error.
#
# Harnesses run one after another, so the whole run takes SECONDS times
# the number of harnesses, on one core.  Environment: REEF_CORPUS
# (default ../shared/corpus next to the source tree), TMPDIR.
set -u

# Seeds larger than this slow every run (libFuzzer's max_len follows the
# largest seed) without finding more.
SEED_MAX_BYTES=65536
# Per-input limits: an input slower or bigger than this is a bug too.
INPUT_TIMEOUT=10
RSS_LIMIT_MB=2048

[ $# -ge 1 ] && [ $# -le 2 ] && [ "$1" -gt 0 ] 2>/dev/null || {
	echo "usage: run.sh SECONDS [BINDIR]" >&2
	exit 2
}
secs=$1
bindir=${2:-tests/fuzz}
here=$(cd "$(dirname "$0")" && pwd)
corpus=${REEF_CORPUS:-$here/../../../shared/corpus}

work=$(mktemp -d "${TMPDIR:-/tmp}/reef-fuzz.XXXXXX") || exit 1
keep=
cleanup() {
	[ -n "$keep" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' HUP INT TERM

# Leaks and undefined behaviour are failures, not just reports.
export ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

# corpus_files EXT...: the corpus files with these extensions.
corpus_files() {
	[ -d "$corpus" ] || return 0
	for ext in "$@"; do
		find "$corpus" -type f -name "*.$ext" -size -"$SEED_MAX_BYTES"c
	done
}

# copy_seeds DIR EXT...: the corpus files themselves.
copy_seeds() {
	d=$1
	shift
	corpus_files "$@" | while read -r f; do
		cp "$f" "$d/$(echo "$f" | cksum | cut -d ' ' -f 1)"
	done
}

# prefix_seeds DIR BYTE EXT...: corpus files behind one selector byte
# (octal), for harnesses whose first input byte picks what to parse.
prefix_seeds() {
	d=$1
	b=$2
	shift 2
	corpus_files "$@" | while read -r f; do
		{ printf "\\$b"; cat "$f"; } \
		    >"$d/$b-$(echo "$f" | cksum | cut -d ' ' -f 1)"
	done
}

# econtent_seeds DIR EXT...: the eContent of the signed objects.
econtent_seeds() {
	d=$1
	shift
	command -v openssl >/dev/null 2>&1 || return 0
	corpus_files "$@" | while read -r f; do
		openssl cms -verify -noverify -binary -inform der -in "$f" \
		    -out "$d/$(echo "$f" | cksum | cut -d ' ' -f 1)" \
		    >/dev/null 2>&1 || true
	done
}

# ext_seeds DIR: the RFC 3779 extension values of the certificates,
# behind the harness's selector byte (sbgp-ipAddrBlock 000,
# sbgp-autonomousSysNum 001).
ext_seeds() {
	command -v openssl >/dev/null 2>&1 || return 0
	corpus_files cer | while read -r f; do
		# The OCTET STRING after the extnID (and critical flag).
		openssl asn1parse -inform der -in "$f" 2>/dev/null | awk '
		    /:sbgp-ipAddrBlock$/ { b = "000"; next }
		    /:sbgp-autonomousSysNum$/ { b = "001"; next }
		    b != "" && /OCTET STRING/ { sub(":.*", "", $1); print b, $1 }
		    !/BOOLEAN/ { b = "" }' | while read -r b off; do
			openssl asn1parse -inform der -in "$f" -strparse "$off" \
			    -noout -out "$1/value" >/dev/null 2>&1 || continue
			{ printf "\\$b"; cat "$1/value"; } >"$1/$b-$(echo \
			    "$f $off" | cksum | cut -d ' ' -f 1)"
		done
	done
	rm -f "$1/value"
}

# rrdp_seeds DIR: RRDP files, behind the harness's parser and chunk
# bytes (notification 0, snapshot 1, delta 2; 64-byte chunks).
rrdp_seeds() {
	corpus_files xml | while read -r f; do
		case $(head -c 512 "$f") in
		*"<notification"*) b=000 ;;
		*"<snapshot"*) b=001 ;;
		*"<delta"*) b=002 ;;
		*) continue ;;
		esac
		{ printf "\\$b\\077"; cat "$f"; } \
		    >"$1/$(echo "$f" | cksum | cut -d ' ' -f 1)"
	done
}

# uri_seeds DIR: the URIs of the TALs, one per file.
uri_seeds() {
	corpus_files tal | xargs -r grep -h -E '^(rsync|https)://' |
	    tr -d '\r' | sort -u | while read -r u; do
		printf '%s' "$u" >"$1/$(echo "$u" | cksum | cut -d ' ' -f 1)"
	done
}

# u8 N, u32 N: one or four big-endian bytes.
u8() {
	printf "\\$(printf %03o "$1")"
}
u32() {
	u8 $(($1 >> 24 & 255)); u8 $(($1 >> 16 & 255))
	u8 $(($1 >> 8 & 255)); u8 $(($1 & 255))
}

# pack_seeds DIR: stored copies (validator/storepack.h) of a few corpus
# files each, named by their base names.
pack_seeds() {
	i=0
	corpus_files mft roa crl | head -n 60 | while read -r a; do
		read -r b || break
		read -r c || break
		i=$((i + 1))
		{
			printf REEFPAK1; u32 3
			for f in "$a" "$b" "$c"; do
				n=$(basename "$f")
				u8 ${#n}; printf '%s' "$n"; u8 0
				u32 $(wc -c <"$f"); cat "$f"
			done
		} >"$1/pack$i"
	done
}

# u64 N: eight big-endian bytes.
u64() {
	u32 0; u32 "$1"
}

# index_seeds DIR: report.json indexes (validator/reportidx.h) without
# their closing digest, which the harness appends: one group, then two.
index_seeds() {
	{
		printf REEFRIX1; printf '%064d' 0; u64 400
		u32 1; u32 1; u32 40
		u64 10; u64 200; u32 2; u32 1; u32 1; u32 0; u32 0; u32 20
		printf '%032d' 1
		printf 'rsync://a/b.roa\0roa\0rsync://a/c.roa\0roa\0'
	} >"$1/index1"
	{
		printf REEFRIX1; printf '%064d' 0; u64 400
		u32 2; u32 2; u32 80
		u64 10; u64 100; u32 2; u32 2; u32 1; u32 0; u32 0; u32 20
		u64 111; u64 100; u32 1; u32 1; u32 1; u32 1; u32 40; u32 60
		printf '%032d' 1; printf '%032d' 2
		printf 'rsync://a/b.roa\0roa\0rsync://a/c.roa\0roa\0'
		printf 'rsync://a/d.cer\0cer\0rsync://a/e.crl\0crl\0'
	} >"$1/index2"
}

# seeds HARNESS DIR: fill DIR with the seeds of HARNESS's input type.
seeds() {
	case $1 in
	fuzz_tal) copy_seeds "$2" tal ;;
	fuzz_cert) copy_seeds "$2" cer ;;
	fuzz_certee) copy_seeds "$2" roa mft asa gbr tak sig ;;
	fuzz_resder) ext_seeds "$2" ;;
	fuzz_crl) copy_seeds "$2" crl ;;
	fuzz_cms)	# selector: ROA, MFT, ASPA, TAK, RSC
		prefix_seeds "$2" 000 roa
		prefix_seeds "$2" 001 mft
		prefix_seeds "$2" 002 asa
		prefix_seeds "$2" 003 tak
		prefix_seeds "$2" 004 sig ;;
	fuzz_der) copy_seeds "$2" roa mft cer crl asa ;;
	fuzz_mft) econtent_seeds "$2" mft ;;
	fuzz_roa) econtent_seeds "$2" roa ;;
	fuzz_aspa) econtent_seeds "$2" asa ;;
	fuzz_gbr) econtent_seeds "$2" gbr ;;
	fuzz_rrdp) rrdp_seeds "$2" ;;
	fuzz_uri) uri_seeds "$2" ;;
	fuzz_jsonread) copy_seeds "$2" json ;;
	fuzz_storepack) pack_seeds "$2" ;;
	fuzz_reportidx) index_seeds "$2" ;;
	*) ;;	# no corpus of this type: libFuzzer starts from nothing
	esac
}

# verdict LOG STATUS: why a run failed, from libFuzzer's report.
verdict() {
	if [ "$2" -eq 0 ]; then
		echo ok
	elif grep -q 'ERROR: LeakSanitizer' "$1"; then
		echo "FAIL (leak)"
	elif grep -q 'runtime error:' "$1"; then
		echo "FAIL (undefined behaviour)"
	elif grep -q 'ERROR: libFuzzer: timeout' "$1"; then
		echo "FAIL (timeout)"
	elif grep -q 'ERROR: libFuzzer: out-of-memory' "$1"; then
		echo "FAIL (out of memory)"
	elif grep -q 'ERROR: AddressSanitizer' "$1"; then
		echo "FAIL (memory error)"
	else
		echo "FAIL (crash, status $2)"
	fi
}

found=0
failed=0
[ -d "$corpus" ] || echo "corpus $corpus absent: fuzzing without seeds" >&2
for bin in "$bindir"/fuzz_*; do
	[ -f "$bin" ] && [ -x "$bin" ] || continue
	h=$(basename "$bin")
	found=$((found + 1))
	mkdir -p "$work/$h/seeds" "$work/$h/new" "$work/$h/out"
	seeds "$h" "$work/$h/seeds"
	nseeds=$(find "$work/$h/seeds" -type f | wc -l)
	# The first directory receives new inputs, the second is read only.
	"$bin" -max_total_time="$secs" -timeout="$INPUT_TIMEOUT" \
	    -rss_limit_mb="$RSS_LIMIT_MB" -print_final_stats=1 \
	    -artifact_prefix="$work/$h/out/" \
	    "$work/$h/new" "$work/$h/seeds" >"$work/$h/log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' \
	    "$work/$h/log" | tail -n 1)
	result=$(verdict "$work/$h/log" "$rc")
	printf '%-16s %10s runs  %5s seeds  %s\n' "$h" "${runs:-?}" \
	    "$nseeds" "$result"
	if [ "$rc" -ne 0 ]; then
		failed=$((failed + 1))
		keep=1
		grep -m 5 -E 'ERROR|runtime error|SUMMARY' "$work/$h/log" >&2
		echo "  log: $work/$h/log, reproducer in $work/$h/out/" >&2
	fi
done
if [ "$found" -eq 0 ]; then
	echo "no fuzz_* harness in $bindir: run \"make fuzz\" first" >&2
	exit 1
fi
[ "$failed" -eq 0 ] || exit 1
exit 0
