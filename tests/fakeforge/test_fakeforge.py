#!/usr/bin/env python3
"""Tests of the test forge itself, printing TAP.  Runs real forge processes on loopback over the
demo scenario and the script-built repositories; the clients are urllib, raw sockets and git.
"""

import base64
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
SCENARIO = os.path.join(ROOT, "tests", "fixtures", "demo", "scenario.json")
TOKEN = "ghp_demoReviewer0000000000000000000000001"
CLAUDE = "ghs_demoClaudeBot00000000000000000000000003"

_n = 0
_failed = 0


def ok(cond, name, diag=""):
    global _n, _failed
    _n += 1
    print("%sok %d - %s" % ("" if cond else "not ", _n, name))
    if not cond:
        _failed += 1
        for line in str(diag).splitlines()[:40]:
            print("# " + line)
    sys.stdout.flush()
    return cond


def is_(got, want, name):
    return ok(got == want, name, "got:  %r\nwant: %r" % (got, want))


class Forge:
    def __init__(self, tmp, gitroot, *extra, name="forge"):
        self.state = os.path.join(tmp, name)
        self.log = os.path.join(tmp, name + ".jsonl")
        self.gitroot = gitroot
        self.extra = list(extra)
        self.proc = None
        self.start()

    def start(self, port=0):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "fakeforge.py"), "--scenario", SCENARIO,
             "--state-dir", self.state, "--git-root", self.gitroot, "--log", self.log,
             "--port", str(port)] + self.extra, stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        assert line.startswith("listening "), line
        self.url = line.split()[1]
        self.port = int(self.url.rsplit(":", 1)[1])

    def stop(self, sig=signal.SIGTERM):
        if self.proc:
            self.proc.send_signal(sig)
            self.proc.wait(10)
            self.proc = None

    def req(self, method, path, body=None, token=TOKEN, headers=None, timeout=30):
        data = json.dumps(body).encode() if body is not None else None
        r = urllib.request.Request(self.url + path, data=data, method=method)
        if token:
            r.add_header("Authorization", "Bearer " + token)
        for k, v in (headers or {}).items():
            r.add_header(k, v)
        try:
            with urllib.request.urlopen(r, timeout=timeout) as f:
                raw = f.read()
                return f.status, f.headers, raw
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def json(self, method, path, body=None, **kw):
        st, h, raw = self.req(method, path, body, **kw)
        return st, h, (json.loads(raw) if raw else None)

    def admin(self, path, body=None, method="POST"):
        return self.json(method, "/_admin/" + path, body, token=None)[2]

    def gql(self, query, variables=None, token=TOKEN, path="/graphql"):
        return self.json("POST", path, {"query": query, "variables": variables or {}},
                         token=token)

    def raw(self, request_bytes, timeout=10):
        """Send raw bytes; return everything read until the server closes (or timeout)."""
        s = socket.create_connection(("127.0.0.1", self.port), timeout=timeout)
        s.sendall(request_bytes)
        out = b""
        deadline = time.time() + timeout
        try:
            while True:
                if time.time() > deadline:
                    raise socket.timeout()
                c = s.recv(65536)
                if not c:
                    break
                out += c
        except socket.timeout:
            out += b"<timeout>"
        s.close()
        return out


def links(h):
    out = {}
    for part in (h.get("Link") or "").split(","):
        if ";" in part:
            url, rel = part.split(";", 1)
            out[rel.strip().split("=")[1].strip('"')] = url.strip()[1:-1]
    return out


def get_request(path, token=TOKEN):
    return ("GET %s HTTP/1.1\r\nHost: x\r\nUser-Agent: t\r\nAuthorization: Bearer %s\r\n"
            "Connection: close\r\n\r\n" % (path, token)).encode()


# ---------------------------------------------------------------------------------------------

def t_auth(f):
    st, h, b = f.json("GET", "/user", token=None)
    is_((st, b["message"]), (401, "Requires authentication"), "no token -> 401")
    st, h, b = f.json("GET", "/user", token="ghp_wrong")
    is_((st, b["message"], sorted(b)), (401, "Bad credentials",
                                        ["documentation_url", "message", "status"]),
        "wrong token -> 401 Bad credentials in basic-error shape")
    st, h, b = f.json("GET", "/user", headers={})
    is_((st, b["login"]), (200, "reviewer"), "Bearer token -> /user is the reviewer")
    r = urllib.request.Request(f.url + "/api/v3/user")
    r.add_header("Authorization", "token " + TOKEN)
    with urllib.request.urlopen(r) as resp:
        is_(json.load(resp)["login"], "reviewer", "GHES prefix /api/v3 and 'token' scheme work")
    st, h, b = f.json("GET", "/user", headers={"X-GitHub-Api-Version": "2021-01-01"})
    is_(st, 400, "unsupported X-GitHub-Api-Version -> 400")
    out = f.raw(b"GET /user HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN.encode()
                + b"\r\nConnection: close\r\n\r\n")
    ok(out.startswith(b"HTTP/1.1 403") and b"User-Agent" in out, "no User-Agent -> 403",
       out[:200])
    st, h, b = f.json("GET", "/repos/acme/nope")
    is_((st, b["message"]), (404, "Not Found"), "unknown repository -> 404 Not Found")


def t_pagination(f):
    st, h, b = f.json("GET", "/repos/acme/payments-api/pulls?per_page=2")
    lk = links(h)
    ok(st == 200 and len(b) == 2 and "next" in lk and "last" in lk and "prev" not in lk,
       "first page: 2 items, Link next+last, no prev", h.get("Link"))
    ok(lk.get("next", "").startswith(f.url + "/repos/acme/payments-api/pulls?")
       and "page=2" in lk.get("next", ""), "Link URLs use /repos/ paths on the forge URL",
       lk)
    seen = [p["number"] for p in b]
    url = lk.get("next")
    pages = 1
    while url:
        st, h, b = f.json("GET", url[len(f.url):])
        seen += [p["number"] for p in b]
        url = links(h).get("next")
        pages += 1
    is_((pages, sorted(seen)), (3, [101, 102, 103, 104, 105]),
        "following next visits every open PR once")
    ok("prev" in links(h) and "first" in links(h), "last page has prev+first", h.get("Link"))
    total, url, n = 0, "/repos/acme/web-console/pulls/201/files?per_page=500", 0
    while url:
        st, h, b = f.json("GET", url)
        if n == 0:
            is_(len(b), 100, "per_page above 100 is clamped to 100")
        total += len(b)
        n += 1
        nxt = links(h).get("next")
        url = nxt[len(f.url):] if nxt else None
    is_((total, n), (2000, 20), "the 2,000-file bump lists 2,000 files over 20 pages")
    st, h, b = f.json("GET", "/repos/acme/web-console/pulls/201/files?per_page=1")
    lock = b[0]
    ok(lock["filename"] == "package-lock.json" and "patch" not in lock and lock["additions"] > 0,
       "a lockfile over the patch size limit has no patch but keeps its counts", lock)
    st, h, b = f.json("GET", "/repos/acme/web-console/pulls/202/files")
    png = [x for x in b if x["filename"].endswith(".png")][0]
    ok("patch" not in png and png["status"] == "added", "a binary file has no patch", png)
    st, h, b = f.json("GET", "/repos/acme/payments-api/pulls?per_page=x")
    is_(st, 422, "non-integer per_page -> 422")


def t_etag(f):
    st, h, b = f.req("GET", "/repos/acme/payments-api/pulls/101")
    etag = h["ETag"]
    before = int(h["x-ratelimit-remaining"])
    st2, h2, b2 = f.req("GET", "/repos/acme/payments-api/pulls/101",
                        headers={"If-None-Match": etag})
    ok(st2 == 304 and b2 == b"", "If-None-Match with the ETag -> 304, empty body", st2)
    is_(int(h2["x-ratelimit-remaining"]), before, "a 304 does not spend the rate budget")
    st3, h3, _ = f.req("GET", "/repos/acme/payments-api/pulls/101")
    is_(int(h3["x-ratelimit-remaining"]), before - 1, "a 200 spends one request")
    ok(h3["ETag"] == etag and etag.startswith('"') and not etag.startswith('W/'),
       "ETag is strong and stable for the same body", etag)
    is_((h3["x-ratelimit-limit"], h3["x-ratelimit-resource"]), ("5000", "core"),
        "core budget headers")
    f.json("POST", "/repos/acme/payments-api/issues/101/comments", {"body": "ping"})
    f.json("POST", "/repos/acme/payments-api/issues/101/labels", {"labels": ["x-new"]})
    st4, h4, _ = f.req("GET", "/repos/acme/payments-api/pulls/101",
                       headers={"If-None-Match": etag})
    ok(st4 == 200 and h4["ETag"] != etag, "after a write the old ETag no longer matches", st4)
    st, h, b = f.json("GET", "/search/issues?q=is:pr+label:needs-checkpoint")
    is_((h["x-ratelimit-limit"], h["x-ratelimit-resource"]), ("30", "search"),
        "search has its own 30/min budget")


def t_errors_422(f):
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/101/reviews",
                      {"event": "APPROVE", "body": "self"}, token=CLAUDE)
    is_((st, b.get("errors")), (422, ["Can not approve your own pull request"]),
        "self-approval -> 422 with string errors")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/101/requested_reviewers",
                      {"reviewers": ["claude[bot]"]})
    is_((st, b.get("errors")), (422, ["Review cannot be requested from pull request author."]),
        "requesting the author -> 422 with string errors")
    st, h, b = f.json("POST", "/repos/acme/payments-api/statuses/" + "0" * 40,
                      {"state": "success", "description": "d" * 141})
    is_((st, b["errors"][0]["field"], b["errors"][0]["code"]), (422, "description", "custom"),
        "141-char status description -> 422 with object errors")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/101/reviews",
                      {"event": "REQUEST_CHANGES"})
    is_(st, 422, "REQUEST_CHANGES without body -> 422")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/101/reviews",
                      {"event": "APPROVED"})
    is_(st, 422, "event APPROVED (Gitea spelling) -> 422")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/101/reviews",
                      {"event": "APPROVE", "commit_id": "f" * 40})
    is_((st, b.get("errors")), (422, ["No commit found for SHA: " + "f" * 40]),
        "review pinned to a commit outside the PR -> 422")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/101/reviews",
                      {"event": "COMMENT", "body": "x" * 65537})
    is_((st, b.get("errors")), (422, ["Body is too long (maximum is 65536 characters)"]),
        "review body over 65,536 characters -> 422")
    st, h, b = f.json("POST", "/repos/acme/payments-api/issues/101/comments",
                      {"body": "x" * 65537})
    is_((st, b["errors"][0]["field"]), (422, "body"), "comment body too long -> 422")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/102/reviews",
                      {"event": "COMMENT", "body": "x", "comments": [
                          {"path": "payments/auth/tokens.py", "line": 2, "body": "not in diff"}]})
    is_(st, 422, "inline comment on a line outside the diff -> 422")


def t_reviews_and_writes(f):
    _, _, pr = f.json("GET", "/repos/acme/payments-api/pulls/102")
    head = pr["head"]["sha"]
    st, h, rv = f.json("POST", "/repos/acme/payments-api/pulls/102/reviews", {
        "commit_id": head, "event": "REQUEST_CHANGES", "body": "Use hmac.compare_digest.",
        "comments": [{"path": "payments/auth/tokens.py", "line": 27, "side": "RIGHT",
                      "body": "timing"}]})
    ok(st == 200 and rv["state"] == "CHANGES_REQUESTED" and rv["commit_id"] == head
       and rv["user"]["login"] == "reviewer" and "submitted_at" in rv and "_links" in rv,
       "REQUEST_CHANGES review pinned to the head, full review shape", rv)
    st, h, b = f.json("GET", "/repos/acme/payments-api/pulls/102")
    ok("reviewer" not in [u["login"] for u in b["requested_reviewers"]],
       "the reviewer drops out of requested_reviewers after reviewing")
    st, h, p = f.json("POST", "/repos/acme/payments-api/pulls/104/reviews", {"body": "draft"})
    ok(st == 200 and p["state"] == "PENDING" and "submitted_at" not in p,
       "review without event is PENDING without submitted_at", p)
    st, h, _ = f.json("POST", "/repos/acme/payments-api/pulls/104/reviews", {"body": "again"})
    is_(st, 422, "a second pending review -> 422")
    st, h, s = f.json("POST", "/repos/acme/payments-api/statuses/" + head,
                      {"state": "failure", "context": "gatehouse/checkpoint",
                       "description": "rejected"})
    ok(st == 201 and h["Location"] == s["url"], "status created: 201 + Location", s)
    st, h, c = f.json("GET", "/repos/acme/payments-api/commits/%s/status" % head)
    is_((c["state"], c["total_count"]), ("failure", 1), "combined status reflects the write")
    st, h, labs = f.json("POST", "/repos/acme/payments-api/issues/102/labels",
                         {"labels": ["checkpoint:escalated"]})
    ok("checkpoint:escalated" in [x["name"] for x in labs], "label added")
    st, h, b = f.json("POST", "/repos/acme/payments-api/pulls/102/requested_reviewers",
                      {"reviewers": ["maria-sec"], "team_reviewers": ["security"]})
    ok(st == 201 and "maria-sec" in [u["login"] for u in b["requested_reviewers"]],
       "reviewer requested: 201 with the PR")
    st, h, cm = f.json("POST", "/repos/acme/payments-api/issues/102/comments", {"body": "hi"})
    is_((st, cm["body"]), (201, "hi"), "comment created")
    return head


def t_checks(f):
    _, _, pr = f.json("GET", "/repos/acme/payments-api/pulls/102")
    head = pr["head"]["sha"]
    st, h, b = f.json("GET", "/repos/acme/payments-api/commits/%s/check-runs" % head)
    byname = {r["name"]: r for r in b["check_runs"]}
    is_((b["total_count"], byname["test"]["conclusion"]), (4, "failure"),
        "check runs for the head: 4, test failed")
    st, h, anns = f.json("GET", "/repos/acme/payments-api/check-runs/%d/annotations"
                         % byname["test"]["id"])
    is_([(a["path"], a["start_line"], a["annotation_level"]) for a in anns],
        [("tests/test_tokens.py", 12, "failure"), ("payments/auth/tokens.py", 27, "warning")],
        "annotations point at lines of the diff")
    st, h, b = f.json("GET", "/repos/acme/payments-api/commits/devin/oauth-refresh-rotation"
                      "/check-runs")
    is_(b["total_count"], 4, "check runs by branch name")
    _, _, pr104 = f.json("GET", "/repos/acme/payments-api/pulls/104")
    st, h, b = f.json("GET", "/repos/acme/payments-api/commits/%s/status" % pr104["head"]["sha"])
    is_((b["state"], b["total_count"]), ("pending", 0), "no statuses -> combined pending")
    st, h, b = f.json("GET", "/repos/acme/payments-api/commits/nosuchref/status")
    is_(st, 422, "unknown ref -> 422")
    st, h, b = f.json("GET", "/repos/acme/payments-api/branches/main")
    ok(b["protected"] and b["protection"]["required_status_checks"]["contexts"] ==
       ["build", "test", "integration"], "branch protection lists required checks", b)


def t_search(f):
    def q(s):
        st, h, b = f.json("GET", "/search/issues?q=" + urllib.request.quote(s))
        return sorted((i["repository_url"].rsplit("/", 1)[1], i["number"]) for i in b["items"])
    base = "is:pr is:open archived:false label:needs-checkpoint"
    is_(len(q(base + " review-requested:@me")), 19, "queue search: 19 PRs need a checkpoint")
    is_(q('is:pr label:"needs-checkpoint" -label:security repo:acme/payments-api'),
        [("payments-api", 101), ("payments-api", 103), ("payments-api", 104),
         ("payments-api", 105)], "quoted label, -label and repo: qualifiers")
    is_(q("is:pr author:app/devin-ai-integration"),
        [("hostile", 402), ("hostile", 406), ("infra", 301), ("payments-api", 102),
         ("web-console", 201)], "author:app/NAME matches the bot")
    is_(q("is:pr team-review-requested:acme/security"),
        [("infra", 301), ("infra", 302), ("payments-api", 102)], "team review requests")
    is_(q("is:pr is:open draft:true"), [("infra", 304)], "draft qualifier")
    is_(q("is:issue label:needs-checkpoint"), [], "is:issue finds no PRs")
    st, h, b = f.json("GET", "/search/issues?q=is:pr&per_page=100&page=11")
    is_(st, 422, "beyond the first 1000 results -> 422")
    f.admin("faults", [{"method": "GET", "path_regex": "^/search/issues", "kind":
                        "incomplete_results"}])
    st, h, b = f.json("GET", "/search/issues?q=is:pr+label:needs-checkpoint")
    ok(b["incomplete_results"] and b["total_count"] == 19 and len(b["items"]) == 18,
       "incomplete_results fault: flag set, an item missing", b["incomplete_results"])


QUEUE = open(os.path.join(HERE, "queries", "review-queue-search.graphql")).read()


def t_graphql(f):
    st, h, b = f.gql(QUEUE, {"q": "is:pr is:open label:needs-checkpoint review-requested:@me"})
    ok(st == 200 and "errors" not in b, "queue query executes", json.dumps(b)[:800])
    nodes = {(n["repository"]["nameWithOwner"], n["number"]): n
             for n in b["data"]["search"]["nodes"]}
    is_(b["data"]["search"]["issueCount"], 19, "issueCount")
    n102 = nodes[("acme/payments-api", 102)]
    _, _, pr = f.json("GET", "/repos/acme/payments-api/pulls/102")
    is_(n102["headRefOid"], pr["head"]["sha"], "headRefOid equals the REST head sha")
    is_(n102["author"], {"__typename": "Bot", "login": "devin-ai-integration"},
        "bot author: GraphQL login has no [bot] suffix")
    roll = n102["commits"]["nodes"][0]["commit"]["statusCheckRollup"]
    test = [c for c in roll["contexts"]["nodes"] if c.get("name") == "test"][0]
    is_((roll["state"], test["conclusion"], test["isRequired"], test["checkSuite"]),
        ("FAILURE", "FAILURE", True, {"app": {"slug": "github-actions"}}),
        "statusCheckRollup: enum spellings, isRequired from branch protection")
    rr = [x["requestedReviewer"] for x in n102["reviewRequests"]["nodes"]]
    ok({"__typename": "Team", "slug": "security", "organization": {"login": "acme"}} in rr,
       "team review request through inline fragment", rr)
    n202 = nodes[("acme/web-console", 202)]
    is_(n202["timelineItems"]["nodes"], [{"createdAt": "2025-11-20T09:19:00Z"}],
        "ReadyForReviewEvent through timelineItems(itemTypes:)")
    n303 = nodes[("acme/infra", 303)]
    sc = [c for c in n303["commits"]["nodes"][0]["commit"]["statusCheckRollup"]["contexts"]
          ["nodes"] if c["__typename"] == "StatusContext"]
    is_([(c["context"], c["state"]) for c in sc], [("terraform/plan", "FAILURE")],
        "latest status per context wins")
    n105 = nodes[("acme/payments-api", 105)]
    rv = n105["latestReviews"]["nodes"][0]
    ok(rv["state"] == "CHANGES_REQUESTED" and rv["commit"]["oid"] != n105["headRefOid"],
       "an older review is pinned to an older commit", rv)
    is_(n105["reviewDecision"], "CHANGES_REQUESTED", "reviewDecision")
    st, h, b = f.gql('query { a: viewer { login } b: viewer { __typename } }', path="/api/graphql")
    is_(b, {"data": {"a": {"login": "reviewer"}, "b": {"__typename": "User"}}},
        "aliases and __typename at /api/graphql")
    st, h, b = f.gql('query { repository(owner: "acme", name: "infra") { pullRequest(number: '
                     '301) { headSha } } }')
    ok(st == 200 and "data" not in b and b["errors"][0]["message"] ==
       "Field 'headSha' doesn't exist on type 'PullRequest'" and b["errors"][0]["extensions"]
       ["code"] == "undefinedField", "unknown field -> GitHub's error", b)
    st, h, b = f.gql('query($o: String!) { repository(owner: $o, name: "infra") { name } }')
    ok("Variable $o of type String! was provided invalid value" in json.dumps(b),
       "missing required variable -> error", b)
    st, h, b = f.gql('query($n: Int!) { repository(owner: "acme", name: "infra") { '
                     'pullRequest(number: $n) { title } } }', {"n": "x"})
    ok("provided invalid value" in json.dumps(b), "mistyped variable -> error", b)
    st, h, b = f.gql('{ repository(owner: "acme", name: "infra") { pullRequest(number: 9) '
                     '{ title } } }')
    ok(b["data"]["repository"]["pullRequest"] is None and b["errors"][0]["type"] == "NOT_FOUND",
       "unknown PR -> null + NOT_FOUND error", b)
    st, h, b = f.gql('{ repository(owner: "acme", name: "infra") { pullRequests(states: OPEN) '
                     '{ totalCount } } }')
    ok("You must provide a `first` or `last` value" in json.dumps(b),
       "connection without first/last -> error", b)
    st, h, b = f.gql('{ repository(owner: "acme", name: "infra") { pullRequests(first: 101) '
                     '{ totalCount } } }')
    ok("exceeds the `first` limit of 100 records" in json.dumps(b), "first: 101 -> error", b)
    st, h, b = f.gql('{ search(query: "is:pr", type: ISSUE, first: 100) { nodes { ... on '
                     'PullRequest { files(first: 100) { nodes { path } } commits(first: 100) { '
                     'nodes { commit { statusCheckRollup { contexts(first: 100) { totalCount '
                     '} } } } } } } } }')
    ok(b.get("errors") and b["errors"][0].get("type") == "MAX_NODE_LIMIT_EXCEEDED",
       "more than 500,000 possible nodes -> error", b)
    st, h, b = f.gql('query P($after: String) { repository(owner: "acme", name: "payments-api")'
                     ' { pullRequests(first: 2, after: $after, states: [OPEN], orderBy: {field:'
                     ' CREATED_AT, direction: ASC}) { pageInfo { hasNextPage endCursor } '
                     'nodes { number } } } }')
    conn = b["data"]["repository"]["pullRequests"]
    st, h, b2 = f.gql('query P($after: String) { repository(owner: "acme", name: "payments-api")'
                      ' { pullRequests(first: 2, after: $after, states: [OPEN], orderBy: {field:'
                      ' CREATED_AT, direction: ASC}) { pageInfo { hasNextPage endCursor } '
                      'nodes { number } } } }', {"after": conn["pageInfo"]["endCursor"]})
    is_([n["number"] for n in conn["nodes"]] + [n["number"] for n in b2["data"]["repository"]
                                                ["pullRequests"]["nodes"]],
        [101, 102, 103, 104], "cursor pagination over pullRequests")
    st, h, b = f.gql('{ rateLimit { cost remaining limit } }')
    rl = b["data"]["rateLimit"]
    is_((rl["cost"], rl["limit"], h["x-ratelimit-resource"]), (1, 5000, "graphql"),
        "rateLimit field and graphql budget headers")
    f.admin("ratelimit", {"resource": "graphql", "remaining": 0, "token": TOKEN})
    st, h, b = f.gql('{ viewer { login } }')
    ok(st == 200 and b["errors"][0]["type"] == "RATE_LIMITED" and "data" not in b and
       h["x-ratelimit-remaining"] == "0", "exhausted GraphQL budget -> HTTP 200 RATE_LIMITED", b)
    f.admin("ratelimit", {"resource": "core", "remaining": 0, "token": TOKEN})
    st, h, b = f.json("GET", "/user")
    ok(st == 403 and h["x-ratelimit-remaining"] == "0" and "rate limit" in b["message"],
       "exhausted core budget -> 403 with remaining 0", (st, b))
    f.admin("ratelimit", {"resource": "core", "remaining": 5000, "token": TOKEN})
    f.admin("ratelimit", {"resource": "graphql", "remaining": 5000, "token": TOKEN})


def t_client_documents(f):
    """Whatever query documents the client keeps in src/forge/ are answered without errors."""
    import glob
    import re
    docs = sorted(glob.glob(os.path.join(ROOT, "src", "forge", "*.graphql")))
    if not docs:
        ok(True, "# SKIP no src/forge/*.graphql yet")
        return
    values = {"q": "is:pr is:open archived:false label:needs-checkpoint review-requested:@me",
              "first": 50, "owner": "acme", "name": "payments-api", "number": 102}
    for path in docs:
        doc = open(path, encoding="utf-8").read()
        for op in re.findall(r"^\s*query\s+(\w+)", doc, re.M):
            st, h, b = f.json("POST", "/api/graphql", {"query": doc, "operationName": op,
                                                       "variables": values})
            ok(st == 200 and "errors" not in b and b.get("data"),
               "client document %s, operation %s, is answered" % (os.path.basename(path), op),
               json.dumps(b)[:800])


def t_faults(f):
    def fault(**kw):
        kw.setdefault("method", "GET")
        kw.setdefault("path_regex", "^/user$")
        f.admin("faults", [kw])

    fault(kind="delay", ms=400)
    t = time.time()
    st, _, _ = f.req("GET", "/user")
    ok(st == 200 and time.time() - t >= 0.4, "delay: answered after the delay")
    fault(kind="status", status=503, count=2)
    a = f.req("GET", "/user")[0]
    b = f.req("GET", "/user")[0]
    c = f.req("GET", "/user")[0]
    is_((a, b, c), (503, 503, 200), "status fault fires count=2 times, then clears")
    fault(kind="ratelimit_429", retry_after=7)
    st, h, b = f.json("GET", "/user")
    is_((st, h["Retry-After"]), (429, "7"), "429 with Retry-After")
    fault(kind="ratelimit_403", reset_in=120)
    st, h, b = f.json("GET", "/user")
    ok(st == 403 and h["x-ratelimit-remaining"] == "0" and
       int(h["x-ratelimit-reset"]) >= int(time.time()) + 100, "403 with remaining 0 and reset",
       dict(h))
    fault(kind="malformed")
    st, h, raw = f.req("GET", "/user")
    try:
        json.loads(raw)
        bad = False
    except ValueError:
        bad = True
    ok(st == 200 and bad, "malformed: 200 with invalid JSON", raw[:80])
    fault(kind="truncated")
    try:
        f.req("GET", "/user")
        ok(False, "truncated: client sees a short body")
    except (http.client.IncompleteRead, ConnectionError) as e:
        ok(True, "truncated: client sees a short body (%s)" % type(e).__name__)
    fault(kind="huge", bytes=5 * 1024 * 1024)
    conn = http.client.HTTPConnection("127.0.0.1", f.port, timeout=30)
    conn.request("GET", "/user", headers={"Authorization": "Bearer " + TOKEN})
    r = conn.getresponse()
    got = 0
    while True:
        c = r.read(1 << 20)
        if not c:
            break
        got += len(c)
    conn.close()
    is_((r.getheader("Content-Length"), got), (str(5 * 1024 * 1024), 5 * 1024 * 1024),
        "huge: streams the announced N bytes")
    fault(kind="slowloris", interval_ms=300, max_seconds=3)
    out = f.raw(get_request("/user"), timeout=1.5)
    ok(out.endswith(b"<timeout>") and b"\r\n\r\n" in out and len(out.split(b"\r\n\r\n", 1)[1])
       < 40, "slowloris: headers then a byte drip a client must time out on", out[-60:])
    fault(kind="huge_header", bytes=1024 * 1024)
    out = f.raw(get_request("/user"), timeout=10)
    head = out.split(b"\r\n\r\n", 1)[0]
    ok(out.startswith(b"HTTP/1.") and b"\r\nX-Fakeforge-Padding: " + b"A" * (1 << 20) in head,
       "huge_header: the answer carries one header line of 1 MiB", out[:80])
    fault(kind="deep_json", depth=100000)
    st, h, raw = f.req("GET", "/user")
    ok(st == 200 and raw == b"[" * 100000 + b"]" * 100000,
       "deep_json: 200 with an array nested 100,000 deep", raw[:20])
    fault(kind="duplicate_keys", key="login", value="maria-sec")
    st, h, raw = f.req("GET", "/user")
    dup = json.loads(raw, object_pairs_hook=lambda kv: [k for k, _ in kv if k == "login"] and
                     [v for k, v in kv if k == "login"])
    is_((st, dup), (200, ["reviewer", "maria-sec"]),
        "duplicate_keys: the member comes twice, the real value first")
    fault(kind="drop_before")
    out = f.raw(get_request("/user"))
    is_(out, b"", "drop_before: connection closed without a response")
    _, _, pr = f.json("GET", "/repos/acme/payments-api/pulls/101")
    head = pr["head"]["sha"]
    for kind, want in (("drop_before", 0), ("drop_after", 1)):
        f.admin("faults", [{"method": "POST", "path_regex": "/statuses/", "kind": kind}])
        body = json.dumps({"state": "success", "context": "fault/" + kind}).encode()
        out = f.raw(("POST /repos/acme/payments-api/statuses/%s HTTP/1.1\r\nHost: x\r\n"
                     "User-Agent: t\r\n"
                     "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\n\r\n" % (head, TOKEN, len(body))).encode() + body)
        _, _, sts = f.json("GET", "/repos/acme/payments-api/commits/%s/statuses" % head)
        n = len([s for s in sts if s["context"] == "fault/" + kind])
        is_((out, n), (b"", want), "%s on a write: no response, committed=%d" % (kind, want))
    fault(kind="status", status=500, count=-1)
    codes = [f.req("GET", "/user")[0] for _ in range(3)]
    f.admin("faults", method="DELETE")
    is_((codes, f.req("GET", "/user")[0]), ([500, 500, 500], 200),
        "count -1 fires until the faults are cleared")
    log = [json.loads(x) for x in open(f.log)]
    faulted = [x for x in log if x["fault"]]
    ok(faulted and all(x["headers"].get("Authorization") == "REDACTED" for x in log
                       if "Authorization" in x["headers"]) and TOKEN not in open(f.log).read(),
       "request log records faults and never the token")
    st, h, raw = f.req("GET", "/_admin/state", token=None)
    ok(st == 200 and b'"reviews"' in raw and TOKEN.encode() not in raw,
       "admin state dump shows state but not the tokens")


def t_git(f, tmp):
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0", GIT_ASKPASS="/bin/false",
               GIT_CONFIG_NOSYSTEM="1", HOME=tmp)
    repo = os.path.join(tmp, "clone")
    subprocess.run(["git", "init", "-q", repo], check=True, env=env)
    url = f.url + "/acme/payments-api.git"
    p = subprocess.run(["git", "-C", repo, "fetch", "-q", url, "refs/pull/102/head"],
                       capture_output=True, env=env)
    last = [json.loads(x) for x in open(f.log)][-1]
    ok(p.returncode != 0 and (last["route"], last["status"]) == ("git", 401),
       "git fetch without a token is refused with 401", (p.stderr, last))
    auth = base64.b64encode(("x-access-token:" + TOKEN).encode()).decode()
    env2 = dict(env, GIT_CONFIG_COUNT="1", GIT_CONFIG_KEY_0="http.extraHeader",
                GIT_CONFIG_VALUE_0="Authorization: Basic " + auth)
    p = subprocess.run(["git", "-C", repo, "fetch", "-q", url,
                        "refs/pull/102/head:refs/remotes/pr/102", "main:refs/remotes/o/main"],
                       capture_output=True, env=env2)
    _, _, pr = f.json("GET", "/repos/acme/payments-api/pulls/102")
    got = subprocess.run(["git", "-C", repo, "rev-parse", "refs/remotes/pr/102"],
                         capture_output=True, text=True).stdout.strip()
    ok(p.returncode == 0 and got == pr["head"]["sha"],
       "git fetch of refs/pull/102/head over smart HTTP with the token", p.stderr)
    f.admin("faults", [{"method": "GET", "path_regex": r"\.git/info/refs$", "kind": "status",
                        "status": 503, "body": "maintenance"}])
    p = subprocess.run(["git", "-C", repo, "ls-remote", url], capture_output=True, env=env2)
    ok(p.returncode != 0 and b"503" in p.stderr, "a status fault on the git route", p.stderr)
    p = subprocess.run(["git", "-C", repo, "ls-remote", url], capture_output=True, env=env2)
    ok(b"refs/pull/201/head" not in p.stdout and b"refs/pull/105/head" in p.stdout,
       "ls-remote advertises the repository's PR refs", p.stdout[-300:])
    p = subprocess.run(["git", "-C", repo, "push", url, "refs/remotes/pr/102:refs/heads/x"],
                       capture_output=True, env=env2)
    ok(p.returncode != 0, "push is refused", p.stderr)
    clone = os.path.join(tmp, "full")
    t = time.time()
    p = subprocess.run(["git", "clone", "-q", "--bare", f.url + "/acme/web-console.git", clone],
                       capture_output=True, env=env2)
    ok(p.returncode == 0, "clone of the 2,000-file repository (%.1fs)" % (time.time() - t),
       p.stderr)


def t_restart_and_admin(tmp, gitroot):
    git2 = os.path.join(tmp, "git-copy")
    shutil.copytree(gitroot, git2)
    f = Forge(tmp, git2, name="restart")
    try:
        _, _, pr = f.json("GET", "/repos/acme/infra/pulls/302")
        head = pr["head"]["sha"]
        st, h, rv = f.json("POST", "/repos/acme/infra/pulls/302/reviews",
                           {"event": "APPROVE", "commit_id": head})
        f.json("POST", "/repos/acme/infra/statuses/" + head,
               {"state": "success", "context": "gatehouse/checkpoint"})
        f.admin("faults", [{"method": "GET", "path_regex": "^/never", "kind": "status"}])
        port = f.port
        f.stop(signal.SIGKILL)
        f.start(port)
        st, h, rvs = f.json("GET", "/repos/acme/infra/pulls/302/reviews")
        ok(rv["id"] in [r["id"] for r in rvs], "a review survives kill -9 and restart")
        st, h, c = f.json("GET", "/repos/acme/infra/commits/%s/status" % head)
        is_(c["state"], "success", "a status survives restart")
        is_(len(f.admin("faults", method="GET")), 1, "pending faults survive restart")
        res = f.admin("pr", {"repo": "acme/infra", "number": 302,
                             "push": {"message": "Address review", "files": {
                                 "CODEOWNERS": "* @acme/platform\n"}},
                             "checks": [{"name": "ci", "status": "in_progress"}]})
        new = res["head_sha"]
        ok(new != head and res["previous_head"] == head, "admin push moves the head", res)
        out = subprocess.run(["git", "--git-dir", os.path.join(git2, "acme", "infra.git"),
                              "rev-parse", "refs/pull/302/head", "claude/codeowners-billing"],
                             capture_output=True, text=True).stdout.split()
        is_(out, [new, new], "refs/pull/N/head and the branch moved in the bare repository")
        st, h, b = f.gql('{ repository(owner: "acme", name: "infra") { pullRequest(number: 302)'
                         ' { headRefOid commits(last: 1) { nodes { commit { statusCheckRollup '
                         '{ state } } } } } } }')
        p = b["data"]["repository"]["pullRequest"]
        is_((p["headRefOid"], p["commits"]["nodes"][0]["commit"]["statusCheckRollup"]["state"]),
            (new, "PENDING"), "GraphQL sees the new head and its pending check")
        st, h, b = f.json("GET", "/repos/acme/infra/pulls/302/files")
        is_([x["filename"] for x in b], ["CODEOWNERS"], "files API follows the new head")
        st, h, b = f.json("POST", "/repos/acme/infra/pulls/302/reviews",
                          {"event": "APPROVE", "commit_id": head})
        is_(st, 200, "a review pinned to the previous head is still accepted (outdated)")
        f.admin("reset")
        _, _, pr = f.json("GET", "/repos/acme/infra/pulls/302")
        st, h, rvs = f.json("GET", "/repos/acme/infra/pulls/302/reviews")
        is_((pr["head"]["sha"], len(rvs)), (head, 0), "admin reset restores head and state")
    finally:
        f.stop()
    f = Forge(tmp, gitroot, "--max-files", "1500", "--min-write-interval-ms", "1000",
              name="capped")
    try:
        total, url = 0, "/repos/acme/web-console/pulls/201/files?per_page=100"
        while url:
            st, h, b = f.json("GET", url)
            total += len(b)
            nxt = links(h).get("next")
            url = nxt[len(f.url):] if nxt else None
        _, _, pr = f.json("GET", "/repos/acme/web-console/pulls/201")
        is_((total, pr["changed_files"]), (1500, 2000),
            "files API capped at --max-files while changed_files stays 2,000")
        a = f.json("POST", "/repos/acme/infra/issues/303/comments", {"body": "one"})
        b = f.json("POST", "/repos/acme/infra/issues/303/comments", {"body": "two"})
        time.sleep(1.05)
        c = f.json("POST", "/repos/acme/infra/issues/303/comments", {"body": "three"})
        is_((a[0], b[0], b[1].get("Retry-After"), c[0]), (201, 403, "1", 201),
            "--min-write-interval-ms: a second write within the interval -> 403 Retry-After")
        st, h, raw = f.req("GET", "/repos/acme/web-console/pulls/201",
                           headers={"Accept": "application/vnd.github.diff"})
        ok(st == 406 and b"maximum number of files (300)" in raw, "whole diff of 2,000 files "
           "-> 406 too_large", raw[:200])
        st, h, raw = f.req("GET", "/repos/acme/payments-api/pulls/101",
                           headers={"Accept": "application/vnd.github.diff"})
        ok(st == 200 and raw.startswith(b"diff --git a/payments/refunds.py"),
           "whole diff of a small PR", raw[:100])
    finally:
        f.stop()


def t_demo_launcher(tmp):
    state = os.path.join(tmp, "demo")
    script = os.path.join(ROOT, "tests", "fixtures", "demo", "run-demo-forge.sh")
    p = subprocess.run([script, state], capture_output=True, text=True, timeout=120)
    url = p.stdout.strip()
    pid = int(open(os.path.join(state, "forge.pid")).read())
    try:
        token = open(os.path.join(state, "token")).read().strip()
        mode = os.stat(os.path.join(state, "token")).st_mode & 0o777
        r = urllib.request.Request(url + "/user")
        r.add_header("Authorization", "token " + token)
        with urllib.request.urlopen(r, timeout=10) as resp:
            login = json.load(resp)["login"]
        is_((p.returncode, login, mode), (0, "reviewer", 0o600),
            "run-demo-forge.sh starts the demo forge; the token file is private")
        again = subprocess.run([script, state], capture_output=True, text=True, timeout=60)
        is_(again.stdout.strip(), url, "a second run reuses the running forge")
    finally:
        os.kill(pid, signal.SIGTERM)


def t_genscenario(tmp):
    outs = []
    for i in range(2):
        d = os.path.join(tmp, "gen%d" % i)
        os.makedirs(d)
        subprocess.run([sys.executable, os.path.join(HERE, "genscenario.py"), "--prs", "40",
                        "--repos", "4", "--out", os.path.join(d, "big.json")], check=True)
        sc = json.load(open(os.path.join(d, "big.json")))
        heads = subprocess.run(["git", "--git-dir", os.path.join(d, "big-git", "template.git"),
                                "for-each-ref"], capture_output=True).stdout
        outs.append((sc, heads))
    is_(outs[0], outs[1], "genscenario is deterministic (JSON and SHAs)")
    d = os.path.join(tmp, "gen0")
    p = subprocess.Popen([sys.executable, os.path.join(HERE, "fakeforge.py"), "--scenario",
                          os.path.join(d, "big.json"), "--state-dir", os.path.join(d, "st"),
                          "--warm", "--latency-ms", "250"], stdout=subprocess.PIPE, text=True)
    try:
        url = p.stdout.readline().split()[1]
        r = urllib.request.Request(url + "/search/issues?q=is:pr+label:needs-checkpoint")
        r.add_header("Authorization", "Bearer ghp_benchReviewer000000000000000000000001")
        t = time.time()
        with urllib.request.urlopen(r, timeout=30) as resp:
            b = json.load(resp)
        is_(b["total_count"], 36, "generated scenario serves its PRs (36 of 40 labelled)")
        ok(time.time() - t >= 0.25, "--latency-ms delays every answer")
    finally:
        p.terminate()
        p.wait(10)


def main():
    tmp = tempfile.mkdtemp(prefix="fakeforge-test.")
    gitroot = os.path.join(tmp, "git")
    f = None
    try:
        t = time.time()
        subprocess.run([os.path.join(ROOT, "tests", "fixtures", "demo", "build-repos.sh"),
                        gitroot], check=True)
        ok(time.time() - t < 20, "demo repositories built in %.1fs" % (time.time() - t))
        again = os.path.join(tmp, "git2")
        subprocess.run([os.path.join(ROOT, "tests", "fixtures", "demo", "build-repos.sh"),
                        again], check=True)
        refs = [b"".join(subprocess.run(["git", "--git-dir", os.path.join(d, "acme", r + ".git"),
                                         "for-each-ref"], capture_output=True).stdout
                         for r in ("web-console", "hostile"))
                for d in (gitroot, again)]
        ok(refs[0] == refs[1] and refs[0], "repository SHAs are identical across builds")
        shutil.rmtree(again)
        f = Forge(tmp, gitroot)
        for fn in (t_auth, t_pagination, t_etag, t_errors_422, t_reviews_and_writes, t_checks,
                   t_search, t_graphql, t_client_documents, t_faults):
            try:
                fn(f)
            except Exception:
                ok(False, fn.__name__ + " raised", traceback.format_exc())
        try:
            t_git(f, tmp)
        except Exception:
            ok(False, "t_git raised", traceback.format_exc())
        f.stop()
        f = None
        for fn in (t_restart_and_admin, t_demo_launcher, t_genscenario):
            try:
                if fn is t_restart_and_admin:
                    fn(tmp, gitroot)
                else:
                    fn(tmp)
            except Exception:
                ok(False, fn.__name__ + " raised", traceback.format_exc())
    finally:
        if f:
            f.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    print("1..%d" % _n)
    return 1 if _failed else 0


if __name__ == "__main__":
    sys.exit(main())
