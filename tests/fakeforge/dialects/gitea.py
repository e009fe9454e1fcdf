"""The test forge's world served as Gitea / Forgejo API v1 (`fakeforge.py --dialect gitea`).

Shapes follow Gitea's swagger (modules/structs): PullRequest, Issue (search), CombinedStatus /
CommitStatus (state in `status`), PullReview (state APPROVED | REQUEST_CHANGES | COMMENT |
PENDING), ChangedFile (no patch), Commit, ActionTask. The traps are kept: an unknown review event
(GitHub's APPROVE included) becomes a PENDING review with HTTP 200; self-approval and a
REQUEST_CHANGES without body are 422 `{message, url}`. Pagination is `page` + `limit` with a Link
header. Reviews are stored in the world with GitHub's state words, so the admin state reads the
same on every dialect.
"""
import re
import urllib.parse

PREFIX = "/api/v1"
SWAGGER = "https://gitea.com/api/swagger"
# Gitea's review states <-> the world's (GitHub's) words
TO_GITEA = {"APPROVED": "APPROVED", "CHANGES_REQUESTED": "REQUEST_CHANGES",
            "COMMENTED": "COMMENT", "PENDING": "PENDING", "DISMISSED": "APPROVED"}
EVENTS = {"APPROVED": "APPROVED", "REQUEST_CHANGES": "CHANGES_REQUESTED", "COMMENT": "COMMENTED"}
STATUS_STATES = ("pending", "success", "error", "failure", "warning", "skipped")


def routes(ff, world):
    table = []
    O = r"(?P<owner>[^/]+)/(?P<name>[^/]+)"
    Resp, HTTPError = ff.Resp, ff.HTTPError

    def route(method, pattern, name):
        def deco(fn):
            table.append((method, re.compile("^" + pattern + "$"), name, "core", fn))
            return fn
        return deco

    def err(status, msg):
        e = HTTPError(status, msg)
        e.body = {"message": msg, "url": SWAGGER}
        return e

    def paginate(ctx, items):
        q = ctx["query"]
        try:
            limit = min(max(int(q.get("limit", ["30"])[0]), 1), 50)
            page = max(int(q.get("page", ["1"])[0]), 1)
        except ValueError:
            raise err(422, "page and limit must be integers")
        last = max(1, (len(items) + limit - 1) // limit)
        hdrs = {"X-Total-Count": str(len(items))}
        if page < last:
            qq = {k: v[0] for k, v in q.items()}
            qq.update(limit=str(limit), page=str(page + 1))
            hdrs["Link"] = '<%s%s?%s>; rel="next"' % (ctx["api"], ctx["path"],
                                                        urllib.parse.urlencode(qq))
        return items[(page - 1) * limit: page * limit], hdrs

    def user(login):
        u = world.user(login) or {"id": 0}
        return {"id": u.get("id", 0), "login": login, "full_name": "", "email": "",
                "avatar_url": "", "is_admin": False}

    def repo_obj(ctx, full):
        owner, name = full.split("/", 1)
        return {"id": world.db["repos"][full].get("id", 0), "name": name, "full_name": full,
                "owner": user(owner), "html_url": "%s/%s" % (ctx["web"], full),
                "clone_url": "%s/%s.git" % (ctx["web"], full), "private": True}

    def label(full, nm):
        return {"id": abs(hash((full, nm))) % 100000, "name": nm, "color": "ededed",
                "description": ""}

    def pull(ctx, pr):
        full = pr["repo"]
        d = world.diff(pr)
        return {
            "id": pr["id"], "number": pr["number"], "user": user(pr["author"]),
            "title": pr["title"], "body": pr["body"] or "",
            "labels": [label(full, x) for x in pr["labels"]],
            "state": "open" if pr["state"] == "open" else "closed",
            "draft": pr["draft"], "is_locked": False, "comments": len(pr["comments"]),
            "html_url": "%s/%s/pulls/%d" % (ctx["web"], full, pr["number"]),
            "diff_url": "%s/%s/pulls/%d.diff" % (ctx["web"], full, pr["number"]),
            "mergeable": pr["mergeable"] == "MERGEABLE", "merged": pr["state"] == "merged",
            "merge_base": pr["base_sha"],
            "head": {"label": pr["head"], "ref": pr["head"], "sha": pr["head_sha"],
                     "repo_id": 0, "repo": repo_obj(ctx, full)},
            "base": {"label": pr["base"], "ref": pr["base"], "sha": pr["base_sha"],
                     "repo_id": 0, "repo": repo_obj(ctx, full)},
            "requested_reviewers": [user(x) for x in pr["requested_reviewers"]],
            "requested_reviewers_teams": [{"id": 0, "name": t} for t in pr["requested_teams"]],
            "additions": d.additions, "deletions": d.deletions, "changed_files": len(d.files),
            "created_at": pr["created_at"], "updated_at": pr["updated_at"]}

    def review(ctx, pr, rv):
        return {"id": rv["id"], "user": user(rv["user"]), "team": None,
                "state": TO_GITEA.get(rv["state"], "COMMENT"), "body": rv["body"],
                "commit_id": rv["commit_id"], "stale": rv["commit_id"] != pr["head_sha"],
                "official": rv["state"] == "APPROVED", "dismissed": rv["state"] == "DISMISSED",
                "comments_count": len(rv.get("comments", [])),
                "submitted_at": rv["submitted_at"], "updated_at": rv["submitted_at"],
                "html_url": "%s/%s/pulls/%d#issuecomment-%d" % (ctx["web"], pr["repo"],
                                                                pr["number"], rv["id"]),
                "pull_request_url": "%s/%s/pulls/%d" % (ctx["web"], pr["repo"], pr["number"])}

    def status(st):
        return {"id": st["id"], "status": st["state"], "context": st["context"],
                "description": st.get("description") or "", "target_url": st.get("target_url")
                or "", "creator": user(st["creator"]), "created_at": st["created_at"],
                "updated_at": st["updated_at"]}

    @route("GET", r"/user", "user")
    def r_user(w, ctx):
        return Resp(200, user(ctx["viewer"]))

    @route("GET", r"/repos/issues/search", "issue_search")
    def r_search(w, ctx):
        q = {k: v[0] for k, v in ctx["query"].items()}
        if q.get("type", "pulls") != "pulls":
            return Resp(200, [])
        want_state = q.get("state", "open")
        labels = [x for x in q.get("labels", "").split(",") if x]
        out = []
        for key in sorted(w.db["prs"]):
            pr = w.db["prs"][key]
            st = "open" if pr["state"] == "open" else "closed"
            if want_state != "all" and st != want_state:
                continue
            if labels and not all(x in pr["labels"] for x in labels):
                continue
            if q.get("review_requested") == "true" and ctx["viewer"] not in \
                    pr["requested_reviewers"]:
                continue
            if q.get("created") == "true" and pr["author"] != ctx["viewer"]:
                continue
            out.append(pr)
        out.sort(key=lambda p: p["updated_at"], reverse=True)
        items = [{"id": p["id"], "number": p["number"], "title": p["title"], "state":
                  "open" if p["state"] == "open" else "closed", "user": user(p["author"]),
                  "labels": [label(p["repo"], x) for x in p["labels"]],
                  "html_url": "%s/%s/pulls/%d" % (ctx["web"], p["repo"], p["number"]),
                  "pull_request": {"merged": p["state"] == "merged", "draft": p["draft"]},
                  "repository": {"id": 0, "name": p["repo"].split("/")[1],
                                 "owner": p["repo"].split("/")[0], "full_name": p["repo"]},
                  "created_at": p["created_at"], "updated_at": p["updated_at"]} for p in out]
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    @route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)", "pull")
    def r_pull(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        return Resp(200, pull(ctx, pr))

    @route("GET", r"/repos/" + O + r"/commits/(?P<ref>[^/]+)/status", "combined_status")
    def r_combined(w, ctx, owner, name, ref):
        repo = ff.need_repo(w, owner, name)
        sha = w.rev(repo, ref) if re.fullmatch(r"[0-9a-f]{40}", ref) else None
        if sha is None:
            raise err(404, "sha not found")
        sts = w.latest_statuses(repo["full_name"], sha)
        states = [s["state"] for s in sts]
        overall = ("failure" if any(x in ("error", "failure") for x in states) else "pending"
                   if not states or "pending" in states else "success")
        chunk, hdrs = paginate(ctx, [status(s) for s in sts])
        return Resp(200, {"state": overall, "sha": sha, "total_count": len(sts),
                          "statuses": chunk, "repository": repo_obj(ctx, repo["full_name"])},
                    hdrs)

    @route("POST", r"/repos/" + O + r"/statuses/(?P<sha>[0-9a-f]+)", "create_status")
    def r_create_status(w, ctx, owner, name, sha):
        repo = ff.need_repo(w, owner, name)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        if b.get("state") not in STATUS_STATES:
            raise err(422, "invalid state: %s" % b.get("state"))
        full = w.rev(repo, sha) if re.fullmatch(r"[0-9a-f]{40}", sha) else None
        if full is None:
            raise err(404, "sha not found")
        st = w.add_status(repo, full, {"state": b["state"], "context": b.get("context") or
                                       "default", "description": b.get("description"),
                                       "target_url": b.get("target_url")}, creator=ctx["viewer"])
        return Resp(201, status(st))

    @route("GET", r"/repos/" + O + r"/actions/tasks", "action_tasks")
    def r_tasks(w, ctx, owner, name):
        repo = ff.need_repo(w, owner, name)
        runs = [r for r in w.db["check_runs"].values() if r["repo"] == repo["full_name"]]
        runs.sort(key=lambda r: r["id"], reverse=True)

        def st(r):
            if r["status"] != "completed":
                return {"queued": "waiting", "waiting": "blocked"}.get(r["status"], "running")
            return {"success": "success", "neutral": "success", "skipped": "skipped",
                    "cancelled": "cancelled", "action_required": "blocked"}.get(
                        r["conclusion"], "failure")
        items = [{"id": r["id"], "name": r["name"], "head_sha": r["head_sha"],
                  "head_branch": "", "status": st(r), "event": "pull_request",
                  "display_title": r.get("title") or r["name"], "run_number": r["id"],
                  "workflow_id": r["name"] + ".yml", "url": r.get("details_url") or "",
                  "created_at": r.get("started_at"), "updated_at": r.get("completed_at"),
                  "run_started_at": r.get("started_at")} for r in runs]
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, {"workflow_runs": chunk, "total_count": len(items)}, hdrs)

    @route("GET", r"/repos/" + O + r"/branch_protections", "branch_protections")
    def r_protections(w, ctx, owner, name):
        repo = ff.need_repo(w, owner, name)
        if not repo["required_checks"]:
            return Resp(200, [])
        b = repo["default_branch"]
        return Resp(200, [{"branch_name": b, "rule_name": b, "enable_push": False,
                           "enable_status_check": True,
                           "status_check_contexts": list(repo["required_checks"]),
                           "required_approvals": repo.get("required_approvals") or 0,
                           "block_on_rejected_reviews": True,
                           "created_at": "2026-01-01T00:00:00Z",
                           "updated_at": "2026-01-01T00:00:00Z"}])

    @route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/reviews", "reviews")
    def r_reviews(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        rvs = [rv for rv in pr["reviews"] if rv["state"] != "PENDING"
               or rv["user"] == ctx["viewer"]]
        chunk, hdrs = paginate(ctx, [review(ctx, pr, rv) for rv in rvs])
        return Resp(200, chunk, hdrs)

    @route("POST", r"/repos/" + O + r"/pulls/(?P<number>\d+)/reviews", "create_review")
    def r_create_review(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        viewer = ctx["viewer"]
        event = b.get("event") or ""
        body = b.get("body") or ""
        state = EVENTS.get(event, "PENDING")    # Gitea's preparePullReviewType
        if state == "APPROVED" and viewer == pr["author"]:
            raise err(422, "approve your own pull is not allowed")
        if state == "CHANGES_REQUESTED" and viewer == pr["author"]:
            raise err(422, "reject your own pull is not allowed")
        if state == "CHANGES_REQUESTED" and not body.strip():
            raise err(422, "review event REQUEST_CHANGES requires a body")
        if state == "COMMENTED" and not body.strip() and not b.get("comments"):
            raise err(422, "review event COMMENT requires a body or a comment")
        if pr["state"] != "open":
            raise err(422, "cannot submit review on a closed pull request")
        commit = b.get("commit_id") or pr["head_sha"]
        comments = []
        for c in b.get("comments") or []:
            if not isinstance(c, dict) or not c.get("path") or not c.get("body"):
                raise err(422, "comment path and body are required")
            comments.append({"id": w.new_id(), "path": c["path"], "body": c["body"],
                             "line": c.get("new_position") or c.get("old_position"),
                             "side": "LEFT" if c.get("old_position") else "RIGHT"})
        rv = {"id": w.new_id(), "user": viewer, "state": state, "body": body,
              "commit_id": commit, "submitted_at": ff.now_iso(), "comments": comments}
        pr["reviews"].append(rv)
        if state != "PENDING" and viewer in pr["requested_reviewers"]:
            pr["requested_reviewers"].remove(viewer)
        pr["updated_at"] = ff.now_iso()
        return Resp(200, review(ctx, pr, rv))

    @route("DELETE", r"/repos/" + O + r"/pulls/(?P<number>\d+)/reviews/(?P<rid>\d+)",
           "delete_review")
    def r_delete_review(w, ctx, owner, name, number, rid):
        repo, pr = ff.need_pr(w, owner, name, number)
        for rv in pr["reviews"]:
            if rv["id"] == int(rid):
                if rv["user"] != ctx["viewer"]:
                    raise err(403, "only the owner can delete a review")
                if rv["state"] != "PENDING":
                    raise err(422, "only a pending review can be deleted")
                pr["reviews"].remove(rv)
                return Resp(204, None)
        raise err(404, "review not found")

    @route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/files", "pull_files")
    def r_files(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        items = []
        for f in w.diff(pr).files[:w.args.max_files]:
            e = {"filename": f["filename"], "status": f["status"], "additions": f["additions"],
                 "deletions": f["deletions"], "changes": f["additions"] + f["deletions"],
                 "html_url": "", "contents_url": "", "raw_url": ""}
            if "previous_filename" in f:
                e["previous_filename"] = f["previous_filename"]
            items.append(e)
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    @route("GET", r"/repos/" + O + r"/pulls/(?P<number>\d+)/commits", "pull_commits")
    def r_commits(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        items = []
        for c in w.commits(pr):
            info = w.commit_info(repo, c["sha"])
            items.append({"sha": c["sha"], "commit": {
                "message": info["message"],
                "author": {"name": info["author"], "email": info["author_email"],
                           "date": info["authored"]}}})
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    @route("POST", r"/repos/" + O + r"/issues/(?P<number>\d+)/labels", "add_labels")
    def r_labels(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        labels = b.get("labels")
        if not isinstance(labels, list):
            raise err(422, "labels must be a list of ids or names")
        for nm in labels:
            if not isinstance(nm, str):
                raise err(422, "label ids are not known to this test forge: use names")
            w.repo_label(repo, nm)
            if nm not in pr["labels"]:
                pr["labels"].append(nm)
        pr["updated_at"] = ff.now_iso()
        return Resp(200, [label(pr["repo"], x) for x in pr["labels"]])

    @route("POST", r"/repos/" + O + r"/pulls/(?P<number>\d+)/requested_reviewers",
           "request_reviewers")
    def r_request(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        if pr["state"] != "open":
            raise err(403, "pull request is closed")
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        users, teams = b.get("reviewers") or [], b.get("team_reviewers") or []
        for u in users:
            if u not in w.db["users"]:
                raise err(404, "user does not exist [name: %s]" % u)
            if u == pr["author"]:
                raise err(422, "cannot request review from the poster")
        out = []
        for u in users:
            if u not in pr["requested_reviewers"]:
                pr["requested_reviewers"].append(u)
            out.append({"id": w.new_id(), "user": user(u), "state": "REQUEST_REVIEW",
                        "body": "", "commit_id": pr["head_sha"]})
        for t in teams:
            if t not in pr["requested_teams"]:
                pr["requested_teams"].append(t)
        pr["updated_at"] = ff.now_iso()
        return Resp(201, out)

    @route("POST", r"/repos/" + O + r"/issues/(?P<number>\d+)/comments", "create_comment")
    def r_comment(w, ctx, owner, name, number):
        repo, pr = ff.need_pr(w, owner, name, number)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        if not isinstance(b.get("body"), str) or not b["body"].strip():
            raise err(422, "body is required")
        c = {"id": w.new_id(), "user": ctx["viewer"], "body": b["body"],
             "created_at": ff.now_iso()}
        pr["comments"].append(c)
        return Resp(201, {"id": c["id"], "user": user(c["user"]), "body": c["body"],
                          "created_at": c["created_at"], "updated_at": c["created_at"]})

    return table
