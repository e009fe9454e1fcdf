#!/usr/bin/env python3
"""Minimal git smart-HTTP server for the git/ tests: `git http-backend` behind
HTTP Basic auth, as a forge serves repositories to a token.

    GITHTTP_TOKEN=secret githttp.py ROOT PORT_FILE LOG_FILE

Serves the bare repositories under ROOT (read-only) on 127.0.0.1, on a free
port written to PORT_FILE once listening.  Every request needs user
"x-access-token" with the token from $GITHTTP_TOKEN (never argv); anything
else gets 401 with a WWW-Authenticate challenge, as GitHub answers.  One line
per request goes to LOG_FILE: "<status> <method> <path> <auth>" where auth is
"none", "good" or "bad" (the token itself is never written).
"""
import base64
import http.server
import os
import subprocess
import sys
import threading

ROOT, PORT_FILE, LOG_FILE = sys.argv[1:4]
TOKEN = os.environ.get("GITHTTP_TOKEN", "")
LOG_LOCK = threading.Lock()


def auth_state(header):
    if not header:
        return "none"
    kind, _, value = header.partition(" ")
    if kind.lower() != "basic":
        return "bad"
    try:
        user, _, password = base64.b64decode(value).decode().partition(":")
    except ValueError:
        return "bad"
    return "good" if user == "x-access-token" and TOKEN and password == TOKEN else "bad"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def log_request_line(self, status, auth):
        with LOG_LOCK, open(LOG_FILE, "a") as f:
            f.write("%d %s %s %s\n" % (status, self.command, self.path, auth))

    # Each request is logged before its answer, so that a client that has its
    # answer can read the log line.
    def deny(self, auth):
        body = b"Authentication failed\n"
        self.log_request_line(401, auth)
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="git"')
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def backend(self):
        auth = auth_state(self.headers.get("Authorization"))
        if auth != "good":
            self.deny(auth)
            return
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "GIT_PROJECT_ROOT": ROOT,
            "GIT_HTTP_EXPORT_ALL": "1",
            "GIT_CONFIG_NOSYSTEM": "1",
            "HOME": ROOT,
            "REQUEST_METHOD": self.command,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "CONTENT_TYPE": self.headers.get("Content-Type", ""),
            "CONTENT_LENGTH": str(len(body)),
            "REMOTE_USER": "x-access-token",
            "REMOTE_ADDR": "127.0.0.1",
        }
        for name, var in (("Content-Encoding", "HTTP_CONTENT_ENCODING"),
                          ("Git-Protocol", "GIT_PROTOCOL")):
            if self.headers.get(name):
                env[var] = self.headers[name]
        proc = subprocess.run(["git", "http-backend"], input=body, env=env,
                              stdout=subprocess.PIPE, check=False)
        head, _, payload = proc.stdout.partition(b"\r\n\r\n")
        status = 200
        headers = []
        for line in head.split(b"\r\n"):
            name, _, value = line.decode("latin-1").partition(":")
            if name.lower() == "status":
                status = int(value.strip().split()[0])
            elif name:
                headers.append((name, value.strip()))
        self.log_request_line(status, auth)
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = backend
    do_POST = backend


def main():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    tmp = PORT_FILE + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(tmp, PORT_FILE)
    server.serve_forever()


if __name__ == "__main__":
    main()
