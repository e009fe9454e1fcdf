#!/usr/bin/env python3
"""fakeforge: a GitHub-compatible test forge on 127.0.0.1 (Python 3 standard library only).

    fakeforge.py --scenario FILE --port 0 --state-dir DIR [--git-root DIR] [--public-url URL]
                 [--git-url URL] [--log FILE] [--token LOGIN=TOKEN ...] [--latency-ms N]
                 [--max-files N] [--patch-limit BYTES] [--min-write-interval-ms N] [--warm]

Prints "listening http://127.0.0.1:PORT" once ready; runs until SIGTERM/SIGINT.

Serves the REST v3 routes a review console uses (at / and at /api/v3/ like GitHub Enterprise),
GraphQL at /graphql and /api/graphql (a real executor over a subset of GitHub's schema, cut
from @octokit/graphql-schema into github-subset.graphql), and git smart HTTP through
`git http-backend` at /{owner}/{repo}.git.  Response shapes follow GitHub's OpenAPI description
(checked by tests/contract through Prism).  Every write is kept in DIR/state.json so a
restarted forge remembers it.  Faults are injected per route from the scenario or at runtime
through /_admin/faults.  See tests/fakeforge/README.md for the scenario format.
"""

import argparse
import base64
import datetime
import hashlib
import http.server
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import gql  # noqa: E402

DOCS = "https://docs.github.com/rest"
API_VERSION = "2022-11-28"
API_VERSIONS = ("2022-11-28", "2026-03-10")
MAX_BODY = 65536            # review and comment bodies, as on GitHub
STATUS_STATES = ("error", "failure", "pending", "success")
REVIEW_EVENTS = {"APPROVE": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED",
                 "COMMENT": "COMMENTED"}
DEFAULT_LIMITS = {"core": 5000, "search": 30, "graphql": 5000}
WINDOWS = {"core": 3600, "search": 60, "graphql": 3600}
DEFAULT_APP = {"slug": "github-actions", "name": "GitHub Actions", "id": 15368,
               "owner": "github"}


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def node_id(kind, n):
    return base64.b64encode(("0%d:%s%d" % (len(kind), kind, n)).encode()).decode()


class HTTPError(Exception):
    """A GitHub-shaped error answer."""

    def __init__(self, status, message, errors=None, doc=DOCS, headers=None):
        super().__init__(message)
        self.status = status
        self.body = {"message": message, "documentation_url": doc, "status": str(status)}
        if errors is not None:
            self.body["errors"] = errors
        self.headers = headers or {}


def not_found():
    return HTTPError(404, "Not Found")


class Resp:
    def __init__(self, status=200, body=None, headers=None, raw=None, ctype=None):
        self.status = status
        self.body = body
        self.raw = raw
        self.headers = dict(headers or {})
        self.ctype = ctype or "application/json; charset=utf-8"

    def payload(self):
        if self.raw is not None:
            return self.raw
        if self.body is None:
            return b""
        # encoded once: the ETag and the answer both need it, and a 10 MB body costs
        self.raw = json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        return self.raw


# ---------------------------------------------------------------------------------------------
# git

# Fault kinds that replace or re-encode a JSON answer's body.
BODY_REWRITES = ("deep_json", "duplicate_keys")


def dump_duplicating(obj, key, value):
    """JSON text of obj in which every object member named key is followed by a second member
    of the same name holding value: parsers that keep the last one see value, those that keep
    the first see the truth.  A careful client refuses the document."""
    out = []

    def emit(o):
        # one flat list of pieces, joined once: a 10 MB body is copied once, not per level
        if isinstance(o, dict):
            out.append("{")
            for i, (k, v) in enumerate(o.items()):
                out.append("%s%s:" % ("," if i else "", json.dumps(k)))
                emit(v)
                if k == key:
                    out.append(",%s:%s" % (json.dumps(k), json.dumps(value, ensure_ascii=False)))
            out.append("}")
        elif isinstance(o, list):
            out.append("[")
            for i, v in enumerate(o):
                if i:
                    out.append(",")
                emit(v)
            out.append("]")
        else:
            out.append(json.dumps(o, ensure_ascii=False))
    emit(obj)
    return "".join(out)


def body_of(p):
    """A scenario PR's body, grown by `body_fill` ({"bytes", "line" with one %d, "tail"}) to
    exactly that many UTF-8 bytes: hostile sizes are made at load time instead of living in
    the scenario file."""
    body, fill = p.get("body"), p.get("body_fill")
    if not fill:
        return body
    head, tail = (body or "").encode(), fill.get("tail", "").encode()
    want = int(fill["bytes"]) - len(head) - len(tail)
    parts, size, i = [], 0, 0
    while size < want:
        line = (fill["line"] % i).encode()
        parts.append(line)
        size += len(line)
        i += 1
    return (head + b"".join(parts)[:max(want, 0)] + tail).decode("utf-8", "replace")


def git(gitdir, *args, data=None, env=None, check=True):
    e = dict(os.environ)
    e.update(env or {})
    p = subprocess.run(["git", "--git-dir", gitdir] + list(args), input=data,
                       capture_output=True, env=e)
    if check and p.returncode != 0:
        raise RuntimeError("git %s: %s" % (" ".join(args), p.stderr.decode(errors="replace")))
    return p.stdout


class Diff:
    """Files of a PR (merge-base..head) as GitHub's files API shows them.

    The summary (names, status, counts) costs one git call and is cached on disk under the git
    root, keyed by the two SHAs, so big scenarios start fast the second time; patches are read
    only when asked for."""

    def __init__(self, gitdir, base, head, cache_dir=None):
        self.gitdir, self.base, self.head = gitdir, base, head
        self._patched = False
        cache = os.path.join(cache_dir, "diff-%s-%s.json" % (base, head)) if cache_dir else None
        if cache and os.path.exists(cache):
            with open(cache, encoding="utf-8") as fh:
                self.files = json.load(fh)
        else:
            self.files = self._summary()
            if cache:
                os.makedirs(cache_dir, exist_ok=True)
                tmp = "%s.%d.tmp" % (cache, threading.get_ident())
                with open(tmp, "w", encoding="utf-8") as fh:
                    json.dump(self.files, fh)
                os.replace(tmp, cache)
        self.additions = sum(f["additions"] for f in self.files)
        self.deletions = sum(f["deletions"] for f in self.files)

    def _summary(self):
        out = git(self.gitdir, "diff", "--raw", "--numstat", "-z", "--no-abbrev", "-M",
                  "%s...%s" % (self.base, self.head)).split(b"\0")
        files, i = [], 0
        while i < len(out) and out[i].startswith(b":"):
            meta = out[i].decode().split()
            st = meta[4][0]
            if st in "RC":
                old, new = out[i + 1].decode("utf-8", "replace"), out[i + 2].decode(
                    "utf-8", "replace")
                i += 3
            else:
                old = new = out[i + 1].decode("utf-8", "replace")
                i += 2
            f = {"filename": new, "status": {"A": "added", "D": "removed", "M": "modified",
                                             "R": "renamed", "C": "copied", "T": "changed"}
                 .get(st, "modified"), "sha": meta[3] if st != "D" else meta[2]}
            if st in "RC":
                f["previous_filename"] = old
            files.append(f)
        k = 0
        while k < len(files) and i < len(out) and out[i]:
            parts = out[i].split(b"\t")
            binary = parts[0] == b"-"
            files[k]["additions"] = 0 if binary else int(parts[0])
            files[k]["deletions"] = 0 if binary else int(parts[1])
            files[k]["binary"] = binary
            i += 3 if parts[2] == b"" else 1
            k += 1
        return files

    def patches(self):
        """Fill in f["patch"] (None for binary files) and f["raw_diff"] for every file."""
        if self._patched:
            return self.files
        patch = git(self.gitdir, "diff", "-M", "--no-color", "--no-ext-diff",
                    "%s...%s" % (self.base, self.head))
        chunks = re.split(rb"^diff --git ", patch, flags=re.M)[1:]
        for f, c in zip(self.files, chunks):
            at = c.find(b"\n@@")
            f["patch"] = c[at + 1:].decode("utf-8", "replace") if at >= 0 and not f["binary"] \
                else None
            f["raw_diff"] = b"diff --git " + c
        self._patched = True
        return self.files

    def diff_lines(self, path, side):
        """Line numbers of one side that a review comment may target (inside a hunk)."""
        for f in self.patches():
            if f["filename"] != path or not f.get("patch"):
                continue
            lines, old, new = set(), 0, 0
            for ln in f["patch"].split("\n"):
                m = re.match(r"@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@", ln)
                if m:
                    old, new = int(m.group(1)), int(m.group(2))
                    continue
                if ln.startswith("+"):
                    if side == "RIGHT":
                        lines.add(new)
                    new += 1
                elif ln.startswith("-"):
                    if side == "LEFT":
                        lines.add(old)
                    old += 1
                elif ln.startswith(" "):
                    lines.add(new if side == "RIGHT" else old)
                    old += 1
                    new += 1
            return lines
        return None


# ---------------------------------------------------------------------------------------------
# The world: scenario + state

class World:
    def __init__(self, args):
        self.args = args
        self.lock = threading.RLock()
        self.scenario_path = os.path.abspath(args.scenario)
        with open(self.scenario_path, "rb") as fh:
            raw = fh.read()
        self.scenario = json.loads(raw)
        self.digest = hashlib.sha256(raw).hexdigest()
        sdir = os.path.dirname(self.scenario_path)
        if args.git_root:
            self.git_root = os.path.abspath(args.git_root)
        elif self.scenario.get("git_root"):
            self.git_root = os.path.join(sdir, self.scenario["git_root"])
        else:
            self.git_root = os.path.join(os.path.abspath(args.state_dir), "git")
        self.ensure_git(sdir)
        self.state_file = os.path.join(args.state_dir, "state.json")
        self.diff_cache = {}
        self.commit_cache = {}
        self.db = None
        if os.path.exists(self.state_file):
            with open(self.state_file, encoding="utf-8") as fh:
                db = json.load(fh)
            if db.get("scenario_digest") == self.digest:
                self.db = db
        if self.db is None:
            self.db = self.initial_db()
            self.save()
        for tok in args.token or []:
            login, _, t = tok.rpartition("=")
            self.db["tokens"][t] = login or self.scenario.get("default_user") or "reviewer"

    # --- setup
    def ensure_git(self, sdir):
        missing = [r for r in self.scenario.get("repos", [])
                   if not os.path.isdir(os.path.join(self.git_root, self.repo_git_rel(r)))]
        if missing and self.scenario.get("build"):
            script = os.path.join(sdir, self.scenario["build"])
            subprocess.run([script, self.git_root], check=True, stdout=sys.stderr)
            missing = [r for r in self.scenario.get("repos", [])
                       if not os.path.isdir(os.path.join(self.git_root, self.repo_git_rel(r)))]
        if missing:
            raise SystemExit("fakeforge: no git repository for %s under %s"
                             % (", ".join(r["owner"] + "/" + r["name"] for r in missing),
                                self.git_root))

    @staticmethod
    def repo_git_rel(r):
        return r.get("git") or "%s/%s.git" % (r["owner"], r["name"])

    def initial_db(self):
        sc = self.scenario
        db = {"scenario_digest": self.digest, "next_id": 1000, "users": {}, "tokens": {},
              "teams": {}, "apps": {}, "repos": {}, "prs": {}, "check_runs": {},
              "statuses": {}, "rate": {}, "faults": [], "orig_refs": {}, "comments": {},
              "limits": dict(DEFAULT_LIMITS), "settings": {}}
        db["limits"].update(sc.get("rate_limits", {}))
        db["settings"].update(sc.get("settings", {}))
        self.db = db
        for i, u in enumerate(sc.get("users", [])):
            self.add_user(u["login"], u)
        for tok, login in sc.get("tokens", {}).items():
            db["tokens"][tok] = login
        for a in sc.get("apps", []) + [DEFAULT_APP]:
            if a["slug"] not in db["apps"]:
                db["apps"][a["slug"]] = dict(a, id=a.get("id") or self.new_id())
        for t in sc.get("teams", []):
            key = "%s/%s" % (t["org"], t["slug"])
            db["teams"][key] = {"org": t["org"], "slug": t["slug"],
                                "name": t.get("name", t["slug"]),
                                "members": t.get("members", []), "id": self.new_id()}
        for r in sc.get("repos", []):
            full = "%s/%s" % (r["owner"], r["name"])
            owner = self.add_user(r["owner"], {"type": r.get("owner_type", "Organization")})
            rec = {"owner": owner["login"], "name": r["name"], "full_name": full,
                   "id": r.get("id") or self.new_id(), "git": self.repo_git_rel(r),
                   "private": r.get("private", True), "archived": r.get("archived", False),
                   "description": r.get("description"),
                   "default_branch": r.get("default_branch", "main"),
                   "required_checks": r.get("required_checks", []),
                   "required_approvals": r.get("required_approvals", 0),
                   "created_at": r.get("created_at", "2024-01-02T09:00:00Z"),
                   "labels": {}}
            for lab in r.get("labels", []):
                self.repo_label(rec, lab["name"], lab)
            db["repos"][full] = rec
            db["orig_refs"][full] = self.read_refs(rec)
        for p in sc.get("prs", []):
            self.add_pr(p)
        db["faults"] = [self.norm_fault(f) for f in sc.get("faults", [])]
        return db

    def new_id(self):
        self.db["next_id"] += 1
        return self.db["next_id"]

    def add_user(self, login, spec=None):
        users = self.db["users"]
        if login in users:
            return users[login]
        spec = spec or {}
        utype = spec.get("type", "Bot" if login.endswith("[bot]") else "User")
        u = {"login": login, "id": spec.get("id") or self.new_id(), "type": utype,
             "name": spec.get("name"), "email": spec.get("email"),
             "site_admin": False, "created_at": spec.get("created_at", "2023-03-01T10:00:00Z"),
             "graphql_login": spec.get("graphql_login")
             or (login[:-5] if login.endswith("[bot]") else login),
             "association": spec.get("association",
                                     "MEMBER" if utype == "User" else "CONTRIBUTOR")}
        users[login] = u
        return u

    def user(self, login):
        return self.db["users"].get(login) or self.add_user(login)

    def repo_label(self, repo, name, spec=None):
        labs = repo["labels"]
        if name.lower() in labs:
            return labs[name.lower()]
        spec = spec or {}
        lab = {"id": self.new_id(), "name": name, "color": spec.get("color", "ededed"),
               "description": spec.get("description"), "default": False}
        labs[name.lower()] = lab
        return lab

    def read_refs(self, repo):
        out = git(self.gitdir(repo), "for-each-ref", "--format=%(objectname) %(refname)")
        refs = {}
        for line in out.decode().splitlines():
            sha, ref = line.split(" ", 1)
            refs[ref] = sha
        return refs

    def gitdir(self, repo):
        return os.path.join(self.git_root, repo["git"])

    def rev(self, repo, ref):
        """Resolve a commit SHA, branch, heads/X, tags/X or refs/... to a full SHA or None."""
        gd = self.gitdir(repo)
        cands = []
        if re.fullmatch(r"[0-9a-f]{7,40}", ref):
            cands.append(ref)
        cands += ["refs/heads/" + ref, "refs/" + ref, "refs/tags/" + ref]
        for c in cands:
            out = git(gd, "rev-parse", "--verify", "-q", c + "^{commit}", check=False)
            if out.strip():
                sha = out.decode().strip()
                if len(ref) == 40 and c == ref and sha != ref:
                    continue
                return sha
        return None

    def add_pr(self, p):
        full = p["repo"]
        repo = self.db["repos"][full]
        n = int(p["number"])
        refs = self.db["orig_refs"][full]
        head = refs.get("refs/pull/%d/head" % n) or refs.get("refs/heads/" + p["head"])
        base = p.get("base", repo["default_branch"])
        base_sha = refs.get("refs/heads/" + base)
        if not head or not base_sha:
            raise SystemExit("fakeforge: %s#%d: refs for head %s / base %s missing in %s"
                             % (full, n, p.get("head"), base, self.gitdir(repo)))
        self.add_user(p["author"])
        created = self.shifted(p.get("created_at", "2026-11-20T09:00:00Z"))
        pr = {"repo": full, "number": n, "id": self.new_id(), "author": p["author"],
              "title": p.get("title", ""), "body": body_of(p), "state": p.get("state", "open"),
              "draft": p.get("draft", False), "created_at": created,
              "updated_at": self.shifted(p.get("updated_at", created)),
              "ready_at": self.shifted(p.get("ready_at")),
              "closed_at": p.get("closed_at"), "merged_at": None,
              "head": p["head"], "base": base, "head_sha": head, "base_sha": base_sha,
              "labels": [], "requested_reviewers": list(p.get("requested_reviewers", [])),
              "requested_teams": list(p.get("requested_teams", [])),
              "reviews": [], "comments": [], "events": [], "prior_heads": [],
              "mergeable": p.get("mergeable", "MERGEABLE")}
        for login in pr["requested_reviewers"]:
            self.add_user(login)
        for name in p.get("labels", []):
            self.repo_label(repo, name)
            pr["labels"].append(name)
        self.db["prs"]["%s#%d" % (full, n)] = pr
        for c in p.get("checks", []):
            self.add_check(repo, head, c)
        for s in p.get("statuses", []):
            self.add_status(repo, head, s)
        for rv in p.get("reviews", []):
            commit = rv.get("commit_id") or head
            if not re.fullmatch(r"[0-9a-f]{40}", commit):
                commit = git(self.gitdir(repo), "rev-parse", "--verify",
                             commit + "^{commit}").decode().strip()
            self.add_user(rv["user"])
            pr["reviews"].append({"id": self.new_id(), "user": rv["user"],
                                  "state": rv.get("state", "COMMENTED"),
                                  "body": rv.get("body", ""), "commit_id": commit,
                                  "submitted_at": rv.get("submitted_at", created),
                                  "comments": []})
        return pr

    def add_check(self, repo, sha, c):
        app = self.db["apps"].get(c.get("app", "github-actions"))
        if app is None:
            app = dict(DEFAULT_APP, slug=c["app"], name=c["app"], id=self.new_id())
            self.db["apps"][c["app"]] = app
        cid = self.new_id()
        status = c.get("status", "completed")
        run = {"id": cid, "repo": repo["full_name"], "head_sha": sha, "name": c["name"],
               "app": app["slug"], "status": status,
               "conclusion": c.get("conclusion") if status == "completed" else None,
               "title": c.get("title"), "summary": c.get("summary"), "text": c.get("text"),
               "details_url": c.get("details_url"), "external_id": c.get("external_id", ""),
               "started_at": c.get("started_at", "2026-11-20T09:05:00Z"),
               "completed_at": c.get("completed_at", "2026-11-20T09:12:00Z")
               if status == "completed" else None,
               "suite_id": self.new_id(), "annotations": []}
        for a in c.get("annotations", []):
            run["annotations"].append({
                "path": a["path"], "start_line": a.get("start_line", a.get("line", 1)),
                "end_line": a.get("end_line", a.get("start_line", a.get("line", 1))),
                "start_column": a.get("start_column"), "end_column": a.get("end_column"),
                "annotation_level": a.get("level", "failure"), "title": a.get("title"),
                "message": a.get("message", ""), "raw_details": a.get("raw_details")})
        self.db["check_runs"][str(cid)] = run
        return run

    def add_status(self, repo, sha, s, creator=None):
        lst = self.db["statuses"].setdefault(repo["full_name"], {}).setdefault(sha, [])
        t = s.get("created_at") or now_iso()
        st = {"id": self.new_id(), "state": s["state"], "context": s.get("context", "default"),
              "description": s.get("description"), "target_url": s.get("target_url"),
              "creator": creator or s.get("creator") or "github-actions[bot]",
              "created_at": t, "updated_at": t}
        self.add_user(st["creator"])
        lst.append(st)
        return st

    def save(self):
        os.makedirs(self.args.state_dir, exist_ok=True)
        tmp = self.state_file + ".tmp"
        with open(tmp, "w", encoding="utf-8") as fh:
            json.dump(self.db, fh, ensure_ascii=False)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.state_file)

    def reset(self):
        with self.lock:
            for full, refs in self.db["orig_refs"].items():
                repo = self.db["repos"][full]
                for ref, sha in refs.items():
                    git(self.gitdir(repo), "update-ref", ref, sha)
            self.db = self.initial_db()
            self.diff_cache.clear()
            self.save()

    # --- lookups
    def repo(self, owner, name):
        r = self.db["repos"].get("%s/%s" % (owner, name))
        if r is None:
            for full, rec in self.db["repos"].items():
                if full.lower() == ("%s/%s" % (owner, name)).lower():
                    return rec
        return r

    def pr(self, repo, n):
        return self.db["prs"].get("%s#%d" % (repo["full_name"], n))

    def diff(self, pr):
        repo = self.db["repos"][pr["repo"]]
        key = (pr["repo"], pr["base_sha"], pr["head_sha"])
        d = self.diff_cache.get(key)
        if d is None:
            d = Diff(self.gitdir(repo), pr["base_sha"], pr["head_sha"],
                     os.path.join(self.git_root, ".fakeforge-cache"))
            self.diff_cache[key] = d
        return d

    def shifted(self, iso):
        """A scenario time moved by --shift-times-from (so demo ages and SLAs read as recent)."""
        anchor = getattr(self.args, "shift_times_from", None)
        if not iso or not anchor:
            return iso
        fmt = "%Y-%m-%dT%H:%M:%SZ"
        t0 = datetime.datetime.strptime(anchor, fmt).replace(tzinfo=datetime.timezone.utc)
        t = datetime.datetime.strptime(iso, fmt).replace(tzinfo=datetime.timezone.utc)
        now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        return (t + (now - t0)).strftime(fmt)

    def commits(self, pr):
        repo = self.db["repos"][pr["repo"]]
        key = (pr["repo"], pr["base_sha"], pr["head_sha"])
        c = self.commit_cache.get(key)
        cache = os.path.join(self.git_root, ".fakeforge-cache",
                             "commits-%s-%s.json" % (pr["base_sha"], pr["head_sha"]))
        if c is None and os.path.exists(cache):
            with open(cache, encoding="utf-8") as fh:
                c = json.load(fh)
            self.commit_cache[key] = c
        if c is None:
            out = git(self.gitdir(repo), "log", "--reverse",
                      "--format=%H%x00%an%x00%ae%x00%aI%x00%cI%x00%B%x1e",
                      "%s..%s" % (pr["base_sha"], pr["head_sha"])).decode("utf-8", "replace")
            c = []
            for rec in out.split("\x1e"):
                rec = rec.strip("\n")
                if not rec:
                    continue
                sha, an, ae, ad, cd, msg = rec.split("\x00", 5)
                c.append({"sha": sha, "author": an, "email": ae, "authored": ad,
                          "committed": cd, "message": msg.rstrip("\n")})
            self.commit_cache[key] = c
            os.makedirs(os.path.dirname(cache), exist_ok=True)
            tmp = "%s.%d.tmp" % (cache, threading.get_ident())
            with open(tmp, "w", encoding="utf-8") as fh:
                json.dump(c, fh)
            os.replace(tmp, cache)
        return c

    def warm(self, workers=4):
        """Read every PR's diff summary and commits now (cached on disk for the next start)."""
        import concurrent.futures
        prs = list(self.db["prs"].values())
        with concurrent.futures.ThreadPoolExecutor(workers) as ex:
            list(ex.map(lambda p: (self.diff(p), self.commits(p)), prs))

    def commit_info(self, repo, sha):
        out = git(self.gitdir(repo), "log", "-1",
                  "--format=%H%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%T%x00%P%x00%B",
                  sha).decode("utf-8", "replace")
        f = out.split("\x00", 9)
        return {"sha": f[0], "author": f[1], "author_email": f[2], "authored": f[3],
                "committer": f[4], "committer_email": f[5], "committed": f[6], "tree": f[7],
                "parents": f[8].split(), "message": f[9].rstrip("\n")}

    def runs_for(self, full, sha, latest=True):
        runs = [r for r in self.db["check_runs"].values()
                if r["repo"] == full and r["head_sha"] == sha]
        runs.sort(key=lambda r: r["id"])
        if latest:
            by = {}
            for r in runs:
                by[(r["app"], r["name"])] = r
            runs = sorted(by.values(), key=lambda r: r["id"])
        return runs

    def statuses_for(self, full, sha):
        return list(self.db["statuses"].get(full, {}).get(sha, []))

    def latest_statuses(self, full, sha):
        by = {}
        for s in self.statuses_for(full, sha):
            by[s["context"].lower()] = s
        return sorted(by.values(), key=lambda s: s["id"])

    def review_decision(self, pr):
        repo = self.db["repos"][pr["repo"]]
        if not repo["required_approvals"]:
            return None
        latest = {}
        for rv in pr["reviews"]:
            if rv["state"] in ("APPROVED", "CHANGES_REQUESTED", "DISMISSED"):
                latest[rv["user"]] = rv["state"]
        if "CHANGES_REQUESTED" in latest.values():
            return "CHANGES_REQUESTED"
        if list(latest.values()).count("APPROVED") >= repo["required_approvals"]:
            return "APPROVED"
        return "REVIEW_REQUIRED"

    def team_of(self, org, slug):
        return self.db["teams"].get("%s/%s" % (org, slug))

    # --- rate budgets
    def budget(self, token, resource):
        with self.lock:
            b = self.db["rate"].setdefault(token, {}).get(resource)
            t = int(time.time())
            if b is None or t >= b["reset"]:
                b = {"used": 0, "reset": t + WINDOWS[resource]}
                self.db["rate"][token][resource] = b
            return b

    def rate_headers(self, token, resource):
        b = self.budget(token, resource)
        limit = self.db["limits"][resource]
        return {"x-ratelimit-limit": str(limit),
                "x-ratelimit-remaining": str(max(0, limit - b["used"])),
                "x-ratelimit-used": str(b["used"]), "x-ratelimit-reset": str(b["reset"]),
                "x-ratelimit-resource": resource}

    def spend(self, token, resource, n=1):
        with self.lock:
            b = self.budget(token, resource)
            b["used"] += n

    def remaining(self, token, resource):
        b = self.budget(token, resource)
        return self.db["limits"][resource] - b["used"]

    # --- faults
    @staticmethod
    def norm_fault(f):
        f = dict(f)
        f.setdefault("method", "*")
        f.setdefault("path_regex", ".*")
        f.setdefault("count", 1)
        if f.get("kind") not in ("delay", "drop_before", "drop_after", "status", "ratelimit_429",
                                 "ratelimit_403", "malformed", "truncated", "huge", "slowloris",
                                 "incomplete_results", "huge_header", "deep_json",
                                 "duplicate_keys"):
            raise ValueError("unknown fault kind %r" % f.get("kind"))
        re.compile(f["path_regex"])
        return f

    def take_fault(self, method, path):
        with self.lock:
            for f in self.db["faults"]:
                if f["method"] not in ("*", method):
                    continue
                if not re.search(f["path_regex"], path):
                    continue
                if f["count"] == 0:
                    continue
                if f["count"] > 0:
                    f["count"] -= 1
                fired = dict(f)
                self.db["faults"] = [x for x in self.db["faults"] if x["count"] != 0]
                self.save()
                return fired
        return None


# ---------------------------------------------------------------------------------------------
# Shapes (GitHub's OpenAPI schemas, every required field present)

class Shapes:
    def __init__(self, world, api, web, git_url):
        self.w, self.api, self.web, self.git_url = world, api, web, git_url

    def user(self, login):
        if login is None:
            return None
        u = self.w.user(login)
        a = "%s/users/%s" % (self.api, urllib.parse.quote(login))
        return {"login": login, "id": u["id"], "node_id": node_id(
            "Bot" if u["type"] == "Bot" else "User", u["id"]),
            "avatar_url": "%s/avatars/u/%d?v=4" % (self.web, u["id"]), "gravatar_id": "",
            "url": a, "html_url": "%s/%s" % (self.web, urllib.parse.quote(
                login.replace("[bot]", "")) if u["type"] == "Bot" else login),
            "followers_url": a + "/followers",
            "following_url": a + "/following{/other_user}", "gists_url": a + "/gists{/gist_id}",
            "starred_url": a + "/starred{/owner}{/repo}",
            "subscriptions_url": a + "/subscriptions", "organizations_url": a + "/orgs",
            "repos_url": a + "/repos", "events_url": a + "/events{/privacy}",
            "received_events_url": a + "/received_events", "type": u["type"],
            "site_admin": False, "user_view_type": "public"}

    def private_user(self, login):
        u = self.w.user(login)
        d = self.user(login)
        d.update({"name": u.get("name"), "company": None, "blog": "", "location": None,
                  "email": u.get("email"), "hireable": None, "bio": None,
                  "twitter_username": None, "notification_email": u.get("email"),
                  "public_repos": 0, "public_gists": 0, "followers": 0, "following": 0,
                  "created_at": u["created_at"], "updated_at": u["created_at"],
                  "private_gists": 0, "total_private_repos": 0, "owned_private_repos": 0,
                  "disk_usage": 0, "collaborators": 0, "two_factor_authentication": True,
                  "plan": {"collaborators": 0, "name": "pro", "space": 976562499,
                           "private_repos": 9999}})
        return d

    def repo(self, repo, full=False):
        o, n = repo["owner"], repo["name"]
        a = "%s/repos/%s/%s" % (self.api, o, n)
        d = {"id": repo["id"], "node_id": node_id("Repository", repo["id"]), "name": n,
             "full_name": repo["full_name"], "owner": self.user(o), "private": repo["private"],
             "html_url": "%s/%s/%s" % (self.web, o, n), "description": repo["description"],
             "fork": False, "url": a,
             "archive_url": a + "/{archive_format}{/ref}",
             "assignees_url": a + "/assignees{/user}", "blobs_url": a + "/git/blobs{/sha}",
             "branches_url": a + "/branches{/branch}",
             "collaborators_url": a + "/collaborators{/collaborator}",
             "comments_url": a + "/comments{/number}", "commits_url": a + "/commits{/sha}",
             "compare_url": a + "/compare/{base}...{head}",
             "contents_url": a + "/contents/{+path}", "contributors_url": a + "/contributors",
             "deployments_url": a + "/deployments", "downloads_url": a + "/downloads",
             "events_url": a + "/events", "forks_url": a + "/forks",
             "git_commits_url": a + "/git/commits{/sha}", "git_refs_url": a + "/git/refs{/sha}",
             "git_tags_url": a + "/git/tags{/sha}", "git_url": "git://%s/%s/%s.git" % (
                 urllib.parse.urlsplit(self.web).netloc, o, n),
             "issue_comment_url": a + "/issues/comments{/number}",
             "issue_events_url": a + "/issues/events{/number}",
             "issues_url": a + "/issues{/number}", "keys_url": a + "/keys{/key_id}",
             "labels_url": a + "/labels{/name}", "languages_url": a + "/languages",
             "merges_url": a + "/merges", "milestones_url": a + "/milestones{/number}",
             "notifications_url": a + "/notifications{?since,all,participating}",
             "pulls_url": a + "/pulls{/number}", "releases_url": a + "/releases{/id}",
             "ssh_url": "git@%s:%s/%s.git" % (urllib.parse.urlsplit(self.web).hostname, o, n),
             "stargazers_url": a + "/stargazers", "statuses_url": a + "/statuses/{sha}",
             "subscribers_url": a + "/subscribers", "subscription_url": a + "/subscription",
             "tags_url": a + "/tags", "teams_url": a + "/teams",
             "trees_url": a + "/git/trees{/sha}",
             "clone_url": "%s/%s/%s.git" % (self.git_url, o, n),
             "mirror_url": None, "hooks_url": a + "/hooks",
             "svn_url": "%s/%s/%s" % (self.web, o, n), "homepage": None, "language": None,
             "forks_count": 0, "stargazers_count": 0, "watchers_count": 0, "size": 100,
             "default_branch": repo["default_branch"], "open_issues_count": self.open_count(
                 repo), "is_template": False, "topics": [], "has_issues": True,
             "has_projects": False, "has_wiki": False, "has_pages": False,
             "has_downloads": True, "has_discussions": False, "archived": repo["archived"],
             "disabled": False, "visibility": "private" if repo["private"] else "public",
             "pushed_at": repo["created_at"], "created_at": repo["created_at"],
             "updated_at": repo["created_at"], "allow_forking": False,
             "web_commit_signoff_required": False, "license": None, "forks": 0,
             "open_issues": self.open_count(repo), "watchers": 0,
             "permissions": {"admin": False, "maintain": False, "push": True, "triage": True,
                             "pull": True}}
        if full:
            d.update({"network_count": 0, "subscribers_count": 0,
                      "organization": self.user(o) if self.w.user(o)["type"] == "Organization"
                      else None})
            if d["organization"] is None:
                del d["organization"]
        return d

    def open_count(self, repo):
        return sum(1 for p in self.w.db["prs"].values()
                   if p["repo"] == repo["full_name"] and p["state"] == "open")

    def label(self, repo, name):
        lab = self.w.repo_label(repo, name)
        return {"id": lab["id"], "node_id": node_id("Label", lab["id"]),
                "url": "%s/repos/%s/labels/%s" % (self.api, repo["full_name"],
                                                 urllib.parse.quote(lab["name"])),
                "name": lab["name"], "color": lab["color"], "default": lab["default"],
                "description": lab["description"] or ""}

    def team(self, org, slug):
        t = self.w.team_of(org, slug)
        a = "%s/orgs/%s/teams/%s" % (self.api, org, slug)
        return {"id": t["id"], "node_id": node_id("Team", t["id"]), "url": a,
                "html_url": "%s/orgs/%s/teams/%s" % (self.web, org, slug), "name": t["name"],
                "slug": slug, "description": None, "privacy": "closed",
                "notification_setting": "notifications_enabled", "permission": "pull",
                "members_url": a + "/members{/member}", "repositories_url": a + "/repos",
                "parent": None, "type": "organization", "organization_id": self.w.user(org)["id"]}

    def pr_links(self, pr):
        a = "%s/repos/%s" % (self.api, pr["repo"])
        n = pr["number"]
        return a, n

    def pull(self, pr, simple=True):
        repo = self.w.db["repos"][pr["repo"]]
        a, n = self.pr_links(pr)
        html = "%s/%s/pull/%d" % (self.web, pr["repo"], n)
        rd = self.repo(repo)

        def side(ref, sha):
            return {"label": "%s:%s" % (repo["owner"], ref), "ref": ref, "sha": sha,
                    "user": self.user(repo["owner"]), "repo": rd}
        d = {"url": "%s/pulls/%d" % (a, n), "id": pr["id"],
             "node_id": node_id("PullRequest", pr["id"]), "html_url": html,
             "diff_url": html + ".diff", "patch_url": html + ".patch",
             "issue_url": "%s/issues/%d" % (a, n), "commits_url": "%s/pulls/%d/commits" % (a, n),
             "review_comments_url": "%s/pulls/%d/comments" % (a, n),
             "review_comment_url": a + "/pulls/comments{/number}",
             "comments_url": "%s/issues/%d/comments" % (a, n),
             "statuses_url": "%s/statuses/%s" % (a, pr["head_sha"]), "number": n,
             "state": "closed" if pr["state"] != "open" else "open", "locked": False,
             "title": pr["title"], "user": self.user(pr["author"]), "body": pr["body"],
             "labels": [self.label(repo, x) for x in pr["labels"]], "milestone": None,
             "active_lock_reason": None, "created_at": pr["created_at"],
             "updated_at": pr["updated_at"], "closed_at": pr["closed_at"],
             "merged_at": pr["merged_at"], "merge_commit_sha": None, "assignee": None,
             "assignees": [],
             "requested_reviewers": [self.user(x) for x in pr["requested_reviewers"]],
             "requested_teams": [self.team(repo["owner"], s) for s in pr["requested_teams"]
                                 if self.w.team_of(repo["owner"], s)],
             "head": side(pr["head"], pr["head_sha"]), "base": side(pr["base"], pr["base_sha"]),
             "_links": {k: {"href": v} for k, v in (
                 ("self", "%s/pulls/%d" % (a, n)), ("html", html),
                 ("issue", "%s/issues/%d" % (a, n)),
                 ("comments", "%s/issues/%d/comments" % (a, n)),
                 ("review_comments", "%s/pulls/%d/comments" % (a, n)),
                 ("review_comment", a + "/pulls/comments{/number}"),
                 ("commits", "%s/pulls/%d/commits" % (a, n)),
                 ("statuses", "%s/statuses/%s" % (a, pr["head_sha"])))},
             "author_association": self.w.user(pr["author"])["association"],
             "auto_merge": None, "draft": pr["draft"]}
        if not simple:
            diff = self.w.diff(pr)
            d.update({"merged": pr["state"] == "merged",
                      "mergeable": pr["mergeable"] != "CONFLICTING"
                      if pr["mergeable"] != "UNKNOWN" else None,
                      "rebaseable": True, "mergeable_state": "blocked"
                      if pr["mergeable"] != "CONFLICTING" else "dirty",
                      "merged_by": None, "comments": len(pr["comments"]),
                      "review_comments": sum(len(r["comments"]) for r in pr["reviews"]),
                      "maintainer_can_modify": False, "commits": len(self.w.commits(pr)),
                      "additions": diff.additions, "deletions": diff.deletions,
                      "changed_files": len(diff.files)})
        return d

    def review(self, pr, rv):
        a, n = self.pr_links(pr)
        html = "%s/%s/pull/%d#pullrequestreview-%d" % (self.web, pr["repo"], n, rv["id"])
        d = {"id": rv["id"], "node_id": node_id("PullRequestReview", rv["id"]),
             "user": self.user(rv["user"]), "body": rv["body"], "state": rv["state"],
             "html_url": html, "pull_request_url": "%s/pulls/%d" % (a, n),
             "_links": {"html": {"href": html}, "pull_request": {"href": "%s/pulls/%d" % (a, n)}},
             "commit_id": rv["commit_id"],
             "author_association": self.w.user(rv["user"])["association"]}
        if rv.get("submitted_at"):
            d["submitted_at"] = rv["submitted_at"]
        return d

    def status(self, repo, st, combined=False):
        d = {"url": "%s/repos/%s/statuses/%s" % (self.api, repo["full_name"], st.get("sha", "")),
             "avatar_url": "%s/avatars/u/%d?v=4" % (self.web, self.w.user(st["creator"])["id"]),
             "id": st["id"], "node_id": node_id("StatusContext", st["id"]),
             "state": st["state"], "description": st["description"],
             "target_url": st["target_url"], "context": st["context"],
             "created_at": st["created_at"], "updated_at": st["updated_at"]}
        if combined:
            d["required"] = st["context"] in repo["required_checks"]
        else:
            d["creator"] = self.user(st["creator"])
        return d

    def app(self, slug):
        ap = self.w.db["apps"][slug]
        owner = ap.get("owner", "github")
        self.w.add_user(owner, {"type": "Organization"})
        return {"id": ap["id"], "slug": slug, "node_id": node_id("Integration", ap["id"]),
                "client_id": "Iv1.%016x" % ap["id"], "owner": self.user(owner),
                "name": ap.get("name", slug), "description": ap.get("description", ""),
                "external_url": "%s/apps/%s" % (self.web, slug),
                "html_url": "%s/apps/%s" % (self.web, slug),
                "created_at": "2018-07-30T09:30:17Z", "updated_at": "2024-04-10T20:33:16Z",
                "permissions": {"actions": "write", "checks": "write", "contents": "write",
                                "metadata": "read", "pull_requests": "write",
                                "statuses": "write"},
                "events": ["check_run", "check_suite", "pull_request", "push"]}

    def check_run(self, run):
        repo = self.w.db["repos"][run["repo"]]
        a = "%s/repos/%s" % (self.api, run["repo"])
        html = "%s/%s/runs/%d" % (self.web, run["repo"], run["id"])
        prs = []
        for pr in self.w.db["prs"].values():
            if pr["repo"] == run["repo"] and pr["head_sha"] == run["head_sha"]:
                rref = {"id": repo["id"], "url": "%s/repos/%s" % (self.api, run["repo"]),
                        "name": repo["name"]}
                prs.append({"id": pr["id"], "number": pr["number"],
                            "url": "%s/pulls/%d" % (a, pr["number"]),
                            "head": {"ref": pr["head"], "sha": pr["head_sha"], "repo": rref},
                            "base": {"ref": pr["base"], "sha": pr["base_sha"], "repo": rref}})
        return {"id": run["id"], "head_sha": run["head_sha"],
                "node_id": node_id("CheckRun", run["id"]), "external_id": run["external_id"],
                "url": "%s/check-runs/%d" % (a, run["id"]), "html_url": html,
                "details_url": run["details_url"] or html, "status": run["status"],
                "conclusion": run["conclusion"], "started_at": run["started_at"],
                "completed_at": run["completed_at"],
                "output": {"title": run["title"], "summary": run["summary"], "text": run["text"],
                           "annotations_count": len(run["annotations"]),
                           "annotations_url": "%s/check-runs/%d/annotations" % (a, run["id"])},
                "name": run["name"], "check_suite": {"id": run["suite_id"]},
                "app": self.app(run["app"]), "pull_requests": prs}

    def annotation(self, run, an):
        d = dict(an)
        d["blob_href"] = "%s/%s/blob/%s/%s" % (self.web, run["repo"], run["head_sha"],
                                                an["path"])
        return d

    def comment(self, pr, c):
        a, n = self.pr_links(pr)
        return {"id": c["id"], "node_id": node_id("IssueComment", c["id"]),
                "url": "%s/issues/comments/%d" % (a, c["id"]),
                "html_url": "%s/%s/pull/%d#issuecomment-%d" % (self.web, pr["repo"], n, c["id"]),
                "body": c["body"], "user": self.user(c["user"]), "created_at": c["created_at"],
                "updated_at": c["created_at"], "issue_url": "%s/issues/%d" % (a, n),
                "author_association": self.w.user(c["user"])["association"]}

    def search_item(self, pr):
        repo = self.w.db["repos"][pr["repo"]]
        a, n = self.pr_links(pr)
        html = "%s/%s/pull/%d" % (self.web, pr["repo"], n)
        return {"url": "%s/issues/%d" % (a, n), "repository_url": a,
                "labels_url": "%s/issues/%d/labels{/name}" % (a, n),
                "comments_url": "%s/issues/%d/comments" % (a, n),
                "events_url": "%s/issues/%d/events" % (a, n), "html_url": html,
                "id": pr["id"], "node_id": node_id("PullRequest", pr["id"]), "number": n,
                "title": pr["title"], "user": self.user(pr["author"]),
                "labels": [self.label(repo, x) for x in pr["labels"]],
                "state": "closed" if pr["state"] != "open" else "open", "locked": False,
                "assignee": None, "assignees": [], "milestone": None,
                "comments": len(pr["comments"]), "created_at": pr["created_at"],
                "updated_at": pr["updated_at"], "closed_at": pr["closed_at"],
                "author_association": self.w.user(pr["author"])["association"],
                "active_lock_reason": None, "draft": pr["draft"],
                "pull_request": {"url": "%s/pulls/%d" % (a, n), "html_url": html,
                                 "diff_url": html + ".diff", "patch_url": html + ".patch",
                                 "merged_at": pr["merged_at"]},
                "body": pr["body"], "score": 1.0, "state_reason": None}


# ---------------------------------------------------------------------------------------------
# Search (REST /search/issues and GraphQL search share it)

def parse_search(q):
    """Split a search string into (qualifiers [(negated, key, value)], free-text words)."""
    quals, words = [], []
    for m in re.finditer(r'(-?)([A-Za-z-]+):("(?:[^"]*)"|\S+)|("(?:[^"]*)"|\S+)', q):
        if m.group(2):
            v = m.group(3)
            if v.startswith('"') and v.endswith('"') and len(v) >= 2:
                v = v[1:-1]
            quals.append((m.group(1) == "-", m.group(2).lower(), v))
        else:
            w = m.group(4).strip('"')
            if w.upper() not in ("AND", "OR", "NOT"):
                words.append(w.lower())
    return quals, words


def search_prs(world, q, viewer):
    quals, words = parse_search(q)
    out = []
    for pr in world.db["prs"].values():
        if all(match_qual(world, pr, viewer, k, v) != neg for neg, k, v in quals) and all(
                w in (pr["title"] + " " + (pr["body"] or "")).lower() for w in words):
            out.append(pr)
    return out


def match_qual(world, pr, viewer, k, v):
    repo = world.db["repos"][pr["repo"]]
    v_l = v.lower()
    if v_l == "@me":
        v, v_l = viewer, viewer.lower()
    if k in ("is", "type"):
        return {"pr": True, "pull-request": True, "issue": False, "open": pr["state"] == "open",
                "closed": pr["state"] != "open", "merged": pr["state"] == "merged",
                "unmerged": pr["state"] != "merged", "draft": pr["draft"],
                "public": not repo["private"], "private": repo["private"]}.get(v_l, False)
    if k == "state":
        return (pr["state"] == "open") == (v_l == "open")
    if k == "draft":
        return pr["draft"] == (v_l == "true")
    if k == "archived":
        return repo["archived"] == (v_l == "true")
    if k == "label":
        names = [x.lower() for x in pr["labels"]]
        return any(x.strip() in names for x in v_l.split(","))
    if k == "repo":
        return pr["repo"].lower() == v_l
    if k in ("org", "user", "owner"):
        return repo["owner"].lower() == v_l
    if k == "author":
        a = pr["author"].lower()
        return a == v_l or (v_l.startswith("app/") and a == v_l[4:] + "[bot]") or \
            world.user(pr["author"])["graphql_login"].lower() == v_l
    if k in ("review-requested", "user-review-requested"):
        if v_l in [x.lower() for x in pr["requested_reviewers"]]:
            return True
        if k == "review-requested":
            for slug in pr["requested_teams"]:
                t = world.team_of(repo["owner"], slug)
                if t and v_l in [m.lower() for m in t["members"]]:
                    return True
        return False
    if k == "team-review-requested":
        org, _, slug = v_l.partition("/")
        return org == repo["owner"].lower() and slug in [s.lower() for s in pr["requested_teams"]]
    if k == "reviewed-by":
        return any(rv["user"].lower() == v_l for rv in pr["reviews"])
    if k == "base":
        return pr["base"].lower() == v_l
    if k == "head":
        return pr["head"].lower() == v_l
    if k in ("created", "updated"):
        return match_date(pr[k + "_at"], v)
    if k == "in":
        return True
    if k == "sort":
        return True
    return False


def date_span(s):
    """(first, last) second of a search date: YYYY-MM-DD is the whole day, a time is itself."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", s):
        t = datetime.datetime.strptime(s, "%Y-%m-%d").replace(tzinfo=datetime.timezone.utc)
        return t.timestamp(), t.timestamp() + 86399
    t = datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
    return t, t


def match_date(when, v):
    """GitHub's date qualifiers: >D >=D <D <=D, A..B (either side *), or D alone."""
    t = datetime.datetime.fromisoformat(when.replace("Z", "+00:00")).timestamp()
    try:
        if ".." in v:
            a, b = v.split("..", 1)
            return (a == "*" or t >= date_span(a)[0]) and (b == "*" or t <= date_span(b)[1])
        m = re.fullmatch(r"(>=|<=|>|<)(.+)", v)
        if not m:
            lo, hi = date_span(v)
            return lo <= t <= hi
        lo, hi = date_span(m.group(2))
        return {">=": t >= lo, ">": t > hi, "<=": t <= hi, "<": t < lo}[m.group(1)]
    except ValueError:
        return False


def search_sort(prs, q, sort=None, order="desc"):
    m = re.search(r"\bsort:(created|updated)(?:-(asc|desc))?", q)
    if m and not sort:
        sort, order = m.group(1), m.group(2) or "desc"
    key = (lambda p: p["created_at"]) if sort == "created" else (lambda p: p["updated_at"])
    return sorted(prs, key=lambda p: (key(p), p["repo"], p["number"]),
                  reverse=(order != "asc"))


# ---------------------------------------------------------------------------------------------
# GraphQL resolvers

STATE_MAP = {"error": "ERROR", "failure": "FAILURE", "pending": "PENDING", "success": "SUCCESS"}
TIMELINE_TYPES = {"ReadyForReviewEvent": "READY_FOR_REVIEW_EVENT",
                  "ConvertToDraftEvent": "CONVERT_TO_DRAFT_EVENT",
                  "ReviewRequestedEvent": "REVIEW_REQUESTED_EVENT",
                  "LabeledEvent": "LABELED_EVENT",
                  "HeadRefForcePushedEvent": "HEAD_REF_FORCE_PUSHED_EVENT",
                  "PullRequestCommit": "PULL_REQUEST_COMMIT",
                  "PullRequestReview": "PULL_REQUEST_REVIEW"}


class Graph:
    """Scenario state seen as GitHub's GraphQL objects (dicts with __typename, lazy fields)."""

    def __init__(self, world, shapes, viewer):
        self.w, self.s, self.viewer = world, shapes, viewer

    def actor(self, login):
        if login is None:
            return None
        u = self.w.user(login)
        t = u["type"] if u["type"] in ("Bot", "Organization") else "User"
        web = self.s.web
        return {"__typename": t, "login": u["graphql_login"] if t == "Bot" else login,
                "id": node_id(t, u["id"]), "databaseId": u["id"], "name": u.get("name"),
                "email": u.get("email") or "", "url": "%s/%s" % (web, login.replace("[bot]", "")
                                                                 if t == "Bot" else login),
                "resourcePath": "/" + login, "avatarUrl": "%s/avatars/u/%d?v=4" % (web, u["id"]),
                "team": lambda a, login=login: self.team(login, a["slug"])
                if self.w.team_of(login, a["slug"]) else None}

    def team(self, org, slug):
        t = self.w.team_of(org, slug)
        return {"__typename": "Team", "slug": slug, "name": t["name"],
                "combinedSlug": "%s/%s" % (org, slug), "id": node_id("Team", t["id"]),
                "url": "%s/orgs/%s/teams/%s" % (self.s.web, org, slug),
                "organization": self.actor(org)}

    def repo(self, repo):
        full = repo["full_name"]
        return {"__typename": "Repository", "id": node_id("Repository", repo["id"]),
                "databaseId": repo["id"], "name": repo["name"], "nameWithOwner": full,
                "owner": self.actor(repo["owner"]), "isArchived": repo["archived"],
                "isPrivate": repo["private"], "description": repo["description"],
                "url": "%s/%s" % (self.s.web, full),
                "defaultBranchRef": lambda a: self.ref(repo, repo["default_branch"]),
                "pullRequest": lambda a: self.pr_by_number(repo, a["number"]),
                "pullRequests": lambda a: self.pr_list(repo, a)}

    def ref(self, repo, branch):
        sha = self.w.rev(repo, branch)
        if sha is None:
            return None
        return {"__typename": "Ref", "name": branch, "prefix": "refs/heads/",
                "id": node_id("Ref", repo["id"]), "target": self.commit(repo, sha)}

    def pr_by_number(self, repo, n):
        pr = self.w.pr(repo, n)
        if pr is None:
            raise gql.GraphQLError("Could not resolve to a PullRequest with the number of %d."
                                   % n, etype="NOT_FOUND")
        return self.pr(pr)

    def pr_list(self, repo, a):
        prs = [p for p in self.w.db["prs"].values() if p["repo"] == repo["full_name"]]
        if a.get("states"):
            prs = [p for p in prs if p["state"].upper() in a["states"]]
        if a.get("labels"):
            want = [x.lower() for x in a["labels"]]
            prs = [p for p in prs if any(x.lower() in want for x in p["labels"])]
        if a.get("headRefName"):
            prs = [p for p in prs if p["head"] == a["headRefName"]]
        if a.get("baseRefName"):
            prs = [p for p in prs if p["base"] == a["baseRefName"]]
        order = a.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
        field = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}.get(order.get("field"),
                                                                             "created_at")
        prs.sort(key=lambda p: (p[field], p["number"]), reverse=order.get("direction") == "DESC")
        return gql.connection([self.pr(p) for p in prs], a)

    def commit(self, repo, sha):
        w = self.w
        info = {}

        def get(k):
            if not info:
                info.update(w.commit_info(repo, sha))
            return info[k]
        return {"__typename": "Commit", "oid": sha, "abbreviatedOid": sha[:7],
                "id": node_id("Commit", int(sha[:8], 16)),
                "url": "%s/%s/commit/%s" % (self.s.web, repo["full_name"], sha),
                "message": lambda a: get("message"),
                "messageHeadline": lambda a: get("message").split("\n", 1)[0],
                "committedDate": lambda a: get("committed"),
                "authoredDate": lambda a: get("authored"),
                "statusCheckRollup": lambda a: self.rollup(repo, sha),
                "status": lambda a: self.status(repo, sha)}

    def contexts(self, repo, sha):
        out = []
        for run in self.w.runs_for(repo["full_name"], sha):
            out.append(self.check_run(repo, run))
        for st in self.w.latest_statuses(repo["full_name"], sha):
            out.append(self.status_context(repo, sha, st))
        return out

    def rollup(self, repo, sha):
        runs = self.w.runs_for(repo["full_name"], sha)
        sts = self.w.latest_statuses(repo["full_name"], sha)
        if not runs and not sts:
            return None
        states = []
        for r in runs:
            if r["status"] != "completed":
                states.append("PENDING")
            elif r["conclusion"] in ("failure", "timed_out", "cancelled", "action_required",
                                     "startup_failure", "stale"):
                states.append("FAILURE")
            else:
                states.append("SUCCESS")
        for s in sts:
            states.append({"error": "ERROR", "failure": "FAILURE"}.get(s["state"], STATE_MAP[
                s["state"]]))
        state = "SUCCESS"
        for cand in ("ERROR", "FAILURE", "PENDING"):
            if cand in states:
                state = cand
                break
        contexts = self.contexts(repo, sha)
        return {"__typename": "StatusCheckRollup", "state": state,
                "id": node_id("StatusCheckRollup", int(sha[:8], 16)),
                "commit": lambda a: self.commit(repo, sha),
                "contexts": lambda a: gql.connection(contexts, a, {
                    "checkRunCount": len(runs), "statusContextCount": len(sts)})}

    def status(self, repo, sha):
        sts = self.w.latest_statuses(repo["full_name"], sha)
        if not sts:
            return None
        combined = "SUCCESS"
        if any(s["state"] in ("error", "failure") for s in sts):
            combined = "FAILURE"
        elif any(s["state"] == "pending" for s in sts):
            combined = "PENDING"
        return {"__typename": "Status", "state": combined,
                "id": node_id("Status", int(sha[:8], 16)),
                "contexts": [self.status_context(repo, sha, s) for s in sts]}

    def check_run(self, repo, run):
        html = "%s/%s/runs/%d" % (self.s.web, repo["full_name"], run["id"])
        app = self.w.db["apps"][run["app"]]
        required = run["name"] in repo["required_checks"]
        anns = run["annotations"]
        return {"__typename": "CheckRun", "databaseId": run["id"],
                "id": node_id("CheckRun", run["id"]), "name": run["name"],
                "status": run["status"].upper(),
                "conclusion": run["conclusion"].upper() if run["conclusion"] else None,
                "detailsUrl": run["details_url"] or html, "url": html, "permalink": html,
                "externalId": run["external_id"], "title": run["title"],
                "summary": run["summary"], "text": run["text"], "startedAt": run["started_at"],
                "completedAt": run["completed_at"], "isRequired": lambda a: required,
                "checkSuite": {"__typename": "CheckSuite", "databaseId": run["suite_id"],
                               "id": node_id("CheckSuite", run["suite_id"]),
                               "status": run["status"].upper(),
                               "conclusion": run["conclusion"].upper()
                               if run["conclusion"] else None,
                               "app": {"__typename": "App", "slug": run["app"],
                                       "name": app.get("name", run["app"]),
                                       "databaseId": app["id"],
                                       "id": node_id("App", app["id"]),
                                       "url": "%s/apps/%s" % (self.s.web, run["app"])}},
                "annotations": lambda a: gql.connection([{
                    "__typename": "CheckAnnotation", "path": x["path"], "title": x["title"],
                    "message": x["message"], "rawDetails": x["raw_details"],
                    "annotationLevel": (x["annotation_level"] or "notice").upper(),
                    "blobUrl": "%s/%s/blob/%s/%s" % (self.s.web, repo["full_name"],
                                                    run["head_sha"], x["path"]),
                    "location": {"start": {"line": x["start_line"],
                                           "column": x["start_column"]},
                                 "end": {"line": x["end_line"], "column": x["end_column"]}}}
                    for x in anns], a)}

    def status_context(self, repo, sha, st):
        required = st["context"] in repo["required_checks"]
        return {"__typename": "StatusContext", "context": st["context"],
                "id": node_id("StatusContext", st["id"]),
                "state": STATE_MAP[st["state"]], "description": st["description"],
                "targetUrl": st["target_url"], "createdAt": st["created_at"],
                "creator": self.actor(st["creator"]),
                "avatarUrl": lambda a: "%s/avatars/u/%d?v=4" % (
                    self.s.web, self.w.user(st["creator"])["id"]),
                "isRequired": lambda a: required,
                "commit": lambda a: self.commit(repo, sha)}

    def review(self, pr, rv):
        repo = self.w.db["repos"][pr["repo"]]
        return {"__typename": "PullRequestReview", "id": node_id("PullRequestReview", rv["id"]),
                "databaseId": rv["id"], "author": self.actor(rv["user"]), "state": rv["state"],
                "body": rv["body"], "submittedAt": rv.get("submitted_at"),
                "createdAt": rv.get("submitted_at") or pr["created_at"],
                "url": "%s/%s/pull/%d#pullrequestreview-%d" % (self.s.web, pr["repo"],
                                                               pr["number"], rv["id"]),
                "commit": self.commit(repo, rv["commit_id"]) if rv.get("commit_id") else None}

    def timeline(self, pr, a):
        repo = self.w.db["repos"][pr["repo"]]
        items = []
        for c in self.w.commits(pr):
            items.append((c["committed"], {"__typename": "PullRequestCommit",
                                           "id": node_id("PullRequestCommit", int(c["sha"][:8],
                                                                                  16)),
                                           "url": "%s/%s/pull/%d/commits/%s" % (
                                               self.s.web, pr["repo"], pr["number"], c["sha"]),
                                           "commit": self.commit(repo, c["sha"])}))
        if pr.get("ready_at"):
            items.append((pr["ready_at"], {"__typename": "ReadyForReviewEvent",
                                           "id": node_id("ReadyForReviewEvent", pr["id"]),
                                           "createdAt": pr["ready_at"],
                                           "actor": self.actor(pr["author"])}))
        for i, login in enumerate(pr["requested_reviewers"]):
            items.append((pr["created_at"], {"__typename": "ReviewRequestedEvent",
                                             "id": node_id("ReviewRequestedEvent",
                                                           pr["id"] * 100 + i),
                                             "createdAt": pr["created_at"],
                                             "actor": self.actor(pr["author"]),
                                             "requestedReviewer": self.actor(login)}))
        for i, name in enumerate(pr["labels"]):
            items.append((pr["created_at"], {"__typename": "LabeledEvent",
                                             "id": node_id("LabeledEvent", pr["id"] * 100 + i),
                                             "createdAt": pr["created_at"],
                                             "actor": self.actor(pr["author"]),
                                             "label": self.label(repo, name)}))
        for ev in pr["events"]:
            if ev["type"] == "HeadRefForcePushedEvent":
                items.append((ev["at"], {"__typename": ev["type"],
                                         "id": node_id(ev["type"], ev["id"]),
                                         "createdAt": ev["at"], "actor": self.actor(ev["actor"]),
                                         "beforeCommit": self.commit(repo, ev["before"]),
                                         "afterCommit": self.commit(repo, ev["after"])}))
        for rv in pr["reviews"]:
            if rv.get("submitted_at"):
                items.append((rv["submitted_at"], self.review(pr, rv)))
        items.sort(key=lambda x: x[0])
        nodes = [n for _, n in items]
        if a.get("since"):
            nodes = [n for t, n in items if t >= a["since"]]
        if a.get("itemTypes"):
            nodes = [n for n in nodes if TIMELINE_TYPES[n["__typename"]] in a["itemTypes"]]
        if a.get("skip"):
            nodes = nodes[a["skip"]:]
        return gql.connection(nodes, a, {"filteredCount": len(nodes)})

    def label(self, repo, name):
        lab = self.w.repo_label(repo, name)
        return {"__typename": "Label", "name": lab["name"], "color": lab["color"],
                "description": lab["description"], "id": node_id("Label", lab["id"])}

    def pr(self, pr):
        repo = self.w.db["repos"][pr["repo"]]
        w = self.w

        def files(a):
            d = w.diff(pr)
            return gql.connection([{"__typename": "PullRequestChangedFile",
                                    "path": f["filename"], "additions": f["additions"],
                                    "deletions": f["deletions"],
                                    "changeType": {"added": "ADDED", "removed": "DELETED",
                                                   "modified": "MODIFIED", "renamed": "RENAMED",
                                                   "copied": "COPIED", "changed": "CHANGED"}[
                                        f["status"]]}
                                   for f in d.files[:w.args.max_files]], a)

        def latest_reviews(a):
            by = {}
            for rv in pr["reviews"]:
                if rv["state"] != "PENDING":
                    by[rv["user"]] = rv
            return gql.connection([self.review(pr, rv) for rv in
                                   sorted(by.values(), key=lambda r: r["id"])], a)

        def reviews(a):
            rvs = [rv for rv in pr["reviews"] if rv["state"] != "PENDING" or rv["user"] ==
                   self.viewer]
            if a.get("states"):
                rvs = [rv for rv in rvs if rv["state"] in a["states"]]
            if a.get("author"):
                rvs = [rv for rv in rvs if rv["user"] == a["author"]]
            return gql.connection([self.review(pr, rv) for rv in rvs], a)

        def review_requests(a):
            nodes = []
            for i, login in enumerate(pr["requested_reviewers"]):
                nodes.append({"__typename": "ReviewRequest", "asCodeOwner": False,
                              "id": node_id("ReviewRequest", pr["id"] * 100 + i),
                              "requestedReviewer": self.actor(login)})
            for i, slug in enumerate(pr["requested_teams"]):
                if w.team_of(repo["owner"], slug):
                    nodes.append({"__typename": "ReviewRequest", "asCodeOwner": False,
                                  "id": node_id("ReviewRequest", pr["id"] * 100 + 50 + i),
                                  "requestedReviewer": self.team(repo["owner"], slug)})
            return gql.connection(nodes, a)

        def commits(a):
            return gql.connection([{"__typename": "PullRequestCommit",
                                    "id": node_id("PullRequestCommit", int(c["sha"][:8], 16)),
                                    "url": "%s/%s/pull/%d/commits/%s" % (
                                        self.s.web, pr["repo"], pr["number"], c["sha"]),
                                    "commit": self.commit(repo, c["sha"])}
                                   for c in w.commits(pr)], a)
        return {"__typename": "PullRequest", "id": node_id("PullRequest", pr["id"]),
                "databaseId": pr["id"], "number": pr["number"], "title": pr["title"],
                "body": pr["body"] or "", "url": "%s/%s/pull/%d" % (self.s.web, pr["repo"],
                                                                    pr["number"]),
                "permalink": "%s/%s/pull/%d" % (self.s.web, pr["repo"], pr["number"]),
                "isDraft": pr["draft"], "state": pr["state"].upper(),
                "closed": pr["state"] != "open", "merged": pr["state"] == "merged",
                "createdAt": pr["created_at"], "updatedAt": pr["updated_at"],
                "additions": lambda a: w.diff(pr).additions,
                "deletions": lambda a: w.diff(pr).deletions,
                "changedFiles": lambda a: len(w.diff(pr).files),
                "author": self.actor(pr["author"]), "repository": lambda a: self.repo(repo),
                "headRefName": pr["head"], "headRefOid": pr["head_sha"],
                "baseRefName": pr["base"], "baseRefOid": pr["base_sha"],
                "mergeable": pr["mergeable"], "reviewDecision": w.review_decision(pr),
                "labels": lambda a: gql.connection([self.label(repo, x) for x in pr["labels"]],
                                                   a),
                "reviewRequests": review_requests, "latestReviews": latest_reviews,
                "reviews": reviews, "timelineItems": lambda a: self.timeline(pr, a),
                "commits": commits, "files": files,
                "statusCheckRollup": lambda a: self.rollup(repo, pr["head_sha"])}

    def issue_search(self, a):
        q = a["query"]
        if a["type"] != "ISSUE":
            return gql.connection([], a, {"issueCount": 0})
        prs = search_sort(search_prs(self.w, q, self.viewer), q)
        count = len(prs)
        return gql.connection([self.pr(p) for p in prs[:1000]], a, {"issueCount": count})

    def root(self, rate):
        def repository(a):
            r = self.w.repo(a["owner"], a["name"])
            if r is None:
                raise gql.GraphQLError("Could not resolve to a Repository with the name '%s/%s'."
                                       % (a["owner"], a["name"]), etype="NOT_FOUND")
            return self.repo(r)

        def user(a):
            u = self.w.db["users"].get(a["login"])
            if u is None or u["type"] != "User":
                raise gql.GraphQLError("Could not resolve to a User with the login of '%s'."
                                       % a["login"], etype="NOT_FOUND")
            return self.actor(a["login"])

        def org(a):
            u = self.w.db["users"].get(a["login"])
            if u is None or u["type"] != "Organization":
                raise gql.GraphQLError("Could not resolve to an Organization with the login of "
                                       "'%s'." % a["login"], etype="NOT_FOUND")
            return self.actor(a["login"])
        return {"viewer": self.actor(self.viewer), "rateLimit": lambda a: rate,
                "search": self.issue_search, "repository": repository, "user": user,
                "organization": org}


_SCHEMA = None


def schema():
    global _SCHEMA
    if _SCHEMA is None:
        with open(os.path.join(HERE, "github-subset.graphql"), encoding="utf-8") as fh:
            _SCHEMA = gql.Schema(fh.read())
    return _SCHEMA


# ---------------------------------------------------------------------------------------------
# HTTP

ROUTES = []


def route(method, pattern, name, resource="core"):
    def deco(fn):
        ROUTES.append((method, re.compile("^" + pattern + "$"), name, resource, fn))
        return fn
    return deco


def page_args(query, default=30):
    def num(k, d):
        v = query.get(k, [str(d)])[0]
        if not re.fullmatch(r"\d+", v or ""):
            raise HTTPError(422, "Invalid request.\n\nFor '%s', \"%s\" is not an integer." % (k, v))
        return int(v)
    per = min(max(num("per_page", default), 1), 100)
    page = max(num("page", 1), 1)
    return per, page


def redact(v):
    """Request bodies go to the log; admin calls may name a token."""
    if isinstance(v, dict):
        return {k: "REDACTED" if k.lower() in ("token", "password") else redact(x)
                for k, x in v.items()}
    if isinstance(v, list):
        return [redact(x) for x in v]
    return v


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakeforge/1.0"
    sys_version = ""

    def version_string(self):
        return self.server_version

    def log_message(self, fmt, *args):  # quiet; the JSONL log is the record
        pass

    # --- plumbing
    @property
    def world(self):
        return self.server.world

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = bytearray()
            while True:
                line = self.rfile.readline()
                size = int(line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                out += self.rfile.read(size)
                self.rfile.readline()
            return bytes(out)
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def send(self, resp, fault=None):
        payload = resp.payload()
        kind = fault["kind"] if fault else None
        if kind == "malformed":
            payload = fault.get("body", '{"message": "Server Err').encode()
        elif kind == "deep_json":
            depth = int(fault.get("depth", 100000))
            payload = b"[" * depth + b"]" * depth
        elif kind == "duplicate_keys" and resp.body is not None:
            payload = dump_duplicating(resp.body, fault.get("key", "sha"),
                                       fault.get("value", "0" * 40)).encode("utf-8")
        self.send_response(resp.status)
        self.send_header("Content-Type", resp.ctype)
        self.send_header("X-GitHub-Api-Version-Selected", API_VERSION)
        self.send_header("X-GitHub-Request-Id", "%08X:%04X" % (id(self) & 0xffffffff,
                                                               self.server.seq()))
        for k, v in resp.headers.items():
            self.send_header(k, v)
        if kind == "huge_header":
            self.send_header(fault.get("name", "X-Fakeforge-Padding"),
                             "A" * int(fault.get("bytes", 1024 * 1024)))
        if kind == "huge":
            n = int(fault.get("bytes", 50 * 1024 * 1024))
            self.send_header("Content-Length", str(n))
            self.end_headers()
            head = b'{"message":"'
            chunk = b"A" * 65536
            sent = 0
            try:
                self.wfile.write(head)
                sent = len(head)
                while sent < n:
                    part = chunk[:min(len(chunk), n - sent)]
                    self.wfile.write(part)
                    sent += len(part)
            except OSError:
                pass
            self.close_connection = True
            return
        if kind == "truncated":
            self.send_header("Content-Length", str(len(payload) + int(fault.get("missing",
                                                                                 1024))))
            self.end_headers()
            try:
                self.wfile.write(payload[:max(1, len(payload) // 2)])
            except OSError:
                pass
            self.drop()
            return
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command == "HEAD" or resp.status == 304:
            return
        try:
            if kind == "slowloris":
                interval = float(fault.get("interval_ms", 200)) / 1000.0
                limit = time.time() + float(fault.get("max_seconds", 30))
                for i in range(len(payload)):
                    self.wfile.write(payload[i:i + 1])
                    self.wfile.flush()
                    if time.time() > limit:
                        self.drop()
                        return
                    time.sleep(interval)
            else:
                self.wfile.write(payload)
        except OSError:
            self.close_connection = True

    def log_request_json(self, status, route_name, fault, body):
        logf = self.server.logf
        if logf is None:
            return
        hdrs = {}
        for k, v in self.headers.items():
            hdrs[k] = "REDACTED" if k.lower() in ("authorization", "cookie") else v
        parsed = None
        if body:
            try:
                parsed = redact(json.loads(body))
            except ValueError:
                parsed = None
        rec = {"t": time.time(), "method": self.command, "path": self.path_only,
               "query": self.query_raw, "status": status, "headers": hdrs, "body": parsed,
               "route": route_name, "fault": fault["kind"] if fault else None}
        with self.server.log_lock:
            logf.write(json.dumps(rec, ensure_ascii=False) + "\n")
            logf.flush()

    def do_GET(self):
        self.dispatch()

    do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_GET

    def dispatch(self):
        split = urllib.parse.urlsplit(self.path)
        self.path_only = split.path
        self.query_raw = split.query
        self.query = urllib.parse.parse_qs(split.query, keep_blank_values=True)
        try:
            body = self.read_body()
        except (ValueError, OSError):
            self.close_connection = True
            return
        if self.server.latency:
            time.sleep(self.server.latency)
        path = self.path_only
        if path.startswith("/_admin/"):
            status = self.admin(path, body)
            self.log_request_json(status, "admin", None, body)
            return
        m = re.match(r"^/([^/]+)/([^/]+?)\.git(/.*)$", path)
        if m:
            # Git faults: delay, drop_before, status (others do not apply to a CGI stream).
            fault, dropped = self.early_fault(path, None, "git")
            if dropped:
                return
            if fault and fault["kind"] == "status":
                resp = self.fault_resp(fault, Resp())
                self.send(resp)
                self.log_request_json(resp.status, "git", fault, None)
                return
            status = self.git_http(m.group(1), m.group(2), m.group(3), body)
            self.log_request_json(status, "git", fault, None)
            return
        self.prefix = ""
        dialect = self.server.dialect
        if dialect is not None:
            if not path.startswith(dialect.PREFIX + "/"):
                self.send(Resp(404, {"message": "404 Not Found"}))
                self.log_request_json(404, "none", None, body)
                return
            self.prefix = dialect.PREFIX
            path = path[len(dialect.PREFIX):]
        elif path.startswith("/api/v3/") or path == "/api/v3":
            self.prefix = "/api/v3"
            path = path[len("/api/v3"):] or "/"
        if path == "/api/graphql":
            path = "/graphql"
        fault, dropped = self.early_fault(path, body, "fault")
        if dropped:
            return
        kind = fault["kind"] if fault else None
        route_name, resp = "none", None
        token = None
        try:
            self.check_headers()
            token = self.auth()
            self.check_write_pace(token)
            resp, route_name = self.call(path, body, token, fault)
        except HTTPError as e:
            resp = Resp(e.status, e.body, e.headers)
        except gql.GraphQLError as e:
            resp = Resp(200, {"errors": [e.as_dict()]})
        except Exception:  # a bug in the forge: say so loudly instead of hanging up
            import traceback
            traceback.print_exc()
            resp = Resp(500, {"message": "fakeforge internal error (see its stderr)",
                              "documentation_url": DOCS, "status": "500"})
        if kind == "drop_after":
            self.log_request_json(resp.status, route_name, fault, body)
            self.drop()
            return
        if fault and kind in ("status", "ratelimit_429", "ratelimit_403"):
            resp = self.fault_resp(fault, resp)
        self.send(resp, fault if kind in ("malformed", "truncated", "huge", "slowloris",
                                          "huge_header", "deep_json", "duplicate_keys")
                  else None)
        self.log_request_json(resp.status, route_name, fault, body)

    def early_fault(self, path, body, route_name):
        """Take this request's fault, if any; apply delay and drop_before (which ends it)."""
        fault = self.world.take_fault(self.command, path)
        if fault and fault["kind"] == "delay":
            time.sleep(float(fault.get("ms", 1000)) / 1000.0)
        if fault and fault["kind"] == "drop_before":
            self.log_request_json(None, route_name, fault, body)
            self.drop()
            return fault, True
        return fault, False

    def fault_resp(self, fault, resp):
        kind = fault["kind"]
        hdrs = {k: v for k, v in resp.headers.items() if k.startswith("x-ratelimit")}
        if kind == "status":
            st = int(fault.get("status", 502))
            body = fault.get("body", {"message": "Server Error"})
            if isinstance(body, str):
                return Resp(st, raw=body.encode(), headers=hdrs, ctype=fault.get(
                    "content_type", "text/html; charset=utf-8"))
            return Resp(st, body, hdrs)
        if kind == "ratelimit_429":
            hdrs["Retry-After"] = str(fault.get("retry_after", 1))
            return Resp(429, {"message": "You have exceeded a secondary rate limit. Please wait "
                              "a few minutes before you try again.",
                              "documentation_url": "https://docs.github.com/rest/overview/"
                              "rate-limits-for-the-rest-api#about-secondary-rate-limits",
                              "status": "429"}, hdrs)
        reset = int(time.time()) + int(fault.get("reset_in", 60))
        hdrs.update({"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)})
        hdrs.setdefault("x-ratelimit-limit", "5000")
        hdrs.setdefault("x-ratelimit-used", hdrs["x-ratelimit-limit"])
        hdrs.setdefault("x-ratelimit-resource", "core")
        return Resp(403, {"message": "API rate limit exceeded for user ID 1.",
                          "documentation_url": "https://docs.github.com/rest/overview/"
                          "rate-limits-for-the-rest-api#about-rate-limits", "status": "403"},
                    hdrs)

    def check_headers(self):
        # GitHub refuses requests without a User-Agent and unknown API versions.
        if not self.headers.get("User-Agent"):
            raise HTTPError(403, "Request forbidden by administrative rules. Please make sure "
                            "your request has a User-Agent header "
                            "(https://docs.github.com/en/rest/overview/resources-in-the-rest-api"
                            "#user-agent-required). Check https://developer.github.com for "
                            "other possible causes.")
        version = self.headers.get("X-GitHub-Api-Version")
        if version is not None and version not in API_VERSIONS:
            raise HTTPError(400, "API version %s is not supported." % version,
                            doc="https://docs.github.com/rest/overview/api-versions")

    def check_write_pace(self, token):
        """--min-write-interval-ms: writes closer together than that hit GitHub's secondary
        limit (403 + Retry-After), as a client that ignores "one write per second" would."""
        gap = self.server.min_write_interval
        if not gap or self.command not in ("POST", "PATCH", "PUT", "DELETE"):
            return
        with self.server.pace_lock:
            now = time.monotonic()
            last = self.server.last_write.get(token)
            if last is not None and now - last < gap:
                raise HTTPError(403, "You have exceeded a secondary rate limit. Please wait a "
                                "few minutes before you try again.",
                                doc="https://docs.github.com/rest/overview/rate-limits-for-the-"
                                "rest-api#about-secondary-rate-limits",
                                headers={"Retry-After": str(max(1, int(gap + 0.999)))})
            self.server.last_write[token] = now

    def auth(self):
        h = self.headers.get("Authorization", "")
        if self.server.dialect is not None and self.headers.get("PRIVATE-TOKEN"):
            h = "Bearer " + self.headers["PRIVATE-TOKEN"]   # GitLab's own header
        m = re.match(r"^(?:Bearer|token)\s+(\S+)$", h, re.I)
        if not h:
            raise HTTPError(401, "Requires authentication")
        if not m or m.group(1) not in self.world.db["tokens"]:
            raise HTTPError(401, "Bad credentials")
        return m.group(1)

    def urls(self):
        pub = self.server.public_url
        return pub + self.prefix, pub

    def call(self, path, body, token, fault):
        w = self.world
        api, web = self.urls()
        shapes = Shapes(w, api, web, self.server.git_url)
        method = "GET" if self.command == "HEAD" else self.command
        routes = ROUTES
        if self.server.dialect is not None:
            routes = self.server.dialect_routes
        elif path == "/graphql" and method == "POST":
            return self.graphql(body, token, shapes), "graphql"
        for meth, rx, name, resource, fn in routes:
            if meth != method:
                continue
            m = rx.match(path)
            if not m:
                continue
            if name != "rate_limit" and w.remaining(token, resource) <= 0:
                hdrs = w.rate_headers(token, resource)
                raise HTTPError(403, "API rate limit exceeded for user ID %d." % w.user(
                    w.db["tokens"][token])["id"], headers=hdrs,
                    doc="https://docs.github.com/rest/overview/rate-limits-for-the-rest-api")
            payload = None
            if body:
                try:
                    payload = json.loads(body)
                except ValueError:
                    raise HTTPError(400, "Problems parsing JSON")
            ctx = {"token": token, "viewer": w.db["tokens"][token], "shapes": shapes,
                   "query": self.query, "body": payload, "path": path, "api": api, "web": web,
                   "fault": fault, "accept": self.headers.get("Accept", "")}
            with w.lock:
                try:
                    resp = fn(w, ctx, **m.groupdict())
                except HTTPError as e:
                    if name != "rate_limit":
                        w.spend(token, resource)
                    e.headers.update(w.rate_headers(token, resource))
                    raise
                if method == "GET" and resp.status == 200:
                    etag = '"%s"' % hashlib.sha256(resp.payload()).hexdigest()
                    resp.headers["ETag"] = etag
                    inm = self.headers.get("If-None-Match", "")
                    # a fault that rewrites the body has a body to rewrite: no 304 then
                    rewrites = fault is not None and fault["kind"] in BODY_REWRITES
                    if not rewrites and (etag in [x.strip() for x in inm.split(",")] or
                                         inm.strip() == "*"):
                        resp = Resp(304, None, {"ETag": etag})
                if resp.status != 304 and name != "rate_limit":
                    w.spend(token, resource)
                resp.headers.update(w.rate_headers(token, resource))
                if method != "GET":
                    w.save()
            return resp, name
        raise HTTPError(404, "Not Found")

    # --- GraphQL
    def graphql(self, body, token, shapes):
        w = self.world
        viewer = w.db["tokens"][token]
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            raise HTTPError(400, "Problems parsing JSON")
        if not isinstance(req, dict):
            raise HTTPError(400, "Problems parsing JSON")
        with w.lock:
            hdrs = w.rate_headers(token, "graphql")
            try:
                r = gql.Request(schema(), {}, req.get("query"), req.get("variables"),
                                req.get("operationName"))
            except gql.GraphQLError as e:
                return Resp(200, {"errors": [e.as_dict()]}, hdrs)
            if not r.validate() or not r.compute_cost():
                return Resp(200, {"errors": [e.as_dict() for e in r.errors]}, hdrs)
            if w.remaining(token, "graphql") < r.cost:
                hdrs = w.rate_headers(token, "graphql")
                hdrs["x-ratelimit-remaining"] = "0"
                return Resp(200, {"errors": [{
                    "type": "RATE_LIMITED", "code": "graphql_rate_limit",
                    "message": "API rate limit exceeded for user ID %d." % w.user(viewer)["id"]}]},
                    hdrs)
            w.spend(token, "graphql", r.cost)
            b = w.budget(token, "graphql")
            limit = w.db["limits"]["graphql"]
            rate = {"__typename": "RateLimit", "cost": r.cost, "limit": limit,
                    "remaining": max(0, limit - b["used"]), "used": b["used"],
                    "resetAt": datetime.datetime.fromtimestamp(
                        b["reset"], datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "nodeCount": r.nodes}
            g = Graph(w, shapes, viewer)
            data = r.execute(g.root(rate), {})
            out = {"data": data}
            if r.exec_errors:
                out["errors"] = [e.as_dict() for e in r.exec_errors]
            return Resp(200, out, w.rate_headers(token, "graphql"))

    # --- git smart HTTP
    def git_http(self, owner, name, rest, body):
        w = self.world
        repo = w.repo(owner, name)
        h = self.headers.get("Authorization", "")
        ok = False
        m = re.match(r"^Basic\s+(\S+)$", h, re.I)
        if m:
            try:
                user, _, pw = base64.b64decode(m.group(1)).decode().partition(":")
                ok = pw in w.db["tokens"] or user in w.db["tokens"]
            except (ValueError, UnicodeDecodeError):
                ok = False
        if not ok:
            msg = b"Authentication required\n"
            self.send_response(401)
            self.send_header("WWW-Authenticate", 'Basic realm="fakeforge"')
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return 401
        if repo is None or rest not in ("/info/refs", "/git-upload-pack") or (
                rest == "/info/refs" and self.query.get("service", [""])[0] != "git-upload-pack"):
            msg = b"Repository not found.\n" if repo is None else b"Forbidden\n"
            st = 404 if repo is None else 403
            self.send_response(st)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", str(len(msg)))
            self.end_headers()
            self.wfile.write(msg)
            return st
        env = dict(os.environ)
        env.update({"GIT_PROJECT_ROOT": w.git_root, "GIT_HTTP_EXPORT_ALL": "1",
                    "PATH_INFO": "/" + repo["git"] + rest, "REQUEST_METHOD": self.command,
                    "QUERY_STRING": self.query_raw, "REMOTE_USER": "fakeforge",
                    "REMOTE_ADDR": self.client_address[0],
                    "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                    "CONTENT_LENGTH": str(len(body))})
        if self.headers.get("Git-Protocol"):
            env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
        if self.headers.get("Content-Encoding"):
            env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
        p = subprocess.Popen(["git", "http-backend"], stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env=env)

        def feed():
            try:
                p.stdin.write(body)
            except OSError:
                pass
            finally:
                p.stdin.close()
        t = threading.Thread(target=feed, daemon=True)
        t.start()
        head = b""
        while b"\r\n\r\n" not in head and b"\n\n" not in head:
            c = p.stdout.read1(4096)
            if not c:
                break
            head += c
        sep = b"\r\n\r\n" if b"\r\n\r\n" in head else b"\n\n"
        hdr, _, rest_body = head.partition(sep)
        status = 200
        hdrs = []
        for line in hdr.decode("latin-1").splitlines():
            k, _, v = line.partition(":")
            if k.lower() == "status":
                status = int(v.strip().split()[0])
            elif k:
                hdrs.append((k, v.strip()))
        self.send_response(status)
        for k, v in hdrs:
            self.send_header(k, v)
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        try:
            chunk = rest_body
            while True:
                if chunk:
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                chunk = p.stdout.read1(65536)
                if not chunk:
                    break
            self.wfile.write(b"0\r\n\r\n")
        except OSError:
            self.close_connection = True
        p.wait()
        t.join()
        return status

    # --- admin
    def admin(self, path, body):
        w = self.world
        try:
            payload = json.loads(body) if body else None
        except ValueError:
            payload = None
        try:
            if path == "/_admin/state" and self.command == "GET":
                with w.lock:
                    # Test diagnostics print this: tokens show as their login / a digest.
                    db = dict(w.db)
                    db["tokens"] = {"sha256:" + hashlib.sha256(t.encode()).hexdigest()[:12]: u
                                    for t, u in w.db["tokens"].items()}
                    db["rate"] = {"sha256:" + hashlib.sha256(t.encode()).hexdigest()[:12]: r
                                  for t, r in w.db["rate"].items()}
                    out = Resp(200, json.loads(json.dumps(db)))
            elif path == "/_admin/reset" and self.command == "POST":
                w.reset()
                out = Resp(200, {"ok": True})
            elif path == "/_admin/faults" and self.command == "POST":
                items = payload if isinstance(payload, list) else (payload or {}).get("faults",
                                                                                      [])
                new = [w.norm_fault(f) for f in items]
                with w.lock:
                    if isinstance(payload, dict) and payload.get("replace"):
                        w.db["faults"] = []
                    w.db["faults"].extend(new)
                    w.save()
                    out = Resp(200, w.db["faults"])
            elif path == "/_admin/faults" and self.command == "GET":
                out = Resp(200, w.db["faults"])
            elif path == "/_admin/faults" and self.command == "DELETE":
                with w.lock:
                    w.db["faults"] = []
                    w.save()
                out = Resp(200, [])
            elif path == "/_admin/pr" and self.command == "POST":
                out = Resp(200, admin_pr(w, payload or {}))
            elif path == "/_admin/ratelimit" and self.command == "POST":
                with w.lock:
                    for tok in list(w.db["tokens"]) if not payload.get("token") else [
                            payload["token"]]:
                        b = w.budget(tok, payload.get("resource", "core"))
                        limit = w.db["limits"][payload.get("resource", "core")]
                        if "remaining" in payload:
                            b["used"] = limit - int(payload["remaining"])
                        if "reset_in" in payload:
                            b["reset"] = int(time.time()) + int(payload["reset_in"])
                    w.save()
                out = Resp(200, w.db["rate"])
            else:
                out = Resp(404, {"message": "Not Found"})
        except (ValueError, KeyError, TypeError, RuntimeError) as e:
            out = Resp(400, {"message": "%s: %s" % (type(e).__name__, e)})
        self.send(out)
        return out.status


def admin_pr(w, p):
    """Mutate a PR: push a commit to its head, move the head, add checks/statuses, edit fields."""
    with w.lock:
        owner, _, name = p["repo"].partition("/")
        repo = w.repo(owner, name)
        pr = w.pr(repo, int(p["number"]))
        if pr is None:
            raise KeyError("no such PR %s#%s" % (p["repo"], p["number"]))
        gd = w.gitdir(repo)
        old = pr["head_sha"]
        new = None
        if "push" in p:
            push = p["push"]
            parent = pr["base_sha"] if push.get("force") else old
            idx = os.path.join(w.args.state_dir, "admin-index.%d" % threading.get_ident())
            env = {"GIT_INDEX_FILE": idx}
            when = push.get("date") or now_iso()
            env.update({"GIT_AUTHOR_NAME": push.get("author", pr["author"]),
                        "GIT_AUTHOR_EMAIL": push.get("email", "agent@example.invalid"),
                        "GIT_COMMITTER_NAME": push.get("author", pr["author"]),
                        "GIT_COMMITTER_EMAIL": push.get("email", "agent@example.invalid"),
                        "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when})
            git(gd, "read-tree", parent, env=env)
            for path, content in push.get("files", {}).items():
                if content is None:
                    git(gd, "update-index", "--force-remove", path, env=env)
                else:
                    blob = git(gd, "hash-object", "-w", "--stdin",
                               data=content.encode()).decode().strip()
                    git(gd, "update-index", "--add", "--cacheinfo",
                        "100644,%s,%s" % (blob, path), env=env)
            tree = git(gd, "write-tree", env=env).decode().strip()
            os.unlink(idx)
            new = git(gd, "commit-tree", tree, "-p", parent, "-m",
                      push.get("message", "Update"), env=env).decode().strip()
            if push.get("force"):
                pr["events"].append({"type": "HeadRefForcePushedEvent", "id": w.new_id(),
                                     "at": when, "actor": pr["author"], "before": old,
                                     "after": new})
        elif "head_sha" in p:
            new = w.rev(repo, p["head_sha"])
            if new is None:
                raise ValueError("unknown commit %s" % p["head_sha"])
        if new:
            git(gd, "update-ref", "refs/heads/" + pr["head"], new)
            git(gd, "update-ref", "refs/pull/%d/head" % pr["number"], new)
            pr["prior_heads"].append(old)
            pr["head_sha"] = new
            pr["updated_at"] = now_iso()
        if "pull_ref_sha" in p:
            # Replication lag: git still serves an older head than the API reports (GitHub
            # updates refs/pull/N/head after the PR's head.sha).
            lag = w.rev(repo, p["pull_ref_sha"])
            if lag is None:
                raise ValueError("unknown commit %s" % p["pull_ref_sha"])
            git(gd, "update-ref", "refs/pull/%d/head" % pr["number"], lag)
        for k in ("title", "body", "draft", "state", "ready_at", "mergeable", "updated_at",
                  "requested_reviewers", "requested_teams"):
            if k in p:
                pr[k] = p[k]
        if "labels" in p:
            pr["labels"] = []
            for nm in p["labels"]:
                w.repo_label(repo, nm)
                pr["labels"].append(nm)
        if p.get("checks_replace"):
            for cid in [k for k, r in w.db["check_runs"].items()
                        if r["repo"] == repo["full_name"] and r["head_sha"] == pr["head_sha"]]:
                del w.db["check_runs"][cid]
        runs = [w.add_check(repo, pr["head_sha"], c) for c in p.get("checks", [])]
        for s in p.get("statuses", []):
            w.add_status(repo, pr["head_sha"], s)
        w.save()
        return {"head_sha": pr["head_sha"], "previous_head": old,
                "check_run_ids": [r["id"] for r in runs]}


# ---------------------------------------------------------------------------------------------
# REST routes

O = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"


def need_repo(w, owner, name):
    r = w.repo(owner, name)
    if r is None:
        raise not_found()
    return r


def need_pr(w, owner, name, number):
    r = need_repo(w, owner, name)
    pr = w.pr(r, int(number))
    if pr is None:
        raise not_found()
    return r, pr


def paginate(ctx, items, default=30):
    per, page = page_args(ctx["query"], default)
    total = len(items)
    last = max(1, (total + per - 1) // per)
    chunk = items[(page - 1) * per: page * per]
    links = []

    def url(pg):
        q = {k: v[0] for k, v in ctx["query"].items()}
        q["per_page"] = str(per)
        q["page"] = str(pg)
        return "<%s%s?%s>" % (ctx["api"], ctx["path"], urllib.parse.urlencode(q))
    if page > 1:
        links.append(url(min(page - 1, last)) + '; rel="prev"')
    if page < last:
        links.append(url(page + 1) + '; rel="next"')
        links.append(url(last) + '; rel="last"')
    if page > 1:
        links.append(url(1) + '; rel="first"')
    hdrs = {"Link": ", ".join(links)} if links else {}
    return chunk, hdrs


@route("GET", r"/user", "user")
def r_user(w, ctx):
    return Resp(200, ctx["shapes"].private_user(ctx["viewer"]))


@route("GET", r"/rate_limit", "rate_limit")
def r_rate(w, ctx):
    res = {}
    for k in ("core", "search", "graphql"):
        b = w.budget(ctx["token"], k)
        limit = w.db["limits"][k]
        res[k] = {"limit": limit, "used": b["used"], "remaining": max(0, limit - b["used"]),
                  "reset": b["reset"]}
    return Resp(200, {"resources": res, "rate": res["core"]})


@route("GET", r"/repos/" + O, "repo")
def r_repo(w, ctx, owner, name):
    return Resp(200, ctx["shapes"].repo(need_repo(w, owner, name), full=True))


@route("GET", r"/repos/" + O + r"/branches/(?P<branch>.+)", "branch")
def r_branch(w, ctx, owner, name, branch):
    repo = need_repo(w, owner, name)
    out = git(w.gitdir(repo), "rev-parse", "--verify", "-q", "refs/heads/" + branch,
              check=False)
    sha = out.decode().strip()
    if not sha:
        raise HTTPError(404, "Branch not found")
    info = w.commit_info(repo, sha)
    api, web = ctx["api"], ctx["web"]
    a = "%s/repos/%s" % (api, repo["full_name"])
    protected = branch == repo["default_branch"] and bool(repo["required_checks"])
    prot = {"enabled": protected,
            "required_status_checks": {"enforcement_level": "non_admins" if protected else "off",
                                       "contexts": list(repo["required_checks"]),
                                       "checks": [{"context": c, "app_id": None}
                                                  for c in repo["required_checks"]]}}

    def person(n, e, d):
        return {"name": n, "email": e, "date": d}
    return Resp(200, {
        "name": branch,
        "commit": {"sha": sha, "node_id": node_id("Commit", int(sha[:8], 16)),
                   "url": "%s/commits/%s" % (a, sha),
                   "html_url": "%s/%s/commit/%s" % (web, repo["full_name"], sha),
                   "comments_url": "%s/commits/%s/comments" % (a, sha),
                   "commit": {"author": person(info["author"], info["author_email"],
                                               info["authored"]),
                              "committer": person(info["committer"], info["committer_email"],
                                                  info["committed"]),
                              "message": info["message"], "comment_count": 0,
                              "tree": {"sha": info["tree"],
                                       "url": "%s/git/trees/%s" % (a, info["tree"])},
                              "url": "%s/git/commits/%s" % (a, sha),
                              "verification": {"verified": False, "reason": "unsigned",
                                               "signature": None, "payload": None,
                                               "verified_at": None}},
                   "author": None, "committer": None,
                   "parents": [{"sha": x, "url": "%s/commits/%s" % (a, x),
                                "html_url": "%s/%s/commit/%s" % (web, repo["full_name"], x)}
                               for x in info["parents"]]},
        "_links": {"self": "%s/branches/%s" % (a, branch),
                   "html": "%s/%s/tree/%s" % (web, repo["full_name"], branch)},
        "protected": protected, "protection": prot,
        "protection_url": "%s/branches/%s/protection" % (a, branch)})


@route("GET", r"/repos/" + O + r"/pulls", "pulls")
def r_pulls(w, ctx, owner, name):
    repo = need_repo(w, owner, name)
    q = ctx["query"]
    state = q.get("state", ["open"])[0]
    prs = [p for p in w.db["prs"].values() if p["repo"] == repo["full_name"]]
    if state != "all":
        prs = [p for p in prs if (p["state"] == "open") == (state == "open")]
    if q.get("base"):
        prs = [p for p in prs if p["base"] == q["base"][0]]
    if q.get("head"):
        prs = [p for p in prs if "%s:%s" % (repo["owner"], p["head"]) == q["head"][0]]
    sort = q.get("sort", ["created"])[0]
    key = "updated_at" if sort == "updated" else "created_at"
    direction = q.get("direction", ["desc"])[0]
    prs.sort(key=lambda p: (p[key], p["number"]), reverse=direction != "asc")
    chunk, hdrs = paginate(ctx, prs)
    return Resp(200, [ctx["shapes"].pull(p) for p in chunk], hdrs)


@route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)", "pull")
def r_pull(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    accept = ctx["accept"]
    if "diff" in accept or "patch" in accept:
        d = w.diff(pr)
        lines = sum(f["additions"] + f["deletions"] for f in d.files)
        if len(d.files) > 300 or lines > 20000:
            what = ("files (300)" if len(d.files) > 300 else "lines (20000)")
            raise HTTPError(406, "Sorry, the diff exceeded the maximum number of %s. Consider "
                            "using 'List pull requests files' API or locally cloning the "
                            "repository instead." % what,
                            errors=[{"resource": "PullRequest", "field": "diff",
                                     "code": "too_large"}],
                            doc="https://docs.github.com/rest/pulls/pulls#list-pull-requests-"
                            "files")
        raw = b"".join(f["raw_diff"] for f in d.patches())
        return Resp(200, raw=raw, ctype="text/plain; charset=utf-8")
    return Resp(200, ctx["shapes"].pull(pr, simple=False))


@route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/commits", "pull_commits")
def r_pull_commits(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    a = "%s/repos/%s" % (ctx["api"], repo["full_name"])
    web = "%s/%s" % (ctx["web"], repo["full_name"])
    items = []
    for c in w.commits(pr)[:250]:        # GitHub lists at most 250 commits here
        info = w.commit_info(repo, c["sha"])
        person = {"name": info["author"], "email": info["author_email"], "date": info["authored"]}
        committer = {"name": info["committer"], "email": info["committer_email"],
                     "date": info["committed"]}
        items.append({
            "url": "%s/commits/%s" % (a, c["sha"]), "sha": c["sha"],
            "node_id": node_id("Commit", int(c["sha"][:8], 16)),
            "html_url": "%s/commit/%s" % (web, c["sha"]),
            "comments_url": "%s/commits/%s/comments" % (a, c["sha"]),
            "commit": {"url": "%s/git/commits/%s" % (a, c["sha"]), "author": person,
                       "committer": committer, "message": info["message"], "comment_count": 0,
                       "tree": {"sha": info["tree"], "url": "%s/git/trees/%s" % (a, info["tree"])}},
            "author": None, "committer": None,
            "parents": [{"sha": x, "url": "%s/commits/%s" % (a, x),
                         "html_url": "%s/commit/%s" % (web, x)} for x in info["parents"]]})
    chunk, hdrs = paginate(ctx, items)
    return Resp(200, chunk, hdrs)


@route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/files", "pull_files")
def r_pull_files(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    d = w.diff(pr)
    d.patches()
    a = "%s/repos/%s" % (ctx["api"], repo["full_name"])
    web = "%s/%s" % (ctx["web"], repo["full_name"])
    items = []
    for f in d.files[:w.args.max_files]:
        path = urllib.parse.quote(f["filename"])
        e = {"sha": f["sha"], "filename": f["filename"], "status": f["status"],
             "additions": f["additions"], "deletions": f["deletions"],
             "changes": f["additions"] + f["deletions"],
             "blob_url": "%s/blob/%s/%s" % (web, pr["head_sha"], path),
             "raw_url": "%s/raw/%s/%s" % (web, pr["head_sha"], path),
             "contents_url": "%s/contents/%s?ref=%s" % (a, path, pr["head_sha"])}
        if f.get("patch") is not None and len(f["patch"].encode()) <= w.args.patch_limit:
            e["patch"] = f["patch"]
        if "previous_filename" in f:
            e["previous_filename"] = f["previous_filename"]
        items.append(e)
    chunk, hdrs = paginate(ctx, items)
    return Resp(200, chunk, hdrs)


@route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/reviews", "reviews")
def r_reviews(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    rvs = [rv for rv in pr["reviews"] if rv["state"] != "PENDING" or rv["user"] == ctx["viewer"]]
    chunk, hdrs = paginate(ctx, rvs)
    return Resp(200, [ctx["shapes"].review(pr, rv) for rv in chunk], hdrs)


def simple_422(msg, doc):
    return HTTPError(422, "Unprocessable Entity", errors=[msg], doc=doc)


@route("POST", r"/repos/" + O + r"/pulls/(?P<number>\d+)/reviews", "create_review")
def r_create_review(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    doc = "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request"
    b = ctx["body"] if ctx["body"] is not None else {}
    if not isinstance(b, dict):
        raise HTTPError(400, "Problems parsing JSON")
    viewer = ctx["viewer"]
    event = b.get("event")
    if event is not None and event not in REVIEW_EVENTS:
        raise HTTPError(422, "Validation Failed",
                        errors=["Event \"%s\" is not a valid review event" % event], doc=doc)
    body = b.get("body") or ""
    if len(body) > MAX_BODY:
        raise simple_422("Body is too long (maximum is %d characters)" % MAX_BODY, doc)
    if event in ("REQUEST_CHANGES", "COMMENT") and not body.strip() and not (
            event == "COMMENT" and b.get("comments")):
        raise simple_422("Body is required for %s reviews" % event.replace("_", " ").lower(),
                         doc)
    if event in ("APPROVE", "REQUEST_CHANGES") and viewer == pr["author"]:
        raise simple_422("Can not approve your own pull request" if event == "APPROVE" else
                         "Can not request changes on your own pull request", doc)
    commit = b.get("commit_id") or pr["head_sha"]
    known = {c["sha"] for c in w.commits(pr)} | set(pr["prior_heads"])
    if commit not in known:
        raise simple_422("No commit found for SHA: %s" % commit, doc)
    if event is None and any(rv["user"] == viewer and rv["state"] == "PENDING"
                             for rv in pr["reviews"]):
        raise simple_422("User can only have one pending review per pull request", doc)
    comments = b.get("comments") or []
    d = w.diff(pr)
    for c in comments:
        if not isinstance(c, dict) or not c.get("path") or not c.get("body"):
            raise simple_422("Path and body are required for review comments", doc)
        side = c.get("side", "RIGHT")
        lines = d.diff_lines(c["path"], side)
        if lines is None:
            raise simple_422("Path could not be resolved", doc)
        if "line" in c and c["line"] not in lines:
            raise simple_422("Pull request review thread line must be part of the diff", doc)
        if "start_line" in c and c["start_line"] not in d.diff_lines(
                c["path"], c.get("start_side", side)):
            raise simple_422("Pull request review thread start line must be part of the same "
                             "hunk as the line.", doc)
    rv = {"id": w.new_id(), "user": viewer, "state": REVIEW_EVENTS.get(event, "PENDING"),
          "body": body, "commit_id": commit,
          "submitted_at": now_iso() if event else None,
          "comments": [{"id": w.new_id(), "path": c["path"], "line": c.get("line"),
                        "side": c.get("side", "RIGHT"), "start_line": c.get("start_line"),
                        "body": c["body"]} for c in comments]}
    pr["reviews"].append(rv)
    if event and viewer in pr["requested_reviewers"]:
        pr["requested_reviewers"].remove(viewer)
    pr["updated_at"] = now_iso()
    return Resp(200, ctx["shapes"].review(pr, rv))


def resolve_ref(w, repo, ref):
    sha = w.rev(repo, ref)
    if sha is None:
        raise HTTPError(422, "No commit found for SHA: %s" % ref,
                        doc="https://docs.github.com/rest/commits/statuses")
    return sha


@route("GET", r"/repos/" + O + r"/commits/(?P<ref>.+)/check-runs", "check_runs")
def r_check_runs(w, ctx, owner, name, ref):
    repo = need_repo(w, owner, name)
    sha = resolve_ref(w, repo, ref)
    q = ctx["query"]
    runs = w.runs_for(repo["full_name"], sha, latest=q.get("filter", ["latest"])[0] != "all")
    if q.get("check_name"):
        runs = [r for r in runs if r["name"] == q["check_name"][0]]
    if q.get("status"):
        runs = [r for r in runs if r["status"] == q["status"][0]]
    if q.get("app_id"):
        runs = [r for r in runs if str(w.db["apps"][r["app"]]["id"]) == q["app_id"][0]]
    chunk, hdrs = paginate(ctx, runs)
    return Resp(200, {"total_count": len(runs),
                      "check_runs": [ctx["shapes"].check_run(r) for r in chunk]}, hdrs)


@route("GET", r"/repos/" + O + r"/check-runs/(?P<cid>\d+)/annotations", "annotations")
def r_annotations(w, ctx, owner, name, cid):
    repo = need_repo(w, owner, name)
    run = w.db["check_runs"].get(cid)
    if run is None or run["repo"] != repo["full_name"]:
        raise not_found()
    chunk, hdrs = paginate(ctx, run["annotations"])
    return Resp(200, [ctx["shapes"].annotation(run, a) for a in chunk], hdrs)


@route("GET", r"/repos/" + O + r"/commits/(?P<ref>.+)/status", "combined_status")
def r_combined(w, ctx, owner, name, ref):
    repo = need_repo(w, owner, name)
    sha = resolve_ref(w, repo, ref)
    latest = w.latest_statuses(repo["full_name"], sha)
    states = [s["state"] for s in latest]
    if any(s in ("error", "failure") for s in states):
        state = "failure"
    elif not states or "pending" in states:
        state = "pending"
    else:
        state = "success"
    chunk, hdrs = paginate(ctx, latest, 100)
    a = "%s/repos/%s" % (ctx["api"], repo["full_name"])
    sts = []
    for s in chunk:
        s = dict(s, sha=sha)
        sts.append(ctx["shapes"].status(repo, s, combined=True))
    return Resp(200, {"state": state, "statuses": sts, "sha": sha, "total_count": len(latest),
                      "repository": ctx["shapes"].repo(repo),
                      "commit_url": "%s/commits/%s" % (a, sha),
                      "url": "%s/commits/%s/status" % (a, sha)}, hdrs)


@route("GET", r"/repos/" + O + r"/commits/(?P<ref>.+)/statuses", "statuses")
def r_statuses(w, ctx, owner, name, ref):
    repo = need_repo(w, owner, name)
    sha = resolve_ref(w, repo, ref)
    items = list(reversed(w.statuses_for(repo["full_name"], sha)))
    chunk, hdrs = paginate(ctx, items)
    return Resp(200, [ctx["shapes"].status(repo, dict(s, sha=sha)) for s in chunk], hdrs)


@route("POST", r"/repos/" + O + r"/statuses/(?P<sha>[^/]+)", "create_status")
def r_create_status(w, ctx, owner, name, sha):
    repo = need_repo(w, owner, name)
    b = ctx["body"]
    if not isinstance(b, dict):
        raise HTTPError(400, "Problems parsing JSON")
    errs = []
    if b.get("state") not in STATUS_STATES:
        errs.append({"resource": "Status", "code": "custom", "field": "state",
                     "message": "state is not included in the list"})
    desc = b.get("description")
    if desc is not None and len(desc) > 140:
        errs.append({"resource": "Status", "code": "custom", "field": "description",
                     "message": "description is too long (maximum is 140 characters)"})
    if errs:
        raise HTTPError(422, "Validation Failed", errors=errs,
                        doc="https://docs.github.com/rest/commits/statuses#create-a-commit-status")
    full = w.rev(repo, sha) if re.fullmatch(r"[0-9a-f]{40}", sha) else None
    if full is None:
        raise HTTPError(422, "No commit found for SHA: %s" % sha,
                        doc="https://docs.github.com/rest/commits/statuses#create-a-commit-status")
    ctxname = b.get("context") or "default"
    same = [s for s in w.statuses_for(repo["full_name"], full)
            if s["context"].lower() == ctxname.lower()]
    if len(same) >= 1000:
        raise HTTPError(422, "Validation Failed", errors=[{
            "resource": "Status", "code": "custom", "field": "context",
            "message": "This SHA and context has reached the maximum number of statuses."}])
    st = w.add_status(repo, full, {"state": b["state"], "context": ctxname,
                                   "description": desc, "target_url": b.get("target_url")},
                      creator=ctx["viewer"])
    out = ctx["shapes"].status(repo, dict(st, sha=full))
    return Resp(201, out, {"Location": out["url"]})


@route("POST", r"/repos/" + O + r"/issues/(?P<number>\d+)/labels", "add_labels")
def r_add_labels(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    b = ctx["body"]
    labels = b.get("labels") if isinstance(b, dict) else b
    if not isinstance(labels, list) or not labels:
        raise HTTPError(422, "Invalid request.\n\nNo subschema in \"anyOf\" matched.",
                        doc="https://docs.github.com/rest/issues/labels#add-labels-to-an-issue")
    for lab in labels:
        nm = lab.get("name") if isinstance(lab, dict) else lab
        if not isinstance(nm, str) or not nm.strip():
            raise HTTPError(422, "Validation Failed", errors=[{
                "resource": "Label", "code": "invalid", "field": "name"}])
        w.repo_label(repo, nm)
        if nm.lower() not in [x.lower() for x in pr["labels"]]:
            pr["labels"].append(nm)
    pr["updated_at"] = now_iso()
    return Resp(200, [ctx["shapes"].label(repo, x) for x in pr["labels"]])


@route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/requested_reviewers",
       "list_requested_reviewers")
def r_list_requested_reviewers(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    shapes = ctx["shapes"]
    return Resp(200, {"users": [shapes.user(x) for x in pr["requested_reviewers"]],
                      "teams": [shapes.team(repo["owner"], s) for s in pr["requested_teams"]
                                if w.team_of(repo["owner"], s)]})


@route("POST", r"/repos/" + O + r"/pulls/(?P<number>\d+)/requested_reviewers", "request_reviewers")
def r_request_reviewers(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    b = ctx["body"] if isinstance(ctx["body"], dict) else {}
    doc = ("https://docs.github.com/rest/pulls/review-requests#request-reviewers-for-a-pull-"
           "request")
    users = b.get("reviewers") or []
    teams = b.get("team_reviewers") or []
    if pr["author"] in users:
        raise simple_422("Review cannot be requested from pull request author.", doc)
    bad = [u for u in users if u not in w.db["users"] or w.db["users"][u]["type"] != "User"]
    bad += [t for t in teams if not w.team_of(repo["owner"], t)]
    if bad:
        raise simple_422("Reviews may only be requested from collaborators. One or more of the "
                         "users or teams you specified is not a collaborator of the %s "
                         "repository." % repo["full_name"], doc)
    for u in users:
        if u not in pr["requested_reviewers"]:
            pr["requested_reviewers"].append(u)
    for t in teams:
        if t not in pr["requested_teams"]:
            pr["requested_teams"].append(t)
    pr["updated_at"] = now_iso()
    return Resp(201, ctx["shapes"].pull(pr))


@route("POST", r"/repos/" + O + r"/issues/(?P<number>\d+)/comments", "create_comment")
def r_create_comment(w, ctx, owner, name, number):
    repo, pr = need_pr(w, owner, name, number)
    b = ctx["body"] if isinstance(ctx["body"], dict) else {}
    if not isinstance(b.get("body"), str) or not b["body"].strip():
        raise HTTPError(422, "Validation Failed", errors=[{
            "resource": "IssueComment", "code": "missing_field", "field": "body"}],
            doc="https://docs.github.com/rest/issues/comments#create-an-issue-comment")
    if len(b["body"]) > MAX_BODY:
        raise HTTPError(422, "Validation Failed", errors=[{
            "resource": "IssueComment", "code": "custom", "field": "body",
            "message": "body is too long (maximum is %d characters)" % MAX_BODY}],
            doc="https://docs.github.com/rest/issues/comments#create-an-issue-comment")
    c = {"id": w.new_id(), "user": ctx["viewer"], "body": b["body"], "created_at": now_iso()}
    pr["comments"].append(c)
    out = ctx["shapes"].comment(pr, c)
    return Resp(201, out, {"Location": out["url"]})


@route("GET", r"/search/issues", "search_issues", "search")
def r_search(w, ctx):
    q = ctx["query"].get("q", [""])[0]
    if not q.strip():
        raise HTTPError(422, "Validation Failed", errors=[{
            "resource": "Search", "field": "q", "code": "missing"}],
            doc="https://docs.github.com/v3/search")
    prs = search_sort(search_prs(w, q, ctx["viewer"]), q, ctx["query"].get("sort", [None])[0],
                      ctx["query"].get("order", ["desc"])[0])
    per, page = page_args(ctx["query"])
    if page * per > 1000 and (page - 1) * per >= 1000:
        raise HTTPError(422, "Only the first 1000 search results are available",
                        doc="https://docs.github.com/v3/search/")
    total = len(prs)
    chunk, hdrs = paginate(ctx, prs[:1000])
    fault = ctx["fault"]
    incomplete = bool(fault and fault["kind"] == "incomplete_results") or \
        w.db["settings"].get("search_incomplete", False)
    if incomplete and chunk:
        chunk = chunk[:-1]
    return Resp(200, {"total_count": total, "incomplete_results": incomplete,
                      "items": [ctx["shapes"].search_item(p) for p in chunk],
                      "search_type": "lexical"}, hdrs)


# ---------------------------------------------------------------------------------------------

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, addr, world, args):
        super().__init__(addr, Handler)
        self.world = world
        self.latency = (args.latency_ms or 0) / 1000.0
        self.min_write_interval = (args.min_write_interval_ms or 0) / 1000.0
        self.last_write = {}
        self.pace_lock = threading.Lock()
        self.logf = open(args.log, "a", encoding="utf-8") if args.log else None
        self.log_lock = threading.Lock()
        own = "http://%s:%d" % (addr[0], self.server_address[1])
        self.public_url = (args.public_url or own).rstrip("/")
        self.git_url = (args.git_url or own).rstrip("/")
        # --dialect gitlab|gitea: the same world served through that forge's REST API
        # (tests/fakeforge/dialects/NAME.py); git smart HTTP and /_admin are shared.
        self.dialect, self.dialect_routes = None, None
        if args.dialect != "github":
            import importlib.util
            spec = importlib.util.spec_from_file_location(
                "fakeforge_dialect_" + args.dialect, os.path.join(os.path.dirname(
                    os.path.abspath(__file__)), "dialects", args.dialect + ".py"))
            self.dialect = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(self.dialect)
            self.dialect_routes = self.dialect.routes(sys.modules[__name__], world)
        self._seq = 0
        self._seq_lock = threading.Lock()

    def handle_error(self, request, client_address):
        # Clients that hang up (timeouts, fault tests, git giving up on auth) are not errors.
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    def seq(self):
        with self._seq_lock:
            self._seq = (self._seq + 1) & 0xffff
            return self._seq


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--git-root")
    ap.add_argument("--public-url")
    ap.add_argument("--git-url")
    ap.add_argument("--log")
    ap.add_argument("--token", action="append", help="LOGIN=TOKEN (or TOKEN for default_user)")
    ap.add_argument("--latency-ms", type=float, default=0)
    ap.add_argument("--shift-times-from", metavar="ISO",
                    help="move PR times so that this scenario instant reads as now")
    ap.add_argument("--max-files", type=int, default=3000)
    ap.add_argument("--patch-limit", type=int, default=400 * 1024)
    ap.add_argument("--min-write-interval-ms", type=float, default=0,
                    help="writes closer together get a secondary-rate-limit 403")
    ap.add_argument("--dialect", choices=("github", "gitlab", "gitea"), default="github",
                    help="serve the world through GitLab's API v4 or Gitea's API v1")
    ap.add_argument("--warm", action="store_true",
                    help="read all PR diffs before listening (for benchmarks)")
    args = ap.parse_args(argv)
    os.makedirs(args.state_dir, exist_ok=True)
    world = World(args)
    if args.warm:
        world.warm()
    srv = Server((args.host, args.port), world, args)

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    sys.stdout.write("listening http://%s:%d\n" % (args.host, srv.server_address[1]))
    sys.stdout.flush()
    srv.serve_forever(poll_interval=0.2)
    srv.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
