#!/usr/bin/env python3
"""hostile_httpd.py: a misbehaving HTTPS server for testing Reef's HTTP client.

usage: hostile_httpd.py --cert PEM --key PEM [--port P] [--portfile F]
                        [--log F] [--plain]

Listens on 127.0.0.1 only (port 0 picks a free one, written to --portfile
once listening) and answers by path:

  /ok/N          200 with N bytes (byte i is i % 251), keep-alive
  /headers       200 whose body is the request's header block
  /status/N      status N with a short body
  /drip          200 announcing 1 MB, then one byte per second
  /endless       200 without a length, data as fast as the client reads
  /bomb          200, Content-Encoding: gzip, 1 GiB of zeros (~1 MB on
                 the wire), compressed as it is sent
  /same          302 to /ok/1000 (same origin)
  /away          302 to https://127.0.0.1:PORT/away-target (another origin:
                 the host is written differently)
  /away-http     302 to http://localhost:PORT/away-target (another scheme)
  /loop          302 to /loop, forever
  /nolocation    302 without a Location
  /silent        reads the request and never answers

--log appends "CONN PATH" for every request line read, CONN numbering the
connections from 1, so a test can check that a refused redirect target was
never asked for and that requests shared a connection.  --plain serves
plain HTTP.
The certificate is typically serve.sh's, valid for localhost and 127.0.0.1.
Stop it with SIGTERM.
"""

import argparse
import os
import signal
import socket
import socketserver
import ssl
import sys
import threading
import time
import zlib

# Bounds on what a client may send us, and on how long we keep idle sockets.
MAX_LINE = 8192
MAX_HEADERS = 100
IDLE_TIMEOUT = 30
# How long /silent holds a connection open at most.
SILENT_MAX = 120
DRIP_ANNOUNCED = 1000000
BOMB_BLOCK = 1 << 20
BOMB_BLOCKS = 1024
ENDLESS_BLOCK = 1 << 16
GZIP_WBITS = 31  # zlib: 15-bit window with a gzip wrapper


class Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


def body_ok(n):
    pattern = bytes(i % 251 for i in range(251))
    reps = n // 251 + 1
    return (pattern * reps)[:n]


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.sock = self.request
        self.sock.settimeout(IDLE_TIMEOUT)
        tls = self.server.tls
        if tls is not None:
            try:
                self.sock = tls.wrap_socket(self.sock, server_side=True)
            except (ssl.SSLError, OSError):
                self.sock = None

    def send(self, data):
        self.sock.sendall(data)

    def head(self, status, headers, reason="X"):
        lines = ["HTTP/1.1 %d %s" % (status, reason)]
        lines += ["%s: %s" % kv for kv in headers]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode("ascii"))

    def read_request(self, f):
        line = f.readline(MAX_LINE)
        if not line:
            return None, None
        parts = line.decode("latin-1").split()
        raw = [line]
        for _ in range(MAX_HEADERS):
            h = f.readline(MAX_LINE)
            raw.append(h)
            if h in (b"\r\n", b"\n", b""):
                break
        path = parts[1] if len(parts) >= 2 else "/"
        return path, b"".join(raw)

    def handle(self):
        if self.sock is None:
            return
        conn = self.server.next_conn()
        f = self.sock.makefile("rb")
        try:
            while True:
                path, raw = self.read_request(f)
                if path is None:
                    return
                self.server.note(conn, path)
                if not self.route(path, raw):
                    return
        except (OSError, ssl.SSLError, ValueError):
            return

    # Each route returns True to keep the connection for another request.
    def route(self, path, raw):
        port = self.server.server_address[1]
        if path.startswith("/ok/"):
            body = body_ok(int(path[4:]))
            self.head(200, [("Content-Length", len(body))])
            self.send(body)
            return True
        if path == "/headers":
            self.head(200, [("Content-Length", len(raw))])
            self.send(raw)
            return True
        if path.startswith("/status/"):
            body = b"status page\n"
            self.head(int(path[8:]), [("Content-Length", len(body))])
            self.send(body)
            return True
        if path == "/drip":
            self.head(200, [("Content-Length", DRIP_ANNOUNCED)])
            for _ in range(DRIP_ANNOUNCED):
                self.send(b"x")
                time.sleep(1)
            return False
        if path == "/endless":
            self.head(200, [("Connection", "close")])
            block = b"e" * ENDLESS_BLOCK
            while True:
                self.send(block)
        if path == "/bomb":
            self.head(200, [("Content-Encoding", "gzip"),
                            ("Connection", "close")])
            z = zlib.compressobj(9, zlib.DEFLATED, GZIP_WBITS)
            zeros = bytes(BOMB_BLOCK)
            for _ in range(BOMB_BLOCKS):
                out = z.compress(zeros)
                if out:
                    self.send(out)
            self.send(z.flush())
            return False
        if path == "/same":
            return self.redirect("/ok/1000")
        if path == "/away":
            return self.redirect("https://127.0.0.1:%d/away-target" % port)
        if path == "/away-http":
            return self.redirect("http://localhost:%d/away-target" % port)
        if path == "/loop":
            return self.redirect("/loop")
        if path == "/nolocation":
            self.head(302, [("Content-Length", 0)])
            return True
        if path == "/silent":
            self.sock.settimeout(1)
            t0 = time.monotonic()
            while time.monotonic() - t0 < SILENT_MAX:
                try:
                    if self.sock.recv(1) == b"":
                        break
                except socket.timeout:
                    continue
            return False
        body = b"no such page\n"
        self.head(404, [("Content-Length", len(body))])
        self.send(body)
        return True

    def redirect(self, location):
        body = b"moved\n"
        self.head(302, [("Location", location),
                        ("Content-Length", len(body))])
        self.send(body)
        return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--portfile")
    ap.add_argument("--log")
    ap.add_argument("--plain", action="store_true")
    args = ap.parse_args()

    tls = None
    if not args.plain:
        if not args.cert or not args.key:
            ap.error("--cert and --key are needed unless --plain")
        tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        tls.load_cert_chain(args.cert, args.key)

    srv = Server(("127.0.0.1", args.port), Handler)
    srv.tls = tls
    lock = threading.Lock()
    conns = [0]

    def next_conn():
        with lock:
            conns[0] += 1
            return conns[0]

    def note(conn, path):
        if args.log:
            with lock, open(args.log, "a") as f:
                f.write("%d %s\n" % (conn, path))
    srv.next_conn = next_conn
    srv.note = note

    signal.signal(signal.SIGTERM, lambda *_: os._exit(0))
    if args.portfile:
        tmp = args.portfile + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(tmp, args.portfile)
    srv.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
