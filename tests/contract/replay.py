#!/usr/bin/env python3
"""Replay one request per REST route of the test forge through `prism proxy --errors` and print
TAP.  Prism answers 422 when our request breaks GitHub's OpenAPI description and 500 (with an
sl-violations header) when the forge's response does; both fail the test.  Negative controls
check that Prism really is in the path and strict.

    replay.py PRISM_URL FORGE_URL TOKEN

Uses the demo scenario (tests/fixtures/demo/scenario.json).
"""

import json
import sys
import urllib.error
import urllib.request

PRISM, FORGE, TOKEN = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
failed = 0


def call(base, method, path, body=None, token=TOKEN, accept="application/vnd.github+json"):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Accept", accept)
    req.add_header("User-Agent", "gatehouse-contract-test")
    req.add_header("X-GitHub-Api-Version", "2022-11-28")
    if token:
        req.add_header("Authorization", "Bearer " + token)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers), e.read()


def ok(cond, name, diag=None):
    global n, failed
    n += 1
    print("%sok %d - %s" % ("" if cond else "not ", n, name))
    if not cond:
        failed += 1
        for line in (diag or "").splitlines()[:30]:
            print("# " + line)
    sys.stdout.flush()


def through(method, path, body=None, want=200, name=None, undeclared=False, **kw):
    """undeclared: GitHub answers a status the description does not list (e.g. 422 on
    create-status); Prism then only warns, and only that warning is tolerated."""
    st, hdrs, raw = call(PRISM, method, path, body, **kw)
    viol = {k.lower(): v for k, v in hdrs.items()}.get("sl-violations")
    if viol and undeclared:
        rest = [v for v in json.loads(viol) if not (
            v.get("severity") == "Warning" and "Unable to match the returned status code"
            in v.get("message", ""))]
        viol = json.dumps(rest) if rest else None
    ok(st == want and not viol, name or "%s %s -> %d, no violations" % (method, path, want),
       "status %d\nsl-violations: %s\n%s" % (st, viol, raw[:1500].decode("utf-8", "replace")))
    try:
        return json.loads(raw) if raw else None
    except ValueError:
        return None


def main():
    head = call(FORGE, "GET", "/repos/acme/payments-api/pulls/102")[2]
    sha = json.loads(head)["head"]["sha"]
    through("GET", "/user")
    through("GET", "/rate_limit")
    through("GET", "/repos/acme/payments-api")
    through("GET", "/repos/acme/payments-api/branches/main")
    through("GET", "/repos/acme/payments-api/pulls?state=open&per_page=2")
    through("GET", "/repos/acme/payments-api/pulls?state=open&per_page=2&page=2",
            name="GET pulls page 2 (Link follow-up) -> 200, no violations")
    through("GET", "/repos/acme/payments-api/pulls/102")
    through("GET", "/repos/acme/web-console/pulls/201/files?per_page=100&page=3")
    through("GET", "/repos/acme/web-console/pulls/202/files",
            name="files with a binary file (no patch) -> 200, no violations")
    through("GET", "/repos/acme/payments-api/pulls/105/reviews")
    through("GET", "/repos/acme/payments-api/pulls/105/commits")
    through("GET", "/repos/acme/payments-api/pulls/102/requested_reviewers")
    through("GET", "/repos/acme/payments-api/commits/%s/check-runs" % sha)
    runs = json.loads(call(FORGE, "GET", "/repos/acme/payments-api/commits/%s/check-runs"
                           % sha)[2])["check_runs"]
    failing = [r for r in runs if r["output"]["annotations_count"]][0]
    through("GET", "/repos/acme/payments-api/check-runs/%d/annotations" % failing["id"])
    through("GET", "/repos/acme/infra/commits/refs/pull/303/head/status".replace(
        "refs/pull/303/head", json.loads(call(FORGE, "GET", "/repos/acme/infra/pulls/303")[2])
        ["head"]["sha"]), name="GET combined status (failing) -> 200, no violations")
    through("GET", "/repos/acme/payments-api/commits/%s/status" % sha,
            name="GET combined status (no statuses) -> 200, no violations")
    through("GET", "/repos/acme/payments-api/commits/main/statuses")
    through("GET", "/search/issues?q=is%3Apr+is%3Aopen+label%3Aneeds-checkpoint+"
            "review-requested%3A%40me&per_page=5")
    through("POST", "/repos/acme/payments-api/statuses/" + sha,
            {"state": "success", "context": "gatehouse/checkpoint",
             "description": "approved by reviewer", "target_url": "https://example.invalid/x"},
            want=201)
    through("POST", "/repos/acme/payments-api/statuses/" + sha,
            {"state": "failure", "context": "gatehouse/checkpoint", "description": "x" * 141},
            want=422, undeclared=True, name="POST status with 141-char description -> 422 "
            "object errors, no violations")
    through("POST", "/repos/acme/payments-api/issues/102/labels",
            {"labels": ["checkpoint:escalated"]})
    through("POST", "/repos/acme/payments-api/pulls/102/requested_reviewers",
            {"reviewers": ["maria-sec"], "team_reviewers": ["security"]}, want=201)
    through("POST", "/repos/acme/payments-api/pulls/102/requested_reviewers",
            {"reviewers": ["devin-ai-integration[bot]"]}, want=422,
            name="request review from the author -> 422 string errors, no violations")
    through("POST", "/repos/acme/payments-api/issues/102/comments",
            {"body": "Escalated to @acme/security."}, want=201)
    through("POST", "/repos/acme/payments-api/pulls/102/reviews",
            {"commit_id": sha, "event": "REQUEST_CHANGES", "body": "Use hmac.compare_digest.",
             "comments": [{"path": "payments/auth/tokens.py", "line": 27, "side": "RIGHT",
                           "body": "timing-unsafe"}]})
    through("POST", "/repos/acme/payments-api/pulls/101/reviews",
            {"event": "APPROVE", "body": "ok", "commit_id": "0" * 40}, want=422,
            name="review pinned to an unknown commit -> 422, no violations")
    through("POST", "/repos/acme/payments-api/pulls/104/reviews", {"body": "draft"},
            name="review without event -> PENDING, no violations")
    through("GET", "/repos/acme/payments-api/pulls/999", want=404)
    through("GET", "/user", token="wrong-token", want=401,
            name="wrong token -> 401 Bad credentials, no violations")

    # Negative controls: Prism must be strict and in the path.
    st, hdrs, raw = call(PRISM, "POST", "/repos/acme/payments-api/pulls/101/reviews",
                         {"event": "APPROVED", "body": "LGTM"})
    ok(st == 422 and b"APPROVE, REQUEST_CHANGES, COMMENT" in raw,
       "negative control: event APPROVED -> 422 from Prism", raw[:500].decode())
    st, hdrs, raw = call(PRISM, "POST", "/repos/acme/payments-api/statuses/" + sha,
                         {"state": "passed"})
    ok(st == 422 and b"error, failure, pending, success" in raw,
       "negative control: status state passed -> 422 from Prism", raw[:500].decode())
    st, hdrs, raw = call(PRISM, "POST", "/repos/acme/payments-api/pulls/101/approve", {})
    ok(st == 404 and b"NO_PATH_MATCHED" in raw, "negative control: unknown route -> Prism 404",
       raw[:500].decode())
    # GraphQL does not go through Prism (no OpenAPI route); the sample documents are sent to
    # the forge so that the shell test can validate what the forge's log recorded.
    import glob
    import os
    qdir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakeforge", "queries")
    for path in sorted(glob.glob(os.path.join(qdir, "*.graphql"))):
        doc = open(path, encoding="utf-8").read()
        variables = {"q": "is:pr is:open label:needs-checkpoint", "owner": "acme",
                     "name": "payments-api"}
        used = {k: v for k, v in variables.items() if "$" + k in doc}
        st, hdrs, raw = call(FORGE, "POST", "/graphql", {"query": doc, "variables": used})
        body = json.loads(raw)
        ok(st == 200 and "errors" not in body and body.get("data"),
           "forge executes %s" % os.path.basename(path), raw[:800].decode("utf-8", "replace"))
    print("1..%d" % n)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
