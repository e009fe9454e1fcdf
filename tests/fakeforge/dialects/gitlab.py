"""The test forge's world served as GitLab REST API v4 (`fakeforge.py --dialect gitlab`).

Projects are the world's repositories, addressed by URL-encoded full path (`acme%2Finfra`) or
numeric id; MRs are its PRs (iid = number). Shapes follow GitLab's API description and the field
tables of forge-api.md Part 2.1: MergeRequest (`sha`, `diff_refs`, `references.full`,
`head_pipeline`, `reviewers`, `labels` as strings), Job, CommitStatus (`status` in GitLab's words),
Note, Discussion (a nested `position` object; bracketed JSON keys are ignored, as on GitLab),
MR diffs and commits. `/approve` takes `sha` and answers 409 when it is not the head; the author
gets 401 (self-approval off). The head pipeline's jobs are the world's check runs on the head;
commit statuses are the world's statuses. Approvals are kept in the world as APPROVED reviews
(dismissed by /unapprove), notes as comments, statuses in the world's (GitHub's) state words, so
/_admin/state reads alike on every dialect. At start every MR gets `refs/merge-requests/N/head`.
"""
import hashlib
import re
import urllib.parse

PREFIX = "/api/v4"
TO_GITLAB = {"success": "success", "failure": "failed", "error": "failed", "pending": "pending"}
FROM_GITLAB = {"success": "success", "failed": "failure", "canceled": "error",
               "pending": "pending", "running": "pending", "skipped": "success"}


def routes(ff, world):
    table = []
    P = r"/projects/(?P<pid>[^/]+)"
    MR = P + r"/merge_requests/(?P<iid>\d+)"
    Resp, HTTPError = ff.Resp, ff.HTTPError

    def route(method, pattern, name):
        def deco(fn):
            table.append((method, re.compile("^" + pattern + "$"), name, "core", fn))
            return fn
        return deco

    def err(status, msg, key="message"):
        e = HTTPError(status, msg)
        e.body = {key: msg}
        return e

    def paginate(ctx, items):
        q = ctx["query"]
        try:
            per = min(max(int(q.get("per_page", ["20"])[0]), 1), 100)
            page = max(int(q.get("page", ["1"])[0]), 1)
        except ValueError:
            raise err(400, "page is invalid", "error")
        last = max(1, (len(items) + per - 1) // per)
        hdrs = {"x-page": str(page), "x-per-page": str(per), "x-total": str(len(items)),
                "x-total-pages": str(last), "x-next-page": str(page + 1) if page < last else ""}
        if page < last:
            qq = {k: v[0] for k, v in q.items()}
            qq.update(per_page=str(per), page=str(page + 1))
            hdrs["Link"] = '<%s%s?%s>; rel="next"' % (ctx["api"], ctx["path"],
                                                        urllib.parse.urlencode(qq))
        return items[(page - 1) * per: page * per], hdrs

    def user(login):
        u = world.user(login)
        return {"id": u["id"], "username": login, "name": u.get("name") or login,
                "state": "active", "bot": u["type"] == "Bot", "avatar_url": None,
                "web_url": "/" + login}

    def project(w, pid):
        path = urllib.parse.unquote(pid)
        for full, r in w.db["repos"].items():
            if full == path or str(r.get("id")) == path:
                return full, r
        raise err(404, "404 Project Not Found")

    def need_mr(w, pid, iid):
        full, repo = project(w, pid)
        pr = w.pr(repo, int(iid))
        if pr is None:
            raise err(404, "404 Not found")
        return full, repo, pr

    def pipeline_id(pr):
        return int(hashlib.sha256(pr["head_sha"].encode()).hexdigest()[:7], 16)

    def job_status(r):
        if r["status"] != "completed":
            return {"queued": "pending", "waiting": "manual"}.get(r["status"], "running")
        return {"success": "success", "neutral": "success", "skipped": "skipped",
                "cancelled": "canceled", "action_required": "manual"}.get(r["conclusion"],
                                                                          "failed")

    def mr_obj(ctx, w, pr, single):
        full = pr["repo"]
        sync_ref(pr)
        o = {"id": pr["id"], "iid": pr["number"], "project_id": w.db["repos"][full].get("id", 0),
             "title": pr["title"], "description": pr["body"] or "",
             "state": "opened" if pr["state"] == "open" else pr["state"],
             "created_at": pr["created_at"], "updated_at": pr["updated_at"],
             "target_branch": pr["base"], "source_branch": pr["head"],
             "author": user(pr["author"]),
             "reviewers": [user(x) for x in pr["requested_reviewers"]],
             "assignees": [], "labels": list(pr["labels"]), "draft": pr["draft"],
             "work_in_progress": pr["draft"], "sha": pr["head_sha"],
             "merge_status": "can_be_merged", "detailed_merge_status": "mergeable",
             "web_url": "%s/%s/-/merge_requests/%d" % (ctx["web"], full, pr["number"]),
             "references": {"short": "!%d" % pr["number"], "relative": "!%d" % pr["number"],
                            "full": "%s!%d" % (full, pr["number"])}}
        if single:
            runs = w.runs_for(full, pr["head_sha"])
            o["diff_refs"] = {"base_sha": pr["base_sha"], "head_sha": pr["head_sha"],
                              "start_sha": pr["base_sha"]}
            o["changes_count"] = str(len(w.diff(pr).files))
            o["head_pipeline"] = {"id": pipeline_id(pr), "sha": pr["head_sha"],
                                  "ref": "refs/merge-requests/%d/head" % pr["number"],
                                  "status": "success" if all(job_status(r) == "success"
                                                             for r in runs) else "failed"} \
                if runs else None
        return o

    def note_obj(pr, c):
        # NoteSchema's fields (@gitbeaker/core); a diff note's position stays in the state
        return {"id": c["id"], "body": c["body"], "attachment": None,
                "author": user(c["user"]), "system": False,
                "created_at": c["created_at"], "updated_at": c["created_at"],
                "noteable_id": pr["id"], "noteable_type": "MergeRequest",
                "noteable_iid": pr["number"], "project_id": world.db["repos"][pr["repo"]].get(
                    "id", 0), "resolvable": bool(c.get("position"))}

    # refs/merge-requests/N/head, as GitLab keeps them (moved along when /_admin/pr pushes)
    mr_refs = {}

    def sync_ref(pr):
        key = (pr["repo"], pr["number"])
        if mr_refs.get(key) != pr["head_sha"]:
            ff.git(world.gitdir(world.db["repos"][pr["repo"]]), "update-ref",
                   "refs/merge-requests/%d/head" % pr["number"], pr["head_sha"])
            mr_refs[key] = pr["head_sha"]

    for pr in world.db["prs"].values():
        sync_ref(pr)

    @route("GET", r"/user", "user")
    def r_user(w, ctx):
        return Resp(200, user(ctx["viewer"]))

    @route("GET", r"/users", "users")
    def r_users(w, ctx):
        name = ctx["query"].get("username", [""])[0]
        return Resp(200, [user(name)] if name in w.db["users"] else [])

    @route("GET", r"/merge_requests", "merge_requests")
    def r_mrs(w, ctx):
        q = {k: v[0] for k, v in ctx["query"].items()}
        scope = q.get("scope", "created_by_me")
        state = q.get("state", "all")
        labels = [x for x in q.get("labels", "").split(",") if x]
        out = []
        for key in sorted(w.db["prs"]):
            pr = w.db["prs"][key]
            st = "opened" if pr["state"] == "open" else pr["state"]
            if state != "all" and st != state:
                continue
            if labels and not all(x in pr["labels"] for x in labels):
                continue
            if scope == "created_by_me" and pr["author"] != ctx["viewer"]:
                continue
            if scope == "reviews_for_me" and ctx["viewer"] not in pr["requested_reviewers"]:
                continue
            if "reviewer_username" in q and q["reviewer_username"] not in \
                    pr["requested_reviewers"]:
                continue
            out.append(pr)
        out.sort(key=lambda p: p["created_at"], reverse=True)
        chunk, hdrs = paginate(ctx, [mr_obj(ctx, w, p, False) for p in out])
        return Resp(200, chunk, hdrs)

    @route("GET", MR, "merge_request")
    def r_mr(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        return Resp(200, mr_obj(ctx, w, pr, True))

    @route("PUT", MR, "update_merge_request")
    def r_update(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        for nm in [x for x in str(b.get("add_labels", "")).split(",") if x]:
            w.repo_label(repo, nm)
            if nm not in pr["labels"]:
                pr["labels"].append(nm)
        if "reviewer_ids" in b:
            by_id = {u["id"]: login for login, u in w.db["users"].items()}
            if not isinstance(b["reviewer_ids"], list) or any(
                    i not in by_id for i in b["reviewer_ids"]):
                raise err(400, "reviewer_ids is invalid", "error")
            pr["requested_reviewers"] = [by_id[i] for i in b["reviewer_ids"]]
        pr["updated_at"] = ff.now_iso()
        return Resp(200, mr_obj(ctx, w, pr, True))

    @route("GET", P + r"/pipelines/(?P<pl>\d+)/jobs", "pipeline_jobs")
    def r_jobs(w, ctx, pid, pl):
        full, repo = project(w, pid)
        for pr in w.db["prs"].values():
            if pr["repo"] == full and pipeline_id(pr) == int(pl):
                jobs = [{"id": r["id"], "name": r["name"], "status": job_status(r),
                         "stage": "test", "allow_failure": False,
                         "web_url": r.get("details_url") or "",
                         "created_at": r.get("started_at"), "finished_at": r.get("completed_at"),
                         "pipeline": {"id": int(pl), "sha": pr["head_sha"]}}
                        for r in w.runs_for(full, pr["head_sha"])]
                chunk, hdrs = paginate(ctx, jobs)
                return Resp(200, chunk, hdrs)
        raise err(404, "404 Not found")

    @route("GET", P + r"/repository/commits/(?P<sha>[0-9a-f]+)/statuses", "commit_statuses")
    def r_statuses(w, ctx, pid, sha):
        full, repo = project(w, pid)
        items = [{"id": s["id"], "sha": sha, "ref": None,
                  "status": TO_GITLAB.get(s["state"], "pending"), "name": s["context"],
                  "target_url": s.get("target_url"), "description": s.get("description"),
                  "allow_failure": False, "created_at": s["created_at"],
                  "author": user(s["creator"])}
                 for s in w.latest_statuses(full, sha)]
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    @route("POST", P + r"/statuses/(?P<sha>[0-9a-f]+)", "create_status")
    def r_create_status(w, ctx, pid, sha):
        full, repo = project(w, pid)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        if b.get("state") not in FROM_GITLAB:
            raise err(400, "state does not have a valid value", "error")
        sha_full = w.rev(repo, sha) if re.fullmatch(r"[0-9a-f]{40}", sha) else None
        if sha_full is None:
            raise err(404, "404 Commit Not Found")
        st = w.add_status(repo, sha_full, {"state": FROM_GITLAB[b["state"]],
                                           "context": b.get("name") or b.get("context") or
                                           "default", "description": b.get("description"),
                                           "target_url": b.get("target_url")},
                          creator=ctx["viewer"])
        return Resp(201, {"id": st["id"], "sha": sha_full, "status": b["state"],
                          "name": st["context"], "description": st["description"],
                          "target_url": st["target_url"], "allow_failure": False,
                          "author": user(ctx["viewer"]), "created_at": st["created_at"]})

    @route("POST", MR + r"/approve", "approve")
    def r_approve(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        if pr["author"] == ctx["viewer"]:
            raise err(401, "401 Unauthorized")
        if b.get("sha") and b["sha"] != pr["head_sha"]:
            raise err(409, "SHA does not match HEAD of source branch: %s" % pr["head_sha"])
        if any(r["user"] == ctx["viewer"] and r["state"] == "APPROVED" for r in pr["reviews"]):
            raise err(401, "401 Unauthorized")     # GitLab: already approved
        pr["reviews"].append({"id": w.new_id(), "user": ctx["viewer"], "state": "APPROVED",
                              "body": "", "commit_id": pr["head_sha"],
                              "submitted_at": ff.now_iso(), "comments": []})
        pr["updated_at"] = ff.now_iso()
        by = [{"user": user(r["user"])} for r in pr["reviews"] if r["state"] == "APPROVED"]
        return Resp(201, {"id": pr["id"], "iid": pr["number"], "approved": True,
                          "approved_by": by, "approvals_required": 1,
                          "approvals_left": max(0, 1 - len(by))})

    @route("POST", MR + r"/unapprove", "unapprove")
    def r_unapprove(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        mine = [r for r in pr["reviews"] if r["user"] == ctx["viewer"]
                and r["state"] == "APPROVED"]
        if not mine:
            raise err(404, "404 Not Found")
        for r in mine:
            r["state"] = "DISMISSED"
        pr["updated_at"] = ff.now_iso()
        return Resp(201, {"id": pr["id"], "iid": pr["number"], "approved": False})

    @route("GET", MR + r"/notes", "notes")
    def r_notes(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        items = [note_obj(pr, c) for c in pr["comments"]]
        if ctx["query"].get("sort", ["desc"])[0] == "desc":
            items.reverse()
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    @route("POST", MR + r"/notes", "create_note")
    def r_create_note(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        if not isinstance(b.get("body"), str) or not b["body"].strip():
            raise err(400, "body is missing", "error")
        if len(b["body"]) > 1000000:
            raise err(400, "Note is too long", "message")
        c = {"id": w.new_id(), "user": ctx["viewer"], "body": b["body"],
             "created_at": ff.now_iso()}
        pr["comments"].append(c)
        pr["updated_at"] = ff.now_iso()
        return Resp(201, note_obj(pr, c))

    @route("POST", MR + r"/discussions", "create_discussion")
    def r_discussion(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        b = ctx["body"] if isinstance(ctx["body"], dict) else {}
        if not isinstance(b.get("body"), str) or not b["body"].strip():
            raise err(400, "body is missing", "error")
        pos = b.get("position")     # "position[new_line]" keys in JSON are ignored, as on GitLab
        if pos is not None:
            if not isinstance(pos, dict) or pos.get("position_type") != "text":
                raise err(400, "position[position_type] is missing", "error")
            for k in ("base_sha", "start_sha", "head_sha", "new_path"):
                if not pos.get(k):
                    raise err(400, "position[%s] is missing" % k, "error")
            if pos["head_sha"] != pr["head_sha"]:
                raise err(400, "Note {:validate_position=>\"is incomplete\"}", "message")
            side = "LEFT" if pos.get("old_line") and not pos.get("new_line") else "RIGHT"
            lines = w.diff(pr).diff_lines(pos["new_path"], side)
            line = pos.get("new_line") or pos.get("old_line")
            if lines is None or line not in lines:
                raise err(400, "Note {:line_code=>[\"can't be blank\", \"must be a valid "
                          "line code\"]}", "message")
        c = {"id": w.new_id(), "user": ctx["viewer"], "body": b["body"],
             "created_at": ff.now_iso(), "position": pos}
        pr["comments"].append(c)
        return Resp(201, {"id": hashlib.sha1(str(c["id"]).encode()).hexdigest(),
                          "individual_note": pos is None, "notes": [note_obj(pr, c)]})

    @route("GET", MR + r"/diffs", "diffs")
    def r_diffs(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        d = w.diff(pr)
        d.patches()
        items = [{"old_path": f.get("previous_filename", f["filename"]),
                  "new_path": f["filename"], "a_mode": "100644", "b_mode": "100644",
                  "new_file": f["status"] == "added", "deleted_file": f["status"] == "removed",
                  "renamed_file": f["status"] == "renamed",
                  "diff": (f.get("patch") or "") + ("\n" if f.get("patch") else "")}
                 for f in d.files[:w.args.max_files]]
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    @route("GET", MR + r"/commits", "commits")
    def r_commits(w, ctx, pid, iid):
        full, repo, pr = need_mr(w, pid, iid)
        items = []
        for c in reversed(w.commits(pr)):
            info = w.commit_info(repo, c["sha"])
            items.append({"id": c["sha"], "short_id": c["sha"][:8],
                          "title": info["message"].split("\n")[0], "message": info["message"],
                          "author_name": info["author"], "author_email": info["author_email"],
                          "created_at": info["authored"]})
        chunk, hdrs = paginate(ctx, items)
        return Resp(200, chunk, hdrs)

    return table
