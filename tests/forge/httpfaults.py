#!/usr/bin/env python3
"""A small HTTP server with one route per fault, for tests/forge/test_http.c.

Prints the port it listens on (127.0.0.1, chosen by the kernel) and the port
of a "black hole" on the first line of stdout, then serves until killed.  The
black hole is a listening socket whose accept queue is kept full, so that new
connections never complete: the connect timeout case.  Every request is recorded;
GET /_log returns them as JSON (method, path, headers, monotonic time) and
POST /_reset forgets them and the per-route counters.

Routes (KEY lets several tests use one route without sharing counters):
  /ok                      200 {"ok": true} with x-ratelimit-* headers
  /user                    200 {"login": "octo", "id": 1}
  /flaky/KEY?fail=N        500 for the first N requests, then 200
  /retry-after/KEY         429 Retry-After: 1 once, then 200
  /primary                 403 x-ratelimit-remaining: 0, reset in an hour
  /primary-soon/KEY        403 remaining 0 with reset in 1 s once, then 200
  /secondary               403 secondary rate limit message, Retry-After: 3600
  /gitlab-ok               200 with GitLab's RateLimit-* headers (1990 of 2000 left)
  /gitlab-limited          429 "Retry later" (text), RateLimit-Remaining: 0, reset in an hour
  /graphql-limited         200 with a GraphQL RATE_LIMITED error
  /malformed               200 '{"a":'  (bad JSON)
  /truncated               200 '{"check_runs":[{"id":1' (cut JSON, honest length)
  /short-body/KEY          Content-Length larger than the body, then close
  /big                     50 MB body with Content-Length
  /big-chunked             50 MB body, chunked (no length up front)
  /huge-header             200 with one header line of 1 MiB
  /drop/KEY                close the connection without answering
  /slow                    answer after 5 s
  /etag                    ETag "v1"; 304 when If-None-Match matches
  /pages?page=N            Link rel="next" up to page 3
  /write                   POST: 201 {"id": n}
  /write-fail              POST: 500
  /review-422              POST: 422 with errors as strings
  /status-422              POST: 422 with errors as objects
  /unauth                  401 Bad credentials
"""
import json
import socket
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

LOCK = threading.Lock()
LOG = []
COUNT = {}


def bump(key):
    with LOCK:
        COUNT[key] = COUNT.get(key, 0) + 1
        return COUNT[key]


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, status, body, headers=None, github_rate=True):
        """github_rate=False: no X-RateLimit-* (GitLab's routes send their own)."""
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if github_rate:
            self.send_header("x-ratelimit-limit", "5000")
            self.send_header("x-ratelimit-remaining", "4990")
            self.send_header("x-ratelimit-used", "10")
            self.send_header("x-ratelimit-reset", str(int(time.time()) + 3000))
            self.send_header("x-ratelimit-resource", "core")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD" and status != 304:
            self.wfile.write(body)

    def handle_any(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query)
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        with LOCK:
            LOG.append({"method": self.command, "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "t": time.monotonic(), "body": body.decode("utf-8", "replace")})
        p = u.path
        parts = p.strip("/").split("/")
        head = parts[0]
        if p == "/_log":
            with LOCK:
                return self.send(200, LOG)
        if p == "/_reset":
            with LOCK:
                LOG.clear()
                COUNT.clear()
            return self.send(200, {})
        if p == "/ok":
            return self.send(200, {"ok": True})
        if p == "/user":
            return self.send(200, {"login": "octo", "id": 1})
        if head == "flaky":
            if bump(p) <= int(q.get("fail", ["2"])[0]):
                return self.send(500, {"message": "Server Error"})
            return self.send(200, {"ok": True})
        if head == "retry-after":
            if bump(p) == 1:
                return self.send(429, {"message": "Too many requests"}, {"Retry-After": "1"})
            return self.send(200, {"ok": True})
        if p == "/primary":
            return self.send(403, {"message": "API rate limit exceeded for user ID 1."},
                             {"x-ratelimit-remaining": "0",
                              "x-ratelimit-reset": str(int(time.time()) + 3600)})
        if head == "primary-soon":
            if bump(p) == 1:
                return self.send(403, {"message": "API rate limit exceeded for user ID 1."},
                                 {"x-ratelimit-remaining": "0",
                                  "x-ratelimit-reset": str(int(time.time()) + 1)})
            return self.send(200, {"ok": True})
        if p == "/secondary":
            return self.send(403, {"message": "You have exceeded a secondary rate limit. "
                                   "Please wait a few minutes before you try again."},
                             {"Retry-After": "3600"})
        if p == "/gitlab-ok":
            return self.send(200, {"ok": True},
                             {"RateLimit-Limit": "2000", "RateLimit-Observed": "10",
                              "RateLimit-Remaining": "1990",
                              "RateLimit-Reset": str(int(time.time()) + 60),
                              "RateLimit-ResetTime": "Tue, 01 Jan 2030 00:00:00 GMT"},
                             github_rate=False)
        if p == "/gitlab-limited":
            reset = int(time.time()) + 3600
            return self.send(429, "Retry later\n",
                             {"RateLimit-Limit": "2000", "RateLimit-Observed": "2000",
                              "RateLimit-Remaining": "0", "RateLimit-Reset": str(reset),
                              "Retry-After": "3600"}, github_rate=False)
        if p == "/graphql-limited":
            return self.send(200, {"data": None, "errors": [{"type": "RATE_LIMITED",
                             "message": "API rate limit exceeded for user ID 1."}]},
                             {"x-ratelimit-remaining": "0", "x-ratelimit-resource": "graphql"})
        if p == "/malformed":
            return self.send(200, '{"a":')
        if p == "/truncated":
            return self.send(200, '{"check_runs":[{"id":1')
        if head == "short-body":
            bump(p)
            self.send_response(200)
            self.send_header("Content-Length", "1000")
            self.end_headers()
            self.wfile.write(b'{"ok": tr')
            self.wfile.flush()
            self.close_connection = True
            return
        if p == "/huge-header":
            return self.send(200, {"ok": True}, {"X-Padding": "A" * (1 << 20)})
        if p == "/big":
            size = 50 * 1024 * 1024
            self.send_response(200)
            self.send_header("Content-Length", str(size))
            self.end_headers()
            try:
                chunk = b"x" * 65536
                for _ in range(size // 65536):
                    self.wfile.write(chunk)
            except OSError:
                pass
            self.close_connection = True
            return
        if p == "/big-chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            try:
                chunk = b"x" * 65536
                for _ in range(800):
                    self.wfile.write(b"%x\r\n" % len(chunk) + chunk + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            except OSError:
                with LOCK:
                    COUNT["big-chunked-aborted"] = 1
            self.close_connection = True
            return
        if head == "drop":
            bump(p)
            self.close_connection = True
            return
        if p == "/slow":
            time.sleep(5)
            return self.send(200, {"ok": True})
        if p == "/etag":
            if self.headers.get("If-None-Match") == '"v1"':
                return self.send(304, b"", {"ETag": '"v1"'})
            return self.send(200, {"version": 1}, {"ETag": '"v1"'})
        if p == "/pages":
            page = int(q.get("page", ["1"])[0])
            h = {}
            if page < 3:
                base = "http://%s:%d" % self.server.server_address
                h["Link"] = ('<%s/pages?page=%d>; rel="next", <%s/pages?page=3>; rel="last"'
                             % (base, page + 1, base))
            return self.send(200, [{"page": page}], h)
        if p == "/write":
            return self.send(201, {"id": bump(p)})
        if p == "/write-fail":
            bump(p)
            return self.send(500, {"message": "Server Error"})
        if p == "/review-422":
            return self.send(422, {"message": "Unprocessable Entity",
                                   "errors": ["Can not approve your own pull request"],
                                   "documentation_url": "https://docs.github.com/rest"})
        if p == "/status-422":
            return self.send(422, {"message": "Validation Failed", "errors": [
                {"resource": "Status", "code": "custom", "field": "description",
                 "message": "description is too long (maximum is 140 characters)"}],
                "documentation_url": "https://docs.github.com/rest"})
        if p == "/unauth":
            return self.send(401, {"message": "Bad credentials"})
        return self.send(404, {"message": "Not Found"})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = handle_any


def main():
    srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
    srv.daemon_threads = True
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(0)
    held = []
    for _ in range(3):	# fill the accept queue; later SYNs are dropped
        c = socket.socket()
        c.setblocking(False)
        try:
            c.connect(hole.getsockname())
        except BlockingIOError:
            pass
        held.append(c)
    sys.stdout.write("%d %d\n" % (srv.server_address[1], hole.getsockname()[1]))
    sys.stdout.flush()
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    sys.exit(main())
