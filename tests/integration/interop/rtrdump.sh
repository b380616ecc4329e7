#!/bin/sh
# StayRTR's rtrdump: a one-shot client.  The full set is a Reset Query
# dumped to JSON; the delta is a Serial Query from the session and serial
# of the full set, its announcements and withdrawals (logged with
# -datapdu) applied to the full set.  Router keys come with version 1;
# the delta's JSON lists the changed keys without their flag, so a key
# listed there toggles.  rtrdump asks for the version given.
. "$(dirname "$0")/common.sh"
CLIENT=rtrdump

client_check()
{
	have rtrdump || skip "stayrtr (rtrdump) not installed"
	have python3 || skip "python3 needed to read rtrdump's JSON"
	# stayrtr 0.5.1 decodes the ASPA PDU of draft-ietf-sidrops-8210bis-10,
	# not the layout of the latest draft.
	[ "$VERSION" -le 1 ] || skip "rtrdump's version 2 is an older draft"
}

client_start()
{
	:
}

# Turn rtrdump's JSON and log into the canonical form.
#   canon MODE JSON LOG [BASE] with MODE full or delta
canon()
{
	python3 - "$@" <<'PY'
import base64, json, re, sys

mode, jpath, lpath = sys.argv[1:4]
with open(jpath) as f:
    doc = json.load(f)
keys = set()
for k in doc.get("bgpsec_keys") or []:
    keys.add("routerkey,%d,%s,%s" % (k["asn"], k["ski"].lower(),
        base64.b64decode(k["pubkey"]).hex()))
if mode == "full":
    out = {"vrp,%s,%d,%d" % (r["prefix"], r["maxLength"], r["asn"])
        for r in doc.get("roas") or []}
    out |= keys
else:
    with open(sys.argv[4]) as f:
        out = {l.strip() for l in f if l.strip()}
    pdu = re.compile(r"PDU IPv[46] Prefix v\d+ (\S+)\(->/(\d+)\), "
        r"origin: AS(\d+), flags: (\d+)")
    with open(lpath) as f:
        for line in f:
            m = pdu.search(line)
            if m is None:
                continue
            e = "vrp,%s,%s,%s" % m.group(1, 2, 3)
            if int(m.group(4)) & 1:
                out.add(e)
            else:
                out.discard(e)
    out ^= keys
for e in sorted(out):
    print(e)
PY
}

client_dump()
{
	log="$WORK/rtrdump-$1.log"
	json="$WORK/rtrdump-$1.json"
	rm -f "$json"
	if [ "$1" = full ]; then
		timeout 10 rtrdump -connect "127.0.0.1:$PORT" \
		    -rtr.version "$VERSION" -loglevel debug -file "$json" \
		    >"$log" 2>&1 || { cat "$log" >&2; return 0; }
		# "End of Data v1 (session: 45883): serial: 1, ..."
		sed -n 's/.*End of Data v[0-9]* (session: \([0-9]*\)): serial: \([0-9]*\).*/\1 \2/p' \
		    "$log" > "$WORK/rtrdump.state"
		canon full "$json" "$log"
	else
		read -r sid serial < "$WORK/rtrdump.state" || return 0
		timeout 10 rtrdump -connect "127.0.0.1:$PORT" \
		    -rtr.version "$VERSION" -loglevel debug -datapdu \
		    -serial -session.id "$sid" -serial.value "$serial" \
		    -file "$json" >"$log" 2>&1 || { cat "$log" >&2; return 0; }
		canon delta "$json" "$log" "$WORK/full.csv"
	fi
}

interop_main "$@"
