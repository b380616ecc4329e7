#!/usr/bin/env python3
"""rrdp_edit.py: turn one repository of a reef-repogen generation hostile.

usage: rrdp_edit.py MODE GENDIR MODULE [ARG]

Edits GENDIR/rrdp/MODULE in place (every file written is a new inode, so a
tree made with "cp -al" never changes the original) and, unless the mode is
about a wrong hash, puts the new file's SHA-256 into notification.xml so
that only the hostile content, not a hash check, can make a client refuse
it.  Modes (all on the snapshot unless said otherwise):

  laughs     a DOCTYPE declaring nested entities ("billion laughs"),
             referenced in the first publish element
  xxe        a DOCTYPE with an external entity (file:///etc/passwd),
             referenced in the first publish element
  badb64     the first publish element's text is not base64
  cross      one more publish element whose URI ARG lies in another
             repository (content: that of the first publish)
  dup        the first publish element twice
  wronghash  the snapshot changes but the notification keeps the old hash
  truncdelta the newest delta is cut in half (hash updated)
"""

import hashlib
import os
import re
import sys

LAUGHS_LEVELS = 9
LAUGHS_FANOUT = 10


def rewrite(path, data):
    tmp = path + ".new"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def local(gendir, uri):
    # https://host/rrdp/MODULE/... is served from GENDIR/rrdp/MODULE/...
    m = re.search(r"/rrdp/(.*)$", uri)
    if m is None:
        sys.exit("rrdp_edit.py: URI outside /rrdp/: " + uri)
    return os.path.join(gendir, "rrdp", m.group(1))


def doctype(body, decl, ref):
    head = ("<!DOCTYPE snapshot [\n%s]>\n" % decl).encode()
    body = head + body
    # Reference the entity at the start of the first publish's text.
    return re.sub(rb"(<publish [^>]*>)", lambda m: m.group(1) + ref, body,
                  count=1)


def laughs(body):
    decl = '<!ENTITY lol0 "lol">\n'
    for i in range(1, LAUGHS_LEVELS + 1):
        refs = ("&lol%d;" % (i - 1)) * LAUGHS_FANOUT
        decl += '<!ENTITY lol%d "%s">\n' % (i, refs)
    return doctype(body, decl, b"&lol%d;" % LAUGHS_LEVELS)


def first_publish(body):
    m = re.search(rb"<publish [^>]*>[^<]*</publish>", body)
    if m is None:
        sys.exit("rrdp_edit.py: no publish element")
    return m


def edit_snapshot(mode, body, arg):
    if mode == "laughs":
        return laughs(body)
    if mode == "xxe":
        return doctype(body, '<!ENTITY xxe SYSTEM "file:///etc/passwd">\n',
                       b"&xxe;")
    if mode == "badb64":
        return re.sub(rb"(<publish [^>]*>)[^<]{8}",
                      lambda m: m.group(1) + b"!*%$#@?~", body, count=1)
    m = first_publish(body)
    if mode == "cross":
        el = re.sub(rb'uri="[^"]*"', b'uri="' + arg.encode() + b'"',
                    m.group(0), count=1)
        return body[:m.end()] + b"\n  " + el + body[m.end():]
    if mode == "dup":
        return body[:m.end()] + b"\n  " + m.group(0) + body[m.end():]
    if mode == "wronghash":
        return body.replace(b"</snapshot>", b"\n</snapshot>")
    sys.exit("rrdp_edit.py: unknown mode " + mode)


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__.strip().splitlines()[2])
    mode, gendir, module = sys.argv[1:4]
    arg = sys.argv[4] if len(sys.argv) > 4 else ""
    npath = os.path.join(gendir, "rrdp", module, "notification.xml")
    with open(npath, "rb") as f:
        notif = f.read().decode()
    tag = "delta" if mode == "truncdelta" else "snapshot"
    els = re.findall(r"<%s [^>]*>" % tag, notif)
    if not els:
        sys.exit("rrdp_edit.py: no %s in %s" % (tag, npath))
    el = els[0]
    uri = re.search(r'uri="([^"]*)"', el).group(1)
    old = re.search(r'hash="([^"]*)"', el).group(1)
    path = local(gendir, uri)
    with open(path, "rb") as f:
        body = f.read()
    if mode == "truncdelta":
        body = body[:len(body) // 2]
    else:
        body = edit_snapshot(mode, body, arg)
    rewrite(path, body)
    if mode != "wronghash":
        new = hashlib.sha256(body).hexdigest()
        notif = notif.replace(el, el.replace(old, new))
        rewrite(npath, notif.encode())


if __name__ == "__main__":
    main()
